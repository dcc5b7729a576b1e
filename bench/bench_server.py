"""Benchmark prism-server's run listing: GET /runs with 1,000 runs, and 10,000 runs in one page.

    python bench/bench_server.py [--runs 1000] [--requests 1000] [--clients 4] [--big 10000]

What it does, against a local ``prism-server`` in its own process (own temp data dir):
1. Registers RUNS runs for one user with POST /runs (realistic bodies: the shape `runs create`
   sends), and reports the create rate.
2. Sends REQUESTS ``GET /runs`` (default page size 1000, so every run in one page) from CLIENTS
   threads, each with its own keep-alive connection, and reports requests per second.
3. Adds runs up to BIG (directly in the data dir's database, for speed), then times
   ``GET /runs?limit=BIG`` over HTTP (median of 5) and the server's own share of it: the
   database query that writes the JSON, run in this process on the same data dir.

Target (issue 13 item 7): ≥ 400 GET /runs per second with 1,000 runs. Everything talks to
127.0.0.1 only; the numbers depend on the machine's load (2 shared cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from prism_server.app import open_store
from prism_server.testing import PrismProcess

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "server"))
from conftest import _run_body  # noqa: E402 - the tests' realistic RunCreate body


def server_cpu_s(pid: int) -> float:
    """User + system CPU seconds the server process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def list_rate(url: str, token: str, requests: int, clients: int) -> float:
    """GET /runs requests per second from ``clients`` threads, ``requests`` in total."""
    per_client = requests // clients
    errors: list[str] = []

    def work() -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": token}, timeout=60) as client:
            for _ in range(per_client):
                response = client.get("/runs")
                if response.status_code != 200:
                    errors.append(str(response.status_code))

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} GET /runs failed: {sorted(set(errors))}")
    return per_client * clients / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--big", type=int, default=10000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        server = PrismProcess(Path(tmp), fault_injection=False).start()
        try:
            token = server.new_token("bench")
            with httpx.Client(base_url=server.url, headers={"X-API-Key": token}) as client:
                start = time.perf_counter()
                for index in range(args.runs):
                    body = _run_body(cli_version=f"0.2.{index}")
                    client.post("/runs", json=body).raise_for_status()
                created = args.runs / (time.perf_counter() - start)
                page = client.get("/runs").json()
                assert len(page["items"]) == args.runs and page["next"] is None
            print(f"POST /runs: {created:.0f} runs/s (sequential, one client)")

            list_rate(server.url, token, args.clients * 10, args.clients)
            cpu_before = server_cpu_s(server.pid)
            rate = list_rate(server.url, token, args.requests, args.clients)
            cpu_ms = (server_cpu_s(server.pid) - cpu_before) / args.requests * 1000
            print(
                f"GET /runs with {args.runs} runs (one page): {rate:.0f} req/s "
                f"({args.clients} clients, {args.requests} requests; target >= 400); "
                f"server CPU {cpu_ms:.2f} ms per request (load average {os.getloadavg()[0]:.1f} "
                f"on {os.cpu_count()} cores)"
            )

            store = open_store(Path(tmp))
            body = _run_body()
            from prism_server.models import RunCreate

            parsed = RunCreate.model_validate(body).model_dump()
            for _ in range(args.big - args.runs):
                store.create_run("bench", parsed)
            times = []
            with httpx.Client(base_url=server.url, headers={"X-API-Key": token}, timeout=60) as c:
                for _ in range(5):
                    start = time.perf_counter()
                    response = c.get("/runs", params={"limit": args.big})
                    times.append(time.perf_counter() - start)
                    assert len(response.json()["items"]) == args.big
            server_side = []
            for _ in range(5):
                start = time.perf_counter()
                store.list_runs_json("bench", limit=args.big)
                server_side.append(time.perf_counter() - start)
            print(
                f"GET /runs?limit={args.big} ({len(response.content) / 1e6:.1f} MB): "
                f"{statistics.median(times) * 1000:.0f} ms over HTTP, "
                f"{statistics.median(server_side) * 1000:.0f} ms of it query + JSON (median of 5)"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
