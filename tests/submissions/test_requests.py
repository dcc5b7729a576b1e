"""Flag validation, resume command lines and journal keys (no server needed)."""

from __future__ import annotations

import shlex
from datetime import datetime, timedelta, timezone

import pytest

from endpoints_submission_cli.errors import BundleError, CliError
from endpoints_submission_cli.forge import resolve_target
from endpoints_submission_cli.journal import Journal, journal_key, state_dir
from endpoints_submission_cli.pipeline import CreateRequest, split_run_ids, validate_metadata


def in_days(n: int) -> str:
    return (datetime.now(timezone.utc).date() + timedelta(days=n)).isoformat()


def test_run_ids_accept_repeats_and_comma_lists_and_refuse_duplicates():
    assert split_run_ids(("a,b", "c", " d , ")) == ["a", "b", "c", "d"]
    with pytest.raises(BundleError, match="run id b is given more than once"):
        split_run_ids(("a,b", "b"))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"availability": "preview"}, "needs --target-availability-date"),
        ({"availability": "preview", "target_availability_date": in_days(181)}, "180 days"),
        ({"availability": "preview", "target_availability_date": in_days(0)}, "after today"),
        ({"target_availability_date": "2026-02-30"}, "is not a date"),
        ({"publication_cycle": "2026-13-C0"}, "YYYY-MM-C0"),
        ({"embargo_date": "2030-01-01T00:00:00"}, "has no timezone"),
        ({"embargo_date": "2001-01-01T00:00:00+00:00"}, "in the past"),
    ],
)
def test_bad_flags_are_usage_errors(flags, message):
    values = {
        "availability": None,
        "target_availability_date": None,
        "publication_cycle": None,
        "embargo_date": None,
        **flags,
    }
    with pytest.raises(CliError, match=message) as err:
        validate_metadata(**values)
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("flags", "hint"),
    [
        ({"target_availability_date": "next week"}, "for example 2026-12-01"),
        ({"publication_cycle": "2026-Q4"}, "for example 2026-12-C0"),
        ({"embargo_date": "2001-01-01T00:00:00+00:00"}, "a moment in the future"),
    ],
)
def test_bad_flags_say_how_to_fix_them(flags, hint):
    values = dict.fromkeys(
        ("availability", "target_availability_date", "publication_cycle", "embargo_date")
    )
    with pytest.raises(CliError) as err:
        validate_metadata(**{**values, **flags})
    assert hint in (err.value.hint or "")


def test_a_huge_flag_value_is_cut_in_the_message():
    with pytest.raises(CliError) as err:
        validate_metadata(
            availability=None,
            target_availability_date=None,
            publication_cycle="x" * 100_000,
            embargo_date=None,
        )
    assert len(err.value.message) < 200 and "xxx…'" in err.value.message


def test_good_flags_pass():
    validate_metadata(
        availability="preview",
        target_availability_date=in_days(180),
        publication_cycle="2026-12-C1",
        embargo_date="2099-01-01T00:00:00Z",
    )


def test_resume_command_repeats_the_request_without_the_token():
    request = CreateRequest(
        run_ids=("r1", "r 2"),
        division="serviced",
        availability="preview",
        target_availability_date="2026-12-01",
        org="My Org",
        quality_target=0.8,
        no_pr=True,
    )
    line = request.command_line("http://127.0.0.1:8080")
    assert shlex.split(line) == [
        "endpoints-submission-cli",
        "--api-url",
        "http://127.0.0.1:8080",
        "submissions",
        "create",
        "--run-ids",
        "r1,r 2",
        "--division",
        "serviced",
        "--availability",
        "preview",
        "--scenario",
        "cop",
        "--target-availability-date",
        "2026-12-01",
        "--org",
        "My Org",
        "--quality-target",
        "0.8",
        "--no-pr",
    ]
    assert "token" not in line and "mlc_" not in line


def test_journal_key_ignores_run_order_but_not_flags(tmp_path):
    target = resolve_target("octo/subs")
    a = CreateRequest(run_ids=("r1", "r2"), division="standardized", availability="available")
    b = CreateRequest(run_ids=("r2", "r1"), division="standardized", availability="available")
    c = CreateRequest(run_ids=("r1", "r2"), division="serviced", availability="available")
    key = journal_key("create", a.identity("http://x", target))
    assert key == journal_key("create", b.identity("http://x", target))
    assert key != journal_key("create", c.identity("http://x", target))
    assert key != journal_key("create", a.identity("http://y", target))


def test_journal_lives_in_xdg_state_and_survives_reopening(tmp_path):
    assert state_dir() == tmp_path / "state" / "endpoints-submission-cli"
    journal = Journal.open("create", {"run_ids": ["r1"]})
    assert not journal.resumed and not journal.path.exists()  # nothing happened yet
    journal.record("submission", id="s1")
    again = Journal.open("create", {"run_ids": ["r1"]})
    assert again.resumed and again.get("submission")["id"] == "s1"
    again.discard()
    assert not Journal.open("create", {"run_ids": ["r1"]}).resumed


def test_unreadable_journal_is_reported_not_guessed(tmp_path):
    journal = Journal.open("create", {"run_ids": ["r1"]})
    journal.record("submission", id="s1")
    journal.path.write_text("{not json")
    with pytest.raises(CliError, match="is unreadable"):
        Journal.open("create", {"run_ids": ["r1"]})
