"""Fault injection: each action does to a real client what the module docstring promises."""

from __future__ import annotations

import time

import httpx
import pytest


def test_status_fault_answers_without_running_the_handler(prism, api):
    prism.add_fault(
        method="POST",
        path="^/runs$",
        action="status",
        status=503,
        detail="maintenance",
        retry_after=2,
    )
    response = api.post("/runs", json={})
    assert response.status_code == 503
    assert response.json() == {"detail": "maintenance"}
    assert response.headers["retry-after"] == "2"
    assert api.get("/runs").json()["items"] == []  # nothing was created
    assert prism.faults() == []  # used up after one request (times=1)


def test_drop_closes_the_connection_without_a_response(prism, api):
    prism.add_fault(path="^/runs$", action="drop")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/runs")
    assert api.get("/runs").status_code == 200


def test_drop_response_runs_the_handler_but_loses_the_answer(prism, api, run_body):
    prism.add_fault(method="POST", path="^/runs$", action="drop_response")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/runs", json=run_body())
    runs = api.get("/runs").json()["items"]
    assert len(runs) == 1, "the run was created although the client saw no answer"


def test_cut_aborts_an_upload_midway(prism, api, make_run, tar_gz, http):
    run = make_run()
    url = api.get(f"/runs/{run['id']}/archive/upload-url").json()["upload_url"]
    prism.add_fault(method="PUT", path="/storage/runs/", action="cut", after_bytes=100_000)
    body = b"\x1f\x8b" + bytes(2_000_000)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        http.put(url, content=body)
    assert api.get(f"/runs/{run['id']}").json()["archive_uri"] is None
    assert not list((prism.data_dir / "tmp").glob("*.part"))


def test_delay_then_normal_handling(prism, api):
    prism.add_fault(method="GET", path="^/runs$", action="delay", delay_s=0.3)
    started = time.monotonic()
    response = api.get("/runs")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3
    prism.add_fault(method="GET", path="^/runs$", action="delay", delay_s=1.0)
    with pytest.raises(httpx.ReadTimeout):
        api.get("/runs", timeout=0.2)


def test_skip_and_times(prism, api):
    prism.add_fault(method="GET", path="^/runs$", action="status", status=502, skip=1, times=2)
    assert [api.get("/runs").status_code for _ in range(4)] == [200, 502, 502, 200]


def test_forever_rule_and_clear(prism, api):
    prism.add_fault(path="^/submissions", action="status", status=500, times=None)
    assert [api.get("/submissions").status_code for _ in range(3)] == [500, 500, 500]
    assert api.get("/runs").status_code == 200  # the path regex is respected
    prism.clear_faults()
    assert api.get("/submissions").status_code == 200


def test_bad_rule_is_refused(prism, http):
    response = http.post(f"{prism.url}/_faults", json={"action": "explode"})
    assert response.status_code == 422
    assert "bad fault rule" in response.json()["detail"]


def test_faults_are_off_unless_enabled(configured_prism, http):
    server = configured_prism
    assert http.post(f"{server.url}/_faults", json={"action": "drop"}).status_code in (404, 405)
