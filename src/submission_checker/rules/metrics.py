"""Metric consistency of each point's summary (§9.1, §14).

Each rule reads only the fields it needs and runs when those are well-typed, even if other
fields of the summary fail the schema. Throughput comparisons near the 1 % edge are decided in
exact rational arithmetic on the stored numbers, so "exactly 1 % passes" holds without float
rounding surprises.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from ..decimals import exact, relative_difference, show
from ..layout import Point
from ..report import CheckResult
from .registry import Rule, error, info, rule
from .values import dig, integer, number

TOLERANCE = Fraction(1, 100)
#: Within this distance of 1 %, a relative difference computed in floats does not decide:
#: the numbers as written are compared exactly (§4.4). Floats are off by ~1e-15 at most.
_CLOSE_CALL = 1e-6


def _summary(point: Point) -> dict | None:
    return point.summary.mapping if point.summary is not None else None


def _derived_system_tps(summary: dict) -> tuple[float, float] | None:
    """(output tokens, elapsed ns) when both are well-typed; throughput is their ratio."""
    tokens = number(dig(summary, "output_sequence_lengths", "total"))
    duration_ns = number(summary.get("duration_ns"))
    if tokens is None or duration_ns is None:
        return None
    return tokens, duration_ns


def _throughput(tokens: float, duration_ns: float, users: int = 1) -> float:
    return tokens * 1e9 / duration_ns / users if duration_ns > 0 else 0.0


def _exact_throughput(tokens: Fraction, duration_ns: Fraction, users: int = 1) -> Fraction:
    return tokens * 1_000_000_000 / duration_ns / users if duration_ns > 0 else Fraction(0)


def _shown_throughput(tokens: float, duration_ns: float, users: int = 1) -> str:
    """The derived throughput for a message: exact when floats overflow (a 1e-300 ns run)."""
    derived = _throughput(tokens, duration_ns, users)
    if math.isfinite(derived):
        return show(derived)
    return show(_exact_throughput(exact(tokens), exact(duration_ns), users))


class _Comparison(NamedTuple):
    """A stored throughput against the derived one, decided and shown for a message."""

    exceeds: bool
    stored: str
    derived: str
    percent: str


def _as_written(point: Point, field: str, floats: tuple[float, float, float]) -> list[Fraction]:
    """Stored value, output tokens and duration as the exact decimals in the file.

    Each falls back to its float's exact value when the file cannot be read again or no longer
    holds the same number.
    """
    written = point.summary_exact or {}
    texts = (
        written.get(field),
        dig(written, "output_sequence_lengths", "total"),
        written.get("duration_ns"),
    )
    values = []
    for text, value in zip(texts, floats, strict=True):
        same = isinstance(text, (int, Decimal)) and not isinstance(text, bool)
        same = same and float(text) == value
        values.append(exact(text) if same else exact(value))
    return values


def _compare(
    point: Point, field: str, stored: float, tokens: float, duration_ns: float, users: int
) -> _Comparison:
    """|stored − d| / max(|d|, 1e-9) > 1 % with d = tokens / (duration_ns / 1e9) / users.

    Decided in floats when clearly on one side; close to exactly 1 % (or when floats overflow)
    on the numbers as written, so that exactly 1 % passes whatever their float rounding.
    """
    derived = _throughput(tokens, duration_ns, users)
    if math.isfinite(derived):
        relative = abs(stored - derived) / max(abs(derived), 1e-9)
        if math.isfinite(relative) and abs(relative - 0.01) > _CLOSE_CALL:
            return _Comparison(
                relative > 0.01, show(stored), show(derived), show(relative * 100, 3)
            )
    exact_stored, exact_tokens, exact_ns = _as_written(point, field, (stored, tokens, duration_ns))
    exact_derived = _exact_throughput(exact_tokens, exact_ns, users)
    relative_exact = relative_difference(exact_stored, exact_derived)
    return _Comparison(
        relative_exact > TOLERANCE,
        show(exact_stored),
        show(exact_derived),
        show(relative_exact * 100, 3),
    )


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
        "ok": info("{field} = {stored} agrees with derived {derived} tokens/s"),
        "absent": info("system throughput not stored; derived {derived} tokens/s"),
        "differs": error(
            "{field}: found {stored}, expected {derived} tokens/s (output tokens / "
            "elapsed s) within 1 %; off by {percent} %",
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
    field = "system_tps" if summary.get("system_tps") is not None else "tps"
    raw = summary.get(field)
    path = point.summary.rel
    if raw is None:
        yield rule.result("absent", point, path=path, derived=_shown_throughput(*counted))
        return
    stored = number(raw)
    if stored is None:
        return  # wrong type: result-file-valid reports it
    compared = _compare(point, field, stored, *counted, users=1)
    outcome = "differs" if compared.exceeds else "ok"
    shown = {"stored": compared.stored, "derived": compared.derived}
    yield rule.result(outcome, point, path=path, field=field, percent=compared.percent, **shown)


@rule(
    "metric-consistency-tps-per-user",
    spec="§9.1",
    severity="error",
    scope="point",
    summary="Stored `tps_per_user` is within 1 % of derived system throughput / C.",
    messages={
        "ok": info("tps_per_user = {stored} agrees with derived {derived}"),
        "absent": info("tps_per_user not stored; derived {derived} tokens/s per user"),
        "differs": error(
            "tps_per_user: found {stored}, expected {derived} (system throughput / "
            "concurrency {c}) within 1 %; off by {percent} %",
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
    raw = summary.get("tps_per_user")
    path = point.summary.rel
    if raw is None:
        yield rule.result("absent", point, path=path, derived=_shown_throughput(*counted, users=c))
        return
    stored = number(raw)
    if stored is None:
        return
    compared = _compare(point, "tps_per_user", stored, *counted, users=c)
    outcome = "differs" if compared.exceeds else "ok"
    shown = {"stored": compared.stored, "derived": compared.derived}
    yield rule.result(outcome, point, path=path, c=c, percent=compared.percent, **shown)
