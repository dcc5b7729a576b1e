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
    summary="Successful samples ≥ the dataset's minimum (unknown dataset → warning).",
    messages={
        "ok": info("{counted} (minimum {minimum:,} for {dataset})"),
        "few": error(
            "{counted} is below the {minimum:,} required for dataset {dataset}",
            "Re-run the point until at least {minimum:,} samples succeed (one pass over "
            "the dataset).",
        ),
        "unknown": warning(
            'dataset "{dataset}": no minimum known, {counted} not checked',
            "Use the dataset's official name (e.g. open_orca, cnn_dailymail::llama3_8b).",
        ),
    },
    rounds=("v0.7", "v1.0"),
)
def min_query_count(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Each point covers one pass over its dataset (§6.4): a minimum of successful samples.

    Failed samples do not count: inference-endpoint counts them inside n_samples_completed, so
    when completed = issued the successful count is completed − failed (A2.3). The dataset key
    is the part before ``::`` (``cnn_dailymail::llama3_8b``).
    Passing: ``dataset: open_orca`` and ``n_samples_completed: 24576``, no failures.
    Failing: ``n_samples_completed: 24576`` of which 10 failed → 24,566 successful.
    Unknown ``dataset: my_set`` → warning.
    """
    dataset = text(dig(point.config.mapping, "dataset"))
    summary = point.summary.mapping if point.summary else None
    completed = integer(summary.get("n_samples_completed")) if summary else None
    if dataset is None or completed is None:
        return
    successful, counted = successful_samples(summary, completed)
    path = point.summary.rel
    minimum = point.model.system.submission.rules_round.dataset_minimum(dataset)
    values = {"dataset": dataset, "counted": counted}
    if minimum is None:
        yield rule.result("unknown", point, path=path, **values)
    elif successful < minimum:
        yield rule.result("few", point, path=path, minimum=minimum, **values)
    else:
        yield rule.result("ok", point, path=path, minimum=minimum, **values)


def successful_samples(summary: dict, completed: int) -> tuple[int, str]:
    """(successful samples, how they were counted) for a summary (A2.3).

    completed − failed when completed = issued and failed > 0 (inference-endpoint counts
    failures inside completed); otherwise completed.
    """
    issued = integer(summary.get("n_samples_issued"))
    failed = integer(summary.get("n_samples_failed")) or 0
    if failed > 0 and completed == issued:
        successful = completed - failed
        return successful, (
            f"{successful:,} successful samples (n_samples_completed {completed:,} − "
            f"n_samples_failed {failed:,})"
        )
    return completed, f"{completed:,} completed samples"


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
