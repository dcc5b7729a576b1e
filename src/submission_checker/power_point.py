"""Round v1.0 power per point (policy §4.5.3): nodes used, point power, tokens/s per kW and
maximal engagement, from a system's computed power (``power.SystemPower``).

Pure like ``power``: point.yaml's ``nodes_used``/``dp_shortfall``, the system description's
parallelism and the summary's throughput come in as parsed data; findings come out, never
exceptions. Point power charges each node set for the share of its nodes the point used and
the scale-out switches for the share of all nodes: ``Σ_s P_s·Y_s/N_s + S·ΣY_s/ΣN_s``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .power import (
    NodeSetPower,
    PowerDefaults,
    PowerFinding,
    SystemFacts,
    SystemPower,
    exact,
    format_kw,
    format_number,
    format_watts,
    lenient_int,
    plain_number,
)
from .power_schema import MAX_COUNT

__all__ = [
    "Parallelism",
    "PointAssessment",
    "PointPower",
    "assess_point",
    "parallelism_from_description",
]


@dataclass(frozen=True)
class Parallelism:
    """The parallelism a point declares (§8.2); ``None`` for a degree it does not state."""

    data: int | None = None
    tensor: int | None = None
    pipeline: int | None = None
    expert: int | None = None
    disaggregated: bool = False
    unreadable: tuple[str, ...] = ()

    @property
    def declared(self) -> bool:
        return any(v is not None for v in (self.data, self.tensor, self.pipeline, self.expert))

    def degree(self, name: str) -> int:
        value = getattr(self, name)
        return 1 if value is None else value

    @property
    def replica_accelerators(self) -> int:
        """TP × PP × EP: accelerators one data-parallel replica needs."""
        return self.degree("tensor") * self.degree("pipeline") * self.degree("expert")

    @property
    def accelerators_needed(self) -> int:
        return self.degree("data") * self.replica_accelerators

    def formula(self) -> str:
        shown = []
        for name, key in (("DP", "data"), ("TP", "tensor"), ("PP", "pipeline"), ("EP", "expert")):
            value = getattr(self, key)
            shown.append(f"{name} {value}" if value is not None else f"{name} 1 (absent)")
        return " × ".join(shown)


_PARALLEL_KEYS = {
    "data": "data_parallel",
    "tensor": "tensor_parallel",
    "pipeline": "pipeline_parallel",
    "expert": "expert_parallel",
}


def parallelism_from_description(description: Any) -> Parallelism:
    """Parallelism from a system_desc.json mapping: top-level fields, else ``config_summary``."""
    if not isinstance(description, Mapping):
        return Parallelism()
    summary = description.get("config_summary")
    sources = [description] + ([summary] if isinstance(summary, Mapping) else [])
    values: dict[str, int | None] = {}
    unreadable: list[str] = []
    for key, name in _PARALLEL_KEYS.items():
        values[key] = None
        for source in sources:
            if source.get(name) is None:
                continue
            number = lenient_int(source[name])
            if number is None or number < 1 or number > MAX_COUNT:
                unreadable.append(f"{name}={source[name]!r}")
            else:
                values[key] = number
            break
    disaggregated = any(source.get("disaggregated") is True for source in sources)
    return Parallelism(**values, disaggregated=disaggregated, unreadable=tuple(unreadable))


@dataclass(frozen=True)
class PointPower:
    """What one point is charged: nodes used per set, power in kW and its working."""

    used: tuple[tuple[NodeSetPower, int], ...]  # (set, Y_s) in file order
    switches_w: Fraction
    nodes_provisioned: int

    @property
    def nodes_used(self) -> int:
        return sum(y for _, y in self.used)

    @property
    def watts(self) -> Fraction:
        sets = sum((s.power_w * y / s.nodes_provisioned for s, y in self.used), Fraction(0))
        return sets + self.switches_w * self.nodes_used / self.nodes_provisioned

    @property
    def kw(self) -> Fraction:
        return self.watts / 1000

    def working(self) -> str:
        parts = [
            f"{s.node_set_id} {format_watts(s.power_w)} × {y}/{s.nodes_provisioned}"
            for s, y in self.used
        ]
        if self.switches_w:
            parts.append(
                f"switches {format_watts(self.switches_w)} × "
                f"{self.nodes_used}/{self.nodes_provisioned}"
            )
        return f"point {format_kw(self.kw)} = ({' + '.join(parts)}) / 1000"


@dataclass(frozen=True)
class PointAssessment:
    """The power of one point and the findings of its three rules."""

    power: PointPower
    nodes_used: tuple[PowerFinding, ...]
    engagement: tuple[PowerFinding, ...]
    tps_per_kw: Fraction | None
    tps_per_kw_findings: tuple[PowerFinding, ...]
    #: how the maximal DP was computed ("" when it was not)
    engagement_working: str = ""


def _nodes_used(power: SystemPower, raw: Any) -> tuple[dict[int, int], list[PowerFinding]]:
    """Y_s by node-set position from point.yaml ``nodes_used`` (absent → every node)."""
    used = {index: s.nodes_provisioned for index, s in enumerate(power.node_sets)}
    findings: list[PowerFinding] = []
    if raw is None:
        return used, findings
    if not isinstance(raw, list):
        findings.append(
            PowerFinding(
                "error",
                "nodes-used-invalid",
                "nodes_used",
                f"found {type(raw).__name__}, expected a list of "
                "{system_node_ensemble_id, nodes}",
                "Write nodes_used as a list of {system_node_ensemble_id, nodes} entries.",
            )
        )
        return used, findings
    seen: set[int] = set()
    for position, entry in enumerate(raw):
        field = f"nodes_used[{position}]"
        ensemble = (
            lenient_int(entry.get("system_node_ensemble_id"))
            if isinstance(entry, Mapping)
            else None
        )
        nodes = entry.get("nodes") if isinstance(entry, Mapping) else None
        if ensemble is None or isinstance(nodes, bool) or not isinstance(nodes, int):
            findings.append(
                PowerFinding(
                    "error",
                    "nodes-used-invalid",
                    field,
                    f"found {entry!r:.80}, expected {{system_node_ensemble_id: <int>, "
                    "nodes: <int>}",
                    f"Give {field} an integer system_node_ensemble_id and nodes.",
                )
            )
            continue
        if ensemble in seen:
            findings.append(
                PowerFinding(
                    "error",
                    "nodes-used-duplicate",
                    f"{field}.system_node_ensemble_id",
                    f"found ensemble {ensemble} a second time, expected each ensemble once",
                    "Merge the entries of this ensemble into one.",
                )
            )
            continue
        seen.add(ensemble)
        matches = [i for i, s in enumerate(power.node_sets) if s.ensemble_id == ensemble]
        if len(matches) != 1:
            sets = ", ".join(power.node_sets[i].node_set_id for i in matches) or "none"
            findings.append(
                PowerFinding(
                    "error",
                    "nodes-used-ensemble",
                    f"{field}.system_node_ensemble_id",
                    f"found ensemble {ensemble}, which matches {len(matches)} node sets of "
                    f"system_power.json ({sets}), expected exactly 1",
                    "Use an ensemble id that exactly one node set of system_power.json has.",
                )
            )
            continue
        node_set = power.node_sets[matches[0]]
        if not 1 <= nodes <= node_set.nodes_provisioned:
            findings.append(
                PowerFinding(
                    "error",
                    "nodes-used-range",
                    f"{field}.nodes",
                    f"found {nodes}, expected 1–{node_set.nodes_provisioned} (the nodes "
                    f"provisioned in node set {node_set.node_set_id})",
                    f"Set {field}.nodes to the nodes the point ran on.",
                )
            )
            continue
        used[matches[0]] = nodes
    return used, findings


def _accelerators_per_set(power: SystemPower, facts: SystemFacts) -> dict[int, int | None]:
    return {
        index: s.accelerators_per_node
        if s.accelerators_per_node is not None
        else facts.accelerators_per_node.get(s.ensemble_id)
        for index, s in enumerate(power.node_sets)
    }


def _engagement(
    point: PointPower,
    per_node: dict[int, int | None],
    parallelism: Parallelism,
    shortfall: Any,
) -> tuple[list[PowerFinding], list[PowerFinding], str]:
    """Findings of nodes-used (accelerator capacity) and of maximal-engagement, and the
    working of the maximal DP ("" when it could not be computed)."""
    capacity: list[PowerFinding] = []
    engagement: list[PowerFinding] = []
    if parallelism.disaggregated:
        engagement.append(
            PowerFinding(
                "warning",
                "engagement-disaggregated",
                "disaggregated",
                "found a disaggregated deployment; maximal engagement is not computed for it",
                "Explain the prefill/decode split in config_summary_notes.",
            )
        )
        return capacity, engagement, ""
    if parallelism.unreadable or not parallelism.declared:
        shown = ", ".join(parallelism.unreadable) or "none declared"
        engagement.append(
            PowerFinding(
                "warning",
                "engagement-no-parallelism",
                "data_parallel",
                f"found no readable parallelism ({shown}); maximal engagement not checked",
                "Declare data_parallel, tensor_parallel, pipeline_parallel and "
                "expert_parallel (positive integers) in system_desc.json.",
            )
        )
        return capacity, engagement, ""
    unknown = [s.node_set_id for index, (s, y) in enumerate(point.used) if per_node[index] is None]
    if unknown:
        engagement.append(
            PowerFinding(
                "warning",
                "engagement-unknown-accelerators",
                "accelerators_per_node",
                f"found no accelerator count per node for node set(s) {', '.join(unknown)}; "
                "maximal engagement not checked",
                "Give accelerators_per_node in the system description's node_types (or an "
                "accelerator under components).",
            )
        )
        return capacity, engagement, ""
    counts = {index: per_node[index] or 0 for index in per_node}
    provisioned = sum(y * counts[index] for index, (_, y) in enumerate(point.used))
    held = " + ".join(
        f"{y} × {counts[index]} ({s.node_set_id})" for index, (s, y) in enumerate(point.used)
    )
    needed = parallelism.accelerators_needed
    if provisioned < needed:
        capacity.append(
            PowerFinding(
                "error",
                "nodes-used-capacity",
                "nodes_used",
                f"found {provisioned} accelerators in the nodes used ({held}), expected at "
                f"least {needed} = {parallelism.formula()}",
                "Declare every node the point ran on in nodes_used.",
            )
        )
    else:
        spare = [
            s.node_set_id
            for index, (s, y) in enumerate(point.used)
            if y > 0 and counts[index] > 0 and provisioned - counts[index] >= needed
        ]
        if spare:
            capacity.append(
                PowerFinding(
                    "warning",
                    "nodes-used-spare",
                    "nodes_used",
                    f"found {provisioned} accelerators in the nodes used ({held}), more than "
                    f"the {needed} = {parallelism.formula()} needed (a node of "
                    f"{', '.join(spare)} could be left out)",
                    "Declare only the nodes the point used in nodes_used.",
                )
            )
    replica = parallelism.replica_accelerators
    dp_max = provisioned // replica
    dp = parallelism.degree("data")
    working = f"floor({provisioned} accelerators / {replica} per replica (TP × PP × EP)) = {dp_max}"
    if dp > dp_max:
        engagement.append(
            PowerFinding(
                "error",
                "engagement-over",
                "data_parallel",
                f"found DP {dp}, expected at most {dp_max}",
                "Correct data_parallel, or declare the nodes that hold the extra replicas.",
                working,
            )
        )
    elif dp < dp_max:
        engagement.extend(_shortfall(dp, dp_max, shortfall, working))
    return capacity, engagement, working


def _shortfall(dp: int, dp_max: int, shortfall: Any, working: str) -> list[PowerFinding]:
    if shortfall is None:
        return [
            PowerFinding(
                "error",
                "engagement-shortfall-undeclared",
                "dp_shortfall",
                f"found DP {dp} below the maximal {dp_max} and no dp_shortfall",
                f"Run DP {dp_max}, or declare dp_shortfall {{dp_actual: {dp}, dp_formula: "
                f"{dp_max}, reason: …}} in point.yaml.",
                working,
            )
        ]
    actual = lenient_int(shortfall.get("dp_actual")) if isinstance(shortfall, Mapping) else None
    formula = lenient_int(shortfall.get("dp_formula")) if isinstance(shortfall, Mapping) else None
    reason = shortfall.get("reason") if isinstance(shortfall, Mapping) else None
    if actual != dp or formula != dp_max or not isinstance(reason, str) or not reason.strip():
        return [
            PowerFinding(
                "error",
                "engagement-shortfall-mismatch",
                "dp_shortfall",
                f"found dp_actual {actual}, dp_formula {formula}, reason "
                f"{'given' if isinstance(reason, str) and reason.strip() else 'missing'}; "
                f"expected dp_actual {dp}, dp_formula {dp_max} and a reason",
                f"Set dp_shortfall to {{dp_actual: {dp}, dp_formula: {dp_max}, reason: …}}.",
                working,
            )
        ]
    return [
        PowerFinding(
            "warning",
            "engagement-shortfall",
            "dp_shortfall",
            f"found DP {dp} below the maximal {dp_max}, disclosed: {reason.strip()[:200]}",
            "None needed if the reason holds; reviewers will read it.",
            working,
        )
    ]


def _tps_per_kw(
    point: PointPower, system_tps: float | Fraction | None, stored: Any, tolerance: Fraction
) -> tuple[Fraction | None, list[PowerFinding]]:
    kw = point.kw
    if system_tps is None or (isinstance(system_tps, float) and not math.isfinite(system_tps)):
        return None, []
    if kw == 0:
        return None, [
            PowerFinding(
                "error",
                "point-power-zero",
                "system_tps_per_kw",
                "found a point power of 0 kW, expected a positive power",
                "Correct the power figures of system_power.json.",
                point.working(),
            )
        ]
    tps = exact(system_tps)
    derived = tps / kw
    if stored is None:
        return derived, []
    if (
        isinstance(stored, bool)
        or not isinstance(stored, int | float)
        or (isinstance(stored, float) and not math.isfinite(stored))
    ):
        return derived, [
            PowerFinding(
                "error",
                "tps-per-kw-invalid",
                "system_tps_per_kw",
                f"found {stored!r:.60}, expected a number",
                f"Set system_tps_per_kw to {plain_number(derived)}.",
            )
        ]
    value = exact(stored)
    if abs(value - derived) > tolerance * max(abs(derived), Fraction(1, 10**9)):
        return derived, [
            PowerFinding(
                "error",
                "tps-per-kw-mismatch",
                "system_tps_per_kw",
                f"found {format_number(value)}, expected {format_number(derived)} "
                f"(± {format_number(tolerance * 100)} %)",
                f"Set system_tps_per_kw to {plain_number(derived)}.",
                f"{format_number(tps)} tokens/s / {point.working()}",
            )
        ]
    return derived, []


def assess_point(
    power: SystemPower,
    defaults: PowerDefaults,
    *,
    nodes_used: Any = None,
    parallelism: Parallelism | None = None,
    dp_shortfall: Any = None,
    system_tps: float | Fraction | None = None,
    stored_tps_per_kw: Any = None,
    facts: SystemFacts | None = None,
) -> PointAssessment:
    """Point power (§4.5.3) and the findings of nodes-used, maximal-engagement and tps/kW.

    ``nodes_used``/``dp_shortfall`` are point.yaml's raw values, ``system_tps`` the derived
    throughput and ``stored_tps_per_kw`` result_summary.json's raw ``system_tps_per_kw``.
    """
    used, nodes_findings = _nodes_used(power, nodes_used)
    point = PointPower(
        tuple((s, used[index]) for index, s in enumerate(power.node_sets)),
        power.switches_w,
        power.nodes_provisioned,
    )
    per_node = _accelerators_per_set(power, facts or SystemFacts())
    capacity, engagement, working = _engagement(
        point, per_node, parallelism or Parallelism(), dp_shortfall
    )
    tps_per_kw, tps_findings = _tps_per_kw(
        point, system_tps, stored_tps_per_kw, defaults.tps_per_kw_tolerance
    )
    return PointAssessment(
        point,
        tuple(nodes_findings + capacity),
        tuple(engagement),
        tps_per_kw,
        tuple(tps_findings),
        working,
    )
