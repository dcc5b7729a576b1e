#!/usr/bin/env python3
"""Write example round v1.0 run folders: what inference-endpoint leaves after a sweep.

    python examples/make_example_runs_v1.py                  # rewrite examples/runs-v1.0/
    python examples/make_example_runs_v1.py --out DIR --with-point-yaml

The sweep is the one of the example v1.0 submission (examples/make_example_submission_v1.py:
one Serviced system, llama3_1-8b, nine points over every region and a dedicated Offline
point, accuracy at one point per band), taken apart into one run folder per point:
``config.yaml``, ``performance/result_summary.json`` and, at accuracy points,
``accuracy/accuracy_results.json``. The first run also carries the serving code (``src/``)
and the documentation (``documentation/``). ``system_desc.json`` next to the runs is the
system description to pass to ``init --system-desc``.

By default no run has a ``point.yaml`` (that is what ``endpoints-submission-cli init``
writes) and the warm-up is disabled in config.yaml, so ``init`` can derive the whole warm-up
block. ``--with-point-yaml`` keeps the example's complete point.yaml in every folder (the
tests use such folders, ready for ``runs create``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "runs-v1.0"


def _submission_generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_submission_v1", HERE / "make_example_submission_v1.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def make_runs_v1(out: Path, *, with_point_yaml: bool = False) -> list[Path]:
    """Write the run folders under ``out`` (which must not exist); return them, by concurrency."""
    generator = _submission_generator()
    out.mkdir(parents=True)
    runs: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="example-v1-") as tmp:
        org = generator.write_submission_v1(Path(tmp))
        root = next(child for child in org.iterdir() if child.is_dir())
        points = sorted(root.glob("results/*/*/r*"), key=lambda p: int(p.name[1:]))
        for index, point in enumerate(points):
            run = out / f"{point.parent.name}_c{point.name[1:]}"
            (run / "performance").mkdir(parents=True)
            config = yaml.safe_load((point / "config.yaml").read_text(encoding="utf-8"))
            if not with_point_yaml:
                config["settings"]["warmup"]["enabled"] = False
            (run / "config.yaml").write_text(
                yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
            )
            shutil.copyfile(point / "result_summary.json", run / "performance/result_summary.json")
            if (point / "accuracy_results.json").is_file():
                (run / "accuracy").mkdir()
                shutil.copyfile(
                    point / "accuracy_results.json", run / "accuracy/accuracy_results.json"
                )
            if index == 0:
                shutil.copytree(root / "src", run / "src")
                shutil.copytree(root / "docs", run / "documentation")
            description = json.loads((point / "system_desc.json").read_text(encoding="utf-8"))
            description.pop("tps_utilization", None)  # the builder computes it per curve
            if with_point_yaml:
                shutil.copyfile(point / "point.yaml", run / "point.yaml")
                (run / "system_desc.json").write_text(json.dumps(description, indent=2) + "\n")
            runs.append(run)
        (out / "system_desc.json").write_text(json.dumps(description, indent=2) + "\n")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--with-point-yaml", action="store_true", help="keep a complete point.yaml in each run"
    )
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    runs = make_runs_v1(args.out, with_point_yaml=args.with_point_yaml)
    print(f"wrote {len(runs)} run folders and system_desc.json under {args.out}")


if __name__ == "__main__":
    main()
