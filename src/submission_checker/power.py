r"""Round v1.0 power: provisioned power of a ``system_power.json`` (policy §4.5, Appendices D/E).

Pure arithmetic (checker-v1.0.md Part B §4.5): parsed data in, numbers and findings out, no file
access. Every number is exact (``Fraction``, from the decimals the submitter typed), so the
spec's tolerances (±0.5 W, ±0.005 kW) hold at their edges, and every computed number keeps
the terms it came from so that a finding can show its working ("major 11 200 W = 1 node × 8 ×
1 400 W accelerators (GB300, D.3 default) + …"). Nothing here raises on bad input: problems
come back as ``PowerFinding``\ s. The schema is ``power_schema``; power per point is
``power_point``; the round's numbers are data (``power_data`` reads them).

Provisioned power (E.7): per node set, ``component_sum`` adds its parts per node times its
nodes (major components), ``published_system`` adds nodes × published node power and
``node_scaling`` adds published rack power × nodes / nodes in the published rack. The system
adds an overhead fraction (0.30 liquid, 0.50 air) of the major components and the scale-out
switches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Literal

from .models import validate
from .power_schema import Components, CpuPart, NodeSet, Part, SourcedValue, SystemPowerFile

__all__ = [
    "DefaultUse",
    "NodeSetPower",
    "PowerDefaults",
    "PowerFinding",
    "SystemFacts",
    "SystemPower",
    "SystemPowerAssessment",
    "Term",
    "assess_system_power",
    "classify_cooling",
    "exact",
    "format_kw",
    "format_number",
    "format_watts",
    "lenient_int",
    "plain_number",
    "system_facts_from_description",
]

Severity = Literal["error", "warning"]

# ---------------------------------------------------------------------------------------------
# Findings and number formatting


@dataclass(frozen=True)
class PowerFinding:
    """One problem: severity, a short code, the field, ``found …, expected …`` text and a fix.

    ``working`` shows the computation behind the expected value (empty when there is none).
    """

    severity: Severity
    code: str
    field: str
    message: str
    fix: str
    working: str = ""


def exact(value: Decimal | int | float | Fraction) -> Fraction:
    """A JSON number as an exact fraction (a float by its shortest decimal spelling)."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def format_number(value: Fraction, places: int = 3, *, grouped: bool = True) -> str:
    """``value`` to at most ``places`` decimals (half up), trailing zeros removed.

    ``grouped``: thousands separated by spaces for reading (``11 200``); fixes use plain
    numbers a submitter can paste into JSON (``11200``).
    """
    if value.denominator == 1:
        whole, fraction_digits = abs(value.numerator), ""
    else:
        quantum = Decimal(1).scaleb(-places)
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        rounded = abs(exact.quantize(quantum, rounding=ROUND_HALF_UP))
        whole_text, _, fraction_digits = f"{rounded:f}".partition(".")
        whole, fraction_digits = int(whole_text), fraction_digits.rstrip("0")
    digits = f"{whole:,}".replace(",", " ") if grouped else str(whole)
    sign = "-" if value < 0 else ""
    return f"{sign}{digits}.{fraction_digits}" if fraction_digits else f"{sign}{digits}"


def plain_number(value: Fraction, places: int = 3) -> str:
    """A number for a fix, ready to paste into JSON."""
    return format_number(value, places, grouped=False)


def format_watts(value: Fraction) -> str:
    """``11 200 W``; fractions to 3 decimals."""
    return f"{format_number(value)} W"


def format_kw(value: Fraction, places: int = 3) -> str:
    return f"{format_number(value, places)} kW"


def _round_half_up(value: Fraction, places: int) -> Fraction:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return Fraction(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------
# Appendix D defaults (the numbers are round data: data/v1.0/power_defaults.yaml)


def _part_key(model: str) -> str:
    """``NVIDIA GB300`` → ``nvidiagb300``: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", model.lower())


@dataclass(frozen=True)
class CpuDefaultRow:
    architecture: str
    min_cores: int
    max_cores: int | None
    watts: Fraction


@dataclass(frozen=True)
class PowerDefaults:
    """The power numbers of a round: overheads, tolerances and the Appendix D defaults."""

    overhead_fraction: Mapping[str, Fraction]
    watts_tolerance: Fraction
    provisioned_kw_tolerance: Fraction
    tps_per_kw_tolerance: Fraction
    cpu_section: str
    cpu_rows: tuple[CpuDefaultRow, ...]
    accelerator_section: str
    accelerator_watts: Mapping[str, Fraction]
    nic_section: str
    nic_watts: Fraction
    switch_section: str
    switch_watts: Mapping[str, Fraction | Mapping[str, Fraction]]

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> PowerDefaults:
        """Build from the parsed data file (a packaging bug raises ``KeyError``/``TypeError``)."""
        defaults = raw["defaults"]
        tolerances = raw["tolerances"]

        def number(value: Any) -> Fraction:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"expected a number, found {value!r}")
            return exact(value)

        cpu_rows = tuple(
            CpuDefaultRow(
                architecture=str(row["architecture"]),
                min_cores=int(row.get("min_cores", 1)),
                max_cores=None if row.get("max_cores") is None else int(row["max_cores"]),
                watts=number(row["watts"]),
            )
            for row in defaults["cpu"]["rows"]
        )
        switch_watts: dict[str, Fraction | Mapping[str, Fraction]] = {}
        for model, watts in defaults["switch"]["watts"].items():
            if isinstance(watts, Mapping):
                switch_watts[_part_key(str(model))] = {str(k): number(v) for k, v in watts.items()}
            else:
                switch_watts[_part_key(str(model))] = number(watts)
        return cls(
            overhead_fraction={str(k): number(v) for k, v in raw["overhead_fraction"].items()},
            watts_tolerance=number(tolerances["watts"]),
            provisioned_kw_tolerance=number(tolerances["provisioned_kw"]),
            tps_per_kw_tolerance=number(tolerances["tps_per_kw"]),
            cpu_section=str(defaults["cpu"]["section"]),
            cpu_rows=cpu_rows,
            accelerator_section=str(defaults["accelerator"]["section"]),
            accelerator_watts={
                _part_key(str(k)): number(v) for k, v in defaults["accelerator"]["watts"].items()
            },
            nic_section=str(defaults["nic"]["section"]),
            nic_watts=number(defaults["nic"]["watts"]),
            switch_section=str(defaults["switch"]["section"]),
            switch_watts=switch_watts,
        )

    @staticmethod
    def _by_model(table: Mapping[str, Any], model: str) -> tuple[str, Any] | None:
        """The longest entry found in the model's key (``NVIDIA GB300 NVL`` → gb300, not b300)."""
        key = _part_key(model)
        matches = [name for name in table if name in key]
        if not matches:
            return None
        best = max(matches, key=len)
        return best, table[best]

    def accelerator_default(self, model: str) -> tuple[str, Fraction] | None:
        return self._by_model(self.accelerator_watts, model)

    def cpu_default(self, architecture: str | None, cores: int | None) -> Fraction | None:
        if architecture is None or cores is None:
            return None
        for row in self.cpu_rows:
            fits = row.min_cores <= cores and (row.max_cores is None or cores <= row.max_cores)
            if row.architecture == architecture and fits:
                return row.watts
        return None

    def switch_default(self, model: str, cabling: str | None) -> tuple[str, Fraction] | None:
        found = self._by_model(self.switch_watts, model)
        if found is None:
            return None
        name, watts = found
        if isinstance(watts, Mapping):
            if cabling not in watts:
                return None
            return f"{name}, {cabling}", watts[cabling]
        return name, watts

    def describe_table(self, section: str) -> str:
        """The defaults of one section, for a message naming what exists."""
        if section == self.accelerator_section:
            return ", ".join(f"{k} {format_watts(v)}" for k, v in self.accelerator_watts.items())
        if section == self.cpu_section:
            parts = []
            for row in self.cpu_rows:
                cores = (
                    f"≤{row.max_cores}"
                    if row.min_cores <= 1 and row.max_cores is not None
                    else f"≥{row.min_cores}"
                    if row.max_cores is None
                    else f"{row.min_cores}–{row.max_cores}"
                )
                parts.append(f"{row.architecture} {cores} cores {format_watts(row.watts)}")
            return ", ".join(parts)
        items = []
        for name, watts in self.switch_watts.items():
            if isinstance(watts, Mapping):
                shown = "/".join(f"{format_watts(v)} {k}" for k, v in watts.items())
            else:
                shown = format_watts(watts)
            items.append(f"{name} {shown}")
        return f"NIC {format_watts(self.nic_watts)}; switches " + ", ".join(items)


# ---------------------------------------------------------------------------------------------
# Computed power, with its working


@dataclass(frozen=True)
class DefaultUse:
    """An Appendix D default that reached provisioned power."""

    field: str
    section: str
    part: str
    watts: Fraction


@dataclass(frozen=True)
class Term:
    """One addend of a sum, with how it was computed and the defaults it rests on."""

    label: str
    watts: Fraction
    working: str
    defaults: tuple[DefaultUse, ...] = ()
    detail: str = ""

    def describe(self) -> str:
        """``2 nodes × 8 × 1 400 W accelerators (MI355X, D.3 default)``."""
        notes = [self.detail] if self.detail else []
        notes += [f"{use.section} default" for use in self.defaults]
        return f"{self.working} {self.label}" + (f" ({', '.join(notes)})" if notes else "")


@dataclass(frozen=True)
class NodeSetPower:
    """One node set's share of provisioned power: major terms (× (1 + overhead)) and published."""

    node_set_id: str
    ensemble_id: int
    nodes_provisioned: int
    method: str
    major: tuple[Term, ...]
    published: Term | None
    overhead_fraction: Fraction
    accelerators_per_node: int | None

    @property
    def major_w(self) -> Fraction:
        return sum((term.watts for term in self.major), Fraction(0))

    @property
    def overhead_w(self) -> Fraction:
        return self.major_w * self.overhead_fraction

    @property
    def published_w(self) -> Fraction:
        return self.published.watts if self.published else Fraction(0)

    @property
    def power_w(self) -> Fraction:
        """P_s of §4.5.3: the set's major components with overhead, plus its published power."""
        return self.major_w + self.overhead_w + self.published_w

    @property
    def defaults(self) -> tuple[DefaultUse, ...]:
        terms = [*self.major, *([self.published] if self.published else [])]
        return tuple(use for term in terms for use in term.defaults)

    def working(self) -> str:
        parts = [f"{format_watts(t.watts)} {t.label}" for t in self.major]
        text = " + ".join(parts)
        if self.major:
            text = f"({text}) × (1 + {format_number(self.overhead_fraction)})"
        if self.published:
            published = f"{format_watts(self.published.watts)} {self.published.label}"
            text = f"{text} + {published}" if text else published
        return f"{format_watts(self.power_w)} = {text}"


@dataclass(frozen=True)
class SystemPower:
    """Provisioned power of a valid descriptor (E.7)."""

    cooling: str
    overhead_fraction: Fraction
    node_sets: tuple[NodeSetPower, ...]  # in file order
    switches: tuple[Term, ...]

    @property
    def major_w(self) -> Fraction:
        return sum((s.major_w for s in self.node_sets), Fraction(0))

    @property
    def other_w(self) -> Fraction:
        return self.major_w * self.overhead_fraction

    @property
    def published_w(self) -> Fraction:
        return sum((s.published_w for s in self.node_sets), Fraction(0))

    @property
    def switches_w(self) -> Fraction:
        return sum((t.watts for t in self.switches), Fraction(0))

    @property
    def total_w(self) -> Fraction:
        return self.major_w + self.other_w + self.published_w + self.switches_w

    @property
    def provisioned_kw(self) -> Fraction:
        """Total power in kW rounded half up to 2 decimals, as the descriptor must state it."""
        return _round_half_up(self.total_w / 1000, 2)

    @property
    def nodes_provisioned(self) -> int:
        return sum(s.nodes_provisioned for s in self.node_sets)

    @property
    def defaults(self) -> tuple[DefaultUse, ...]:
        return tuple(
            [use for s in self.node_sets for use in s.defaults]
            + [use for t in self.switches for use in t.defaults]
        )

    def major_working(self) -> str:
        several = len(self.node_sets) > 1
        terms = [
            f"{f'{s.node_set_id}: ' if several else ''}{t.describe()}"
            for s in self.node_sets
            for t in s.major
        ]
        detail = " + ".join(terms) if terms else "no component_sum parts"
        return f"major {format_watts(self.major_w)} = {detail}"

    def total_working(self) -> str:
        return (
            f"total {format_watts(self.total_w)} = major {format_watts(self.major_w)}"
            f" + overhead {format_number(self.overhead_fraction)} × major"
            f" ({format_watts(self.other_w)}, {self.cooling} cooling)"
            f" + published {format_watts(self.published_w)}"
            f" + scale-out switches {format_watts(self.switches_w)}"
        )

    def computed_fields(self) -> dict[str, tuple[Fraction, str]]:
        """The ``computed`` block as it should be: field → (value, working)."""
        published = " + ".join(
            f"{s.published.describe()} of {s.node_set_id}" for s in self.node_sets if s.published
        )
        switches = " + ".join(t.describe() for t in self.switches)
        return {
            "major_components_w": (self.major_w, self.major_working()),
            "other_components_w": (
                self.other_w,
                f"{format_number(self.overhead_fraction)} × major {format_watts(self.major_w)}"
                f" ({self.cooling} cooling)",
            ),
            "published_node_power_w": (self.published_w, published or "no published node sets"),
            "scale_out_switch_power_w": (self.switches_w, switches or "no scale-out switches"),
            "total_system_power_w": (self.total_w, self.total_working()),
        }


@dataclass(frozen=True)
class SystemFacts:
    """What the power checks need from the system's §8.2 description (all optional)."""

    cooling_texts: tuple[str, ...] = ()
    ensemble_ids: frozenset[int] | None = None
    accelerators_per_node: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SystemPowerAssessment:
    """The outcome of reading one descriptor: its power (when computable) and its findings."""

    descriptor: SystemPowerFile | None
    power: SystemPower | None
    findings: tuple[PowerFinding, ...]


def classify_cooling(text: str) -> str | None:
    """§8.2 cooling text → ``liquid``, ``air``, ``mixed`` or ``None`` (not recognised)."""
    lowered = text.lower()
    liquid = re.search(r"\b(liquid|water|immersion)", lowered) is not None
    air = re.search(r"\bair", lowered) is not None
    if liquid and air:
        return "mixed"
    return "liquid" if liquid else "air" if air else None


def lenient_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def system_facts_from_description(description: Any) -> SystemFacts:
    """The §8.2 facts the power checks use, read leniently from a system_desc.json mapping."""
    if not isinstance(description, Mapping):
        return SystemFacts()
    node_types = description.get("node_types")
    if not isinstance(node_types, list):
        return SystemFacts()
    cooling: list[str] = []
    ids: set[int] = set()
    accelerators: dict[int, int] = {}
    for node_type in node_types:
        if not isinstance(node_type, Mapping):
            continue
        if isinstance(node_type.get("cooling"), str) and node_type["cooling"].strip():
            cooling.append(node_type["cooling"].strip())
        ensemble = lenient_int(node_type.get("system_node_ensemble_id"))
        if ensemble is None:
            continue
        ids.add(ensemble)
        infos = node_type.get("accelerator_info")
        count = None
        if isinstance(infos, list):
            counts = [
                lenient_int(info.get("accelerators_per_node"))
                for info in infos
                if isinstance(info, Mapping)
            ]
            if counts and all(c is not None for c in counts):
                count = sum(c for c in counts if c is not None)
        elif "accelerators_per_node" in node_type:
            count = lenient_int(node_type.get("accelerators_per_node"))
        if count is not None:
            accelerators[ensemble] = count
    return SystemFacts(tuple(cooling), frozenset(ids) if ids else None, accelerators)


class _Calculator:
    """Computes one descriptor's power, collecting findings as it goes."""

    def __init__(self, descriptor: SystemPowerFile, defaults: PowerDefaults) -> None:
        self.descriptor = descriptor
        self.defaults = defaults
        self.findings: list[PowerFinding] = []

    def error(self, code: str, field: str, message: str, fix: str, working: str = "") -> None:
        self.findings.append(PowerFinding("error", code, field, message, fix, working))

    def warning(self, code: str, field: str, message: str, fix: str, working: str = "") -> None:
        self.findings.append(PowerFinding("warning", code, field, message, fix, working))

    # -- one sourced figure ------------------------------------------------------------------

    def figure(
        self,
        value: SourcedValue,
        field: str,
        kind: str,
        part: str | CpuPart,
        cabling: str | None = None,
    ) -> tuple[Fraction, str, tuple[DefaultUse, ...]]:
        """The figure in W, how to show it, and the default it uses (checked against Appendix D)."""
        watts = value.watts
        if not value.is_default:
            return watts, format_watts(watts), ()
        expected_section, expected = self._default_for(kind, part, cabling, field)
        if expected_section is None:
            return watts, format_watts(watts), ()
        if value.source != expected_section:
            self.error(
                "default-section",
                f"{field}.source",
                f"found {value.source}, expected {expected_section} (the Appendix D section "
                f"of {kind} defaults)",
                f"Set {field}.source to {expected_section}.",
            )
        if expected is not None and expected[1] != watts:
            name, default_watts = expected
            self.error(
                "default-value",
                field,
                f"found {format_watts(watts)} cited as an mlc_default, expected "
                f"{format_watts(default_watts)} ({expected_section} default for {name})",
                f"Set {field} to {plain_number(default_watts)} W or cite the part's own source.",
            )
        name = part.model if isinstance(part, CpuPart) else part
        return watts, format_watts(watts), (DefaultUse(field, expected_section, name, watts),)

    def _default_for(
        self, kind: str, part: str | CpuPart, cabling: str | None, field: str
    ) -> tuple[str | None, tuple[str, Fraction] | None]:
        d = self.defaults
        if kind in ("scale-up network", "published system"):
            self.error(
                "no-default",
                field,
                f"found an mlc_default, expected a sourced figure (Appendix D has no default "
                f"for a {kind})",
                "Cite the vendor specification or publication of the figure.",
            )
            return None, None
        if isinstance(part, CpuPart):
            arch, cores = part.architecture, part.cores
            watts = d.cpu_default(arch, cores)
            if watts is None:
                self.error(
                    "no-default",
                    field,
                    f"found an mlc_default for a CPU with architecture {arch or '(absent)'} and "
                    f"{cores if cores is not None else '(absent)'} cores, expected one of "
                    f"{d.describe_table(d.cpu_section)}",
                    "Add the CPU's architecture (x86/arm) and cores, or cite the vendor TDP.",
                )
                return d.cpu_section, None
            return d.cpu_section, (f"{arch} {cores} cores", watts)
        if kind == "nic":
            return d.nic_section, ("NIC", d.nic_watts)
        if kind == "switch":
            found = d.switch_default(str(part), cabling)
        else:
            found = d.accelerator_default(str(part))
        section = d.switch_section if kind == "switch" else d.accelerator_section
        if found is None:
            self.error(
                "no-default",
                field,
                f"found an mlc_default for {kind} {part!r}, expected a part with an Appendix D "
                f"default ({d.describe_table(section)})",
                "Cite the part's vendor specification or publication instead.",
            )
            return section, None
        return section, found

    # -- node sets -----------------------------------------------------------------------------

    def node_set(self, index: int, node_set: NodeSet, overhead: Fraction) -> NodeSetPower:
        where = f"node_sets[{index}]"
        nodes = node_set.nodes_provisioned
        major: list[Term] = []
        published: Term | None = None
        accelerators: int | None = None
        if node_set.power_method == "component_sum" and node_set.components is not None:
            components = node_set.components
            parts: list[tuple[str, str, Part]] = []
            if components.cpu is not None:
                parts.append(("CPUs", "cpu", components.cpu))
            if components.accelerator is not None:
                parts.append(("accelerators", "accelerator", components.accelerator))
                accelerators = components.accelerator.count_per_node
            if components.combined_cpu_accelerator is not None:
                combined = components.combined_cpu_accelerator
                parts.append(("combined CPU+accelerators", "combined_cpu_accelerator", combined))
                accelerators = combined.count_per_node
            for label, key, part in parts:
                watts, shown, used = self.figure(
                    part.tdp_per_unit,
                    f"{where}.components.{key}.tdp_per_unit",
                    "cpu" if key == "cpu" else "accelerator",
                    part if isinstance(part, CpuPart) else part.model,
                )
                major.append(
                    Term(
                        label,
                        nodes * part.count_per_node * watts,
                        f"{_nodes(nodes)} × {part.count_per_node} × {shown}",
                        used,
                        part.model,
                    )
                )
            network = self.scale_up(f"{where}.components.scale_up_network", components)
            if network is not None:
                major.append(network)
        else:
            assert node_set.published_power is not None  # the schema requires it
            watts, shown, used = self.figure(
                node_set.published_power, f"{where}.published_power", "published system", ""
            )
            if node_set.power_method == "published_system":
                published = Term(
                    "published node power", nodes * watts, f"{_nodes(nodes)} × {shown}", used
                )
            else:
                rack = node_set.nodes_in_published_rack or 1
                published = Term(
                    "published rack power scaled",
                    watts * nodes / rack,
                    f"{shown} × {nodes}/{rack} nodes",
                    used,
                )
        nic = self.nics(where, node_set)
        if nic is not None:
            major.append(nic)
        return NodeSetPower(
            node_set.node_set_id,
            node_set.system_node_ensemble_id,
            nodes,
            node_set.power_method,
            tuple(major),
            published,
            overhead,
            accelerators,
        )

    def scale_up(self, field: str, components: Components) -> Term | None:
        network = components.scale_up_network
        if network.method == "declared_tdp":
            assert network.tdp_per_switch is not None and network.switch_count is not None
            watts, shown, used = self.figure(
                network.tdp_per_switch, f"{field}.tdp_per_switch", "scale-up network", ""
            )
            return Term(
                "scale-up switches",
                network.switch_count * watts,
                f"{network.switch_count} × {shown}",
                used,
            )
        if network.method == "bandwidth_estimate":
            assert network.energy_per_bit_pj is not None
            assert network.aggregate_bandwidth_tbps is not None
            energy = network.energy_per_bit_pj
            if energy.is_default:
                self._default_for("scale-up network", "", None, f"{field}.energy_per_bit_pj")
            bandwidth = Fraction(network.aggregate_bandwidth_tbps)
            # TB/s × 8 bit/B × pJ/bit: 1e12 B/s × 8 × 1e-12 J = 8 W per TB/s per pJ/bit
            return Term(
                "scale-up network (bandwidth estimate)",
                bandwidth * 8 * energy.picojoules,
                f"{format_number(bandwidth)} TB/s × 8 bit/B × "
                f"{format_number(energy.picojoules)} pJ/bit",
            )
        return None

    def nics(self, where: str, node_set: NodeSet) -> Term | None:
        scale_out = self.descriptor.scale_out
        nics = scale_out.nics
        if not scale_out.present or nics is None or not nics.counted:
            return None
        if node_set.power_method != "component_sum" and not nics.excluded_from_published_power:
            return None  # the published figure already includes the NICs
        assert nics.tdp_per_nic is not None  # the schema requires it when counted
        watts, shown, used = self.figure(
            nics.tdp_per_nic, "scale_out.nics.tdp_per_nic", "nic", "NIC"
        )
        nodes = node_set.nodes_provisioned
        return Term(
            "scale-out NICs",
            nodes * nics.count_per_node * watts,
            f"{_nodes(nodes)} × {nics.count_per_node} × {shown}",
            used,
        )

    def switches(self) -> tuple[Term, ...]:
        scale_out = self.descriptor.scale_out
        if not scale_out.present:
            return ()
        terms = []
        for index, switch in enumerate(scale_out.switches):
            watts, shown, used = self.figure(
                switch.power_per_switch,
                f"scale_out.switches[{index}].power_per_switch",
                "switch",
                switch.model,
                scale_out.cabling,
            )
            terms.append(
                Term(
                    "scale-out switches",
                    switch.count * watts,
                    f"{switch.count} × {shown}",
                    used,
                    switch.model,
                )
            )
        return tuple(terms)

    # -- checks of the submitter's own numbers -------------------------------------------------

    def check_bandwidth(self) -> None:
        scale_out = self.descriptor.scale_out
        if not scale_out.present or scale_out.nics is None:
            return
        nics = scale_out.nics
        nodes = sum(s.nodes_provisioned for s in self.descriptor.node_sets)
        required = nodes * nics.count_per_node * Fraction(nics.bandwidth_per_nic_gbps) / 1000
        working = (
            f"{nodes} nodes × {nics.count_per_node} NICs × "
            f"{format_number(Fraction(nics.bandwidth_per_nic_gbps))} Gb/s / 1000 = "
            f"{format_number(required)} Tb/s"
        )
        declared = Fraction(scale_out.required_bandwidth_tbps or 0)
        field = "scale_out.required_bandwidth_tbps"
        if declared < required:
            self.error(
                "bandwidth-low",
                field,
                f"found {format_number(declared)} Tb/s, expected at least "
                f"{format_number(required)} Tb/s",
                f"Set {field} to {plain_number(required)}.",
                working,
            )
        elif declared > required:
            self.warning(
                "bandwidth-high",
                field,
                f"found {format_number(declared)} Tb/s, more than the NICs need "
                f"({format_number(required)} Tb/s)",
                f"Set {field} to {plain_number(required)} unless the network needs more.",
                working,
            )
        offered = sum(
            (s.count * Fraction(s.bandwidth_tbps) for s in scale_out.switches), Fraction(0)
        )
        if offered < required:
            listing = " + ".join(
                f"{s.count} × {format_number(Fraction(s.bandwidth_tbps))} Tb/s ({s.model})"
                for s in scale_out.switches
            )
            self.error(
                "switch-bandwidth",
                "scale_out.switches",
                f"found {format_number(offered)} Tb/s of switch bandwidth, expected at least "
                f"{format_number(required)} Tb/s",
                "Declare every scale-out switch the NICs connect to.",
                f"{listing} < {working}",
            )

    def check_declared(self, power: SystemPower) -> None:
        d = self.defaults
        descriptor = self.descriptor
        computed = descriptor.computed
        if computed is not None:
            if computed.overhead_fraction is not None and (
                Fraction(computed.overhead_fraction) != power.overhead_fraction
            ):
                self.error(
                    "computed-mismatch",
                    "computed.overhead_fraction",
                    f"found {format_number(Fraction(computed.overhead_fraction))}, expected "
                    f"{format_number(power.overhead_fraction)} ({power.cooling} cooling)",
                    f"Set computed.overhead_fraction to {plain_number(power.overhead_fraction)}.",
                )
            for name, (expected, working) in power.computed_fields().items():
                stated = getattr(computed, name)
                if stated is None:
                    continue
                if abs(Fraction(stated) - expected) > d.watts_tolerance:
                    self.error(
                        "computed-mismatch",
                        f"computed.{name}",
                        f"found {format_watts(Fraction(stated))}, expected "
                        f"{format_watts(expected)} (± {format_watts(d.watts_tolerance)})",
                        f"Set computed.{name} to {plain_number(expected)}.",
                        working,
                    )
        stated_kw = Fraction(descriptor.provisioned_power_kw)
        expected_kw = power.provisioned_kw
        if abs(stated_kw - expected_kw) > d.provisioned_kw_tolerance:
            self.error(
                "provisioned-mismatch",
                "provisioned_power_kw",
                f"found {format_kw(stated_kw)}, expected {format_kw(expected_kw, 2)} "
                f"(± {format_number(d.provisioned_kw_tolerance)})",
                f"Set provisioned_power_kw to {plain_number(expected_kw, 2)}.",
                f"{power.total_working()}; {format_watts(power.total_w)} / 1000 rounded to "
                f"2 decimals",
            )
        declared = descriptor.declared_provisioned_power
        if declared is not None:
            declared_kw = declared.watts / 1000
            if abs(declared_kw - expected_kw) > d.provisioned_kw_tolerance:
                self.warning(
                    "declared-differs",
                    "declared_provisioned_power",
                    f"found {format_kw(declared_kw)}, the descriptor computes "
                    f"{format_kw(expected_kw, 2)}; the computed value is used",
                    "Align declared_provisioned_power with the computed power, or remove it.",
                    power.total_working(),
                )
        used = power.defaults
        flag = descriptor.mlc_estimated_power
        if used and flag is False:
            self.error(
                "estimated-flag",
                "mlc_estimated_power",
                f"found false, expected true ({len(used)} Appendix D default(s) reach "
                f"provisioned power: {', '.join(u.field for u in used)})",
                "Set mlc_estimated_power: true, or replace the defaults by sourced figures.",
            )
        elif not used and flag is True:
            self.warning(
                "estimated-flag",
                "mlc_estimated_power",
                "found true, expected false (no Appendix D default reaches provisioned power)",
                "Set mlc_estimated_power: false.",
            )


def _nodes(count: int) -> str:
    return f"{count} node" if count == 1 else f"{count} nodes"


def _check_facts(descriptor: SystemPowerFile, facts: SystemFacts) -> list[PowerFinding]:
    findings: list[PowerFinding] = []
    kinds = {kind for text in facts.cooling_texts if (kind := classify_cooling(text))}
    if not kinds:
        shown = "; ".join(repr(t) for t in facts.cooling_texts) or "none"
        findings.append(
            PowerFinding(
                "warning",
                "cooling-unknown",
                "cooling",
                f"cannot confirm cooling {descriptor.cooling}: the system description's "
                f"node_types[].cooling says {shown}",
                "Describe each node type's cooling (liquid, water, immersion or air) in "
                "system_desc.json.",
            )
        )
    else:
        expected = "liquid" if kinds == {"liquid"} else "air"
        if descriptor.cooling != expected:
            texts = "; ".join(repr(t) for t in facts.cooling_texts)
            findings.append(
                PowerFinding(
                    "error",
                    "cooling-mismatch",
                    "cooling",
                    f"found {descriptor.cooling}, expected {expected} (system description "
                    f"cooling: {texts}; liquid/water/immersion → liquid 0.30, air or mixed → "
                    f"air 0.50)",
                    f"Set cooling to {expected}, or correct node_types[].cooling in "
                    f"system_desc.json.",
                )
            )
    if facts.ensemble_ids is not None:
        for index, node_set in enumerate(descriptor.node_sets):
            if node_set.system_node_ensemble_id not in facts.ensemble_ids:
                known = ", ".join(str(i) for i in sorted(facts.ensemble_ids))
                findings.append(
                    PowerFinding(
                        "warning",
                        "unknown-ensemble",
                        f"node_sets[{index}].system_node_ensemble_id",
                        f"found {node_set.system_node_ensemble_id}, expected one of the system "
                        f"description's node ensembles ({known})",
                        "Use the system_node_ensemble_id of the node type this set describes.",
                    )
                )
    return findings


def assess_system_power(
    raw: Any, defaults: PowerDefaults, facts: SystemFacts | None = None
) -> SystemPowerAssessment:
    """Validate a parsed ``system_power.json`` and recompute its power (E.7).

    ``facts`` (from the system description) enables the cooling and ensemble-id checks.
    The power is computed from the file's own inputs even when its stated results are wrong;
    it is ``None`` only when the schema fails.
    """
    descriptor, problems = validate(SystemPowerFile, raw)
    if descriptor is None:
        findings = tuple(
            PowerFinding(
                "error", "schema", problem.field, problem[len(problem.field) + 2 :], problem.fix
            )
            for problem in problems
        )
        return SystemPowerAssessment(None, None, findings)
    calculator = _Calculator(descriptor, defaults)
    overhead = defaults.overhead_fraction[descriptor.cooling]
    node_sets = tuple(
        calculator.node_set(index, node_set, overhead)
        for index, node_set in enumerate(descriptor.node_sets)
    )
    power = SystemPower(descriptor.cooling, overhead, node_sets, calculator.switches())
    calculator.check_bandwidth()
    calculator.check_declared(power)
    findings = list(calculator.findings)
    if facts is not None:
        findings.extend(_check_facts(descriptor, facts))
    return SystemPowerAssessment(descriptor, power, tuple(findings))
