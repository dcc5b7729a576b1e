"""``submission-checker power PATH``: the power of each system of a v1.0 tree, with its working.

Per system: the provisioned power, each node set's contribution and the Appendix D defaults
used; per point: nodes used, point power, system throughput and tokens/s per kW. The numbers
are those the power rules check (``SystemV1.power``, ``PointV1.power``); this module only
collects and formats them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from .layout_v1 import derived_system_tps, read_submission_v1
from .power import format_kw, format_number, format_watts
from .rounds_v1 import load_round_v1

__all__ = ["PointRow", "SystemPowerView", "power_overview", "render_text"]


@dataclass
class PointRow:
    model: str
    concurrency: int
    nodes_used: str
    point_kw: Fraction
    system_tps: Fraction | None
    tps_per_kw: Fraction | None
    stored_tps_per_kw: Any


@dataclass
class NodeSetRow:
    node_set_id: str
    method: str
    nodes: int
    power_w: Fraction
    working: str


@dataclass
class SystemPowerView:
    system: str
    file: str
    state: str  # missing, unreadable, invalid, ok, errors
    #: the division of its system description (lower case); only Standardized needs the file
    division: str | None = None
    provisioned_kw: Fraction | None = None
    working: str = ""
    node_sets: list[NodeSetRow] = field(default_factory=list)
    switches_w: Fraction | None = None
    defaults: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    points: list[PointRow] = field(default_factory=list)


def power_overview(path: Path) -> list[SystemPowerView]:
    """One view per system of the v1.0 tree at ``path`` (empty when it has no systems)."""
    submission = read_submission_v1(path, load_round_v1())
    views = []
    for system in submission.systems:
        document = system.power_document
        view = SystemPowerView(system.id, system.power_rel, document.state, system.division)
        views.append(view)
        if document.state != "valid":
            if document.error:
                view.problems.append(document.error)
            continue
        assessment = system.power
        assert assessment is not None  # a valid document is always assessed
        view.problems = [f"{f.severity}: {f.field}: {f.message}" for f in assessment.findings]
        power = assessment.power
        if power is None:
            view.state = "invalid"
            continue
        view.state = "errors" if any(f.severity == "error" for f in assessment.findings) else "ok"
        view.provisioned_kw = power.provisioned_kw
        view.working = power.total_working()
        view.switches_w = power.switches_w
        view.node_sets = [
            NodeSetRow(s.node_set_id, s.method, s.nodes_provisioned, s.power_w, s.working())
            for s in power.node_sets
        ]
        view.defaults = [
            f"{use.field}: {format_watts(use.watts)} {use.part} ({use.section})"
            for use in power.defaults
        ]
        for model in system.models:
            for point in model.points:
                assessed = point.power
                if assessed is None:
                    continue
                used = ", ".join(
                    f"{s.node_set_id} {y}/{s.nodes_provisioned}" for s, y in assessed.power.used
                )
                summary = point.summary.mapping or {}
                view.points.append(
                    PointRow(
                        model.name,
                        point.concurrency,
                        used,
                        assessed.power.kw,
                        derived_system_tps(summary),
                        assessed.tps_per_kw,
                        summary.get("system_tps_per_kw"),
                    )
                )
    return views


def as_json(views: list[SystemPowerView]) -> list[dict[str, Any]]:
    """The views as JSON-ready data (exact numbers become floats)."""
    return [_jsonable(asdict(view)) for view in views]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _number(value: Fraction | None, suffix: str = "") -> str:
    return "—" if value is None else format_number(value) + suffix


def _stored(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return format_number(Fraction(Decimal(repr(value))))
    return repr(value)


def render_text(views: list[SystemPowerView]) -> str:
    """Plain-text tables, one block per system."""
    lines: list[str] = []
    for view in views:
        lines.append(f"System {view.system}  ({view.file})")
        if view.state == "missing" and view.division not in (None, "standardized"):
            lines.append(
                f"  provisioned power: no system_power.json (not required for {view.division})"
            )
            lines.append("")
            continue
        if view.state in ("missing", "unsafe", "not-a-file", "unreadable", "invalid"):
            lines.append(f"  provisioned power: not computed ({view.state})")
            lines += [f"  {problem}" for problem in view.problems]
            lines.append("")
            continue
        assert view.provisioned_kw is not None
        verdict = "" if view.state == "ok" else "  (the file has errors: see below)"
        lines.append(f"  provisioned power: {format_kw(view.provisioned_kw, 2)}{verdict}")
        lines.append(f"  {view.working}")
        rows = [("Node set", "Method", "Nodes", "Power", "Working")]
        rows += [
            (s.node_set_id, s.method, str(s.nodes), _number(s.power_w, " W"), s.working)
            for s in view.node_sets
        ]
        if view.switches_w:
            rows.append(("(scale-out switches)", "", "", _number(view.switches_w, " W"), ""))
        lines += ["  " + line for line in _table(rows)]
        if view.defaults:
            lines.append("  Appendix D defaults used (MLC Estimated Power):")
            lines += [f"    {entry}" for entry in view.defaults]
        if view.problems:
            lines.append("  Findings (details: submission-checker check):")
            lines += [f"    {problem}" for problem in view.problems]
        if view.points:
            rows = [("Model", "C", "Nodes used", "Point kW", "System tps", "tps/kW", "Stored")]
            rows += [
                (
                    p.model,
                    str(p.concurrency),
                    p.nodes_used,
                    _number(p.point_kw),
                    _number(p.system_tps),
                    _number(p.tps_per_kw),
                    _stored(p.stored_tps_per_kw),
                )
                for p in view.points
            ]
            lines += ["  " + line for line in _table(rows)]
        lines.append("")
    return "\n".join(lines)
