"""`runs …` commands end to end against a real prism-server, including faults halfway.

Every failure case checks what a user sees (message, exit code) and, through the API, that no
run record was left behind.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

import pytest

from endpoints_submission_cli.errors import NetworkError
from endpoints_submission_cli.prism import PrismClient
from endpoints_submission_cli.registration import pack_run
from endpoints_submission_cli.runfolder import read_run_folder


@pytest.fixture
def api(prism):
    with PrismClient(prism.url, prism.token) as client:
        yield client


def _create(cli, folder: Path, *extra: str):
    return cli("runs", "create", "--path", folder, *extra)


def _assert_failed(result, *needles: str) -> str:
    """Exit 1, a readable message on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") or "\nerror: " in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def test_create_list_get_download_round_trip(cli, api, run_folder, tmp_path):
    folder = run_folder("llama2-70b_c1")

    created = _create(cli, folder)

    assert created.exit_code == 0, created.stderr
    run_id = created.stdout.strip()
    assert created.stdout == f"{run_id}\n"  # the id alone on stdout
    assert "point-duration" in created.stderr  # the real sample is short: warned, not refused
    listed = json.loads(cli("runs", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [run_id]
    assert listed[0]["model"] == "meta-llama/Llama-2-70b-chat-hf" and listed[0]["concurrency"] == 1

    got = cli("runs", "get", "--run-id", run_id, "--download-to", tmp_path / "dl", "--json")
    assert got.exit_code == 0, got.stderr
    record = json.loads(got.stdout)
    archive = tmp_path / "dl" / f"{run_id}.tar.gz"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert digest == record["archive_sha256"] == record["download"]["sha256"]
    # identical to what packing the folder produces (the archive is deterministic)
    again = pack_run(read_run_folder(folder), tmp_path, ())
    assert again.sha256 == digest
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "llama2-70b_c1/system_desc.json" in names
    assert "llama2-70b_c1/events.jsonl" in names


@pytest.mark.parametrize("blocker", ["file-in-the-way", "part-is-a-directory"])
def test_download_to_an_unwritable_place_is_a_clear_error(cli, run_folder, tmp_path, blocker):
    run_id = _create(cli, run_folder("llama2-70b_c1")).stdout.strip()
    if blocker == "file-in-the-way":  # --download-to names a path below a regular file
        (tmp_path / "file").write_text("")
        target, named = tmp_path / "file" / "dl", tmp_path / "file" / "dl"
    else:  # the .part file cannot be created (works for root too)
        target = tmp_path / "dl"
        named = target / f"{run_id}.tar.gz.part"
        named.mkdir(parents=True)
    stderr = _assert_failed(
        cli("runs", "get", "--run-id", run_id, "--download-to", target),
        "cannot write the download to",
        "hint: download into a directory you can write to",
    )
    assert str(named) in stderr and "internal error" not in stderr
    assert not (target / f"{run_id}.tar.gz").exists()


def test_create_with_json_prints_the_created_object(cli, run_folder):
    result = _create(cli, run_folder("accuracy_both_c4"), "--json", "--pinned")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["pinned"] is True and record["expires_at"] is None
    assert record["concurrency"] == 4 and record["archive_sha256"]


def test_folder_given_as_dot_is_archived_under_its_real_name(
    cli, run_folder, tmp_path, monkeypatch
):
    folder = run_folder("http500_every_10th_c8")
    monkeypatch.chdir(folder)
    created = _create(cli, Path("."))
    assert created.exit_code == 0, created.stderr
    run_id = created.stdout.strip()
    assert cli("runs", "get", "--run-id", run_id, "--download-to", tmp_path).exit_code == 0
    with tarfile.open(tmp_path / f"{run_id}.tar.gz") as tar:
        tops = {name.split("/")[0] for name in tar.getnames()}
    assert tops == {"http500_every_10th_c8"}


def test_table_output_is_not_truncated_in_logs(cli, run_folder):
    run_id = _create(cli, run_folder()).stdout.strip()
    table = cli("runs", "list").stdout
    assert run_id in table and "meta-llama/Llama-2-70b-chat-hf" in table
    details = cli("runs", "get", "--run-id", run_id).stdout
    assert run_id in details and "Example H200x8 Sim" in details


def test_dry_run_prints_payload_and_plan_and_sends_nothing(cli, api, run_folder):
    result = _create(cli, run_folder(), "--dry-run", "--json", "--exclude", "report.txt")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["payload"]["config"]["model_params"]["name"] == "meta-llama/Llama-2-70b-chat-hf"
    files = {f["path"]: f["size"] for f in out["archive"]["files"]}
    assert "config.yaml" in files and "system_desc.json" in files and "report.txt" not in files
    assert out["archive"]["total_bytes"] == sum(files.values())
    assert api.list_runs() == []

    human = _create(cli, run_folder(), "--dry-run")
    assert human.exit_code == 0 and "llama2-70b_c1/events.jsonl" in human.stdout
    assert "nothing was sent" in human.stderr


def test_dry_run_needs_no_token_and_no_server(offline_cli, run_folder):
    assert offline_cli("runs", "create", "--path", run_folder(), "--dry-run").exit_code == 0


def test_malformed_token_is_refused_before_any_work(offline_cli, run_folder):
    token = "mlc_TOPSECRET"
    result = offline_cli("runs", "create", "--path", run_folder(), "--token", token)
    stderr = _assert_failed(result, "malformed PRISM token")
    assert "TOPSECRET" not in stderr and "packed" not in stderr


def test_missing_token(offline_cli):
    _assert_failed(offline_cli("runs", "list"), "no PRISM token", "PRISM_USER_API_TOKEN")


def test_unknown_token(cli):
    token = "mlc_" + "Q" * 24
    stderr = _assert_failed(cli("runs", "list", "--token", token), "authentication failed")
    assert token not in stderr


def test_get_unknown_run(cli):
    _assert_failed(cli("runs", "get", "--run-id", "no-such-id"), "no such run no-such-id")


@pytest.mark.parametrize(
    ("mutate", "needles"),
    [
        (lambda f: (f / "config.yaml").unlink(), ["config.yaml is missing"]),
        (
            lambda f: (f / "config.yaml").write_text("a: [1\n"),
            ["config.yaml: not valid YAML", "hint: repair config.yaml so that it reads"],
        ),
        (
            lambda f: (f / "performance/result_summary.json").write_text(
                json.dumps(
                    {
                        **json.loads((f / "performance/result_summary.json").read_text()),
                        "tps": None,
                        "output_sequence_lengths": {},
                    }
                )
            ),
            ["without a tokenizer"],
        ),
        (
            lambda f: (f / "config.yaml").write_text(
                (f / "config.yaml")
                .read_text()
                .replace("api_key: <redacted>", "api_key: sk12345abcd")
            ),
            ["config.yaml line 73", "not <redacted>"],
        ),
        (
            lambda f: (f / "report.txt").write_text("used token mlc_" + "Zq9" * 8 + "\n"),
            ["report.txt line 1", "PRISM API token"],
        ),
        (
            lambda f: (f / "outside").symlink_to("/etc/hostname"),
            ["outside is a symlink", "outside"],
        ),
    ],
)
def test_bad_input_fails_cleanly_and_registers_nothing(cli, api, run_folder, mutate, needles):
    folder = run_folder()
    mutate(folder)
    stderr = _assert_failed(_create(cli, folder), *needles)
    assert "sk12345abcd" not in stderr and "Zq9Zq9" not in stderr
    assert api.list_runs() == []


def test_expires_at_in_the_past_is_a_usage_error(cli, run_folder):
    result = _create(cli, run_folder(), "--expires-at", "2020-01-01T00:00:00+00:00")
    assert result.exit_code == 2 and "in the past" in result.stderr


def test_server_errors_then_success(prism, cli, api, run_folder):
    prism.add_fault(method="GET", path="^/runs$", action="status", status=500)
    prism.add_fault(method="GET", path="upload-url$", action="status", status=503)
    prism.add_fault(method="GET", path="upload-url$", action="status", status=502)
    result = _create(cli, run_folder())
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in api.list_runs()] == [result.stdout.strip()]
    assert prism.faults() == []


def test_connection_closed_mid_upload_once_is_retried(prism, cli, api, run_folder):
    prism.add_fault(method="PUT", path="^/storage/runs/", action="cut", after_bytes=20_000)
    result = _create(cli, run_folder("http500_every_10th_c8"))
    assert result.exit_code == 0, result.stderr
    run = api.get_run(result.stdout.strip())
    assert run["archive_sha256"] and prism.faults() == []


def test_upload_that_keeps_failing_deletes_the_record(prism, cli, api, run_folder):
    prism.add_fault(
        method="PUT", path="^/storage/runs/", action="cut", after_bytes=20_000, times=None
    )
    stderr = _assert_failed(
        _create(cli, run_folder("http500_every_10th_c8")),
        "connection was closed mid-transfer",
        "deleted again: nothing was registered",
    )
    assert "orphan" not in stderr
    assert api.list_runs() == []


def test_expired_upload_url_gets_a_fresh_one(prism, cli, api, run_folder):
    prism.add_fault(
        method="PUT",
        path="^/storage/runs/",
        action="status",
        status=403,
        detail="signature expired",
    )
    result = _create(cli, run_folder())
    assert result.exit_code == 0, result.stderr
    assert "fresh" in result.stderr
    assert len(api.list_runs()) == 1


def test_upload_url_refused_twice_is_a_storage_error_not_a_token_error(prism, cli, api, run_folder):
    prism.add_fault(
        method="PUT",
        path="^/storage/runs/",
        action="status",
        status=403,
        detail="signature expired",
        times=None,
    )
    stderr = _assert_failed(_create(cli, run_folder()), "expired", "deleted again")
    assert "authentication" not in stderr and "check your PRISM token" not in stderr
    assert api.list_runs() == []


def test_orphan_is_named_with_the_command_that_deletes_it(prism, cli, api, run_folder):
    prism.add_fault(method="PUT", path="^/storage/runs/", action="status", status=503, times=None)
    prism.add_fault(method="DELETE", path="^/runs/", action="status", status=503, times=None)
    stderr = _assert_failed(_create(cli, run_folder()), "is orphaned on PRISM")
    prism.clear_faults()
    [orphan] = api.list_runs()
    command = f"endpoints-submission-cli runs delete --run-id {orphan['id']}"
    assert command in stderr
    assert cli(*command.split()[1:]).exit_code == 0
    assert api.list_runs() == []


def test_create_response_lost_after_the_server_created_it(cli, api, run_folder, monkeypatch):
    """A POST whose answer never arrived may have worked: find the record, do not post again.

    The loopback server cancels a request whose client went away, so the lost answer is made on
    the client side: the real POST creates the record, then the connection "fails".
    """
    real_create = PrismClient.create_run
    posts = []

    def create_then_lose_the_answer(self, payload, **kwargs):
        posts.append(real_create(self, payload, **kwargs))
        raise NetworkError(
            "POST /runs: the connection was closed mid-transfer", outcome_unknown=True
        )

    monkeypatch.setattr(PrismClient, "create_run", create_then_lose_the_answer)
    result = _create(cli, run_folder())
    assert result.exit_code == 0, result.stderr
    assert "continuing with it" in result.stderr
    assert len(posts) == 1
    [run] = api.list_runs()
    assert run["id"] == result.stdout.strip() == posts[0]["id"]
    assert api.get_run(run["id"])["archive_sha256"]


def test_delete_of_a_run_in_a_live_submission_is_explained(cli, api, run_folder):
    run_id = _create(cli, run_folder()).stdout.strip()
    submission = api.create_submission(
        {
            "cli_version": "test",
            "division": "standardized",
            "scenario": "cop",
            "availability": "available",
            "run_ids": [run_id],
            "early_publish": False,
        }
    )

    stderr = _assert_failed(
        cli("runs", "delete", "--run-id", run_id), f"cannot delete run {run_id}"
    )
    assert "submissions remove-run" in stderr
    assert [r["id"] for r in api.list_runs()] == [run_id]

    api.withdraw_submission(submission["id"])
    deleted = cli("runs", "delete", "--run-id", run_id, "--json")
    assert deleted.exit_code == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"id": run_id, "deleted": True}
    assert api.list_runs() == []


def test_pin_and_unpin(cli, run_folder):
    run_id = _create(cli, run_folder()).stdout.strip()
    pinned = json.loads(cli("runs", "pin", "--run-id", run_id, "--json").stdout)
    assert pinned["pinned"] is True and pinned["expires_at"] is None
    unpinned = json.loads(cli("runs", "unpin", "--run-id", run_id, "--json").stdout)
    assert unpinned["pinned"] is False and unpinned["expires_at"]
    assert "pinned" in cli("runs", "pin", "--run-id", run_id).stdout


def test_registering_the_same_folder_twice_warns(cli, api, run_folder):
    first = _create(cli, run_folder()).stdout.strip()
    second = _create(cli, run_folder())
    assert second.exit_code == 0
    assert f"run {first} has the same start and end time" in second.stderr
    assert len(api.list_runs()) == 2


def test_ctrl_c_during_upload_deletes_the_record(cli, api, run_folder, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(PrismClient, "upload_file", interrupted)
    result = _create(cli, run_folder())
    assert result.exit_code == 1 and "Aborted" in result.stderr
    assert "deleted again: nothing was registered" in result.stderr
    assert api.list_runs() == []


@pytest.mark.parametrize("naive", ["2999-01-01", "2999-01-01T09:30:00"])
def test_expires_at_without_timezone_suggests_a_value_that_is_accepted(cli, run_folder, naive):
    folder = run_folder("llama2-70b_c1")
    refused = _create(cli, folder, "--expires-at", naive, "--dry-run")
    assert refused.exit_code == 2 and "has no timezone" in refused.stderr
    suggested = refused.stderr.rsplit("e.g. ", 1)[1].split()[0]
    assert suggested.startswith(naive[:10]) and suggested.endswith("+00:00")
    accepted = _create(cli, folder, "--expires-at", suggested, "--dry-run")
    assert accepted.exit_code == 0, accepted.stderr
