"""Run expiry: expired runs vanish (archives too) unless a live submission holds them."""

from __future__ import annotations

from datetime import datetime, timedelta

from prism_server.app import open_store


def expire(prism, run_id: str) -> None:
    """Let 30 days pass for one run: move its expiry into the past."""
    with open_store(prism.data_dir)._write() as conn:  # noqa: SLF001 - simulated time
        conn.execute(
            "UPDATE runs SET expires_at = ? WHERE id = ?",
            ("2020-01-01T00:00:00.000000+00:00", run_id),
        )


def listed(api) -> list[str]:
    return [item["id"] for item in api.get("/runs").json()["items"]]


def test_expired_run_disappears_with_its_archive(prism, api, make_run, upload_run_archive, tar_gz):
    run, keeper = make_run(), make_run()
    assert upload_run_archive(run["id"], tar_gz({"r/a": b"x"})).status_code == 200
    archive_dir = prism.data_dir / "archives" / "runs" / run["id"]
    assert archive_dir.is_dir()
    expire(prism, run["id"])
    assert listed(api) == [keeper["id"]]
    assert api.get(f"/runs/{run['id']}").status_code == 404
    assert not archive_dir.exists()


def test_run_created_with_a_past_expiry_is_gone_at_once(api, make_run):
    run = make_run(expires_at="2020-01-01T00:00:00Z")
    assert run["expires_at"].startswith("2020-01-01")
    assert api.get(f"/runs/{run['id']}").status_code == 404


def test_pinned_run_never_expires(prism, api, make_run):
    run = make_run()
    api.patch(f"/runs/{run['id']}/pin")
    with open_store(prism.data_dir)._write() as conn:  # noqa: SLF001 - simulated time
        conn.execute(
            "UPDATE runs SET expires_at = '2020-01-01T00:00:00.000000+00:00' WHERE id = ?",
            (run["id"],),
        )
    assert listed(api) == [run["id"]]


def test_expired_run_in_a_live_submission_stays_until_withdrawn(
    prism, api, make_run, upload_run_archive, submission_body, tar_gz
):
    run = make_run()
    assert upload_run_archive(run["id"], tar_gz({"r/a": b"x"})).status_code == 200
    sub_id = api.post("/submissions", json=submission_body([run["id"]])).json()["id"]
    expire(prism, run["id"])
    assert listed(api) == [run["id"]]
    assert api.get(f"/runs/{run['id']}/archive").status_code == 200
    assert api.delete(f"/submissions/{sub_id}").json()["status"] == "WITHDRAWN"
    assert listed(api) == []
    assert not (prism.data_dir / "archives" / "runs" / run["id"]).exists()


def test_run_expiry_days_is_configurable(configured_prism, run_body, http):
    server = configured_prism
    headers = {"X-API-Key": server.new_token("expiry")}
    run = http.post(f"{server.url}/runs", json=run_body(), headers=headers).json()
    created = datetime.fromisoformat(run["created_at"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(run["expires_at"].replace("Z", "+00:00"))
    assert expires - created == timedelta(days=2)
