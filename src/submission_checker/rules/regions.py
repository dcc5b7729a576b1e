"""Concurrency regions (§3–§9, §8.3): M declared, regions computable, every region covered."""

from __future__ import annotations

from collections.abc import Iterator

from ..layout import Model, Point, System
from ..regions import LOW_LATENCY_MAX, REGION_KEYS, REGION_LABELS, Range, margin_upper
from ..report import CheckResult
from .registry import Message, Rule, error, info, rule, warning
from .values import integer

DECLARABLE_REGIONS = (*REGION_KEYS, "submitters_choice")


def _region_coverage(rule: Rule, model: Model, region: str) -> Iterator[CheckResult]:
    if region == "low_latency":
        span: Range | None = Range(1, LOW_LATENCY_MAX)
        m_text = ""
    else:
        regions = model.system.regions
        if regions is None:
            return  # region-computation / max-concurrency-declared report why
        span = regions[region]
        m_text = f" for M = {regions.max_concurrency}"
        if span is None:
            yield rule.result(
                "empty", model, label=REGION_LABELS[region], m=regions.max_concurrency
            )
            return
    counted = sorted({p.config.model.concurrency for p in model.points if p.counts_for_coverage})
    if not counted:
        return  # no readable point: measurement-points-present / point-config-valid say why
    assert span is not None
    inside = [c for c in counted if span.lo <= c <= span.hi]
    label = REGION_LABELS[region]
    if inside:
        yield rule.result(
            "ok", model, label=label, span=span, m=m_text, points=", ".join(map(str, inside))
        )
    else:
        measured = ", ".join(map(str, counted)) or "none"
        yield rule.result("uncovered", model, label=label, span=span, m=m_text, measured=measured)


def _coverage_messages() -> dict[str, Message]:
    return {
        "ok": info("{label} ({span}{m}) covered by concurrency {points}"),
        "uncovered": error(
            "no valid point in {label} ({span}{m}); valid points: {measured}",
            "Measure a point with concurrency in {span} and add points/point_<N>.yaml for it.",
        ),
        "empty": warning(
            "{label} is empty for M = {m}; such a small M needs working-group justification",
            "Raise max_supported_concurrency if the system supports more, or ask the working "
            "group to accept the small M.",
        ),
    }


@rule(
    "low-latency-coverage",
    spec="§3",
    severity="error",
    scope="model",
    summary="At least one valid point with concurrency 1–32.",
    messages=_coverage_messages(),
)
def low_latency_coverage(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """Low Latency (1…32) needs a valid point; it does not depend on M.

    A point counts, by its declared ``concurrency``, when its YAML passes §2.2.
    Passing: ``point_1.yaml``. Failing: only points at 48 and above.
    """
    yield from _region_coverage(rule, model, "low_latency")


@rule(
    "low-throughput-coverage",
    spec="§4",
    severity="error",
    scope="model",
    summary="At least one valid point in Low Throughput (warning if the region is empty).",
    messages=_coverage_messages(),
)
def low_throughput_coverage(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """Low Throughput (33…32+round(∛(M−32))) needs a valid point.

    Passing (M = 64, region 33–35): ``point_34.yaml``. Failing: points 1, 8, 32, 40, 48, 64.
    """
    yield from _region_coverage(rule, model, "low_throughput")


@rule(
    "med-throughput-coverage",
    spec="§5",
    severity="error",
    scope="model",
    summary="At least one valid point in Medium Throughput (warning if the region is empty).",
    messages=_coverage_messages(),
)
def med_throughput_coverage(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """Medium Throughput (LT+1…32+round((M−32)^(2/3))) needs a valid point.

    Passing (M = 64, region 36–42): ``point_40.yaml``. Failing: no point in 36–42.
    With M = 33 the region is empty: one warning instead of an impossible error.
    """
    yield from _region_coverage(rule, model, "med_throughput")


@rule(
    "high-throughput-coverage",
    spec="§6",
    severity="error",
    scope="model",
    summary="At least one valid point in High Throughput; margin points do not count.",
    messages=_coverage_messages(),
)
def high_throughput_coverage(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """High Throughput (MT+1…M) needs a valid point; margin points (M+1…) do not count (§5.4).

    Passing (M = 64, region 43–64): ``point_64.yaml``. Failing: only ``point_70.yaml`` above 42.
    """
    yield from _region_coverage(rule, model, "high_throughput")


@rule(
    "max-concurrency-declared",
    spec="§7",
    severity="error",
    scope="system",
    summary="The system file declares `max_supported_concurrency`.",
    messages={
        "ok": info("max_supported_concurrency = {m}"),
        "missing": error(
            "max_supported_concurrency is not declared; regions cannot be computed",
            'Add "max_supported_concurrency": <integer M> to {file}.',
        ),
    },
)
def max_concurrency_declared(rule: Rule, system: System) -> Iterator[CheckResult]:
    """M = ``max_supported_concurrency`` defines the regions; absent or null fails.

    A present value of the wrong type (``"1024"``, ``true``) is a system-description-valid error.
    Passing: ``"max_supported_concurrency": 1024``. Failing: the key missing or ``null``.
    """
    data = system.description.mapping
    if data is None:
        return
    value = data.get("max_supported_concurrency")
    if value is None:
        yield rule.result("missing", system, file=system.rel)
    elif integer(value) is not None:
        yield rule.result("ok", system, m=value)


@rule(
    "region-computation",
    spec="§7",
    severity="error",
    scope="system",
    summary="M > 32, so that regions can be computed (else the system's region rules skip).",
    messages={
        "ok": info("regions for M = {m}: {table}"),
        "too-small": error(
            "max_supported_concurrency = {m}: regions need M > 32; region rules skipped",
            "Declare the true maximum concurrency (> 32) the system supports in {file}.",
        ),
    },
)
def region_computation(rule: Rule, system: System) -> Iterator[CheckResult]:
    """Regions are only defined for M > 32.

    Passing: M = 64 → 1–32, 33–35, 36–42, 43–64, margin 65–71. Failing: M = 32.
    """
    m = system.max_concurrency
    if m is None:
        return
    regions = system.regions
    if regions is None:
        yield rule.result("too-small", system, m=m, file=system.rel)
        return
    table = ", ".join(
        f"{key} {regions[key]}" if regions[key] else f"{key} empty" for key in REGION_KEYS
    )
    yield rule.result("ok", system, m=m, table=table)


@rule(
    "concurrency-in-range",
    spec="§9",
    severity="error",
    scope="point",
    summary="1 ≤ C ≤ ceil(1.1·M) for each point.",
    messages={
        "ok": info("concurrency {c} is within 1–{upper} ({region})"),
        "out": error(
            "concurrency {c} is outside 1–{upper} (M = {m}, margin up to ceil(1.1·M) = {upper})",
            "Measure points with concurrency between 1 and {upper}, or correct M in the "
            "system file.",
        ),
        "at-least-one": info("concurrency {c} is at least 1 (M unknown: upper bound not checked)"),
        "below-one": error(
            "concurrency {c} is below 1 (M unknown: upper bound not checked)",
            "Measure points with concurrency 1 or more.",
        ),
    },
)
def concurrency_in_range(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Points may go up to 10 % above M (the margin), never beyond, never below 1.

    Without a usable M (missing, invalid or ≤ 32) only C ≥ 1 is checked (§4.4).
    Passing (M = 64): C = 70. Failing: C = 72 (ceil(1.1·64) = 71) or C = 0.
    """
    c = point.declared_concurrency
    regions = point.model.system.regions
    if c is None:
        return
    if regions is None:
        yield rule.result("at-least-one" if c >= 1 else "below-one", point, c=c)
        return
    m = regions.max_concurrency
    upper = margin_upper(m)
    region = regions.classify(c)
    if region is None:
        yield rule.result("out", point, c=c, m=m, upper=upper)
    else:
        yield rule.result("ok", point, c=c, upper=upper, region=region)


@rule(
    "region-declared",
    spec="§8.3",
    severity="error",
    scope="point",
    summary="A declared `region` is a known name (error) and matches the computed one (warning).",
    messages={
        "ok": info("declared region {declared} matches"),
        "choice": info("declared region submitters_choice"),
        "none": info("no region declared (computed: {computed})"),
        "unchecked": info("declared region {declared} is a known name; M unknown, not compared"),
        "unknown": error(
            "region: found {found}, expected one of {choices}",
            "Set region to the computed region ({computed}) or submitters_choice.",
        ),
        "mismatch": warning(
            "region: declared {declared}, but concurrency {c} is in {computed} for M = {m}",
            "Set region: {computed} (or submitters_choice) in the point file.",
        ),
    },
)
def region_declared(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """The optional ``region`` of a point must be a known name and should match its concurrency.

    Names: low_latency, low_throughput, med_throughput, high_throughput, margin,
    submitters_choice (always agrees). Exact, case-sensitive.
    Passing (M = 64): ``concurrency: 40`` with ``region: med_throughput``.
    Failing: ``region: Medium`` (error); ``concurrency: 70`` with ``region: high_throughput``
    (warning: 70 is a margin point).
    """
    data = point.config.mapping
    if data is None:
        return
    declared = data.get("region")
    regions = point.model.system.regions
    c = point.declared_concurrency
    computed = regions.classify(c) if regions is not None and c is not None else None
    computed_text = computed or "no region (out of range)"
    if declared is None:
        yield rule.result("none", point, computed=computed_text)
    elif not isinstance(declared, str):
        return  # not a string: a point-config-valid error (§4.4)
    elif declared not in DECLARABLE_REGIONS:
        yield rule.result(
            "unknown",
            point,
            found=f'"{declared}"',
            choices=", ".join(DECLARABLE_REGIONS),
            computed=computed_text,
        )
    elif declared == "submitters_choice":
        yield rule.result("choice", point)
    elif regions is None or c is None:
        yield rule.result("unchecked", point, declared=declared)
    elif declared != computed:
        yield rule.result(
            "mismatch",
            point,
            declared=declared,
            c=c,
            computed=computed_text,
            m=regions.max_concurrency,
        )
    else:
        yield rule.result("ok", point, declared=declared)
