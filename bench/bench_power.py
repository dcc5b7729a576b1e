#!/usr/bin/env python3
"""What the v1.0 power rules cost: ``submission-checker check -q --round v1.0`` on a 768-point
tree whose 8 Standardized systems carry the example's ``system_power.json``, against the same
tree without the power files (the power rules then only report that they are skipped).

    python bench/bench_power.py [--runs 3]

Generates 8 systems × 3 curves × 32 points with the v1.0 example generator (every point of a
system charged for its whole power, ``system_tps_per_kw`` stored), runs the checker ``--runs``
times per variant as a separate process, alternating, and prints the median wall and CPU time
and the peak RSS of each. The difference is the power model: one descriptor validated and
recomputed per system, point power and tokens/s per kW per point.

Measured (2 shared cores, 3 runs): with power median wall 2.60 s, CPU 1.26 s, peak 92 MiB;
without power 2.78 s, CPU 1.08 s, peak 91 MiB: about 0.2 ms of CPU per point, and every one
of the 768 points' ``system_tps_per_kw`` agrees.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from measure import Measured, measured_run

REPO = Path(__file__).resolve().parents[1]
SYSTEMS = tuple(f"Power System {i}" for i in range(8))
#: the non-agentic models the generator writes passing curves for (one 32-point curve each)
MODELS = ("llama3_1-8b", "gpt-oss-120b", "deepseek-r1")


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_submission_v1", REPO / "examples" / "make_example_submission_v1.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build(out: Path) -> Path:
    generator = _generator()
    spec = replace(
        generator.TreeSpec(),
        division="Standardized",
        power=generator.EXAMPLE_POWER,
        max_concurrency=1024,
        points=generator.BENCH_POINTS,
    )
    curves = tuple((system, model) for system in SYSTEMS for model in MODELS)
    return generator.write_submission_v1(out, spec, curves=curves)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    checker = [sys.executable, "-m", "submission_checker", "check", "-q", "--round", "v1.0"]
    with tempfile.TemporaryDirectory() as scratch:
        with_power = build(Path(scratch) / "with")
        without = Path(scratch) / "without" / with_power.name
        shutil.copytree(with_power, without)
        for power_file in without.rglob("system_power.json"):
            power_file.unlink()
        points = sum(1 for _ in with_power.rglob("point.yaml"))
        runs: dict[str, list[Measured]] = {"with power": [], "without power": []}
        for _ in range(args.runs):
            for name, tree in (("with power", with_power), ("without power", without)):
                runs[name].append(measured_run([*checker, str(tree)], check=False))
        print(f"{points} points, {len(SYSTEMS)} Standardized systems, {args.runs} runs each")
        for name, measured in runs.items():
            wall = statistics.median(m.wall_s for m in measured)
            cpu = statistics.median(m.cpu_s for m in measured)
            peaks = [m.peak_mib for m in measured if m.peak_mib is not None]
            peak = f", peak {max(peaks):.0f} MiB" if peaks else ""
            print(f"{name:14s} median wall {wall:.2f} s, CPU {cpu:.2f} s{peak}")


if __name__ == "__main__":
    main()
