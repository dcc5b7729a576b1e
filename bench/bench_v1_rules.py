#!/usr/bin/env python3
"""CPU of round v1.0's rules on one tree, in one process: where a v1.0 check's work goes.

    python bench/bench_v1_rules.py TREE [--runs 7] [--baseline SRC]

``TREE`` is a v1.0 organisation directory (e.g. one kept by ``bench_checker.py --v1 --keep``).
Each run is a fresh process that checks every unit itself (no fork) and reports:

- ``serial``: CPU from the start to the first model unit (imports, reading the layout, the
  submission and system rules): what a forking check does before it splits the work;
- ``models``: CPU of the model units (each curve's rules and the reads they trigger);
- per rule: its time over all units of a second reading of the tree whose documents were read
  first, so that a rule's time is its own work and not the read it happens to trigger.

Runs alternate with ``--baseline SRC`` (a directory holding another revision's
``submission_checker/``, e.g. ``git archive main src | tar -x -C /tmp/base``); medians are
printed, per rule the v1.0-only rules first (rules shared with v0.7 are marked).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def child(tree: str) -> None:
    """One measuring process: prints one JSON object."""
    import gc

    gc.disable()
    from submission_checker import checker
    from submission_checker.checker import SubmissionChecker
    from submission_checker.layout_v1 import read_submission_v1
    from submission_checker.rules import by_scope, rules_for

    chk = SubmissionChecker(tree, round="v1.0")
    checker.PARALLEL_MIN_POINTS = 10**9
    submission = read_submission_v1(chk.path, chk.rules_round)
    for rule in by_scope("submission", "v1.0"):
        rule.run(submission)
    units = _system_units(submission)
    for unit in units:
        if unit.scope["model"] is None:
            checker._check_unit(unit, "v1.0")
    serial = time.process_time()
    for unit in units:
        if unit.scope["model"] is not None:
            checker._check_unit(unit, "v1.0")
    models = time.process_time() - serial

    per_rule: dict[str, int] = {}
    clock = time.perf_counter_ns
    submission = read_submission_v1(chk.path, chk.rules_round)
    for unit in _system_units(submission):
        if unit.scope["model"] is None:
            for rule in by_scope("system", "v1.0"):
                rule.run(unit)
            continue
        for point in unit.points:
            _ = point.config, point.run_config, point.summary, point.description, point.accuracy
        results: list = []
        for rule in by_scope("model", "v1.0"):
            start = clock()
            rule.run_into(results, unit)
            per_rule[rule.id] = per_rule.get(rule.id, 0) + clock() - start
        point_rules = by_scope("point", "v1.0")
        for point in unit.points:
            for rule in point_rules:
                start = clock()
                rule.run_into(results, point)
                per_rule[rule.id] = per_rule.get(rule.id, 0) + clock() - start
    shared = sorted(rule.id for rule in rules_for("v0.7") if rule in set(rules_for("v1.0")))
    print(json.dumps({"serial": serial, "models": models, "rules": per_rule, "shared": shared}))


def _system_units(submission) -> list:
    """Each system, then each of its models (the checker's own unit list differs between
    revisions: this one works for the baseline's sources too)."""
    return [unit for system in submission.systems for unit in (system, *system.models)]


def measure(tree: str, src: Path | None) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run(
        [sys.executable, __file__, "--child", tree],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="another revision's src/ to alternate with")
    parser.add_argument("--top", type=int, default=25, help="rules listed (by time)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.tree)
        return
    labels = ["now"] + (["baseline"] if args.baseline else [])
    runs: dict[str, list[dict]] = {label: [] for label in labels}
    sources = {"now": None, "baseline": args.baseline}
    for run in range(args.runs):  # alternating, each first every other run
        for label in labels if run % 2 == 0 else labels[::-1]:
            runs[label].append(measure(args.tree, sources[label]))

    def phase_ms(label: str, phase: str) -> float:
        return statistics.median(run[phase] for run in runs[label]) * 1000

    def rule_ms(label: str, rule_id: str) -> float:
        return statistics.median(run["rules"].get(rule_id, 0) for run in runs[label]) / 1e6

    shared = set(runs["now"][0]["shared"])
    for phase in ("serial", "models"):
        line = f"{phase:7s} CPU: now {phase_ms('now', phase):.1f} ms"
        if args.baseline:
            paired = statistics.median(
                (now[phase] - base[phase]) * 1000
                for now, base in zip(runs["now"], runs["baseline"], strict=True)
            )
            line += f", baseline {phase_ms('baseline', phase):.1f} ms (paired: {paired:+.1f} ms)"
        print(line)

    ids = sorted(runs["now"][0]["rules"], key=lambda rule_id: -rule_ms("now", rule_id))
    for group, members in (
        ("v1.0-only", [i for i in ids if i not in shared]),
        ("shared", [i for i in ids if i in shared]),
    ):
        total = sum(rule_ms("now", i) for i in members)
        line = f"rules {group}: now {total:.1f} ms"
        if args.baseline:
            line += f", baseline {sum(rule_ms('baseline', i) for i in members):.1f} ms"
        print(line)
    print(f"per rule, ms over the tree (median of {args.runs}; * = shared with v0.7):")
    for rule_id in ids[: args.top]:
        name = rule_id + ("*" if rule_id in shared else "")
        line = f"  {name:36s} now {rule_ms('now', rule_id):6.2f}"
        if args.baseline:
            line += f"  baseline {rule_ms('baseline', rule_id):6.2f}"
        print(line)


if __name__ == "__main__":
    main()
