"""Run every registered rule over a submission tree and collect a ``Report``."""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import struct
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from .layout import Model, Submission, System, read_submission
from .naming import printable
from .report import SEVERITIES, CheckResult, QuietReport, Report, Tally, tally_of
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
        return self._run_with_gc_off(keep_passes=True)

    def run_quiet(self) -> QuietReport:
        """Check the tree as ``run`` does, keeping only errors and warnings and counting passes
        (``QuietReport``: what ``check -q``, ``--format sarif`` and ``--format github`` print,
        with less memory and time)."""
        return self._run_with_gc_off(keep_passes=False)

    def _run_with_gc_off(self, *, keep_passes: bool) -> Any:
        # A large submission allocates ~100k small objects and almost no garbage cycles; the
        # cyclic collector would rescan them over and over (measured: ~15 % of a check).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run(keep_passes=keep_passes)
        finally:
            if collecting:
                enable_gc()

    def _run(self, *, keep_passes: bool) -> Report | QuietReport:
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
        counted: Tally = Counter()  # every result, when passes are counted (see Outcome)
        for unit_results, unit_counted in _check_units(submission, self.round, keep_passes):
            results.extend(unit_results)
            counted.update(unit_counted)
        _release(submission)
        if keep_passes:
            return Report(
                submission_path=str(self.path),
                checker_version=checker_version(),
                rules_round=self.round,
                results=results,
            )
        return QuietReport(
            submission_path=str(self.path),
            checker_version=checker_version(),
            rules_round=self.round,
            results=results,
            tally=counted,
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


def _units(submission: Submission) -> list[Submission | System | Model]:
    """The independent pieces of work, in report order: the submission, then each system and
    each of its models.

    The submission's unit runs the submission rules, a system's the system rules; a model's
    unit runs its model and point rules and reads its files, which is nearly all of the work.
    """
    systems = submission.systems
    return [submission, *(unit for system in systems for unit in (system, *system.models))]


def _scope_of(unit: Any) -> str:
    """The rule scope a unit runs: ``submission``, ``system`` or ``model`` (from its scope
    fields, which both rounds' handles carry)."""
    scope = unit.scope
    if scope["model"] is not None:
        return "model"
    return "submission" if scope["system"] is None else "system"


def _check_unit(unit: Any, round_name: str) -> list[CheckResult]:
    """The results of one unit (see ``_units``), in report order, printable (``_printable``:
    done here, so that the processes of a large check share it)."""
    from .rules import by_scope

    results: list[CheckResult] = []
    scope = _scope_of(unit)
    for rule in by_scope(scope, round_name):
        rule.run_into(results, unit)
    if scope == "model":
        point_rules = by_scope("point", round_name)
        for point in unit.points:
            for rule in point_rules:
                rule.run_into(results, point)
        unit.release_points()  # no later unit reads these points (see each round's Model)
    return _printable(results)


#: What checking a unit gives: its results in report order, and (when passes are counted, not
#: kept: ``run_quiet``) every one of them counted by scope, with only the errors and warnings
#: kept as results. Kept passes leave the count empty.
Outcome = tuple[list[CheckResult], Tally]


def _outcome(unit: Any, round_name: str, keep_passes: bool) -> Outcome:
    """The ``Outcome`` of checking ``unit``: a unit of a valid tree keeps nothing when passes
    are counted, so that its results are freed at once (and a forked child sends a count)."""
    results = _check_unit(unit, round_name)
    if keep_passes:
        return results, Counter()
    counted = tally_of(results)
    if all(key[0] == "info" for key in counted):  # a few keys: one per point
        return [], counted
    return [result for result in results if result.severity != "info"], counted


def _check_units(submission: Submission, round_name: str, keep_passes: bool) -> list[Outcome]:
    """The ``Outcome`` of each unit of ``submission`` in order; a large submission uses two
    processes (``PARALLEL_MIN_POINTS``).

    Where ``fork`` is available (and no other thread is running, which forking would endanger),
    a child process and this one share the units (see ``_in_two_processes``). If the child
    fails in any way, this process checks its units too, so the report is the same either way.
    """
    units = _units(submission)
    total = sum(len(unit.points) for unit in units if _scope_of(unit) == "model")
    work = total * POINT_COST_BY_ROUND.get(round_name, 1)
    if work < PARALLEL_MIN_POINTS or not hasattr(os, "fork") or threading.active_count() != 1:
        return [_outcome(unit, round_name, keep_passes) for unit in units]
    by_index = _in_two_processes(units, round_name, keep_passes)
    return [by_index[index] for index in range(len(units))]


#: A unit number on the claims pipe and the header of a unit's results on the results pipe.
_CLAIM = struct.Struct("<I")
_HEADER = struct.Struct("<II")  # unit number, length of the marshalled results

#: The results pipe's capacity asked for (Linux; the system may refuse, the default is 64 KiB):
#: a few units' results, so that the child goes on checking while this process checks a unit.
_RESULTS_PIPE_BYTES = 1 << 20


def _in_two_processes(
    units: list[Submission | System | Model], round_name: str, keep_passes: bool
) -> dict[int, Outcome]:
    """Check ``units`` in this process and a forked one; their ``Outcome`` by unit index.

    The models are handed out as the processes ask for them, not split beforehand: each takes
    the next unit number from a pipe filled before the fork (a read of 4 bytes is one claim),
    so whichever process is ahead (the machine is shared, a model costs what its files cost)
    checks more, and both finish within a model of each other. The submission and the systems
    (cheap) are all checked here, first, while the child starts on the models: a system's rules
    read its models' points, which a checked model of v1.0 releases (see ``_check_unit``), so a
    system is never checked after its models, here nor when this process checks the units of a
    failed child. Each process checks its models in report order, as a single process would.
    The child sends each model's outcome (the results' plain fields and the count: strings,
    ints, None and tuples, which ``marshal`` writes and reads in a third less time than
    ``pickle``; both ends are the same interpreter) as soon as it has it; this process takes
    in what has arrived after each of its own models, so that only the child's last model is
    left to receive once all are claimed.
    """
    models = [index for index, unit in enumerate(units) if _scope_of(unit) == "model"]
    claims = _claims_pipe(models)
    if claims is None:
        return {index: _outcome(unit, round_name, keep_passes) for index, unit in enumerate(units)}
    import fcntl

    from .rules import rules_for

    rules_for(round_name)  # import the round's rule families once, before the fork: both need them
    read_end, write_end = os.pipe()
    # not Linux (no F_SETPIPE_SZ), or more than the system's pipe-max-size: the default it is
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _RESULTS_PIPE_BYTES)
    try:
        pid = os.fork()
    except OSError:
        for fd in (claims, read_end, write_end):
            os.close(fd)
        return {index: _outcome(unit, round_name, keep_passes) for index, unit in enumerate(units)}
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                while (index := _claim(claims)) is not None:
                    results, counted = _outcome(units[index], round_name, keep_passes)
                    fields = [result.__dict__ for result in results]
                    data = marshal.dumps((fields, list(counted.items())))
                    pipe.write(_HEADER.pack(index, len(data)) + data)
                    pipe.flush()
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    mine = {
        index: _outcome(unit, round_name, keep_passes)
        for index, unit in enumerate(units)
        if _scope_of(unit) != "model"
    }
    inbox = _Inbox(read_end)
    reaped = False
    try:
        while (index := _claim(claims)) is not None:
            mine[index] = _outcome(units[index], round_name, keep_passes)
            inbox.take(block=False)
        inbox.take(block=True)
        _, status = os.waitpid(pid, 0)
        reaped = True
        theirs = inbox.results if status == 0 and not inbox.broken else {}
    finally:
        os.close(claims)
        os.close(read_end)
        if not reaped:  # this process failed (or was interrupted): the child's work is moot
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    # whatever went wrong in the child, check here every unit it did not send
    missing = [index for index in range(len(units)) if index not in mine and index not in theirs]
    return {
        **mine,
        **theirs,
        **{index: _outcome(units[index], round_name, keep_passes) for index in missing},
    }


def _claims_pipe(numbers: list[int]) -> int | None:
    """The read end of a pipe holding the unit ``numbers`` in order (its write end closed, so
    an empty pipe reads as the end); ``None`` when the pipe cannot hold them all."""
    data = b"".join(map(_CLAIM.pack, numbers))
    read_end, write_end = os.pipe()
    try:
        os.set_blocking(write_end, False)
        try:
            written = os.write(write_end, data)
        except BlockingIOError:
            written = 0
    finally:
        os.close(write_end)
    if written == len(data):
        return read_end
    os.close(read_end)
    return None


def _claim(claims: int) -> int | None:
    """The next unclaimed unit number, ``None`` when all are claimed."""
    data = os.read(claims, _CLAIM.size)
    return _CLAIM.unpack(data)[0] if data else None


class _Inbox:
    """The child's outcomes as they arrive on ``fd``: ``results`` by unit index."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.results: dict[int, Outcome] = {}
        #: the child sent something that is not whole units' results
        self.broken = False
        self._pending = bytearray()

    def take(self, *, block: bool) -> None:
        """Read what has arrived (``block``: everything, up to the child's end) and adopt every
        whole unit's results in it."""
        os.set_blocking(self.fd, block)
        while True:
            try:
                chunk = os.read(self.fd, _RESULTS_PIPE_BYTES)
            except BlockingIOError:
                break
            if not chunk:  # the child is done (or gone)
                self.broken = self.broken or bool(self._pending)
                break
            self._pending += chunk
            self._adopt()

    def _adopt(self) -> None:
        pending = self._pending
        start = 0
        while len(pending) - start >= _HEADER.size:
            index, length = _HEADER.unpack_from(pending, start)
            end = start + _HEADER.size + length
            if end > len(pending):
                break
            try:
                with memoryview(pending) as view:
                    fields, counted = marshal.loads(view[start + _HEADER.size : end])
                results = list(map(CheckResult.trusted, fields))
                self.results[index] = (results, _count_of(counted))
            except Exception:  # noqa: BLE001 - not results: check the child's units here
                self.broken = True
            start = end
        del pending[:start]


def _count_of(counted: Any) -> Tally:
    """A unit's count as the child sent it (``(key, number)`` pairs); ``ValueError`` for
    anything that is not one."""
    tally: Tally = Counter()
    for key, number in counted:
        if len(key) != 4 or key[0] not in SEVERITIES or type(number) is not int:
            raise ValueError("not a count of results")
        tally[tuple(key)] = number
    return tally
