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

    python bench/bench_checker.py --points 1024 16384 --floor --v1

builds one tree per size (more systems, the same 32 points per curve; both rounds with
``--v1``) and prints each tree's numbers and, with ``--floor``, its ratio to the floor (issue
14 target 1: ≤ 2× at 1,024 and 16,384 points). Every run also times ``check -q`` of the
8-point example ``examples/submission`` (its own median; target ≤ 0.25 s wall).

    python bench/bench_checker.py --reference /tmp/ref/bin/python

    python bench/bench_checker.py --v1

also builds a round v1.0 tree of the same size (32 curves × 32 points: 16 systems × 2 models,
every point with point.yaml, system_desc.json, config.yaml and result_summary.json) and times
``check -q`` on it beside the v0.7 tree (runs alternate); the v1.0 / v0.7 ratio is printed.

``--as-written`` (with ``--v1``) writes the v1.0 files as ``init`` and the benchmark do: a
comment on every point.yaml line, ``api_key: <redacted>`` in config.yaml.

``--reference-v1 PYTHON`` (with ``--v1``) times the original v1.0 checker 1.5.3.0
(``pip install endpoints-submission-cli==1.5.3.0`` into its own venv; give its python) on the
same v1.0 tree; its findings there are summarised first.

``--full-report`` times ``check -q -o /dev/null`` instead: the full report, every passing check
kept and written as JSON (``check -q`` alone counts passes without keeping them).

``--floor`` also times, on each tree, one process that only lists it and parses every file the
checker reads (JSON with ``json``, or orjson when installed; YAML with PyYAML's C loader; detail
logs only listed): what the machine needs to look at the data at all (issue 14). The checker's
ratio to it is printed.

``--baseline SRC`` also times the checker from another source tree (``SRC`` holding
``submission_checker/``, e.g. ``git archive main src | tar -x -C /tmp/base``) with this
interpreter, alternating with this one on every tree: before/after numbers from one run.

``--reference`` compares with the reference checker 0.1.1.9
(``pip install endpoints-submission-cli==0.1.1.9`` into a separate venv; give its python).
The reference expects other file names, so it gets a twin of the tree in its own layout
(hard links plus ``results_summary.json``, ``accuracy/results.json``, ``src/<model>/`` and
``documentation/``): on the tree as it is, it stops at the first structural error and checks
nothing. Runs alternate between the two.
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

from measure import Measured, measured_run

REPO = Path(__file__).resolve().parents[1]
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


V1_MODELS = ("llama3_1-8b", "gpt-oss-120b")
POINTS_PER_CURVE = 32


def v07_systems(points: int) -> tuple[str, ...]:
    """Systems of a v0.7 tree of ``points`` points (4 models × 32 points each)."""
    return tuple(f"system-{i}" for i in range(points // (len(MODELS) * len(CONCURRENCIES))))


def v1_systems(points: int) -> tuple[str, ...]:
    """Systems of a v1.0 tree of ``points`` points (2 models × 32 points each)."""
    return tuple(f"System {i}" for i in range(points // (len(V1_MODELS) * POINTS_PER_CURVE)))


def write_like_init(org: Path) -> None:
    """Every point.yaml as ``init`` writes it (a comment naming the source of each value) and
    every config.yaml as the benchmark writes it (``api_key: <redacted>``): ``--as-written``."""
    for point in org.glob("*/results/*/*/r*/point.yaml"):
        lines = point.read_text().splitlines()
        point.write_text(
            "# point.yaml written by `endpoints-submission-cli init`\n"
            + "".join(
                f"{line}  # from config.yaml `settings`\n" if ": " in line else f"{line}\n"
                for line in lines
            )
        )
    for config in org.glob("*/results/*/*/r*/config.yaml"):
        text = config.read_text()
        config.write_text(
            text.replace("  api_type: openai\n", "  api_type: openai\n  api_key: <redacted>\n")
        )


def build_tree_v1(workdir: Path, full_summaries: bool, points: int = 1024) -> Path:
    """``points`` / 32 curves × 32 points (``BENCH_POINTS``: C_max 1024, a dedicated Offline
    point), two models per system."""
    path = REPO / "examples" / "make_example_submission_v1.py"
    spec = importlib.util.spec_from_file_location("make_example_submission_v1", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    org = module.write_submission_v1(
        workdir,
        org="BenchOrg",
        max_concurrency=MAX_CONCURRENCY,
        points=module.BENCH_POINTS,
        curves=tuple((system, model) for system in v1_systems(points) for model in V1_MODELS),
    )
    if full_summaries:
        for summary in org.glob("*/results/*/*/r*/result_summary.json"):
            pad_like_inference_endpoint(summary)
    return org


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


def build_tree(workdir: Path, detail_mb: float, full_summaries: bool, points: int = 1024) -> Path:
    org = load_generator().write_submission(
        workdir,
        org="BenchOrg",
        systems=v07_systems(points),
        models=MODELS,
        max_concurrency=MAX_CONCURRENCY,
        concurrencies=CONCURRENCIES,
        detail_bytes=int(detail_mb * 1024 * 1024),
    )
    if full_summaries:
        for summary in org.glob("pareto/*/*/results/*/mlperf_endpoints_log_summary.json"):
            pad_like_inference_endpoint(summary)
    return org


def reference_twin(org: Path, workdir: Path) -> Path:
    """The same content in the layout the 0.1.1.9 reference checker looks for."""
    twin = workdir / "reference-layout"
    shutil.copytree(org.parent, twin, copy_function=os.link)
    twin_org = twin / org.name
    for summary in twin_org.glob("pareto/*/*/results/*/mlperf_endpoints_log_summary.json"):
        shutil.copyfile(summary, summary.with_name("results_summary.json"))
    for model in twin_org.glob("pareto/*/*"):
        accuracy = model / "accuracy"
        shutil.copyfile(accuracy / "accuracy_result.json", accuracy / "results.json")
        (twin_org / "src" / model.name).mkdir(parents=True, exist_ok=True)
        (twin_org / "src" / model.name / "launch.sh").write_text("#!/bin/sh\n")
    (twin_org / "documentation").mkdir(exist_ok=True)
    (twin_org / "documentation" / "README.md").write_text("system notes\n")
    return twin_org


def reference_command(python: str) -> list[str]:
    """0.1.1.9 installs no submission-checker script; its click group is called directly."""
    return [python, "-c", "from submission_checker.cli import main; main()"]


def reference_results(python: str, twin_org: Path, workdir: Path) -> str:
    """What the reference reports on the twin: proof that it checked every point."""
    report_file = workdir / "reference-report.json"
    subprocess.run(
        [*reference_command(python), "check", "-q", "-o", str(report_file), str(twin_org)],
        capture_output=True,
        check=False,
    )
    results = json.loads(report_file.read_text())["results"]
    by_severity: dict[str, int] = {}
    for result in results:
        by_severity[result["severity"]] = by_severity.get(result["severity"], 0) + 1
    return f"{len(results)} results {by_severity}"


def floor(org: Path) -> int:
    """List ``org`` and parse each file the checker reads (``--floor``); the files parsed."""
    import yaml

    try:
        import orjson

        parse_json = orjson.loads
    except ImportError:
        parse_json = json.loads
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parsed = 0
    for folder, _, files in os.walk(org):
        for name in files:
            path = os.path.join(folder, name)
            if "_detail" in name:
                os.stat(path)  # the checker only stats detail logs
            elif name.endswith(".json"):
                with open(path, "rb") as handle:
                    parse_json(handle.read())
                parsed += 1
            elif name.endswith(".yaml"):
                with open(path, "rb") as handle:
                    yaml.load(handle.read().decode(), Loader=loader)  # noqa: S506 - C safe loader
                parsed += 1
    return parsed


def floor_command(org: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--floor-of", str(org)]


def summarise(label: str, measured: list[Measured], what: str = "check -q") -> float:
    walls = [m.wall_s for m in measured]
    print(
        f"{label}: {what} median {statistics.median(walls):.3f} s wall "
        f"(min {min(walls):.3f}, max {max(walls):.3f}), "
        f"median CPU {statistics.median(m.cpu_s for m in measured):.3f} s, "
        f"peak RSS {max(m.peak_mib or 0 for m in measured):.1f} MiB, {len(measured)} runs"
    )
    return statistics.median(walls)


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
    parser.add_argument(
        "--points",
        type=int,
        nargs="+",
        default=[1024],
        help="points per tree (a multiple of 128; e.g. 1024 16384): one tree per size and "
        "round, more systems of the same 32-point curves",
    )
    parser.add_argument(
        "--reference",
        metavar="PYTHON",
        help="python of a venv with endpoints-submission-cli==0.1.1.9, to time it alongside",
    )
    parser.add_argument(
        "--reference-v1",
        metavar="PYTHON",
        help="python of a venv with endpoints-submission-cli==1.5.3.0, timed on the v1.0 tree",
    )
    parser.add_argument("--keep", type=Path, help="write the tree(s) here and keep them")
    parser.add_argument(
        "--v1",
        action="store_true",
        help="also time a round v1.0 tree of 1,024 points (target: ≤ 1.2 × the v0.7 time)",
    )
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
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also time the floor: one process listing each tree and parsing its files",
    )
    parser.add_argument("--floor-of", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="SRC",
        help="also time the checker imported from SRC (a src/ folder of another revision)",
    )
    parser.add_argument(
        "--full-report",
        action="store_true",
        help="time check -q -o /dev/null: the full report (every passing check kept and "
        "written as JSON), not only what check -q prints",
    )
    parser.add_argument(
        "--as-written",
        action="store_true",
        help="v1.0 files as init and the benchmark write them: a comment on every point.yaml "
        "line, api_key: <redacted> in config.yaml",
    )
    args = parser.parse_args()
    if any(points % (len(MODELS) * len(CONCURRENCIES)) for points in args.points):
        parser.error("--points: each size must be a multiple of 128 (whole 4-model systems)")
    if args.floor_of is not None:
        print(f"floor: {floor(args.floor_of)} files parsed")
        return 0
    if args.precompile:
        import compileall

        compileall.compile_dir(REPO / "src" / "submission_checker", quiet=1)
        if args.baseline is not None:
            compileall.compile_dir(args.baseline / "submission_checker", quiet=1)
    elif sys.flags.dont_write_bytecode and not any(
        (REPO / "src" / "submission_checker").glob("__pycache__/*.pyc")
    ):
        print(
            "note: PYTHONDONTWRITEBYTECODE is set and the checker has no compiled files here: "
            "every run compiles its sources (~0.07 s CPU); --precompile measures what a wheel "
            "install runs"
        )

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-checker-"))
    try:
        # every tree to time: label → (round, organisation directory)
        trees: dict[str, tuple[str, Path]] = {}
        #: the tree each size's floor, reference and ratios refer to (first --detail-mb size)
        main_v07: dict[int, str] = {}
        main_v1: dict[int, str] = {}
        for points in args.points:
            for size in args.detail_mb:
                started = time.perf_counter()
                org = build_tree(
                    workdir / f"v0.7-{points}-detail-{size:g}MiB",
                    size,
                    args.full_summaries,
                    points,
                )
                label = f"v0.7 {points} points, detail {size:g} MiB"
                trees[label] = ("v0.7", org)
                main_v07.setdefault(points, label)
                print(
                    f"tree: {points} points, detail logs {size:g} MiB each "
                    f"({points * size / 1024:.1f} GiB apparent), generated in "
                    f"{time.perf_counter() - started:.1f} s"
                )
            if args.v1:
                started = time.perf_counter()
                v1_org = build_tree_v1(workdir / f"v1.0-{points}", args.full_summaries, points)
                if args.as_written:
                    write_like_init(v1_org)
                v1_points = len(list(v1_org.glob("*/results/*/*/r*")))
                label = f"v1.0 {points} points"
                trees[label] = ("v1.0", v1_org)
                main_v1[points] = label
                print(
                    f"v1.0 tree: {v1_points} points, "
                    f"generated in {time.perf_counter() - started:.1f} s"
                )
        # the extra commands timed beside the checker: label → (command, checked tree label)
        extra: dict[str, tuple[list[str], str]] = {}
        for points, label in main_v07.items():
            org = trees[label][1]
            if args.floor:
                extra[f"floor v0.7 {points} points"] = (floor_command(org), label)
            if args.reference:
                twin = reference_twin(org, workdir / f"reference-{points}")
                found = reference_results(args.reference, twin, workdir)
                print(f"reference on its {points}-point twin tree: {found}")
                extra[f"reference 0.1.1.9 {points} points"] = (
                    [*reference_command(args.reference), "check", "-q", str(twin)],
                    label,
                )
        for points, label in main_v1.items():
            org = trees[label][1]
            if args.floor:
                extra[f"floor v1.0 {points} points"] = (floor_command(org), label)
            if args.reference_v1:
                found = reference_results(args.reference_v1, org, workdir)
                print(f"reference 1.5.3.0 on the {points}-point v1.0 tree: {found}")
                extra[f"reference 1.5.3.0 {points} points"] = (
                    [*reference_command(args.reference_v1), "check", "-q", str(org)],
                    label,
                )
        example = REPO / "examples" / "submission" / "ExampleOrg"
        baseline_env = None
        if args.baseline is not None:
            baseline_env = {**os.environ, "PYTHONPATH": str(args.baseline.resolve())}
            # what the console script runs, from the baseline's sources
            baseline_command = [
                sys.executable,
                "-c",
                "import sys; from submission_checker.cli import main; sys.exit(main())",
            ]
            for label, (_, org) in trees.items():
                extra[f"baseline {label}"] = (
                    [*baseline_command, "check", "-q", str(org)],
                    label,
                )
            extra["baseline example (8 points)"] = (
                [*baseline_command, "check", "-q", str(example)],
                "example (8 points)",
            )
        ours: dict[str, list[Measured]] = {label: [] for label in trees}
        if args.full_report:  # every checker command of ours (and the baseline's) keeps it all
            for label, (command, checked) in extra.items():
                if label.startswith("baseline"):
                    extra[label] = ([*command[:-1], "-o", os.devnull, command[-1]], checked)
        theirs: dict[str, list[Measured]] = {label: [] for label in extra}
        check_q = ["check", "-q", *(["-o", os.devnull] if args.full_report else [])]
        small: list[Measured] = []
        for _ in range(args.runs):
            for label, (_, org) in trees.items():
                ours[label].append(measured_run([*checker_command(), *check_q, str(org)]))
            for label, (command, _) in extra.items():
                env = baseline_env if label.startswith("baseline") else None
                # the reference rejects the margin points' declared region: non-zero exit
                theirs[label].append(measured_run(command, env, check=False))
            small.append(measured_run([*checker_command(), *check_q, str(example)]))
        ours["example (8 points)"] = small
        medians: dict[str, float] = {}
        for label, runs in ours.items():
            print(f"{label} verdict: {runs[-1].stdout.strip().splitlines()[-1]}")
            medians[label] = summarise(label, runs, " ".join(check_q))
        for points in args.points:
            v07, v1 = main_v07[points], main_v1.get(points)
            if v1 is not None:
                print(
                    f"{points} points v1.0 / v0.7: median wall "
                    f"{medians[v1] / medians[v07]:.2f}, "
                    f"median CPU {median_cpu(ours[v1]) / median_cpu(ours[v07]):.2f}"
                )
        for label, runs in theirs.items():
            checked = extra[label][1]
            is_floor = label.startswith("floor")
            timed = (
                "check -q -o /dev/null"
                if label.startswith("baseline") and args.full_report
                else "check -q"
            )
            wall = summarise(label, runs, "list and parse" if is_floor else timed)
            if label.startswith("baseline"):
                print(
                    f"{checked} now / baseline: median wall {medians[checked] / wall:.2f}, "
                    f"median CPU {median_cpu(ours[checked]) / median_cpu(runs):.2f}, "
                    f"peak RSS {peak(ours[checked]):.1f} / {peak(runs):.1f} MiB"
                )
            elif is_floor:
                print(
                    f"{checked} check / floor: median wall {medians[checked] / wall:.2f}, "
                    f"median CPU {median_cpu(ours[checked]) / median_cpu(runs):.2f}"
                )
            else:
                print(
                    f"{checked} ours / {label.split(' ')[0]} {label.split(' ')[1]}: "
                    f"median wall {medians[checked] / wall:.2f}, "
                    f"peak RSS {peak(ours[checked]):.1f} / {peak(runs):.1f} MiB"
                )
        print(f"load average after measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def median_cpu(measured: list[Measured]) -> float:
    return statistics.median(m.cpu_s for m in measured)


def peak(measured: list[Measured]) -> float:
    return max(m.peak_mib or 0 for m in measured)


if __name__ == "__main__":
    sys.exit(main())
