"""`prism-server serve --workers N`: several processes on one port and one data dir.

What must hold with more than one process: every request sees one database (a run created on
one connection is listed on all), an Idempotency-Key still creates exactly one record, the
connection cap counts all workers together, and no worker outlives the server.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from prism_server.cli import main


def _children(pid: int) -> list[int]:
    """Live (not zombie) child processes of ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid and stat[0] != "Z":
            found.append(int(entry.name))
    return found


def _wait_until(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")


@pytest.fixture
def workers(prism_factory):
    return prism_factory(fault_injection=False, workers=3)


def test_workers_share_one_database_and_create_exactly_once(workers, run_body):
    assert len(_children(workers.pid)) == 2  # the server itself and two forked workers
    headers = {"X-API-Key": workers.new_token("w"), "Idempotency-Key": "same-request"}
    answers: list[httpx.Response] = []

    def create() -> None:
        # A new connection each time, so the kernel spreads the requests over the workers.
        answers.append(httpx.post(f"{workers.url}/runs", json=run_body(), headers=headers))

    threads = [threading.Thread(target=create) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    created = {r.json()["id"] for r in answers if r.status_code == 201}
    assert len(created) == 1, [(r.status_code, r.text) for r in answers]
    assert {r.status_code for r in answers} <= {201, 409}  # 409: the first is still running
    listings = [
        httpx.get(f"{workers.url}/runs", headers={"X-API-Key": headers["X-API-Key"]}).json()
        for _ in range(12)
    ]
    assert all([run["id"] for run in page["items"]] == list(created) for page in listings)


def test_stopping_the_server_stops_every_worker_and_frees_the_data_dir(prism_factory):
    server = prism_factory(fault_injection=False, workers=2)
    [worker] = _children(server.pid)
    server.stop()
    assert server.proc.returncode == -signal.SIGTERM
    assert _wait_until(lambda: not Path(f"/proc/{worker}").exists())
    again = prism_factory(data_dir=server.data_dir, fault_injection=False)
    assert httpx.get(f"{again.url}/openapi.json").status_code == 200


def test_workers_end_when_the_server_is_killed(prism_factory):
    server = prism_factory(fault_injection=False, workers=2)
    [worker] = _children(server.pid)
    server.kill()
    assert _wait_until(lambda: not Path(f"/proc/{worker}").exists())


def test_the_connection_cap_counts_all_workers_together(prism_factory):
    server = prism_factory(fault_injection=False, workers=2, max_connections=4)
    host, port = server.url.removeprefix("http://").split(":")
    sockets = [socket.create_connection((host, int(port)), timeout=10) for _ in range(5)]
    try:
        time.sleep(0.5)  # every connection accepted by some worker
        busy = 0
        for sock in sockets:
            sock.sendall(b"GET /openapi.json HTTP/1.1\r\nhost: x\r\n\r\n")
            busy += sock.recv(64).startswith(b"HTTP/1.1 503")
        assert busy >= 1  # five connections, four allowed in all
    finally:
        for sock in sockets:
            sock.close()


def test_fault_injection_needs_a_single_worker(tmp_path):
    args = ["serve", "--data-dir", str(tmp_path), "--workers", "2", "--enable-fault-injection"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--enable-fault-injection needs --workers 1" in result.output
    assert not os.listdir(tmp_path)  # refused before touching the data dir
