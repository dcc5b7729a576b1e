"""Round v1.0 power rules (checker-v1.0.md Part B §4.5, §6 "Power per point"; Appendices D/E).

The arithmetic is ``power`` (pure); the handles read ``system_power.json`` and hand each point
its share (``SystemV1.power``, ``PointV1.power``). These rules turn the model's findings into
results, each naming the field, the value found, the value expected, the working behind the
expected value and a one-line fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..layout_v1 import PointV1, SystemV1
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning

if TYPE_CHECKING:  # imported where a power is computed (see SystemV1.power)
    from ..power import PowerFinding

V1 = ("v1.0",)

_FINDING_MESSAGES = {
    "problem": error("{field}: {message}{working}", "{fix}"),
    "advice": warning("{field}: {message}{working}", "{fix}"),
}


def _findings(
    rule: Rule, at: object, findings: Iterable[PowerFinding], path: str | None
) -> Iterator[CheckResult]:
    for finding in findings:
        working = f" (working: {finding.working})" if finding.working else ""
        yield rule.result(
            "problem" if finding.severity == "error" else "advice",
            at,
            path=path,
            field=finding.field,
            message=finding.message,
            working=working,
            fix=finding.fix,
        )


@rule(
    "power-descriptor",
    spec="B§4.5",
    severity="error",
    scope="system",
    summary="A Standardized system has a valid `system_power.json` whose numbers recompute.",
    messages={
        "ok": info("provisioned power {kw}: {working}"),
        "missing": error(
            "no system_power.json for this Standardized system; expected {rel} (§4.5.2)",
            "Add {rel}: cooling, node_sets (power_method and its inputs), scale_out, "
            "provisioned_power_kw.",
        ),
        "optional": info("no system_power.json ({division} division: optional)"),
        "unknown-division": warning(
            "no system_power.json, and no readable system description says the division",
            "Add {rel} if the system is Standardized; fix the points' system_desc.json.",
        ),
        "unreadable": error(
            "{error}", "Write {rel} as one JSON object (policy §4.5.2, Appendix E)."
        ),
        **_FINDING_MESSAGES,
    },
    rounds=V1,
)
def power_descriptor(rule: Rule, system: SystemV1) -> Iterator[CheckResult]:
    """The system's power descriptor exists (Standardized) and every number in it recomputes.

    Checks the schema (SourcedValue: one value, a source URL or an Appendix D section), the
    cooling against the system description's node types (liquid/water/immersion → liquid
    0.30; air or mixed → air 0.50), node-set ensemble ids against the description (warning),
    Appendix D defaults against their table, scale-out bandwidth (NICs × Gb/s ≤ required ≤
    switches), the ``computed`` block (±0.5 W) and ``provisioned_power_kw`` (±0.005 kW of
    the total rounded to 2 decimals). Each failing number shows the working behind it.
    Passing: one component_sum node set, 4 nodes × 8 × 1 400 W (gb300, D.3), liquid,
    ``provisioned_power_kw: 63.96`` for a total of 63 960 W.
    Failing: ``provisioned_power_kw: 64.0`` → "found 64 kW, expected 63.96 kW (± 0.005)" with
    "total 63 960 W = major 49 200 W + overhead 0.3 × major …".
    """
    rel = system.power_rel
    document = system.power_document
    if document.state == "unsafe":
        return  # unsafe-path reports it
    if document.state == "missing":
        division = system.division
        if division == "standardized":
            yield rule.result("missing", system, path=rel, rel=rel)
        elif division is None:
            yield rule.result("unknown-division", system, path=rel, rel=rel)
        else:
            yield rule.result("optional", system, path=rel, division=division)
        return
    if document.state != "valid":
        yield rule.result("unreadable", system, path=rel, rel=rel, error=document.error)
        return
    assessment = system.power
    assert assessment is not None  # a readable document is always assessed
    yield from _findings(rule, system, assessment.findings, rel)
    power = assessment.power
    if power is not None and not any(f.severity == "error" for f in assessment.findings):
        from ..power import format_kw

        yield rule.result(
            "ok",
            system,
            path=rel,
            kw=format_kw(power.provisioned_kw, 2),
            working=power.total_working(),
        )


@rule(
    "power-estimated",
    spec="B§4.5",
    severity="warning",
    scope="system",
    summary="Flags MLC Estimated Power: an Appendix D default reaches provisioned power.",
    messages={
        "ok": info("no Appendix D default reaches provisioned power"),
        "skipped": info("provisioned power not computed: {reason}"),
        "estimated": warning(
            "MLC Estimated Power: {count} Appendix D default(s) reach provisioned power: {listing}",
            "Replace each default by the part's published figure (vendor_spec or "
            "publication with its URL) to publish measured-source power.",
        ),
    },
    rounds=V1,
)
def power_estimated(rule: Rule, system: SystemV1) -> Iterator[CheckResult]:
    """Published power that rests on Appendix D defaults is labelled "MLC Estimated Power".

    Only defaults that reach the total count (NICs that are not counted, or that a published
    figure already includes, do not).
    Passing: every tdp_per_unit cites a vendor_spec URL.
    Failing (warning): ``accelerator.tdp_per_unit: {value_w: 1400, source_type: mlc_default,
    source: D.3}`` → "1 Appendix D default(s) … 1 400 W for NVIDIA GB300 (D.3)".
    """
    assessment = system.power
    if assessment is None or assessment.power is None:
        reason = (
            "the system has no system_power.json"
            if system.power_document.state == "missing"
            else "system_power.json does not compute (see power-descriptor)"
        )
        yield rule.result("skipped", system, path=system.power_rel, reason=reason)
        return
    used = assessment.power.defaults
    if not used:
        yield rule.result("ok", system, path=system.power_rel)
        return
    from ..power import format_watts

    listing = "; ".join(
        f"{use.field}: {format_watts(use.watts)} for {use.part} ({use.section})" for use in used
    )
    yield rule.result("estimated", system, path=system.power_rel, count=len(used), listing=listing)


def _skip_reason(point: PointV1) -> str:
    """Why a point has no power (``point.power`` is None)."""
    system = point.model.system
    if system.power_document.state == "missing":
        return "the system has no system_power.json"
    return "the system's system_power.json does not compute (see power-descriptor)"


@rule(
    "nodes-used",
    spec="B§4.5",
    severity="error",
    scope="point",
    summary="`nodes_used` names each node ensemble once, within its node set, with enough "
    "accelerators.",
    messages={
        "ok": info("nodes used {listing}: point power {working}"),
        "skipped": info("point power not computed: {reason}"),
        **_FINDING_MESSAGES,
    },
    rounds=V1,
)
def nodes_used(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The nodes a point ran on decide the power it is charged (§4.5.3).

    ``nodes_used: [{system_node_ensemble_id, nodes}]`` (absent: every provisioned node). Each
    ensemble once (error), matching exactly one node set (error), 1 ≤ nodes ≤ the set's
    nodes_provisioned (error); the nodes must hold DP × TP × PP × EP accelerators (error) and
    no node more than needed (warning).
    Passing: ``nodes_used: [{system_node_ensemble_id: 1, nodes: 2}]`` with DP 2 × TP 8 on
    8-accelerator nodes. Failing: ``nodes: 3`` for a node set of 2 nodes.
    """
    power = point.power
    if power is None:
        yield rule.result("skipped", point, reason=_skip_reason(point))
        return
    if power.nodes_used:
        yield from _findings(rule, point, power.nodes_used, point.config.rel)
        return
    listing = ", ".join(f"{s.node_set_id} {y}/{s.nodes_provisioned}" for s, y in power.power.used)
    yield rule.result(
        "ok", point, path=point.config.rel, listing=listing, working=power.power.working()
    )


@rule(
    "maximal-engagement",
    spec="B§4.5",
    severity="error",
    scope="point",
    summary="DP equals floor(accelerators in the nodes used / (TP × PP × EP)), or the "
    "shortfall is disclosed.",
    messages={
        "ok": info("DP {dp} engages every replica the nodes used can hold: {working}"),
        "skipped": info("maximal engagement not checked: {reason}"),
        **_FINDING_MESSAGES,
    },
    rounds=V1,
)
def maximal_engagement(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """A point engages every accelerator it is charged for.

    DP above floor(A/A_replica) is an error (the nodes cannot hold it); below it, point.yaml
    must carry ``dp_shortfall: {dp_actual, dp_formula, reason}`` matching the numbers (error
    when absent or mismatching; a warning when disclosed). No parallelism declared, a
    disaggregated deployment or unknown accelerators per node: a warning (not checked).
    Passing: 2 nodes × 8 accelerators, TP 8, DP 2.
    Failing: the same with DP 1 and no ``dp_shortfall`` → "found DP 1 below the maximal 2".
    """
    power = point.power
    if power is None:
        yield rule.result("skipped", point, reason=_skip_reason(point))
        return
    for finding in power.engagement:
        path = point.config.rel if finding.field == "dp_shortfall" else point.description.rel
        yield from _findings(rule, point, [finding], path)
    if not power.engagement:
        from ..power_point import parallelism_from_description

        dp = parallelism_from_description(point.description.mapping).degree("data")
        yield rule.result(
            "ok", point, path=point.description.rel, dp=dp, working=power.engagement_working
        )


@rule(
    "metric-consistency-tps-per-kw",
    spec="B§4.5",
    severity="error",
    scope="point",
    summary="A stored `system_tps_per_kw` is within 1 % of system_tps / point power.",
    messages={
        "ok": info("system_tps_per_kw {stored} agrees with {derived} ({working})"),
        "derived": info("tokens/s per kW {derived} ({working}); not stored"),
        "skipped": info("tokens/s per kW not computed: {reason}"),
        "problem": _FINDING_MESSAGES["problem"],
    },
    rounds=V1,
)
def metric_consistency_tps_per_kw(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Throughput per kilowatt is the point's throughput over the power it is charged.

    system_tps = output tokens / seconds (derived), point power from §4.5.3; a stored
    ``system_tps_per_kw`` more than 1 % off (relative) is an error.
    Passing: 40 072 tokens/s on a 40.072 kW point, ``system_tps_per_kw: 1010`` (1 % off).
    Failing: ``system_tps_per_kw: 1010.01`` → "found 1 010.01, expected 1 000 (± 1 %)".
    """
    power = point.power
    if power is None:
        yield rule.result("skipped", point, reason=_skip_reason(point))
        return
    path = point.summary.rel
    if power.tps_per_kw_findings:
        yield from _findings(rule, point, power.tps_per_kw_findings, path)
        return
    if power.tps_per_kw is None:
        reason = "result_summary.json has no positive output tokens and duration"
        yield rule.result("skipped", point, path=path, reason=reason)
        return
    from ..power import format_number

    derived = format_number(power.tps_per_kw)
    working = power.power.working()
    stored = point.summary.mapping.get("system_tps_per_kw") if point.summary.mapping else None
    if stored is None:
        yield rule.result("derived", point, path=path, derived=derived, working=working)
    else:
        yield rule.result("ok", point, path=path, stored=stored, derived=derived, working=working)
