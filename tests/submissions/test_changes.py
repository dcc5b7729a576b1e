"""Run-list changes, metadata updates, withdraw, get/list — verified through the API and git."""

from __future__ import annotations

import hashlib
import json

import pytest

CREATE = ("submissions", "create", "--division", "standardized", "--availability", "available")


@pytest.fixture
def submitted(cli, api, example_ids, bare_repo, monkeypatch):
    """A submission of every example run but concurrency 96, pushed to a local bare repo."""
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    ids = [rid for c, rid in example_ids.items() if c != 96]
    result = cli(*CREATE, "--run-ids", ",".join(ids))
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def points_on_branch(git, bare, sid) -> list[str]:
    files = git("ls-tree", "-r", "--name-only", f"submission-{sid}", cwd=bare).split()
    return sorted(f.rsplit("/", 1)[1] for f in files if "/points/" in f)


def journal_files(tmp_path):
    return list((tmp_path / "state" / "endpoints-submission-cli" / "journal").glob("*"))


def test_add_and_remove_run_rebuild_check_upload_and_push(
    cli, api, git, bare_repo, submitted, example_ids, tmp_path
):
    sid = submitted
    assert "point_96.yaml" not in points_on_branch(git, bare_repo, sid)
    added = cli("submissions", "add-run", "--submission-id", sid, "--run-id", example_ids[96])
    assert added.exit_code == 0, added.stderr
    sub = api.submission(sid)
    assert sorted(sub["run_ids"]) == sorted(example_ids.values())
    assert sub["status"] == "REVIEW_PENDING"
    assert "point_96.yaml" in points_on_branch(git, bare_repo, sid)
    log = git("log", "--format=%s", f"submission-{sid}", cwd=bare_repo).splitlines()
    assert log[:2] == [
        f"submission {sid}: Example_Org, 8 runs",
        f"submission {sid}: Example_Org, 7 runs",
    ]

    removed = cli(
        "submissions", "remove-run", "--submission-id", sid, "--run-id", example_ids[96], "--json"
    )
    assert removed.exit_code == 0, removed.stderr
    assert example_ids[96] not in json.loads(removed.stdout)["run_ids"]
    assert "point_96.yaml" not in points_on_branch(git, bare_repo, sid)
    assert journal_files(tmp_path) == [p for p in journal_files(tmp_path) if "create-" in p.name]


def test_metadata_update_is_one_patch_and_run_list_update_rebuilds(
    cli, api, git, bare_repo, submitted, example_ids
):
    sid = submitted
    head = git("rev-parse", f"submission-{sid}", cwd=bare_repo)
    meta = cli(
        "submissions",
        "update",
        "--submission-id",
        sid,
        "--publication-cycle",
        "2026-12-C0",
        "--json",
    )
    assert meta.exit_code == 0, meta.stderr
    assert json.loads(meta.stdout)["publication_cycle"] == "2026-12-C0"
    assert git("rev-parse", f"submission-{sid}", cwd=bare_repo) == head

    bad = cli("submissions", "update", "--submission-id", sid, "--publication-cycle", "2026-13")
    assert bad.exit_code == 2 and "YYYY-MM-C0" in bad.stderr

    swap = [rid for c, rid in example_ids.items() if c != 64]
    result = cli("submissions", "update", "--submission-id", sid, "--run-ids", ",".join(swap))
    assert result.exit_code == 0, result.stderr
    sub = api.submission(sid)
    assert sorted(sub["run_ids"]) == sorted(swap) and sub["status"] == "REVIEW_PENDING"
    points = points_on_branch(git, bare_repo, sid)
    assert "point_96.yaml" in points and "point_64.yaml" not in points


def test_rejected_push_rolls_the_run_list_change_back(
    cli, api, git, bare_repo, submitted, example_ids, reject_pushes, tmp_path
):
    sid = submitted
    before = api.submission(sid)
    bundle_before = api.bundle_sha256(sid)
    head_before = git("rev-parse", f"submission-{sid}", cwd=bare_repo)
    reject_pushes(bare_repo, "branch protection: review in progress")

    result = cli("submissions", "add-run", "--submission-id", sid, "--run-id", example_ids[96])
    assert result.exit_code == 1
    assert "branch protection: review in progress" in result.stderr
    assert "rolled back: nothing changed" in result.stderr
    assert f"submissions add-run --submission-id {sid} --run-id {example_ids[96]}" in (
        result.stderr
    )
    after = api.submission(sid)
    assert after["run_ids"] == before["run_ids"]
    assert after["status"] == "REVIEW_PENDING"
    assert api.bundle_sha256(sid) == bundle_before
    assert git("rev-parse", f"submission-{sid}", cwd=bare_repo) == head_before
    assert [p for p in journal_files(tmp_path) if "change-" in p.name] == []

    (bare_repo / "hooks" / "pre-receive").unlink()
    again = cli("submissions", "add-run", "--submission-id", sid, "--run-id", example_ids[96])
    assert again.exit_code == 0, again.stderr
    assert example_ids[96] in api.submission(sid)["run_ids"]


def test_upload_failure_rolls_back_run_list_and_metadata(cli, api, prism, submitted, example_ids):
    sid = submitted
    before = api.submission(sid)
    prism.add_fault(
        method="PUT",
        path=rf"^/storage/submissions/{sid}/archive$",
        action="status",
        status=503,
        times=5,
    )
    swap = [rid for c, rid in example_ids.items() if c != 128]
    result = cli(
        "submissions",
        "update",
        "--submission-id",
        sid,
        "--run-ids",
        ",".join(swap),
        "--publication-cycle",
        "2027-01-C1",
    )
    assert result.exit_code == 1
    assert "rolled back: nothing changed" in result.stderr and "metadata" in result.stderr
    after = api.submission(sid)
    assert after["run_ids"] == before["run_ids"]
    assert after["publication_cycle"] == before["publication_cycle"]


def test_a_run_that_breaks_the_bundle_changes_nothing(
    cli, api, example_runs, register, submitted, example_ids, tmp_path
):
    sid = submitted
    twin = register([example_runs / "llama2-70b_c48"], example_runs / "system_desc.json")[0]
    result = cli("submissions", "add-run", "--submission-id", sid, "--run-id", twin)
    assert result.exit_code == 1
    assert twin in result.stderr and example_ids[48] in result.stderr
    assert twin not in api.submission(sid)["run_ids"]
    leftovers = (tmp_path / "state" / "endpoints-submission-cli" / "journal").glob("change-*")
    assert list(leftovers) == []


def test_withdraw_closes_the_pr_and_keeps_the_archive(cli, api, example_ids, fake_gh, monkeypatch):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", "octo/subs")
    created = cli(*CREATE, "--run-ids", ",".join(example_ids.values()))
    assert created.exit_code == 0, created.stderr
    sid = created.stdout.split()[0]
    result = cli("submissions", "withdraw", "--submission-id", sid)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"{sid} WITHDRAWN"
    assert fake_gh.calls[-1] == [
        "pr",
        "close",
        "7",
        "--repo",
        "octo/subs",
        "--comment",
        "withdrawn",
    ]
    assert fake_gh.prs[0]["state"] == "closed"
    sub = api.submission(sid)
    assert sub["status"] == "WITHDRAWN" and sub["withdrawn_at"]
    assert api.bundle_sha256(sid) is not None

    # gh failing leaves a withdrawn submission and the one command to finish closing the PR.
    fake_gh.set(auth=False)
    again = cli("submissions", "withdraw", "--submission-id", sid)
    assert again.exit_code == 1
    assert f"submission {sid} is withdrawn, but closing pull request #7 failed" in again.stderr
    assert f"submissions withdraw --submission-id {sid}" in again.stderr


def test_get_list_and_download(cli, api, submitted, tmp_path):
    sid = submitted
    listed = cli("submissions", "list", "--json")
    assert [s["id"] for s in json.loads(listed.stdout)] == [sid]
    table = cli("submissions", "list")
    assert sid in table.stdout and "REVIEW_PENDING" in table.stdout
    got = cli(
        "submissions", "get", "--submission-id", sid, "--json", "--download-to", tmp_path / "dl"
    )
    assert got.exit_code == 0, got.stderr
    data = json.loads(got.stdout)
    assert len(data["runs"]) == 7
    saved = tmp_path / "dl" / f"submission-{sid}.tar.gz"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == api.bundle_sha256(sid)
    # SubmissionOut carries no checksum (prism-api.md), so none is claimed as verified.
    assert data["download"] == {
        "path": str(saved),
        "size": saved.stat().st_size,
        "sha256": api.bundle_sha256(sid),
        "verified": False,
    }
    assert "PRISM gave no checksum to verify" in got.stderr
    missing = cli("submissions", "get", "--submission-id", "nope")
    assert missing.exit_code == 1 and "no such submission nope" in missing.stderr


def test_failed_rollback_keeps_the_journal_and_rerunning_finishes(
    cli, api, prism, git, bare_repo, submitted, example_ids, reject_pushes, tmp_path
):
    sid = submitted
    reject_pushes(bare_repo)
    prism.add_fault(
        method="PATCH", path=rf"^/submissions/{sid}$", action="status", status=503, times=None
    )
    result = cli("submissions", "add-run", "--submission-id", sid, "--run-id", example_ids[96])
    assert result.exit_code == 1
    assert "undoing it failed too" in result.stderr
    assert (
        f"run the same command again: endpoints-submission-cli --api-url {prism.url} "
        f"submissions add-run --submission-id {sid} --run-id {example_ids[96]}" in result.stderr
    )
    journal_dir = tmp_path / "state" / "endpoints-submission-cli" / "journal"
    assert len(list(journal_dir.glob("change-*.json"))) == 1

    prism.clear_faults()
    (bare_repo / "hooks" / "pre-receive").unlink()
    again = cli("submissions", "add-run", "--submission-id", sid, "--run-id", example_ids[96])
    assert again.exit_code == 0, again.stderr
    assert "resuming an interrupted run-list change" in again.stderr
    sub = api.submission(sid)
    assert sorted(sub["run_ids"]) == sorted(example_ids.values())
    assert sub["status"] == "REVIEW_PENDING"
    assert "point_96.yaml" in points_on_branch(git, bare_repo, sid)
    assert list(journal_dir.glob("change-*")) == []
