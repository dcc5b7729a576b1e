"""Benchmark `submissions create --dry-run` on 32 runs of ~20 MB each, parallel vs sequential.

    python bench/bench_submissions.py [--runs 32] [--events-mb 20] [--repeat 2]
                                      [--latency-ms 0] [--keep]

What it does, all under a fresh directory in /tmp (deleted at the end unless --keep):
1. Generates RUNS run folders with examples/make_example_runs.py (one system, concurrencies
   spread over every region of M = 128, events.jsonl padded to EVENTS_MB MB of realistic event
   lines; gzip packs each run to ~2 MB, like real event logs compress).
2. Starts a local ``prism-server`` in its own process (own temp data dir), makes a token and
   registers every run with ``endpoints-submission-cli runs create`` (setup, timed separately).
3. Times the whole ``python -m endpoints_submission_cli submissions create --dry-run`` process
   (fetch run records, download + verify + extract every archive, build the bundle, run the
   checker, secret scan) with downloads 1 at a time and 4 at a time (the internal knob
   ENDPOINTS_SUBMISSION_CLI_DOWNLOAD_WORKERS), REPEAT times each, alternating.
4. Times the download + extract phase alone in-process (``Pipeline.download_runs``) the same
   way, to show the speed-up where it happens.

Over loopback a download has no latency, so on 2 cores the phase is CPU-bound (gunzip, hashing,
writing 645 MB) and parallelism can only overlap I/O. ``--latency-ms N`` makes the server wait N ms
before answering each archive download (prism-server's fault injection, ``delay``), like the
first-byte latency of a remote object store — the case the 4 parallel downloads are for.

Everything talks to 127.0.0.1 only. The numbers depend on the machine's load (2 shared cores).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from prism_server.testing import PrismProcess

REPO = Path(__file__).resolve().parent.parent
WORKERS_ENV = "ENDPOINTS_SUBMISSION_CLI_DOWNLOAD_WORKERS"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_runs", REPO / "examples" / "make_example_runs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _concurrencies(n: int, base=(1, 8, 32, 36, 48, 64, 96, 128)) -> list[int]:
    """n distinct concurrencies: the example's one-per-region set plus evenly spread extras."""
    extra = [c for c in range(1, 129) if c not in base]
    step = len(extra) / max(1, n - len(base))
    picked = {extra[int(i * step)] for i in range(max(0, n - len(base)))}
    return sorted(set(base) | picked)[: max(n, 1)]


def _start_server(data_dir: Path, latency_ms: float) -> tuple[PrismProcess, str]:
    """A prism-server in its own process; fault injection only to add download latency."""
    server = PrismProcess(data_dir, fault_injection=bool(latency_ms)).start()
    return server, server.url


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "endpoints_submission_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _archive_bytes(url: str, token: str, ids: list[str]) -> int:
    from endpoints_submission_cli.prism import PrismClient

    with PrismClient(url, token) as client:
        return sum(client.get_run(run_id)["archive_size"] for run_id in ids)


def _in_process_download(url: str, token: str, ids: list[str], workers: int) -> float:
    from endpoints_submission_cli.pipeline import Pipeline
    from endpoints_submission_cli.prism import PrismClient

    os.environ[WORKERS_ENV] = str(workers)
    with PrismClient(url, token) as client, tempfile.TemporaryDirectory() as scratch:
        pipeline = Pipeline(client, api_url=url, say=lambda _m: None)
        records = pipeline.fetch_runs(ids)
        start = time.perf_counter()
        pipeline.download_runs(records, Path(scratch))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=32)
    parser.add_argument("--events-mb", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="server-side delay before each archive download",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-submissions-"))
    server = None
    try:
        t0 = time.perf_counter()
        runs_dir = root / "runs"
        folders = _generator().make_runs(
            runs_dir, _concurrencies(args.runs), events_bytes=int(args.events_mb * 1e6)
        )
        folder_mb = sum(f.stat().st_size for d in folders for f in d.rglob("*")) / 1e6
        print(
            f"generated {len(folders)} runs, {folder_mb:.0f} MB, "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        data_dir = root / "prism-data"
        data_dir.mkdir()
        server, url = _start_server(data_dir, args.latency_ms)
        token = server.new_token("bench")
        env = dict(
            os.environ,
            MLPERF_API_BASE_URL=url,
            PRISM_USER_API_TOKEN=token,
            XDG_STATE_HOME=str(root / "state"),
        )
        t0 = time.perf_counter()
        ids = []
        for folder in folders:
            result = _cli(
                env,
                "runs",
                "create",
                "--path",
                str(folder),
                "--system-desc",
                str(runs_dir / "system_desc.json"),
            )
            if result.returncode != 0:
                raise SystemExit(f"runs create failed: {result.stderr}")
            ids.append(result.stdout.strip().splitlines()[-1])
        archive_mb = _archive_bytes(url, token, ids) / 1e6
        print(
            f"registered {len(ids)} runs ({archive_mb:.0f} MB of archives) "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        if args.latency_ms:
            import httpx

            rule = {
                "method": "GET",
                "path": r"^/storage/runs/",
                "action": "delay",
                "delay_s": args.latency_ms / 1000,
                "times": None,
            }
            httpx.post(f"{url}/_faults", json=rule, timeout=10).raise_for_status()
        create = [
            "submissions",
            "create",
            "--run-ids",
            ",".join(ids),
            "--division",
            "standardized",
            "--availability",
            "available",
            "--dry-run",
            "--json",
        ]
        wall: dict[int, list[float]] = {1: [], 4: []}
        phase: dict[int, list[float]] = {1: [], 4: []}
        verdict = None
        for _ in range(args.repeat):
            for workers in (1, 4):
                start = time.perf_counter()
                result = _cli({**env, WORKERS_ENV: str(workers)}, *create)
                wall[workers].append(time.perf_counter() - start)
                if result.returncode != 0:
                    raise SystemExit(f"submissions create failed: {result.stderr}")
                out = json.loads(result.stdout)
                verdict = out["verdict"]
                shutil.rmtree(Path(out["bundle"]).parent, ignore_errors=True)
                phase[workers].append(_in_process_download(url, token, ids, workers))

        def best(values: list[float]) -> float:
            return min(values)

        summary = {
            "runs": len(ids),
            "latency_ms": args.latency_ms,
            "run_folder_mb": round(folder_mb, 1),
            "archive_mb": round(archive_mb, 1),
            "checker": verdict,
            "create_dry_run_wall_s": {str(w): [round(v, 2) for v in vs] for w, vs in wall.items()},
            "download_phase_s": {str(w): [round(v, 2) for v in vs] for w, vs in phase.items()},
            "speedup_wall_best": round(best(wall[1]) / best(wall[4]), 2),
            "speedup_download_phase_best": round(best(phase[1]) / best(phase[4]), 2),
            "download_phase_median_s": {
                str(w): round(statistics.median(vs), 2) for w, vs in phase.items()
            },
        }
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        out_dir = REPO / "bench" / "out"
        out_dir.mkdir(exist_ok=True)
        text = json.dumps(summary, indent=2, ensure_ascii=False)
        (out_dir / "bench_submissions.json").write_text(text)
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
