"""Benchmark `runs list` end to end with many runs: table on a terminal, plain rows, --json.

    python bench/bench_runs_list.py [--runs 10000] [--repeat 3] [--src DIR]

What it does, against a local ``prism-server`` in its own process (own temp data dir):
1. Adds RUNS runs for one user directly in the data dir's database (realistic RunCreate bodies).
2. Times the whole ``python -m endpoints_submission_cli runs list`` process (median of REPEAT)
   three ways: stdout a pseudo-terminal (the table a user sees), stdout a pipe (plain rows), and
   ``--json`` to a pipe; and counts the runs each printed.
3. ``--src DIR`` runs the CLI from another source tree (e.g. an export of an older commit) to
   compare before and after on the same server and machine.

Target (issue 14 item 2): ≤ 1 s for 10,000 runs. The client must follow the list's ``next``
cursors to see more than one page (1,000 runs); the row counts printed show whether it did.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from prism_server.models import RunCreate
from prism_server.store import open_store
from prism_server.testing import PrismProcess

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "server"))
from conftest import _run_body  # noqa: E402 - the tests' realistic RunCreate body


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _on_terminal(command: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    """Run ``command`` with stdout on a pseudo-terminal; (wall seconds, what it wrote)."""
    controller, terminal = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 1 << 16)
            except OSError:  # EIO: the terminal's last writer has gone
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, stdout=terminal, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    os.close(terminal)
    reader.join()
    os.close(controller)
    if proc.returncode != 0:
        raise SystemExit(f"{command[3:]} failed: {proc.stderr.decode(errors='replace')}")
    return wall, b"".join(chunks)


def _piped(command: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{command[3:]} failed: {proc.stderr.decode(errors='replace')}")
    return wall, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--src", type=Path, help="Source tree of the CLI to time (default: ours).")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-runs-list-") as tmp:
        server = PrismProcess(Path(tmp), fault_injection=False).start()
        try:
            token = server.new_token("bench")
            store = open_store(Path(tmp))
            parsed = RunCreate.model_validate(_run_body()).model_dump()
            for _ in range(args.runs):
                store.create_run("bench", parsed)
            env = {
                **os.environ,
                "MLPERF_API_BASE_URL": server.url,
                "PRISM_USER_API_TOKEN": token,
                "COLUMNS": "200",
            }
            if args.src:
                env["PYTHONPATH"] = str(args.src.resolve())
            command = [sys.executable, "-m", "endpoints_submission_cli", "runs", "list"]
            ways = {
                "table on a terminal": (
                    _on_terminal,
                    command,
                    lambda out: out.count(b"\xe2\x94\x82") // 5,
                ),
                "plain rows (pipe)": (_piped, command, lambda out: len(out.splitlines()) - 1),
                "--json (pipe)": (_piped, [*command, "--json"], lambda out: len(json.loads(out))),
            }
            for name, (run, argv, count) in ways.items():
                cpu_before = _children_cpu()
                results = [run(argv, env) for _ in range(args.repeat)]
                cpu = (_children_cpu() - cpu_before) / args.repeat
                wall = statistics.median(wall for wall, _ in results)
                print(
                    f"runs list, {name}: {wall:.2f} s wall, {cpu:.2f} s CPU for "
                    f"{count(results[-1][1])} of {args.runs} runs (median of {args.repeat}; "
                    "target <= 1 s)"
                )
        finally:
            server.stop()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
