"""Run settings of each point (§10–§13): load pattern, duration, query count, streaming."""

from __future__ import annotations

from collections.abc import Iterator

from ..layout import Point
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning
from .values import dig, integer, number, text


@rule(
    "load-pattern",
    spec="§10",
    severity="error",
    scope="point",
    summary="`runtime_settings.load_pattern` is `concurrency` and C > 0.",
    messages={
        "ok": info("load_pattern concurrency at C = {c}"),
        "pattern": error(
            'runtime_settings.load_pattern: found "{found}", expected "concurrency"',
            "Run the point with the concurrency load pattern and set load_pattern: concurrency.",
        ),
        "non-positive": error(
            "concurrency: found {c}, expected a positive number of concurrent requests",
            "Set concurrency to the number of concurrent requests (≥ 1) used for this point.",
        ),
    },
)
def load_pattern(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Endpoints points are measured with a fixed number of concurrent requests.

    Passing: ``runtime_settings: {load_pattern: concurrency, ...}`` and ``concurrency: 8``.
    Failing: ``load_pattern: poisson`` or ``concurrency: 0``.
    """
    data = point.config.mapping
    if data is None:
        return
    pattern = dig(data, "runtime_settings", "load_pattern")
    c = point.declared_concurrency
    failed = False
    if isinstance(pattern, str) and pattern != "concurrency":
        failed = True
        yield rule.result("pattern", point, found=pattern)
    if c is not None and c <= 0:
        failed = True
        yield rule.result("non-positive", point, c=c)
    if not failed and pattern == "concurrency" and c is not None:
        yield rule.result("ok", point, c=c)


@rule(
    "point-duration",
    spec="§11",
    severity="warning",
    scope="point",
    summary="duration_ns/1e6 ≥ 600 000 ms (1 ≤ C ≤ 32) or 1 200 000 ms (all other points).",
    messages={
        "ok": info("ran {ms:,.0f} ms (minimum {minimum:,} ms)"),
        "short": warning(
            "duration_ns = {ns} ({ms:,.0f} ms) is shorter than the {minimum:,} ms minimum "
            "for concurrency {c}",
            "Re-run the point for at least {minimum:,} ms (min_duration_ms: {minimum}).",
        ),
    },
)
def point_duration(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Points must run long enough: 10 min in Low Latency, 20 min elsewhere (margin included).

    Exactly the minimum passes. Passing: C = 8, ``duration_ns: 600000000000``.
    Failing: C = 64, ``duration_ns: 900000000000`` (900 000 ms < 1 200 000 ms).
    """
    summary = point.summary.mapping if point.summary else None
    ns = number(summary.get("duration_ns")) if summary else None
    c = point.concurrency
    if ns is None or c is None:
        return
    minimum = point.model.system.submission.rules_round.minimum_duration_ms(c)
    ms = ns / 1e6
    if ns < minimum * 1_000_000:
        yield rule.result(
            "short", point, path=point.summary.rel, ns=ns, ms=ms, minimum=minimum, c=c
        )
    else:
        yield rule.result("ok", point, path=point.summary.rel, ms=ms, minimum=minimum)


@rule(
    "min-query-count",
    spec="§12",
    severity="error",
    scope="point",
    summary="`n_samples_completed` ≥ the dataset's minimum (unknown dataset → warning).",
    messages={
        "ok": info("{completed:,} completed samples (minimum {minimum:,} for {dataset})"),
        "few": error(
            "n_samples_completed = {completed:,} is below the {minimum:,} required for "
            "dataset {dataset}",
            "Re-run the point until at least {minimum:,} samples complete (one pass over "
            "the dataset).",
        ),
        "unknown": warning(
            'dataset "{dataset}": no minimum known, n_samples_completed = {completed:,} '
            "not checked",
            "Use the dataset's official name (e.g. open_orca, cnn_dailymail::llama3_8b).",
        ),
    },
)
def min_query_count(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Each point covers one pass over its dataset (§6.4): a minimum of completed samples.

    The dataset key may carry a ``::suffix`` (``cnn_dailymail::llama3_8b``).
    Passing: ``dataset: open_orca`` and ``n_samples_completed: 24576``.
    Failing: ``n_samples_completed: 24575``. Unknown ``dataset: my_set`` → warning.
    """
    dataset = text(dig(point.config.mapping, "dataset"))
    summary = point.summary.mapping if point.summary else None
    completed = integer(summary.get("n_samples_completed")) if summary else None
    if dataset is None or completed is None:
        return
    path = point.summary.rel
    minimum = point.model.system.submission.rules_round.dataset_minimum(dataset)
    if minimum is None:
        yield rule.result("unknown", point, path=path, dataset=dataset, completed=completed)
    elif completed < minimum:
        yield rule.result(
            "few", point, path=path, dataset=dataset, completed=completed, minimum=minimum
        )
    else:
        yield rule.result(
            "ok", point, path=path, dataset=dataset, completed=completed, minimum=minimum
        )


@rule(
    "streaming-config",
    spec="§13",
    severity="error",
    scope="point",
    summary="`runtime_settings.stream_all_chunks` is true.",
    messages={
        "ok": info("stream_all_chunks is true"),
        "off": error(
            "runtime_settings.stream_all_chunks: found {found}, expected true",
            "Re-run with streaming of all chunks on and set stream_all_chunks: true.",
        ),
    },
)
def streaming_config(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Time to first token and per-token latency need every chunk streamed.

    Passing: ``stream_all_chunks: true``. Failing: ``false`` or ``"yes"``. The key missing is
    a ``point-config-valid`` error only (a required field, §4.4): one cause, one error.
    """
    settings = dig(point.config.mapping, "runtime_settings")
    if not isinstance(settings, dict) or "stream_all_chunks" not in settings:
        return
    value = settings["stream_all_chunks"]
    if value is True:
        yield rule.result("ok", point)
    else:
        yield rule.result("off", point, found=_show(value))


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)
