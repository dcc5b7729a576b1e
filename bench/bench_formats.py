#!/usr/bin/env python3
"""Whole-process cost of each ``check --format`` and of ``plot`` on a large submission.

Builds the tree of ``bench_checker.py`` (8 systems × 4 models × 32 points = 1,024 points), then
runs ``submission-checker check --format F`` for every format and ``plot`` to PNG and HTML as
separate processes, alternating formats within each round so machine load hits them alike.
Reports each command's median wall and CPU time, its peak RSS and its output size.

    python bench/bench_formats.py              # 3 rounds
    python bench/bench_formats.py --runs 1 --no-plot

Numbers are noisy on a shared machine; compare formats within one run, not across runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from measure import Measured, measured_run

HERE = Path(__file__).resolve().parent
FORMATS = ("text", "json", "sarif", "junit", "github")


def _bench_checker():
    spec = importlib.util.spec_from_file_location("bench_checker", HERE / "bench_checker.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds over every command")
    parser.add_argument("--no-plot", action="store_true", help="skip the plot commands")
    args = parser.parse_args()

    bench = _bench_checker()
    workdir = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    try:
        started = time.perf_counter()
        org = bench.build_tree(workdir / "tree", 0.01, False)
        print(f"tree: 1024 points in {time.perf_counter() - started:.1f} s")
        commands: dict[str, tuple[list[str], Path | None]] = {}
        for name in FORMATS:
            commands[f"check --format {name}"] = (
                [*bench.checker_command(), "check", str(org), "--format", name],
                None,
            )
        if not args.no_plot:
            for suffix in ("png", "html"):
                output = workdir / f"curves.{suffix}"
                commands[f"plot -o curves.{suffix}"] = (
                    [*bench.checker_command(), "plot", str(org), "-o", str(output)],
                    output,
                )
        runs: dict[str, list[Measured]] = {label: [] for label in commands}
        sizes: dict[str, int] = {}
        for _ in range(args.runs):
            for label, (command, output) in commands.items():
                measured = measured_run(command)  # a failing command ends the benchmark
                runs[label].append(measured)
                sizes[label] = output.stat().st_size if output else len(measured.stdout)
        for label, measured in runs.items():
            peak = max(m.peak_mib or 0 for m in measured)
            print(
                f"{label:26s} median {statistics.median(m.wall_s for m in measured):6.2f} s wall, "
                f"{statistics.median(m.cpu_s for m in measured):6.2f} s CPU, "
                f"peak RSS {peak:5.0f} MiB, output {sizes[label] / 1e6:7.2f} MB"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
