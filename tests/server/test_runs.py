"""Runs endpoints over real HTTP: shapes, user scoping, pin/unpin, archives, the 409."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

RUN_SUMMARY_FIELDS = {
    "id",
    "model",
    "concurrency",
    "started_at",
    "finished_at",
    "pinned",
    "expires_at",
}
RUN_OUT_FIELDS = RUN_SUMMARY_FIELDS | {
    "user_id",
    "benchmark_version",
    "cli_version",
    "system_info",
    "config",
    "result_summary",
    "archive_uri",
    "archive_size",
    "archive_sha256",
    "created_at",
    # round v1.0 (checker-v1.0 A3.5)
    "point_config",
    "system_power",
    "is_test",
}


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_create_get_and_list_a_run(api, make_run, run_body):
    run = make_run()
    assert set(run) == RUN_OUT_FIELDS
    assert run["model"] == "meta-llama/Llama-2-70b-chat-hf"
    assert run["concurrency"] == 4
    assert run["pinned"] is False and run["archive_uri"] is None
    # Seeds larger than 2**63 come back exact, not as floats.
    assert run["config"]["settings"]["runtime"]["scheduler_random_seed"] == 16159082839903944936
    expiry = when(run["expires_at"]) - when(run["created_at"])
    assert timedelta(days=30) - timedelta(seconds=1) <= expiry <= timedelta(days=30)

    assert api.get(f"/runs/{run['id']}").json() == run
    listed = api.get("/runs").json()["items"]
    assert [item["id"] for item in listed] == [run["id"]]
    assert set(listed[0]) == RUN_SUMMARY_FIELDS


def test_runs_are_scoped_to_the_token_user(prism, api, make_run):
    run = make_run()
    with prism.client(prism.new_token("other")) as other:
        assert other.get("/runs").json()["items"] == []
        for method, path in [
            ("GET", f"/runs/{run['id']}"),
            ("DELETE", f"/runs/{run['id']}"),
            ("PATCH", f"/runs/{run['id']}/pin"),
            ("GET", f"/runs/{run['id']}/archive/upload-url"),
        ]:
            response = other.request(method, path)
            assert response.status_code == 404, (method, path)
            assert response.json() == {"detail": f"no such run {run['id']}"}
    assert api.get(f"/runs/{run['id']}").status_code == 200


def test_missing_or_unknown_token_is_401(prism, http):
    assert http.get(f"{prism.url}/runs").status_code == 401
    response = http.get(f"{prism.url}/runs", headers={"X-API-Key": "mlc_" + "x" * 30})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_invalid_run_create_is_a_readable_422(api, run_body):
    response = api.post("/runs", json=run_body(started_at="2026-11-01T10:00:00"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("started_at:")
    response = api.post("/runs", json={"cli_version": "1"})
    assert response.status_code == 422
    assert "benchmark_version: Field required" in response.json()["detail"]


def test_pin_and_unpin(api, make_run):
    run = make_run()
    pinned = api.patch(f"/runs/{run['id']}/pin").json()
    assert pinned["pinned"] is True and pinned["expires_at"] is None
    before = datetime.now(timezone.utc)
    unpinned = api.patch(f"/runs/{run['id']}/unpin").json()
    assert unpinned["pinned"] is False
    # Unpin restores the default expiry counted from now (documented choice).
    assert when(unpinned["expires_at"]) >= before + timedelta(days=30) - timedelta(seconds=1)


def test_create_pinned_run_never_expires(make_run):
    run = make_run(pinned=True, expires_at="2030-01-01T00:00:00Z")
    assert run["pinned"] is True and run["expires_at"] is None


def test_delete_run(api, make_run):
    run = make_run()
    assert api.delete(f"/runs/{run['id']}").status_code == 204
    assert api.get(f"/runs/{run['id']}").status_code == 404
    assert api.delete(f"/runs/{run['id']}").status_code == 404


def test_archive_round_trip(api, make_run, upload_run_archive, tar_gz, http):
    run = make_run()
    assert api.get(f"/runs/{run['id']}/archive").status_code == 404
    content = tar_gz({"run/config.yaml": b"name: x\n", "run/events.jsonl": b"{}\n" * 1000})
    signed = api.get(f"/runs/{run['id']}/archive/upload-url").json()
    assert set(signed) == {"upload_url", "expires_in", "archive_uri"}
    assert signed["upload_url"].startswith(api.base_url.scheme + "://")
    put = upload_run_archive(run["id"], content)
    assert put.status_code == 200, put.text
    sha = hashlib.sha256(content).hexdigest()
    got = api.get(f"/runs/{run['id']}").json()
    assert (got["archive_size"], got["archive_sha256"]) == (len(content), sha)
    assert got["archive_uri"] == signed["archive_uri"]

    download = api.get(f"/runs/{run['id']}/archive").json()
    assert set(download) == {"download_url", "expires_in"}
    body = http.get(download["download_url"])  # no API key on storage URLs
    assert body.status_code == 200
    assert body.content == content
    assert "content-encoding" not in body.headers

    assert api.delete(f"/runs/{run['id']}/archive").status_code == 204
    assert api.get(f"/runs/{run['id']}").json()["archive_uri"] is None
    assert api.get(f"/runs/{run['id']}/archive").status_code == 404
    assert api.delete(f"/runs/{run['id']}/archive").status_code == 404
    assert http.get(download["download_url"]).status_code == 404


def test_reupload_replaces_the_archive_file(prism, api, make_run, upload_run_archive, tar_gz):
    run = make_run()
    assert upload_run_archive(run["id"], tar_gz({"run/a": b"first"})).status_code == 200
    second = tar_gz({"run/a": b"second"})
    assert upload_run_archive(run["id"], second).status_code == 200
    files = list((prism.data_dir / "archives" / "runs" / run["id"]).iterdir())
    assert len(files) == 1 and files[0].read_bytes() == second
    assert api.delete(f"/runs/{run['id']}").status_code == 204
    assert not (prism.data_dir / "archives" / "runs" / run["id"]).exists()


def test_unknown_paths_and_methods_answer_detail_json(api):
    missing = api.get("/no/such/endpoint")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong = api.put("/runs")
    assert wrong.status_code == 405 and wrong.json() == {"detail": "Method Not Allowed"}
    broken = api.post("/runs", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("request body is not valid JSON")
