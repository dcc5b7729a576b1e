"""The state machine of prism-api.md on every route: finalized evidence is read-only, and only
the review side (`prism-server admin set-status`) finalizes and publishes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from prism_server.cli import main


def admin(data_dir, *args: str):
    return CliRunner().invoke(main, ["admin", "set-status", *args, "--data-dir", str(data_dir)])


@pytest.fixture
def pending_submission(prism, api, make_run, upload_run_archive, tar_gz, submission_body):
    """A REVIEW_PENDING submission of one run that has an archive: (submission id, run id)."""
    run_id = make_run()["id"]
    assert upload_run_archive(run_id, tar_gz({"r/a": b"evidence"})).status_code == 200
    sub_id = api.post("/submissions", json=submission_body([run_id])).json()["id"]
    from prism_server.app import open_store

    store = open_store(prism.data_dir)
    with store._write() as conn:  # noqa: SLF001 - a bundle that passed the checker, in short
        conn.execute("UPDATE submissions SET status = 'REVIEW_PENDING' WHERE id = ?", (sub_id,))
    return sub_id, run_id


@pytest.mark.parametrize("target", ["FINALIZED", "PUBLISHED"])
def test_evidence_of_a_finalized_submission_is_read_only(
    prism, api, http, pending_submission, tar_gz, target
):
    sub_id, run_id = pending_submission
    stale_url = api.get(f"/runs/{run_id}/archive/upload-url").json()["upload_url"]
    assert admin(prism.data_dir, sub_id, "FINALIZED").exit_code == 0
    if target == "PUBLISHED":
        assert admin(prism.data_dir, sub_id, "PUBLISHED").exit_code == 0
    before = api.get(f"/runs/{run_id}").json()

    fresh = api.get(f"/runs/{run_id}/archive/upload-url")
    assert fresh.status_code == 409
    assert f"belongs to submission {sub_id}, which is {target}" in fresh.json()["detail"]
    replaced = http.put(stale_url, content=tar_gz({"r/a": b"forged"}))
    assert replaced.status_code == 409
    assert api.delete(f"/runs/{run_id}/archive").status_code == 409
    assert api.delete(f"/runs/{run_id}").status_code == 409
    after = api.get(f"/runs/{run_id}").json()
    assert after["archive_sha256"] == before["archive_sha256"] is not None
    download = api.get(f"/runs/{run_id}/archive").json()["download_url"]
    assert http.get(download).content == tar_gz({"r/a": b"evidence"})
    assert not list((prism.data_dir / "tmp").glob("*.part"))


def test_the_submitter_cannot_finalize_or_publish(prism, api, pending_submission):
    sub_id, _run_id = pending_submission
    for status in ("FINALIZED", "PUBLISHED"):
        response = api.patch(f"/submissions/{sub_id}", json={"status": status})
        assert response.status_code == 403
        assert "set by PRISM's review" in response.json()["detail"]
    assert admin(prism.data_dir, sub_id, "FINALIZED").exit_code == 0
    response = api.patch(f"/submissions/{sub_id}", json={"status": "PUBLISHED"})
    assert response.status_code == 403
    assert api.get(f"/submissions/{sub_id}").json()["status"] == "FINALIZED"
    # The submitter may still withdraw before publication.
    assert api.patch(f"/submissions/{sub_id}", json={"status": "WITHDRAWN"}).status_code == 200


def test_admin_set_status_respects_the_transitions(prism, api, make_run, submission_body):
    sub_id = api.post("/submissions", json=submission_body([make_run()["id"]])).json()["id"]
    refused = admin(prism.data_dir, sub_id, "FINALIZED")
    assert refused.exit_code == 1
    assert "cannot move from COMPLIANCE_CHECKING to FINALIZED" in refused.output
    assert "Traceback" not in refused.output
    unknown = admin(prism.data_dir, "no-such-id", "PUBLISHED")
    assert unknown.exit_code == 1 and "no such submission no-such-id" in unknown.output
    withdrawn = admin(prism.data_dir, sub_id, "WITHDRAWN")
    assert withdrawn.exit_code == 0
    assert api.get(f"/submissions/{sub_id}").json()["status"] == "WITHDRAWN"
    assert admin(prism.data_dir, sub_id, "PUBLISHED").exit_code == 1


def test_admin_finalize_stamps_finalized_at(prism, api, pending_submission):
    sub_id, _run_id = pending_submission
    result = admin(prism.data_dir, sub_id, "FINALIZED")
    assert result.exit_code == 0, result.output
    assert f"submission {sub_id} is FINALIZED" in result.output
    finalized = api.get(f"/submissions/{sub_id}").json()
    assert finalized["status"] == "FINALIZED" and finalized["finalized_at"]
