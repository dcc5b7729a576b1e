"""Round v1.0 metric rules (checker-v1.0.md Part B §4.3, §6 "Metrics"; A2.4, A2.5).

Duration, accounting, output tokens and stored throughput (``system_tps``, else the ``tps``
inference-endpoint writes) mean the same in both rounds and live in ``metrics``; the
failed-samples warning in ``samples``. This module holds what differs in v1.0: the summary
schema (with its single no-tokenizer error), TPOT p90, per-user throughput from TPOT, and the
agentic interactivity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..layout_v1 import PointV1
from ..report import CheckResult
from .registry import Rule, error, info, rule
from .values import dig, integer, number

V1 = ("v1.0",)


def _no_tokenizer(summary: dict) -> bool:
    """``output_sequence_lengths: {}``: the run counted no tokens (result-file-valid says so)."""
    return summary.get("output_sequence_lengths") == {}


@rule(
    "result-file-valid",
    spec="B§4.3, A2.5",
    severity="error",
    scope="point",
    summary="result_summary.json is readable JSON following §4.3 (one clear error for a run "
    "without a tokenizer).",
    messages={
        "ok": info("result_summary.json is valid"),
        "unreadable": error("{error}", "Copy the unmodified result_summary.json of the run."),
        "problem": error("{problem}", "{fix}"),
    },
    rounds=V1,
)
def result_file_valid(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The summary follows §4.3: ``n_samples_completed`` and ``duration_ns`` required,
    percentile keys decimal (``"90"`` ≡ ``"90.0"``), conflicting duplicates rejected.

    A run without a tokenizer (``output_sequence_lengths: {}``, ``tps: null``) is one error
    saying so, not a cascade of TPOT errors nor a silent throughput of 0.
    Passing: the real inference-endpoint summary. Failing: ``output_sequence_lengths: {}`` →
    ``no output token counts — was the benchmark run without a tokenizer?``.
    """
    yield from rule.schema_results(
        point, point.summary, ignore=("missing", "unsafe"), path=point.summary.rel
    )


def _tpot_p90_ns(summary: dict) -> float | None:
    return number(dig(summary, "tpot", "percentiles", "90"))


@rule(
    "metric-consistency-tpot-p90",
    spec="B§4.3",
    severity="error",
    scope="point",
    summary='TPOT p90 (`tpot.percentiles["90"]`) is present and > 0 (dedicated Offline exempt).',
    messages={
        "ok": info("TPOT p90 = {ms:.4g} ms"),
        "missing": error(
            'tpot.percentiles["90"] missing; expected the 90th percentile time per output token',
            "Use the unmodified result_summary.json of a streaming run.",
        ),
        "bad": error(
            'tpot.percentiles["90"]: found {found}, expected a positive number of nanoseconds',
            "Use the unmodified result_summary.json of the run.",
        ),
    },
    rounds=V1,
)
def metric_consistency_tpot_p90(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The per-user throughput of the curve comes from TPOT p90.

    Passing: ``tpot: {percentiles: {"90.0": 9500000}}`` (9.5 ms). Failing: no ``"90"`` key.
    Skipped for a run without a tokenizer (result-file-valid reports it once).
    """
    summary = point.summary.mapping
    if summary is None or point.is_dedicated_offline or _no_tokenizer(summary):
        return
    path = point.summary.rel
    percentiles = dig(summary, "tpot", "percentiles")
    raw = percentiles.get("90") if isinstance(percentiles, dict) else None
    if raw is None:
        yield rule.result("missing", point, path=path)
        return
    value = number(raw)
    if value is None or value <= 0:
        yield rule.result("bad", point, path=path, found=repr(raw))
    else:
        yield rule.result("ok", point, path=path, ms=value / 1e6)


def _stored_against_derived(
    rule: Rule, point: PointV1, stored: float, derived: float, **shown: Any
) -> CheckResult:
    """``differs`` when the summary's ``stored`` value is off ``derived`` by more than the
    round's metric tolerance, else ``ok``; ``shown`` fills the rest of the rule's messages."""
    relative = abs(stored - derived) / max(abs(derived), 1e-9)
    outcome = "differs" if relative > point.model.rules_round.metric_tolerance else "ok"
    return rule.result(
        outcome,
        point,
        path=point.summary.rel,
        stored=stored,
        derived=derived,
        percent=relative * 100,
        **shown,
    )


@rule(
    "metric-consistency-tps-per-user",
    spec="B§4.3",
    severity="error",
    scope="point",
    summary="Stored `tps_per_user` is within 1 % of 1000 / TPOT p90 (ms) (dedicated Offline "
    "exempt).",
    messages={
        "ok": info("tps_per_user = {stored:.6g} agrees with 1000 / {ms:.4g} ms"),
        "absent": info("tps_per_user not stored; derived {derived:.6g} tokens/s per user"),
        "differs": error(
            "tps_per_user: found {stored:.6g}, expected {derived:.6g} (1000 / TPOT p90 {ms:.4g} "
            "ms) within 1 %; off by {percent:.3g} %",
            "Use the unmodified summary; tps_per_user must equal 1000 / TPOT p90 in ms.",
        ),
    },
    rounds=V1,
)
def metric_consistency_tps_per_user(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """In v1.0 per-user throughput is 1000 / TPOT p90 (v0.7: system throughput / C).

    Passing: TPOT p90 = 10 ms and ``tps_per_user: 100``. Failing: ``tps_per_user: 150``.
    """
    summary = point.summary.mapping
    if summary is None or point.is_dedicated_offline:
        return
    p90 = _tpot_p90_ns(summary)
    if p90 is None or p90 <= 0:
        return
    ms = p90 / 1e6
    derived = 1000 / ms
    path = point.summary.rel
    raw = summary.get("tps_per_user")
    if raw is None:
        yield rule.result("absent", point, path=path, derived=derived)
        return
    stored = number(raw)
    if stored is None:
        return
    yield _stored_against_derived(rule, point, stored, derived, ms=ms)


@rule(
    "agentic-metric-consistency",
    spec="B§4.3",
    severity="error",
    scope="point",
    summary="Stored `e2e_avg_interactivity` of an agentic point is derivable and within 1 % "
    "of Σ output tokens / Σ turn seconds.",
    messages={
        "ok": info("e2e_avg_interactivity = {stored:.6g} agrees with {derived:.6g}"),
        "underivable": error(
            "e2e_avg_interactivity: found {stored:.6g}, but it cannot be derived (no "
            "output_tokens_per_turn_total / e2e_turn_time_seconds_total, and {why})",
            "Use the unmodified summary of the agentic run (it writes both totals).",
        ),
        "differs": error(
            "e2e_avg_interactivity: found {stored:.6g}, expected {derived:.6g} ({how}) within "
            "1 %; off by {percent:.3g} %",
            "Use the unmodified summary; the interactivity must follow from the turn totals.",
        ),
    },
    rounds=V1,
)
def agentic_metric_consistency(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """An agentic curve is drawn with its interactivity, so it must follow from the counts.

    Derived = output_tokens_per_turn_total / e2e_turn_time_seconds_total, else (no failures)
    output_sequence_lengths.total / (latency.total / 1e9).
    Passing: 50 000 tokens over 1 000 s and ``e2e_avg_interactivity: 50``. Failing: ``80``.
    """
    summary = point.summary.mapping
    if summary is None:
        return
    stored = number(summary.get("e2e_avg_interactivity"))
    if stored is None:
        return
    path = point.summary.rel
    tokens = number(summary.get("output_tokens_per_turn_total"))
    seconds = number(summary.get("e2e_turn_time_seconds_total"))
    derived = how = None
    if tokens is not None and seconds is not None and seconds > 0:
        derived, how = tokens / seconds, "Σ turn tokens / Σ turn seconds"
    elif (integer(summary.get("n_samples_failed")) or 0) == 0:
        total = number(dig(summary, "output_sequence_lengths", "total"))
        latency = number(dig(summary, "latency", "total"))
        if total is not None and latency is not None and latency > 0:
            derived, how = total / (latency / 1e9), "output tokens / total latency s"
    if derived is None:
        failed = integer(summary.get("n_samples_failed")) or 0
        why = f"{failed} failed samples" if failed else "no latency total"
        yield rule.result("underivable", point, path=path, stored=stored, why=why)
        return
    yield _stored_against_derived(rule, point, stored, derived, how=how)
