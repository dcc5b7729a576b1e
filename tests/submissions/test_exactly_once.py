"""`submissions create` makes exactly one submission: slow answers, re-runs without the journal
(another machine, `localhost` for `127.0.0.1`), overlapping runs, two copies at once."""

from __future__ import annotations

from endpoints_submission_cli import prism as prism_module
from endpoints_submission_cli.forge import Target
from endpoints_submission_cli.journal import locked
from endpoints_submission_cli.pipeline import CreateRequest

CREATE = ("submissions", "create", "--division", "standardized", "--availability", "available")


def ids_arg(ids) -> str:
    return ",".join(ids.values() if isinstance(ids, dict) else ids)


def test_a_slow_create_answered_after_the_timeout_makes_one_submission(
    cli, api, example_ids, delaying_proxy, patient_client
):
    """The server gets the POST only after the client gave up waiting; the client watches the
    list until the submission appears and continues with it instead of posting again."""
    delaying_proxy.hold(b"POST /submissions ", 1.5)
    result = cli(
        "--api-url", delaying_proxy.url, *CREATE, "--run-ids", ids_arg(example_ids), "--no-pr"
    )
    assert delaying_proxy.held == 1
    assert result.exit_code == 0, result.stderr
    assert "checking whether it was created" in result.stderr
    [sub] = api.submissions()
    assert sub["id"] == result.stdout.strip()
    assert api.submission(sub["id"])["status"] == "REVIEW_PENDING"  # the bundle was uploaded


def test_a_rerun_without_the_journal_adopts_the_submission(
    cli, api, prism, example_ids, tmp_path, monkeypatch
):
    """Another machine (a second state directory) spelling the server `localhost`."""
    first = cli(*CREATE, "--run-ids", ids_arg(example_ids), "--no-pr")
    assert first.exit_code == 0, first.stderr
    sid = first.stdout.strip()

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "other-machine-state"))
    other_url = prism.url.replace("127.0.0.1", "localhost")
    again = cli("--api-url", other_url, *CREATE, "--run-ids", ids_arg(example_ids), "--no-pr")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == sid
    assert f"submission {sid} (REVIEW_PENDING) already holds exactly these runs" in again.stderr
    assert [s["id"] for s in api.submissions()] == [sid]


def test_a_submission_holding_some_of_the_runs_is_named_and_nothing_is_created(
    cli, api, example_ids
):
    first = cli(*CREATE, "--run-ids", ids_arg(example_ids), "--no-pr")
    sid = first.stdout.strip()
    subset = list(example_ids.values())[:3]
    second = cli(*CREATE, "--run-ids", ids_arg(subset), "--no-pr")
    assert second.exit_code == 1
    assert f"already belong to a live submission: {sid} (REVIEW_PENDING)" in second.stderr
    assert "Traceback" not in second.stderr
    assert [s["id"] for s in api.submissions()] == [sid]


def test_after_a_withdrawal_the_same_command_makes_a_new_submission(cli, api, example_ids):
    first = cli(*CREATE, "--run-ids", ids_arg(example_ids), "--no-pr").stdout.strip()
    assert cli("submissions", "withdraw", "--submission-id", first).exit_code == 0
    second = cli(*CREATE, "--run-ids", ids_arg(example_ids), "--no-pr")
    assert second.exit_code == 0, second.stderr
    assert second.stdout.strip() != first
    live = [s["id"] for s in api.submissions() if s["status"] != "WITHDRAWN"]
    assert live == [second.stdout.strip()]


def test_a_second_copy_of_the_command_is_refused_while_the_first_runs(cli, api, prism, example_ids):
    request = CreateRequest(
        run_ids=tuple(example_ids.values()),
        division="standardized",
        availability="available",
        no_pr=True,
    )
    identity = request.identity(prism.url, Target(spec="unused", is_github=False))
    with locked("create", identity):
        result = cli(*CREATE, "--run-ids", ids_arg(example_ids), "--no-pr")
    assert result.exit_code == 1
    assert "another copy of this command is running" in result.stderr
    assert api.submissions() == []


def test_the_idempotency_key_is_stable_and_tells_users_and_generations_apart():
    request = CreateRequest(run_ids=("b", "a"), division="closed", availability="available")
    same = CreateRequest(run_ids=("a", "b"), division="closed", availability="available")
    key = request.idempotency_key("user-1", "http://127.0.0.1:8000", [])
    assert key == same.idempotency_key("user-1", "http://localhost:8000/", [])
    assert key != request.idempotency_key("user-2", "http://127.0.0.1:8000", [])
    assert key != request.idempotency_key("user-1", "http://127.0.0.1:8000", ["old-sub"])
    other_flags = CreateRequest(run_ids=("a", "b"), division="open", availability="available")
    assert key != other_flags.idempotency_key("user-1", "http://127.0.0.1:8000", [])


def test_the_idempotency_key_dedupes_a_repost_the_list_could_not_see_yet(
    cli, api, example_ids, delaying_proxy, patient_client, monkeypatch
):
    """No time to watch the list: the client posts again while the first POST is still on its
    way; the server sees the same Idempotency-Key twice and makes one submission."""
    monkeypatch.setattr(prism_module, "LOST_ANSWER_POLL_DELAYS", ())
    delaying_proxy.hold(b"POST /submissions ", 1.5)
    result = cli("--api-url", delaying_proxy.url, *CREATE, "--run-ids", ids_arg(example_ids),
                 "--no-pr")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "sending the request once more" in result.stderr
    assert delaying_proxy.held_answered.wait(30)  # the held first POST was answered too
    [sub] = api.submissions()
    assert sub["id"] == result.stdout.strip()
