#!/usr/bin/env python3
"""CPU time a round v1.0 point spends turning its files into Documents, per file kind.

    python bench/bench_checker.py --points 1024 --v1 --keep /tmp/bt   # writes the trees
    python bench/bench_v1_documents.py /tmp/bt/v1.0-1024/BenchOrg --runs 9
    python bench/bench_v1_documents.py TREE --baseline /path/to/other/src

Each run is a fresh process that lists TREE (``read_submission_v1``) and then asks every point
for one kind of document at a time (``config`` = point.yaml, ``run_config`` = config.yaml,
``summary``, ``description``, ``accuracy``), as the first rule needing it would: the median
process CPU time per point of each kind is printed, and their sum. With ``--baseline`` the
same runs of the checker imported from another ``src/`` folder alternate with these, and the
ratio of the sums is printed (a ratio measured in one session: noise affects both alike).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

KINDS = ("config", "run_config", "summary", "description", "accuracy")
SRC = Path(__file__).resolve().parents[1] / "src"

#: one run: every point's documents of each kind, timed kind by kind (µs per point)
RUN = """
import gc, json, sys, time
from pathlib import Path
from submission_checker.layout_v1 import read_submission_v1
from submission_checker.rounds import load_round
gc.disable()
submission = read_submission_v1(Path(sys.argv[1]), load_round("v1.0"))
points = submission.points
times = {}
for kind in sys.argv[2].split(","):
    start = time.process_time()
    for point in points:
        getattr(point, kind)
    times[kind] = (time.process_time() - start) / len(points) * 1e6
print(json.dumps({"points": len(points), "times": times}))
"""


def _run(tree: Path, src: Path) -> dict:
    environment = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(tree), ",".join(KINDS)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def _report(label: str, runs: list[dict]) -> float:
    medians = {kind: statistics.median(run["times"][kind] for run in runs) for kind in KINDS}
    total = sum(medians.values())
    shown = ", ".join(f"{kind} {value:.1f}" for kind, value in medians.items())
    print(f"{label}: {total:.1f} µs CPU per point ({shown}; {runs[0]['points']} points)")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path, help="a v1.0 submission (bench_checker.py --keep)")
    parser.add_argument("--runs", type=int, default=9, help="processes per checker")
    parser.add_argument("--baseline", type=Path, help="a src/ folder of another revision")
    args = parser.parse_args()
    sources = [("now", SRC)] + ([("baseline", args.baseline)] if args.baseline else [])
    runs: dict[str, list[dict]] = {label: [] for label, _ in sources}
    for _ in range(args.runs):
        for label, src in sources:  # alternating, so that load affects both alike
            runs[label].append(_run(args.tree, src))
    totals = {label: _report(label, runs[label]) for label, _ in sources}
    if args.baseline:
        print(f"documents per point now / baseline: {totals['now'] / totals['baseline']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
