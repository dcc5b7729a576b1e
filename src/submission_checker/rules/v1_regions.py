"""Round v1.0 region and point rules (checker-v1.0.md Part B §5, §6 "Regions / points";
A2.1): C_min derived per curve (or ``c_min_override``), exact-integer regions, coverage of the
four mandatory bands, point counts and the Offline point.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..layout_v1 import ModelV1, PointV1
from ..regions_v1 import REGION_LABELS, region_computation_problems
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning
from .values import dig, integer, number

V1 = ("v1.0",)


@rule(
    "region-basis",
    spec="B§5, A2.1",
    severity="info",
    scope="model",
    summary="Reports C_min (derived or override) and the region arithmetic; warns when C_max "
    "is unreadable or a point's concurrency is only known from its directory name.",
    messages={
        "ok": info("{working}"),
        "no-c-max": warning(
            "C_max unreadable (no system_desc.json with an integer max_supported_concurrency > "
            "0): region, coverage and placement checks of this curve are skipped",
            "Give every point a valid system_desc.json with max_supported_concurrency.",
        ),
        "by-dir": warning(
            "{count} point(s) have no readable point.yaml concurrency ({names}); their "
            "directory names were used for C_min",
            "Fix their point.yaml so that concurrency is an integer.",
        ),
    },
    rounds=V1,
)
def region_basis(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Show how the regions of a curve were computed, so a surprise can be traced.

    C_min is the curve's lowest concurrency capped at 32 unless every point's system
    description declares ``c_min_override``. Passing: C_max = 1024 and points from r1 →
    ``C_max = 1024, C_min = 1, d = 1023; LC_end = 1 + round(∛1023) = 11; …``.
    Failing (warning): no readable ``max_supported_concurrency``.
    """
    if not model.points:
        return
    by_dir = [p.dir_name for p in model.points if p.declared_concurrency is None]
    if by_dir:
        yield rule.result("by-dir", model, count=len(by_dir), names=", ".join(by_dir[:8]))
    if model.max_concurrency is None:
        yield rule.result("no-c-max", model)
    elif model.regions is not None:
        yield rule.result("ok", model, working=model.regions.working())


@rule(
    "c-min-override",
    spec="B§5, A2.1",
    severity="error",
    scope="model",
    summary="`c_min_override`, when used, is a JSON integer 1–32 declared by every point with "
    "one value that is a non-dedicated point's concurrency.",
    messages={
        "ok": info("c_min_override = {value} declared by every point"),
        "invalid": error(
            "c_min_override: found {found}, expected a JSON integer from 1 to 32",
            "Set c_min_override to the concurrency of the curve's lowest point (1–32).",
        ),
        "partial": error(
            "c_min_override declared by {declared} of {total} points (missing in {missing}); "
            "C_min is derived from the points instead",
            "Declare the same c_min_override in every point's system_desc.json, or none.",
        ),
        "conflict": error(
            "c_min_override: found the values {values}, expected one value for the curve",
            "Use one c_min_override in every system_desc.json of the curve.",
        ),
        "no-point": error(
            "c_min_override = {value} is not the concurrency of any non-Offline point "
            "(points: {points})",
            "Set c_min_override to one of the measured concurrencies, or add a point at {value}.",
        ),
    },
    rounds=V1,
)
def c_min_override(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """An override moves the Ultra Low band's top to a measured point.

    Passing: every ``system_desc.json`` says ``"c_min_override": 16`` and there is an r16/.
    Failing: ``"c_min_override": "16"`` (a string), one point without it, or no r16/.
    """
    declared = []
    missing = []
    for point in model.points:
        mapping = point.description.mapping
        if mapping is None:
            continue
        value = mapping.get("c_min_override")
        if value is None:
            missing.append(point.dir_name)
        else:
            declared.append((point, value))
    if not declared:
        return
    failed = False
    for point, value in declared:
        if integer(value) is None or not 1 <= value <= 32:
            failed = True
            yield rule.result("invalid", point, path=point.description.rel, found=_show(value))
    if missing:
        failed = True
        yield rule.result(
            "partial",
            model,
            declared=len(declared),
            total=len(declared) + len(missing),
            missing=", ".join(missing[:8]),
        )
    values = sorted({repr(v) for _, v in declared})
    if len(values) > 1:
        failed = True
        yield rule.result("conflict", model, values=", ".join(values))
    if failed:
        return
    value = declared[0][1]
    measured = sorted({p.concurrency for p in model.points if not p.is_dedicated_offline})
    if value not in measured:
        yield rule.result(
            "no-point", model, value=value, points=", ".join(map(str, measured)) or "none"
        )
    else:
        yield rule.result("ok", model, value=value)


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}" (string)'
    if isinstance(value, bool):
        return f"{str(value).lower()} (boolean)"
    return f"{value!r} ({type(value).__name__})"


@rule(
    "region-computation",
    spec="B§5",
    severity="error",
    scope="model",
    summary="C_min ∈ [1, 32] and C_max > 32, so the regions can be computed.",
    messages={
        "problem": error(
            "{problem}; the regions cannot be computed",
            "Set max_supported_concurrency above 32 (and concurrencies ≥ 1).",
        ),
    },
    rounds=V1,
)
def region_computation(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """The region formula needs C_max > 32 and 1 ≤ C_min ≤ 32.

    Passing: C_max = 64. Failing: ``"max_supported_concurrency": 32``.
    """
    if model.max_concurrency is None or model.c_min is None:
        return
    for problem in region_computation_problems(model.max_concurrency, model.c_min.value):
        path = model.first_description.description.rel if model.first_description else None
        yield rule.result("problem", model, path=path, problem=problem)


@rule(
    "concurrency-in-range",
    spec="B§5, A2.1",
    severity="error",
    scope="point",
    summary="1 ≤ C ≤ margin end ⌊(11·C_max + 9)/10⌋ (a dedicated Offline point is exempt).",
    messages={
        "ok": info("C = {c} is in {region}"),
        "out": error(
            "concurrency {c} is outside 1 … {end} (C_max = {c_max} plus the 10 % margin)",
            "Measure the point within 1 … {end}, or raise max_supported_concurrency.",
        ),
    },
    rounds=V1,
)
def concurrency_in_range(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Points lie between 1 and the margin end ⌊(11·C_max + 9)/10⌋ = ⌈1.1·C_max⌉.

    Computed in exact integers: the original checker 1.5.3.0 uses floats, so for 5,524 values
    of C_max ≤ 100,000 (e.g. C_max = 100 → 111) it allows one point more than the policy's
    10 % margin; this checker does not (C_max = 100 → 110). The region arithmetic otherwise
    agrees with 1.5.3.0 (C_min = 32: every C_max from 33 to 100,000).
    Passing: C_max = 100, C = 110. Failing: C = 111.
    """
    regions = point.model.regions
    if regions is None or point.is_dedicated_offline:
        return
    c = point.concurrency
    region = regions.classify(c)
    if region is None:
        yield rule.result("out", point, c=c, end=regions.margin_end, c_max=regions.max_concurrency)
    else:
        yield rule.result("ok", point, c=c, region=REGION_LABELS[region])


@rule(
    "region-declared",
    spec="B§5",
    severity="error",
    scope="point",
    summary="point.yaml `region` is one of the v1.0 region names.",
    messages={
        "ok": info('region "{region}" is a v1.0 region name'),
        "unknown": error(
            'region: found "{region}", expected one of {names}',
            "Use a v1.0 region name (the v0.7 *_throughput names are gone), e.g. {suggest}.",
        ),
    },
    rounds=V1,
)
def region_declared(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The declared region uses the v1.0 vocabulary.

    Passing: ``region: med_concurrency``. Failing: ``region: med_throughput`` (v0.7 name).
    """
    value = point.config.mapping.get("region") if point.config.mapping else None
    if value is None:
        return
    names = point.model.rules_round.region_names
    if value in names:
        yield rule.result("ok", point, path=point.config.rel, region=value)
    else:
        computed = point.model.regions.classify(point.concurrency) if point.model.regions else None
        yield rule.result(
            "unknown",
            point,
            path=point.config.rel,
            region=value,
            names=", ".join(names),
            suggest=computed or "submitters_choice",
        )


@rule(
    "region-placement",
    spec="B§5",
    severity="warning",
    scope="point",
    summary="The declared `region` is the computed one (`submitters_choice` always passes).",
    messages={
        "ok": info('declared region "{region}" matches'),
        "differs": warning(
            'region: found "{declared}", expected "{computed}" for C = {c} ({working})',
            "Set region: {computed} (or submitters_choice for an extra point).",
        ),
    },
    rounds=V1,
)
def region_placement(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Where a point lies follows from the curve's arithmetic, not from what it declares.

    Passing: C_max = 1024, C_min = 32, C = 40, ``region: low_concurrency``.
    Failing: the same point declaring ``high_concurrency``.
    """
    declared = point.declared_region
    regions = point.model.regions
    if declared is None or regions is None or point.is_dedicated_offline:
        return
    if declared == "submitters_choice" or declared not in point.model.rules_round.region_names:
        return
    computed = regions.classify(point.concurrency)
    if computed is None:
        return
    if computed == declared:
        yield rule.result("ok", point, path=point.config.rel, region=declared)
    else:
        yield rule.result(
            "differs",
            point,
            path=point.config.rel,
            declared=declared,
            computed=computed,
            c=point.concurrency,
            working=regions.working(),
        )


def _coverage_rule(rule_id: str, band: str, label: str) -> None:
    @rule(
        rule_id,
        spec="B§5",
        severity="error",
        scope="model",
        summary=f"At least one point in the {label} band (margin and dedicated Offline do "
        "not count).",
        messages={
            "ok": info(f"{label} ({{span}}) covered by {{points}}"),
            "uncovered": error(
                f"no point in the {label} band {{span}} (points: {{points}})",
                f"Measure a point with concurrency in {{span}} ({label}).",
            ),
            "empty": error(
                f"the {label} band is empty for C_max = {{c_max}}, C_min = {{c_min}}; it "
                "cannot be covered",
                "Raise max_supported_concurrency so that every band holds a concurrency.",
            ),
        },
        rounds=V1,
    )
    def coverage(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
        regions = model.regions
        if regions is None or not model.points:
            return
        span = regions.coverage_range(band)
        if span is None:
            yield rule.result(
                "empty", model, c_max=regions.max_concurrency, c_min=regions.min_concurrency
            )
            return
        counted = [p for p in model.points if not p.is_dedicated_offline]
        inside = [p.dir_name for p in counted if span.lo <= p.concurrency <= span.hi]
        shown = f"{span.lo}–{span.hi}"
        if inside:
            yield rule.result("ok", model, span=shown, points=", ".join(inside[:6]))
        else:
            points = ", ".join(p.dir_name for p in model.points[:12]) or "none"
            yield rule.result("uncovered", model, span=shown, points=points)

    coverage.check.__doc__ = (
        f"Every curve measures the {label} band.\n\n"
        "Ultra Low is [1, 32] (or [1, C_min] with an override); Low, Medium and High are the "
        "computed regions; margin points and a dedicated Offline point count for nothing.\n"
        f"Passing: a point whose concurrency lies in the {label} range. "
        f"Failing: none does → ``no point in the {label} band``."
    )


_coverage_rule("ultra-low-concurrency-coverage", "ultra_low", "Ultra Low Concurrency")
_coverage_rule("low-concurrency-coverage", "low", "Low Concurrency")
_coverage_rule("med-concurrency-coverage", "medium", "Medium Concurrency")
_coverage_rule("high-concurrency-coverage", "high", "High Concurrency")


def _minimum_points(model: ModelV1) -> tuple[int, str]:
    counts = model.rules_round.point_counts
    if model.is_agentic:
        return counts["minimum_agentic"], "agentic curve"
    if model.has_dedicated_offline:
        return counts["minimum_with_dedicated_offline"], "curve with a dedicated Offline point"
    return counts["minimum"], "curve"


@rule(
    "point-count",
    spec="B§5.3",
    severity="error",
    scope="model",
    summary="At least 7 `r<N>/` points (8 with a dedicated Offline point; 7 agentic).",
    messages={
        "ok": info("{count} points (minimum {minimum} for a {kind})"),
        "few": error(
            "found {count} point directories, expected at least {minimum} for a {kind}",
            "Measure {more} more point(s) across the regions.",
        ),
    },
    rounds=V1,
)
def point_count(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """A curve needs enough points to draw it.

    Passing: 8 points including a dedicated Offline one. Failing: 6 points.
    """
    if not model.points:
        return
    minimum, kind = _minimum_points(model)
    count = len(model.points)
    if count < minimum:
        yield rule.result(
            "few", model, count=count, minimum=minimum, kind=kind, more=minimum - count
        )
    else:
        yield rule.result("ok", model, count=count, minimum=minimum, kind=kind)


@rule(
    "point-cap",
    spec="B§5.3",
    severity="error",
    scope="model",
    summary="At most 32 points per curve.",
    messages={
        "ok": info("{count} points (maximum {maximum})"),
        "many": error(
            "found {count} point directories, expected at most {maximum}",
            "Submit at most {maximum} points; remove {extra}.",
        ),
    },
    rounds=V1,
)
def point_cap(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """A curve has at most 32 points. Passing: 32. Failing: 33."""
    if not model.points:
        return
    maximum = model.rules_round.point_counts["maximum"]
    count = len(model.points)
    if count > maximum:
        yield rule.result("many", model, count=count, maximum=maximum, extra=count - maximum)
    else:
        yield rule.result("ok", model, count=count, maximum=maximum)


def _load_pattern(point: PointV1) -> str | None:
    value = dig(point.config.mapping, "runtime_settings", "load_pattern")
    if point.config.mapping is not None and isinstance(
        point.config.mapping.get("runtime_settings"), dict
    ):
        return value if isinstance(value, str) else "concurrency"
    return None


@rule(
    "benchmark-type-consistency",
    spec="B§6",
    severity="error",
    scope="model",
    summary="The non-Offline points of a curve share one `load_pattern`.",
    messages={
        "ok": info('every point uses load_pattern "{pattern}"'),
        "mixed": error(
            'load_pattern: found "{found}", expected "{expected}" as in {first}',
            "Measure one curve with one load pattern (concurrency or agentic_inference).",
        ),
    },
    rounds=V1,
)
def benchmark_type_consistency(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """A curve is either a concurrency sweep or an agentic one.

    Passing: every point ``load_pattern: concurrency``. Failing: one point
    ``agentic_inference``.
    """
    patterns = [
        (p, pattern)
        for p in model.points
        if not p.is_dedicated_offline and (pattern := _load_pattern(p)) is not None
    ]
    if not patterns:
        return
    first, expected = patterns[0]
    failed = False
    for point, pattern in patterns[1:]:
        if pattern != expected:
            failed = True
            yield rule.result(
                "mixed",
                point,
                path=point.config.rel,
                found=pattern,
                expected=expected,
                first=first.config.rel,
            )
    if not failed:
        yield rule.result("ok", model, pattern=expected)


@rule(
    "offline-declared",
    spec="B§4.1",
    severity="error",
    scope="point",
    summary="point.yaml `offline` is `dedicated`, `elected` or `none` (absent = none).",
    messages={
        "ok": info("offline: {value}"),
        "unknown": error(
            "offline: found {found}, expected one of {values}",
            "Set offline: dedicated (a max-throughput run), elected (the C_max point) or none.",
        ),
    },
    rounds=V1,
)
def offline_declared(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``offline: elected``. Failing: ``offline: yes``."""
    mapping = point.config.mapping
    if mapping is None or "offline" not in mapping or mapping["offline"] is None:
        return
    value = mapping["offline"]
    values = point.model.rules_round.offline_values
    if value in values:
        if value != "none":
            yield rule.result("ok", point, path=point.config.rel, value=value)
    else:
        yield rule.result(
            "unknown", point, path=point.config.rel, found=_show(value), values=", ".join(values)
        )


@rule(
    "offline-point-present",
    spec="B§5",
    severity="error",
    scope="model",
    summary="Exactly one Offline point (dedicated, or elected at C_max); none on an agentic curve.",
    messages={
        "ok": info("Offline point: {name} ({kind})"),
        "none": error(
            "no point declares offline (found 0, expected 1)",
            "Add a dedicated Offline point (a max_throughput run, offline: dedicated) or set "
            "offline: elected on the C_max point r{c_max}.",
        ),
        "many": error(
            "{count} points declare offline ({names}), expected exactly 1",
            "Keep offline on one point and set offline: none on the others.",
        ),
        "elected-not-cmax": error(
            "offline: elected at C = {c}, expected only at C_max = {c_max}",
            "Elect the C_max point r{c_max}, or add a dedicated Offline point.",
        ),
        "agentic": error(
            "{names} declare(s) offline on an agentic curve, expected none",
            "Remove offline from the agentic points (agentic curves have no Offline point).",
        ),
    },
    rounds=V1,
)
def offline_point_present(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Non-agentic curves have one Offline point; agentic curves none.

    Passing: ``r1024/point.yaml`` with ``offline: elected`` and C_max = 1024.
    Failing: no point declares offline; or ``offline: elected`` at r512.
    """
    if not model.points or not any(p.config.mapping is not None for p in model.points):
        return
    offline = [p for p in model.points if p.offline in ("dedicated", "elected")]
    names = ", ".join(p.dir_name for p in offline)
    if model.is_agentic:
        if offline:
            yield rule.result("agentic", model, names=names)
        return
    if not offline:
        yield rule.result("none", model, c_max=model.max_concurrency or "<C_max>")
        return
    if len(offline) > 1:
        yield rule.result("many", model, count=len(offline), names=names)
        return
    point = offline[0]
    c_max = model.max_concurrency
    if point.offline == "elected" and c_max is not None and point.concurrency != c_max:
        yield rule.result(
            "elected-not-cmax", point, path=point.config.rel, c=point.concurrency, c_max=c_max
        )
        return
    yield rule.result("ok", model, name=point.dir_name, kind=point.offline)


def _stored_or_derived_tps(point: PointV1) -> float | None:
    summary = point.summary.mapping
    if summary is None:
        return None
    for key in ("system_tps", "tps"):
        value = number(summary.get(key))
        if value is not None:
            return value
    tokens = number(dig(summary, "output_sequence_lengths", "total"))
    ns = number(summary.get("duration_ns"))
    return tokens / (ns / 1e9) if tokens is not None and ns and ns > 0 else None


@rule(
    "offline-ordering",
    spec="B§5",
    severity="warning",
    scope="model",
    summary="A dedicated Offline point is at C ≥ C_max and reaches ≥ 98 % of the C_max "
    "point's throughput.",
    messages={
        "ok": info("Offline point {name} ordered after C_max"),
        "low-c": warning(
            "dedicated Offline point at C = {c}, expected C ≥ C_max = {c_max}",
            "Run the Offline point at least at C_max (it is the max-throughput end).",
        ),
        "slow": warning(
            "Offline throughput {tps:.6g} tokens/s, expected ≥ {ratio} × {cmax_tps:.6g} "
            "(the C_max point {cmax_name})",
            "Re-run the Offline point; it should be at least as fast as the C_max point.",
        ),
    },
    rounds=V1,
)
def offline_ordering(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """The Offline point is the curve's throughput end.

    Passing: dedicated Offline at C = 2048 with 10 500 tokens/s and C_max point 10 000.
    Failing: dedicated Offline at C = 512 < C_max = 1024, or 9 000 tokens/s.
    """
    c_max = model.max_concurrency
    offline = [p for p in model.points if p.is_dedicated_offline]
    if c_max is None or len(offline) != 1:
        return
    point = offline[0]
    failed = False
    if point.concurrency < c_max:
        failed = True
        yield rule.result("low-c", point, path=point.config.rel, c=point.concurrency, c_max=c_max)
    cmax_point = next(
        (p for p in model.points if p.concurrency == c_max and not p.is_dedicated_offline), None
    )
    ratio = model.rules_round.offline_tps_ratio
    if cmax_point is not None:
        tps, cmax_tps = _stored_or_derived_tps(point), _stored_or_derived_tps(cmax_point)
        if tps is not None and cmax_tps is not None and tps < ratio * cmax_tps:
            failed = True
            yield rule.result(
                "slow",
                point,
                path=point.summary.rel,
                tps=tps,
                ratio=ratio,
                cmax_tps=cmax_tps,
                cmax_name=cmax_point.dir_name,
            )
    if not failed:
        yield rule.result("ok", model, name=point.dir_name)
