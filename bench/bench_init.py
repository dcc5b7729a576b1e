"""Benchmark `endpoints-submission-cli init` over a sweep of 32 run folders.

    python bench/bench_init.py [--runs 32] [--repeat 3]

Copies the real run folder tests/data/samples/inference-endpoint/llama2-70b_c1 RUNS times into
a fresh temp directory (concurrency rewritten per copy), then times the whole
``python -m endpoints_submission_cli init --path SWEEP --system-desc FILE --force`` process
REPEAT times (interpreter start-up and imports included, as a user sees it). The target of
issue 11 is under 2 s for 32 folders. Numbers depend on the load of the shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "data" / "samples" / "inference-endpoint"


def make_sweep(parent: Path, runs: int) -> None:
    source = SAMPLES / "llama2-70b_c1"
    config = (source / "config.yaml").read_text(encoding="utf-8")
    for index in range(1, runs + 1):
        run = parent / f"point_{index}"
        shutil.copytree(source, run)
        (run / "config.yaml").write_text(
            config.replace("target_concurrency: 1", f"target_concurrency: {index * 4}"),
            encoding="utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-init-") as tmp:
        sweep = Path(tmp) / "sweep"
        make_sweep(sweep, args.runs)
        command = [
            sys.executable,
            "-m",
            "endpoints_submission_cli",
            "init",
            "--path",
            str(sweep),
            "--system-desc",
            str(SAMPLES / "system_desc.example.json"),
            "--force",
        ]
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        written = len(list(sweep.glob("*/point.yaml")))
        print(
            f"init over {args.runs} run folders ({written} point.yaml written): "
            f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
            f"max {max(times):.2f} s over {args.repeat} runs (whole process)"
        )


if __name__ == "__main__":
    main()
