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

5. Round v1.0 (skip with ``--no-v1``): the same run folders made v1.0 folders (``init`` with a
   v1.0 system description, placeholders filled), registered again, and ``submissions create
   --dry-run`` timed on both sets with 4 downloads at a time, REPEAT times each, alternating.
   Issue 11 asks for the v1.0 time within 1.2× of the v0.7 time. These llama2-70b runs are not
   a valid v1.0 submission (llama2-70b is no v1.0 model, no accuracy bands), so the complete
   v1.0 rules reject the bundle; a checker failure (exit 1 with its report) is accepted for that
   set only. Either way the timing covers downloading, building the whole tree and checking it.

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


def _dry_run_create(run_ids: list[str]) -> list[str]:
    """The timed command: build and check the bundle of ``run_ids``, send nothing."""
    return [
        "submissions",
        "create",
        "--run-ids",
        ",".join(run_ids),
        "--division",
        "standardized",
        "--availability",
        "available",
        "--dry-run",
        "--json",
    ]


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


# Fields a v1.0 system description has beyond the v0.7 example's (checker-v1.0 §4.2).
V1_SYSTEM_FIELDS = {
    "shortened_system_name": "Example H200x8",
    "system_node_ensemble_count": 1,
    "system_node_ensemble_total": 1,
    "availability_url": "https://example.org/h200x8",
}
V1_NODE_FIELDS = {
    "host_memory_configuration": "32x 64 GB DDR5",
    "host_network_card_count": "8",
    "driver": "565.57.01",
    "filesystem": "ext4",
}
V1_ANSWERS = {  # what a submitter types over init's placeholders
    "link_to_model": '"https://huggingface.co/meta-llama/Llama-2-70b-chat-hf"',
    "dataset_link": '"https://example.org/open_orca"',
    "seed_set": '"A"',
    "target_cohort": '"2026-11-C0"',
    "    model_seed": "null",
}


def _make_v1_runs(runs_dir: Path, out: Path) -> list[Path]:
    """Copies of the v0.7 run folders with point.yaml written by init, placeholders filled."""
    from endpoints_submission_cli.pointconfig import init_runs

    shutil.copytree(runs_dir, out)
    desc = json.loads((runs_dir / "system_desc.json").read_text())
    desc.update(V1_SYSTEM_FIELDS)
    for node in desc["node_types"]:
        node.update(V1_NODE_FIELDS)
    (out / "system_desc.json").write_text(json.dumps(desc, indent=2))
    for src in out.glob("*/src"):  # v1.0: src/<implementation>/ with a README.md
        impl = src / "example-serve"
        impl.mkdir()
        for item in list(src.iterdir()):
            if item != impl:
                item.rename(impl / item.name)
        (impl / "README.md").write_text("# example-serve\n\nHow the example server ran.\n")
    results = init_runs([out], system_desc=out / "system_desc.json")
    for result in results:
        lines = result.point_yaml.read_text().splitlines()
        for key, value in V1_ANSWERS.items():
            lines = [f"{key}: {value}" if line.startswith(f"{key}: ") else line for line in lines]
        result.point_yaml.write_text("\n".join(lines) + "\n")
    return [result.run_dir for result in results]


def _register(env: dict[str, str], folders: list[Path], *extra: str) -> list[str]:
    ids = []
    for folder in folders:
        result = _cli(env, "runs", "create", "--path", str(folder), *extra)
        if result.returncode != 0:
            raise SystemExit(f"runs create failed: {result.stderr}")
        ids.append(result.stdout.strip().splitlines()[-1])
    return ids


def _time_rounds(env: dict[str, str], ids: dict[str, list[str]], repeat: int) -> dict:
    """``submissions create --dry-run`` wall time per round, alternating, 4 downloads at once."""
    times: dict[str, list[float]] = {name: [] for name in ids}
    verdicts: dict[str, str] = {}
    for _ in range(repeat):
        for name, run_ids in ids.items():
            start = time.perf_counter()
            result = _cli({**env, WORKERS_ENV: "4"}, *_dry_run_create(run_ids))
            times[name].append(time.perf_counter() - start)
            if result.returncode == 0:
                out = json.loads(result.stdout)
                verdicts[name] = out["verdict"]
                shutil.rmtree(Path(out["bundle"]).parent, ignore_errors=True)
            elif name == "v1.0" and "the checker found" in result.stderr:
                verdicts[name] = next(
                    line.removeprefix("error: ")
                    for line in result.stderr.splitlines()
                    if line.startswith("error: ")
                )
            else:
                raise SystemExit(f"submissions create ({name}) failed: {result.stderr}")
    best = {name: min(values) for name, values in times.items()}
    return {
        "create_dry_run_wall_s": {k: [round(v, 2) for v in vs] for k, vs in times.items()},
        "checker": verdicts,
        "v1_over_v07_best": round(best["v1.0"] / best["v0.7"], 2),
    }


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
    parser.add_argument("--no-v1", action="store_true", help="skip the round v1.0 comparison")
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
        create = _dry_run_create(ids)
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
        if not args.no_v1:
            t0 = time.perf_counter()
            v1_ids = _register(env, _make_v1_runs(runs_dir, root / "runs-v1"))
            print(f"registered {len(v1_ids)} v1.0 runs in {time.perf_counter() - t0:.1f} s")
            summary["round_v1.0"] = _time_rounds(env, {"v0.7": ids, "v1.0": v1_ids}, args.repeat)
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
