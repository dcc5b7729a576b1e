#!/usr/bin/env python3
"""Whole-process benchmark of ``submission-checker check -q`` on a large valid submission.

Generates 8 systems × 4 models × 32 points (1,024 points) with the example generator, every
detail log a sparse file of ``--detail-mb`` MiB (the checker must only stat them), then runs
the command ``--runs`` times as a separate process and reports the median wall time and the
peak resident memory of the checker processes.

    python bench/bench_checker.py                      # 2 MiB detail logs
    python bench/bench_checker.py --detail-mb 2 512    # two trees, runs alternating

Time should not depend on --detail-mb. Wall time is noisy on a shared machine, so the child's
CPU time (user + sys) is reported too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SYSTEMS = tuple(f"system-{i}" for i in range(8))
MODELS = ("llama2-70b", "llama3.1-8b", "mixtral-8x7b", "deepseek-r1")
MAX_CONCURRENCY = 1024
# 32 points over the regions of M = 1024: 1–32, 33–42, 43–131, 132–1024, margin 1025–1127
CONCURRENCIES = (
    1, 2, 4, 8, 12, 16, 24, 32,
    34, 36, 38, 40, 42,
    48, 64, 80, 96, 112, 128,
    160, 192, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
    1056, 1100,
)  # fmt: skip


def load_generator():
    path = REPO / "examples" / "make_example_submission.py"
    spec = importlib.util.spec_from_file_location("make_example_submission", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pad_like_inference_endpoint(path: Path) -> None:
    """Add the histograms and early-stopping percentiles a real summary carries."""
    data = json.loads(path.read_text())
    for block in ("ttft", "tpot", "latency", "output_sequence_lengths"):
        low = 1.0 + len(block)
        edges = [low * 1.08**i for i in range(31)]
        data[block]["histogram"] = {
            "buckets": [[edges[i], edges[i + 1]] for i in range(30)],
            "counts": [i * 7 % 23 for i in range(30)],
        }
        data[block]["early_stopping_percentiles"] = dict(data[block]["percentiles"])
    data["input_sequence_lengths"] = dict(data["output_sequence_lengths"])
    path.write_text(json.dumps(data, indent=2))


def checker_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).parent / "submission-checker"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "submission_checker"]


def build_tree(workdir: Path, detail_mb: float, full_summaries: bool) -> Path:
    org = load_generator().write_submission(
        workdir,
        org="BenchOrg",
        systems=SYSTEMS,
        models=MODELS,
        max_concurrency=MAX_CONCURRENCY,
        concurrencies=CONCURRENCIES,
        detail_bytes=int(detail_mb * 1024 * 1024),
    )
    if full_summaries:
        for summary in org.glob("pareto/*/*/results/*/mlperf_endpoints_log_summary.json"):
            pad_like_inference_endpoint(summary)
    return org


def run_once(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall s, CPU s of the child, the finished process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, finished


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--detail-mb",
        type=float,
        nargs="+",
        default=[2.0],
        help="size of each detail log; several sizes build one tree each and alternate runs "
        "between them, so that machine load affects them alike",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per tree")
    parser.add_argument("--keep", type=Path, help="write the tree(s) here and keep them")
    parser.add_argument(
        "--full-summaries",
        action="store_true",
        help="pad every summary to the size of a real inference-endpoint result_summary.json "
        "(~16 KB: 30-bucket histograms for every distribution)",
    )
    parser.add_argument(
        "--precompile",
        action="store_true",
        help="compile the checker's sources to __pycache__ first (as a wheel install does), so "
        "that runs with PYTHONDONTWRITEBYTECODE set do not each compile them again",
    )
    args = parser.parse_args()
    if args.precompile:
        import compileall

        compileall.compile_dir(REPO / "src" / "submission_checker", quiet=1)
    elif sys.flags.dont_write_bytecode and not any(
        (REPO / "src" / "submission_checker").glob("__pycache__/*.pyc")
    ):
        print(
            "note: PYTHONDONTWRITEBYTECODE is set and the checker has no compiled files here: "
            "every run compiles its sources (~0.07 s CPU); --precompile measures what a wheel "
            "install runs"
        )

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-checker-"))
    points = len(SYSTEMS) * len(MODELS) * len(CONCURRENCIES)
    try:
        trees = {}
        for size in args.detail_mb:
            started = time.perf_counter()
            trees[size] = build_tree(workdir / f"detail-{size:g}MiB", size, args.full_summaries)
            print(
                f"tree: {points} points, detail logs {size:g} MiB each "
                f"({points * size / 1024:.1f} GiB apparent), generated in "
                f"{time.perf_counter() - started:.1f} s"
            )
        walls: dict[float, list[float]] = {size: [] for size in trees}
        cpus: dict[float, list[float]] = {size: [] for size in trees}
        for _ in range(args.runs):
            for size, org in trees.items():
                wall, cpu, finished = run_once([*checker_command(), "check", "-q", str(org)])
                if finished.returncode != 0:
                    print(finished.stdout[-2000:], finished.stderr[-2000:], sep="\n")
                    print(f"checker exited {finished.returncode}; the benchmark tree must pass")
                    return 1
                walls[size].append(wall)
                cpus[size].append(cpu)
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"verdict: {finished.stdout.strip().splitlines()[-1]}")
        for size in trees:
            times = walls[size]
            print(
                f"detail {size:g} MiB: check -q median {statistics.median(times):.3f} s wall "
                f"(min {min(times):.3f}, max {max(times):.3f}), "
                f"median CPU {statistics.median(cpus[size]):.3f} s, {args.runs} runs"
            )
        print(f"peak RSS of the checker processes: {peak_mib:.1f} MiB")
        print(f"load average after measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
