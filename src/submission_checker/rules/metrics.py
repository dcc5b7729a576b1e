"""Metric consistency of each point's summary (§9.1, §14).

Each rule reads only the fields it needs and runs when those are well-typed, even if other
fields of the summary fail the schema. Throughput comparisons near the 1 % edge are decided in
exact rational arithmetic on the stored numbers, so "exactly 1 % passes" holds without float
rounding surprises.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from ..layout import Point
from ..report import CheckResult
from .registry import Rule, error, info, rule
from .values import dig, integer, number

TOLERANCE = Fraction(1, 100)
_TINY = Fraction(1e-9)


def _summary(point: Point) -> dict | None:
    return point.summary.mapping if point.summary is not None else None


def _derived_system_tps(summary: dict) -> tuple[float, float] | None:
    """(output tokens, elapsed ns) when both are well-typed; throughput is their ratio."""
    tokens = number(dig(summary, "output_sequence_lengths", "total"))
    duration_ns = number(summary.get("duration_ns"))
    if tokens is None or duration_ns is None:
        return None
    return tokens, duration_ns


def _exceeds_tolerance(stored: float, tokens: float, duration_ns: float, users: int) -> bool:
    """|stored − d| / max(|d|, 1e-9) > 1 % with d = tokens / (duration_ns / 1e9) / users.

    Decided in floats when clearly on one side; within a hair of exactly 1 % it is decided in
    exact rational arithmetic so that exactly 1 % passes whatever the float rounding.
    """
    derived = tokens * 1e9 / duration_ns / users if duration_ns > 0 else 0.0
    relative = abs(stored - derived) / max(abs(derived), 1e-9)
    if abs(relative - 0.01) > 1e-9:
        return relative > 0.01
    exact = (
        Fraction(tokens) * 1_000_000_000 / Fraction(duration_ns) / users
        if duration_ns > 0
        else Fraction(0)
    )
    return abs(Fraction(stored) - exact) / max(abs(exact), _TINY) > TOLERANCE


def _throughput(tokens: float, duration_ns: float, users: int = 1) -> float:
    return tokens * 1e9 / duration_ns / users if duration_ns > 0 else 0.0


@rule(
    "metric-consistency-duration",
    spec="§14",
    severity="error",
    scope="point",
    summary="`duration_ns` > 0.",
    rounds=("v0.7", "v1.0"),
    messages={
        "ok": info("duration_ns = {ns} is positive"),
        "bad": error(
            "duration_ns: found {ns}, expected a positive run duration in nanoseconds",
            "Use the summary written by the benchmark; a run cannot take {ns} ns.",
        ),
    },
)
def metric_consistency_duration(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """The run took time. Passing: ``duration_ns: 1200000000000``. Failing: ``0`` or ``-5``."""
    summary = _summary(point)
    ns = number(summary.get("duration_ns")) if summary else None
    if ns is None:
        return
    yield rule.result("ok" if ns > 0 else "bad", point, path=point.summary.rel, ns=ns)


@rule(
    "metric-consistency-accounting",
    spec="§14",
    severity="error",
    scope="point",
    summary="Every issued sample is completed or failed (completed = issued, or "
    "completed + failed = issued).",
    rounds=("v0.7", "v1.0"),
    messages={
        "ok": info("all {issued:,} issued samples accounted for"),
        "dropped": error(
            "{dropped:,} of {issued:,} issued samples are neither completed nor failed "
            "(n_samples_completed = {completed:,}, n_samples_failed = {failed:,})",
            "Use the summary of a run that finished: every issued sample must complete or fail.",
        ),
        "excess": error(
            "n_samples_completed = {completed:,} and n_samples_failed = {failed:,} exceed "
            "n_samples_issued = {issued:,}",
            "Use the unmodified summary written by the benchmark.",
        ),
    },
)
def metric_consistency_accounting(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """No sample may be lost between issue and completion.

    inference-endpoint counts failed samples among completed ones, so completed = issued
    passes; completed + failed = issued passes too (tools that count them apart).
    Passing: issued 150, completed 150, failed 15. Failing: issued 150, completed 140,
    failed 5 → 5 dropped.
    """
    summary = _summary(point)
    if summary is None:
        return
    issued = integer(summary.get("n_samples_issued"))
    completed = integer(summary.get("n_samples_completed"))
    failed = integer(summary.get("n_samples_failed"))
    if issued is None or completed is None or failed is None:
        return
    values = {"issued": issued, "completed": completed, "failed": failed}
    path = point.summary.rel
    if completed == issued or completed + failed == issued:
        yield rule.result("ok", point, path=path, **values)
    elif completed + failed < issued:
        dropped = issued - completed - failed
        yield rule.result("dropped", point, path=path, dropped=dropped, **values)
    else:
        yield rule.result("excess", point, path=path, **values)


@rule(
    "metric-consistency-output-tokens",
    spec="§14",
    severity="error",
    scope="point",
    summary="Total output tokens ≥ 0.",
    rounds=("v0.7", "v1.0"),
    messages={
        "ok": info("{total:,} output tokens"),
        "negative": error(
            "output_sequence_lengths.total: found {total}, expected a token count ≥ 0",
            "Use the unmodified summary written by the benchmark.",
        ),
    },
)
def metric_consistency_output_tokens(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Token counts are never negative.

    Passing: ``output_sequence_lengths: {total: 16797}``. Failing: ``{total: -1}``.
    """
    total = number(dig(_summary(point), "output_sequence_lengths", "total"))
    if total is None:
        return
    yield rule.result(
        "ok" if total >= 0 else "negative", point, path=point.summary.rel, total=total
    )


@rule(
    "metric-consistency-system-tps",
    spec="§9.1",
    severity="error",
    scope="point",
    summary="Stored system throughput (`system_tps`, else `tps`) is within 1 % of "
    "output tokens / elapsed seconds.",
    rounds=("v0.7", "v1.0"),
    messages={
        "ok": info("{field} = {stored:.6g} agrees with derived {derived:.6g} tokens/s"),
        "absent": info("system throughput not stored; derived {derived:.6g} tokens/s"),
        "differs": error(
            "{field}: found {stored:.6g}, expected {derived:.6g} tokens/s (output tokens / "
            "elapsed s) within 1 %; off by {percent:.3g} %",
            "Use the unmodified summary; {field} must equal output_sequence_lengths.total / "
            "(duration_ns / 1e9).",
        ),
    },
)
def metric_consistency_system_tps(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """The throughput shown on the Pareto curve must follow from the counted tokens.

    |stored − derived| / max(|derived|, 1e-9) > 1 % fails; exactly 1 % passes.
    Passing: 16797 tokens in 10.993619133 s and ``tps: 1527.886``.
    Failing: the same with ``system_tps: 1700``.
    """
    summary = _summary(point)
    if summary is None:
        return
    counted = _derived_system_tps(summary)
    if counted is None:
        return
    derived = _throughput(*counted)
    field = "system_tps" if summary.get("system_tps") is not None else "tps"
    raw = summary.get(field)
    path = point.summary.rel
    if raw is None:
        yield rule.result("absent", point, path=path, derived=derived)
        return
    stored = number(raw)
    if stored is None:
        return  # wrong type: result-file-valid reports it
    if _exceeds_tolerance(stored, *counted, users=1):
        percent = abs(stored - derived) / max(abs(derived), 1e-9) * 100
        yield rule.result(
            "differs",
            point,
            path=path,
            field=field,
            stored=stored,
            derived=derived,
            percent=percent,
        )
    else:
        yield rule.result("ok", point, path=path, field=field, stored=stored, derived=derived)


@rule(
    "metric-consistency-tps-per-user",
    spec="§9.1",
    severity="error",
    scope="point",
    summary="Stored `tps_per_user` is within 1 % of derived system throughput / C.",
    messages={
        "ok": info("tps_per_user = {stored:.6g} agrees with derived {derived:.6g}"),
        "absent": info("tps_per_user not stored; derived {derived:.6g} tokens/s per user"),
        "differs": error(
            "tps_per_user: found {stored:.6g}, expected {derived:.6g} (system throughput / "
            "concurrency {c}) within 1 %; off by {percent:.3g} %",
            "Use the unmodified summary; tps_per_user must equal the system throughput / "
            "concurrency.",
        ),
    },
)
def metric_consistency_tps_per_user(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Per-user throughput is system throughput shared by C concurrent users.

    Skipped when C ≤ 0 (load-pattern reports that). Passing: C = 8, derived system throughput
    1600 and ``tps_per_user: 200``. Failing: ``tps_per_user: 250``.
    """
    summary = _summary(point)
    c = point.concurrency
    if summary is None or c is None or c <= 0:
        return
    counted = _derived_system_tps(summary)
    if counted is None:
        return
    derived = _throughput(*counted, users=c)
    raw = summary.get("tps_per_user")
    path = point.summary.rel
    if raw is None:
        yield rule.result("absent", point, path=path, derived=derived)
        return
    stored = number(raw)
    if stored is None:
        return
    if _exceeds_tolerance(stored, *counted, users=c):
        percent = abs(stored - derived) / max(abs(derived), 1e-9) * 100
        yield rule.result(
            "differs", point, path=path, stored=stored, derived=derived, c=c, percent=percent
        )
    else:
        yield rule.result("ok", point, path=path, stored=stored, derived=derived)
