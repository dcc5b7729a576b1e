"""`runs create` makes one record or none, whatever happens to its POST or its rollback."""

from __future__ import annotations

import pytest

from endpoints_submission_cli import prism as prism_module
from endpoints_submission_cli.prism import PrismClient


@pytest.fixture
def api(prism):
    with PrismClient(prism.url, prism.token) as client:
        yield client


def test_rollback_delete_whose_answer_was_lost_is_a_success(prism, cli, api, run_folder):
    """The DELETE worked but its answer was lost; the retry's 404 means: it is gone."""
    prism.add_fault(method="PUT", path="^/storage/runs/", action="status", status=400)
    prism.add_fault(method="DELETE", path="^/runs/[^/]+$", action="drop_response")
    result = cli("runs", "create", "--path", run_folder())
    assert result.exit_code == 1
    assert "deleted again: nothing was registered" in result.stderr
    assert "orphan" not in result.stderr
    assert prism.faults() == []  # the DELETE really went out (and worked) before the 404
    assert api.list_runs() == []


def test_a_post_dropped_before_the_server_saw_it_is_sent_again(prism, cli, api, run_folder):
    prism.add_fault(method="POST", path="^/runs$", action="drop")
    result = cli("runs", "create", "--path", run_folder())
    assert result.exit_code == 0, result.stderr
    assert "sending it once more" in result.stderr
    [run] = api.list_runs()
    assert run["id"] == result.stdout.strip()
    assert api.get_run(run["id"])["archive_sha256"]


def test_a_503_to_the_post_is_retried_once_the_list_shows_nothing(prism, cli, api, run_folder):
    prism.add_fault(method="POST", path="^/runs$", action="status", status=503)
    result = cli("runs", "create", "--path", run_folder())
    assert result.exit_code == 0, result.stderr
    assert len(api.list_runs()) == 1


def test_a_post_failing_twice_says_what_the_list_showed(prism, cli, api, run_folder):
    prism.add_fault(method="POST", path="^/runs$", action="drop", times=2)
    result = cli("runs", "create", "--path", run_folder())
    assert result.exit_code == 1
    assert "listed no new run record" in result.stderr
    assert "runs list" in result.stderr
    assert api.list_runs() == []


def test_a_slow_post_is_found_after_the_timeout_not_posted_twice(
    prism, cli, api, run_folder, monkeypatch
):
    """The answer comes after the client's read timeout: whatever the server does with the
    first request, the command ends with exactly one record (or says it made none)."""
    monkeypatch.setattr(prism_module, "JSON_TIMEOUT", prism_module.httpx.Timeout(0.3))
    prism.add_fault(method="POST", path="^/runs$", action="delay", delay_s=1.0)
    result = cli("runs", "create", "--path", run_folder())
    assert result.exit_code == 0, result.stderr
    assert len(api.list_runs()) == 1


def test_a_post_the_server_is_still_processing_is_found_not_announced_as_nothing(
    prism, cli, api, run_folder, delaying_proxy, patient_client
):
    """The server gets the POST only after the client's timeout: the client must watch the list
    long enough to see the record appear, and continue with it (one record, archive uploaded)."""
    delaying_proxy.hold(b"POST /runs ", 1.2)
    result = cli("--api-url", delaying_proxy.url, "runs", "create", "--path", run_folder())
    assert delaying_proxy.held == 1
    assert result.exit_code == 0, result.stderr
    assert "nothing was registered" not in result.stderr
    assert "continuing with it" in result.stderr
    [run] = api.list_runs()
    assert run["id"] == result.stdout.strip()
    assert api.get_run(run["id"])["archive_sha256"]


def test_the_idempotency_key_dedupes_a_repost_the_list_could_not_see_yet(
    prism, cli, api, run_folder, delaying_proxy, patient_client, monkeypatch
):
    monkeypatch.setattr(prism_module, "LOST_ANSWER_POLL_DELAYS", ())
    delaying_proxy.hold(b"POST /runs ", 1.2)
    result = cli("--api-url", delaying_proxy.url, "runs", "create", "--path", run_folder())
    assert result.exit_code == 0, result.stderr
    assert "sending it once more" in result.stderr
    assert delaying_proxy.held_answered.wait(30)  # the held first POST reached the server
    [run] = api.list_runs()
    assert run["id"] == result.stdout.strip()
    assert api.get_run(run["id"])["archive_sha256"]
