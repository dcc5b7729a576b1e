"""Run every registered rule over a submission tree and collect a ``Report``."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path
from typing import Any

from .layout import Model, Submission, System, read_submission
from .naming import printable
from .report import CheckResult, Report
from .rounds import load_round, resolve_round

__all__ = ["SubmissionChecker", "checker_version", "enable_gc"]


def checker_version() -> str:
    """The installed package version (``0+unknown`` when running from an uninstalled tree)."""
    from importlib import metadata

    try:
        return metadata.version("endpoints-submission-cli")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class SubmissionChecker:
    """Check one submission: ``SubmissionChecker(Path("ExampleOrg"), round="auto").run()``.

    ``round`` is ``auto`` (decided from the layout, see ``rounds.detect_round``), ``v0.7`` or
    ``v1.0``: it selects both the rule set and the round's data tables. ``rules_round`` is the
    older name of the same keyword. ``seed_sets``/``approved_drafters`` name registry files
    that replace the packaged ones (v1.0). Raises ``ValueError`` for an unknown round.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        round: str | None = None,  # noqa: A002 - the public name of the rules round
        rules_round: str | None = None,
        seed_sets: str | os.PathLike[str] | None = None,
        approved_drafters: str | os.PathLike[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.seed_sets = Path(seed_sets) if seed_sets is not None else None
        self.approved_drafters = Path(approved_drafters) if approved_drafters is not None else None
        #: the rules round this check applies (``v0.7`` or ``v1.0``)
        self.round = resolve_round(self.path, round if round is not None else rules_round)
        self.rules_round = _round_data(self.round)

    def run(self) -> Report:
        """Check the tree. Never raises for bad input: every problem is a result."""
        # A large submission allocates ~100k small objects and almost no garbage cycles; the
        # cyclic collector would rescan them over and over (measured: ~15 % of a check).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run()
        finally:
            if collecting:
                enable_gc()

    def _run(self) -> Report:
        from .rules import by_scope

        if self.round == "v1.0":
            from .layout_v1 import read_submission_v1

            submission = read_submission_v1(
                self.path,
                self.rules_round,
                seed_sets=self.seed_sets,
                approved_drafters=self.approved_drafters,
            )
        else:
            submission = read_submission(self.path, self.rules_round)
        results: list[CheckResult] = []
        for rule in by_scope("submission", self.round):
            results.extend(rule.run(submission))
        for unit_results in _check_systems(submission.systems, self.round):
            results.extend(unit_results)
        _release(submission)
        return Report(
            submission_path=str(self.path),
            checker_version=checker_version(),
            rules_round=self.round,
            results=_printable(results),
        )


def enable_gc() -> None:
    """Turn the cyclic garbage collector back on without tracing what was made while it was off.

    Re-enabled plainly, it would trace every object allocated meanwhile (a large report's
    hundreds of thousands) at the next allocation. Moved to the oldest generation first (two
    list splices: ``gc.freeze`` then ``gc.unfreeze``), they wait for its next full collection,
    as long-lived objects do. A process that froze objects itself keeps them frozen.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()


def _round_data(round_name: str) -> Any:
    """The data tables of ``round_name`` (v1.0's have their own shape, see ``rounds_v1``)."""
    if round_name == "v1.0":
        from .rounds_v1 import load_round_v1

        return load_round_v1()
    return load_round(round_name)


_TEXT_FIELDS = ("message", "path", "fix", "system", "model")


def _printable(results: list[CheckResult]) -> list[CheckResult]:
    """``results`` with every text UTF-8 printable (§4.4), so every format can write them.

    A file name with non-UTF-8 bytes, or a lone surrogate a YAML escape produced, reaches the
    messages as a surrogate; it is shown escaped (``point_\\xff.yaml``, see ``printable``).
    """
    for result in results:
        fields = result.__dict__  # adopted unvalidated, as built (see CheckResult.trusted)
        for name in _TEXT_FIELDS:
            value = fields[name]
            if value and not value.isascii():
                fields[name] = printable(value)
    return results


def _release(submission: Submission) -> None:
    """Cut the references from the submission down to its points once it is checked.

    Points refer to their model, models to their system, systems to the submission, so the
    read tree is one big reference cycle: only the cyclic garbage collector could free it, after
    tracing its tens of thousands of objects (and the results') once or twice more. Without the
    downward references the tree is freed at once, by reference counting.
    """
    for system in submission.systems:
        for model in system.models:
            model.points.clear()
        system.models.clear()
    submission.systems.clear()


#: The child's share of the points. Measured at 1,024 points, both rounds, as CPU time of each
#: process after the fork: 0.5 gives both the same work and the child's results arrive as this
#: process finishes its own; 0.65 (right when results were costlier to take in) left this
#: process waiting for the child for a quarter of the check.
CHILD_SHARE = 0.5

#: What checking a point costs in each round, in v0.7 points (CPU time per point, measured at
#: 1,024 and 16,384 points: a v1.0 point has four files and twice the results).
POINT_COST_BY_ROUND = {"v0.7": 1, "v1.0": 2}

#: How much work (points × their round's cost) a check needs before a second process pays for
#: itself (tests set 1 to fork small trees, or 10**9 never to fork). Forking, the copy-on-write
#: of the pages both processes then touch and passing the child's results back cost ~0.04 s and
#: about a tenth more CPU time; on a busy machine the split saves no wall time at all. So a
#: check splits only when one process would take more than about half a second. Measured on an
#: idle 2-core machine (bench/bench_checker.py, side by side): v0.7 at 1,024 points 0.29 s split
#: against 0.33 s not (0.37 s CPU against 0.33 s), at 16,384 points 2.3 s against 3.4 s.
PARALLEL_MIN_POINTS = 2048


def _units(systems: list[System]) -> list[System | Model]:
    """The independent pieces of work, in report order: each system, then each of its models.

    A system's unit runs the system rules; a model's unit runs its model and point rules and
    reads its files, which is nearly all of the work.
    """
    return [unit for system in systems for unit in (system, *system.models)]


def _check_unit(unit: Any, round_name: str) -> list[CheckResult]:
    """The results of one unit (see ``_units``), in report order."""
    from .rules import by_scope

    results: list[CheckResult] = []
    if unit.scope["model"] is None:  # a system (both rounds' handles carry a scope)
        for rule in by_scope("system", round_name):
            rule.run_into(results, unit)
        return results
    for rule in by_scope("model", round_name):
        rule.run_into(results, unit)
    point_rules = by_scope("point", round_name)
    for point in unit.points:
        for rule in point_rules:
            rule.run_into(results, point)
    release = getattr(unit, "release_points", None)
    if release is not None:  # the round's handles say no later unit reads these points
        release()
    return results


def _check_systems(systems: list[System], round_name: str) -> list[list[CheckResult]]:
    """The results of each unit of ``systems`` in order; a large submission uses two processes
    (``PARALLEL_MIN_POINTS``).

    Where ``fork`` is available (and no other thread is running, which forking would endanger),
    a child process checks about ``CHILD_SHARE`` of the points, whole models at a time, while
    this one checks the rest; the child sends back the plain fields of its results. If the child
    fails in any way, this process checks its units too, so the report is the same either way.
    """
    units = _units(systems)
    weights = [len(unit.points) if unit.scope["model"] is not None else 0 for unit in units]
    total = sum(weights)
    work = total * POINT_COST_BY_ROUND.get(round_name, 1)
    if work < PARALLEL_MIN_POINTS or not hasattr(os, "fork") or threading.active_count() != 1:
        return [_check_unit(unit, round_name) for unit in units]
    # Hand the child the heaviest models until it has about its share of the points.
    child: set[int] = set()
    share = 0
    for index in sorted(range(len(units)), key=lambda i: -weights[i]):
        if weights[index] and (share + weights[index] <= total * CHILD_SHARE or not child):
            child.add(index)
            share += weights[index]
    mine = [index for index in range(len(units)) if index not in child]
    by_index = _in_child_process(units, sorted(child), mine, round_name)
    return [by_index[index] for index in range(len(units))]


def _in_child_process(
    units: list[System | Model], child: list[int], mine: list[int], round_name: str
) -> dict[int, list[CheckResult]]:
    """Check ``child`` units in a forked process and ``mine`` here; results by unit index."""
    import pickle

    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return {index: _check_unit(units[index], round_name) for index in child + mine}
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        status = 1
        try:
            os.close(read_end)
            payload = [
                (index, [result.__dict__ for result in _check_unit(units[index], round_name)])
                for index in child
            ]
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    by_index = {index: _check_unit(units[index], round_name) for index in mine}
    received: list[tuple[int, list[dict[str, Any]]]] | None = None
    try:
        # unpickled as it arrives, frame by frame: the whole pickle of a large check is tens
        # of megabytes that would otherwise sit in memory beside the results made from it
        with os.fdopen(read_end, "rb") as pipe:
            try:
                received = pickle.load(pipe)
            finally:
                _, status = os.waitpid(pid, 0)
        if status != 0:
            received = None
    except Exception:  # noqa: BLE001 - whatever went wrong, check those units here
        received = None
    if received is None or sorted(index for index, _ in received) != child:
        return {**by_index, **{index: _check_unit(units[index], round_name) for index in child}}
    for index, fields in received:
        by_index[index] = [CheckResult.trusted(result) for result in fields]
    return by_index
