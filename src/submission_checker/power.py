"""Round v1.0 power: ``system_power.json``, provisioned power, point power and tokens/s per kW.

Pure arithmetic of policy §4.5 and Appendices D/E (checker-v1.0.md Part B §4.5): data in,
numbers and findings out, no file access. Every number is exact (``Fraction``, from the
decimals the submitter typed), so the spec's tolerances (±0.5 W, ±0.005 kW, 1 %) are compared
without float noise, and every computed number keeps the terms it came from so that a finding
can show its working ("major 11 200 W = 1 node × 8 × 1 400 W accelerators (gb300, D.3
default) + …"). Nothing here raises on bad input: problems come back as ``PowerFinding``\\ s.

Provisioned power (E.7): per node set, ``component_sum`` adds its parts per node times its
nodes (major components), ``published_system`` adds nodes × published node power and
``node_scaling`` adds published rack power × nodes / nodes in the published rack. The system
adds an overhead fraction (0.30 liquid, 0.50 air) of the major components and the scale-out
switches. Point power (§4.5.3) charges each set for the nodes the point used and the switches
for the share of all nodes used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .models import validate

__all__ = [
    "DefaultUse",
    "NodeSetPower",
    "Parallelism",
    "PointPower",
    "PowerDefaults",
    "PowerFinding",
    "SystemFacts",
    "SystemPower",
    "SystemPowerAssessment",
    "SystemPowerFile",
    "Term",
    "assess_point",
    "assess_system_power",
    "classify_cooling",
    "format_kw",
    "format_number",
    "format_watts",
    "parallelism_from_description",
    "system_facts_from_description",
]

Severity = Literal["error", "warning"]

# Input bounds: large enough for any real system, small enough that no input makes the exact
# arithmetic slow.
MAX_COUNT = 1_000_000
MAX_VALUE = 10**12


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


def _fraction(value: Decimal | int | float | Fraction) -> Fraction:
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


def _plain(value: Fraction, places: int = 3) -> str:
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
            return _fraction(value)

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
# Schema of system_power.json (§4.5.2)


def _plain_number(value: Any) -> Any:
    """JSON numbers only (no booleans, no strings), as exact decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("number_type", "expected a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PydanticCustomError("finite_number", "expected a finite number")
        return Decimal(repr(value))
    return Decimal(value)


Number = Annotated[Decimal, BeforeValidator(_plain_number), Field(ge=0, le=MAX_VALUE)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Field(ge=1, le=MAX_COUNT)]
Text = Annotated[str, Field(min_length=1)]

_STRICT = ConfigDict(strict=True, extra="allow", allow_inf_nan=False)
_URL = re.compile(r"https?://[^\s/]+\S*")
MLC_DEFAULT_SECTIONS = ("D.1", "D.2", "D.3", "D.4")


def _problem(message: str, fix: str) -> PydanticCustomError:
    return PydanticCustomError("power", message, {"fix": fix})


class _Strict(BaseModel):
    model_config = _STRICT


class SourcedValue(BaseModel):
    """A figure with its provenance; no other keys allowed (a typo must not pass silently)."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)

    value_w: Number | None = None
    value_kw: Number | None = None
    value_pj: Number | None = None
    source_type: Literal["vendor_spec", "publication", "public_statement", "mlc_default"]
    source: str

    #: the unit keys this kind of value may use
    units: ClassVar[tuple[str, ...]] = ("value_w", "value_kw", "value_pj")

    @model_validator(mode="after")
    def _one_value_and_a_source(self) -> SourcedValue:
        given = [
            key for key in ("value_w", "value_kw", "value_pj") if getattr(self, key) is not None
        ]
        if len(given) != 1:
            allowed = "/".join(self.units)
            raise _problem(
                f"expected exactly one of {allowed}, found {len(given)}",
                f"Give the figure once, as one of {allowed}.",
            )
        if given[0] not in self.units:
            allowed = "/".join(self.units)
            raise _problem(
                f"expected one of {allowed}, found {given[0]}",
                f"Give this figure as {allowed}.",
            )
        if self.source_type == "mlc_default":
            if self.source not in MLC_DEFAULT_SECTIONS:
                raise _problem(
                    f"expected source {', '.join(MLC_DEFAULT_SECTIONS)} for an mlc_default, "
                    f"found {self.source!r}",
                    "Cite the Appendix D section of the default, e.g. source: D.3.",
                )
        elif not _URL.fullmatch(self.source):
            raise _problem(
                f"expected an http(s) URL as source, found {self.source!r}",
                "Link the vendor specification or publication the figure comes from.",
            )
        return self

    @property
    def is_default(self) -> bool:
        return self.source_type == "mlc_default"

    @property
    def watts(self) -> Fraction:
        if self.value_kw is not None:
            return Fraction(self.value_kw) * 1000
        return Fraction(self.value_w if self.value_w is not None else 0)


class PowerValue(SourcedValue):
    """A power figure: ``value_w`` or ``value_kw``."""

    units: ClassVar[tuple[str, ...]] = ("value_w", "value_kw")


class EnergyPerBit(SourcedValue):
    """An energy figure in picojoules per bit: ``value_pj``."""

    units: ClassVar[tuple[str, ...]] = ("value_pj",)

    @property
    def picojoules(self) -> Fraction:
        return Fraction(self.value_pj or 0)


class Part(_Strict):
    model: Text
    count_per_node: Count
    tdp_per_unit: PowerValue


class CpuPart(Part):
    """A CPU; ``architecture`` and ``cores`` are needed only to cite the D.2 default."""

    architecture: Literal["x86", "arm"] | None = None
    cores: PositiveCount | None = None


class ScaleUpNetwork(_Strict):
    method: Literal["none", "declared_tdp", "bandwidth_estimate"]
    switch_count: Count | None = None
    tdp_per_switch: PowerValue | None = None
    aggregate_bandwidth_tbps: Number | None = None
    energy_per_bit_pj: EnergyPerBit | None = None

    @model_validator(mode="after")
    def _method_inputs(self) -> ScaleUpNetwork:
        needs = {
            "declared_tdp": ("switch_count", "tdp_per_switch"),
            "bandwidth_estimate": ("aggregate_bandwidth_tbps", "energy_per_bit_pj"),
        }.get(self.method, ())
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise _problem(
                f"method {self.method} needs {' and '.join(needs)}; missing {', '.join(missing)}",
                f"Add {', '.join(missing)} to scale_up_network.",
            )
        return self


class Components(_Strict):
    cpu: CpuPart | None = None
    accelerator: Part | None = None
    combined_cpu_accelerator: Part | None = None
    scale_up_network: ScaleUpNetwork

    @model_validator(mode="after")
    def _parts(self) -> Components:
        separate = self.cpu is not None or self.accelerator is not None
        if self.combined_cpu_accelerator is not None and separate:
            raise _problem(
                "expected combined_cpu_accelerator or cpu/accelerator, found both",
                "Keep combined_cpu_accelerator for a combined part, or cpu and accelerator.",
            )
        if self.combined_cpu_accelerator is None and not separate:
            raise _problem(
                "expected cpu and/or accelerator, or combined_cpu_accelerator; found none",
                "Describe the node's processors under components.",
            )
        return self


def _ensemble_id(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


class NodeSet(_Strict):
    node_set_id: Text
    system_node_ensemble_id: Annotated[int, BeforeValidator(_ensemble_id), Field(ge=0)]
    nodes_provisioned: PositiveCount
    power_method: Literal["component_sum", "published_system", "node_scaling"]
    components: Components | None = None
    published_power: PowerValue | None = None
    nodes_in_published_rack: PositiveCount | None = None

    @model_validator(mode="after")
    def _method_inputs(self) -> NodeSet:
        if self.power_method == "component_sum" and self.components is None:
            raise _problem(
                "power_method component_sum needs components, found none",
                "Add components (cpu/accelerator, scale_up_network) or change power_method.",
            )
        if self.power_method != "component_sum" and self.published_power is None:
            raise _problem(
                f"power_method {self.power_method} needs published_power, found none",
                "Add published_power with its source.",
            )
        if self.power_method == "node_scaling":
            rack = self.nodes_in_published_rack
            if rack is None or rack <= self.nodes_provisioned:
                raise _problem(
                    f"power_method node_scaling needs nodes_in_published_rack > "
                    f"nodes_provisioned ({self.nodes_provisioned}), found {rack}",
                    "Give the node count of the published rack, or use published_system "
                    "when the whole published system is provisioned.",
                )
        return self


class Nics(_Strict):
    count_per_node: Count
    bandwidth_per_nic_gbps: Number
    counted: bool
    tdp_per_nic: PowerValue | None = None
    excluded_from_published_power: bool = False

    @model_validator(mode="after")
    def _tdp_when_counted(self) -> Nics:
        if self.counted and self.tdp_per_nic is None:
            raise _problem(
                "counted NICs need tdp_per_nic, found none",
                "Add tdp_per_nic (the D.4 default is 75 W) or set counted: false.",
            )
        return self


class Switch(_Strict):
    model: Text
    count: Count
    bandwidth_tbps: Number
    power_per_switch: PowerValue


class ScaleOut(_Strict):
    present: bool
    cabling: Literal["passive", "active_optical"] | None = None
    required_bandwidth_tbps: Number | None = None
    nics: Nics | None = None
    switches: list[Switch] = Field(default_factory=list)

    @model_validator(mode="after")
    def _present_needs(self) -> ScaleOut:
        if self.present:
            missing = [
                name
                for name in ("cabling", "required_bandwidth_tbps", "nics")
                if getattr(self, name) is None
            ]
            if not self.switches:
                missing.append("switches")
            if missing:
                raise _problem(
                    f"a present scale-out network needs {', '.join(missing)}, found none",
                    f"Add {', '.join(missing)} to scale_out (or set present: false).",
                )
        return self


class ComputedBlock(_Strict):
    major_components_w: Number | None = None
    overhead_fraction: Number | None = None
    other_components_w: Number | None = None
    published_node_power_w: Number | None = None
    scale_out_switch_power_w: Number | None = None
    total_system_power_w: Number | None = None


class SystemPowerFile(_Strict):
    """``results/<system>/system_power.json`` (§4.5.2)."""

    system_desc_id: Text
    cooling: Literal["liquid", "air"]
    node_sets: Annotated[list[NodeSet], Field(min_length=1)]
    scale_out: ScaleOut
    declared_provisioned_power: PowerValue | None = None
    computed: ComputedBlock | None = None
    provisioned_power_kw: Number
    mlc_estimated_power: bool | None = None
    notes: Any = None

    @model_validator(mode="after")
    def _unique_ids(self) -> SystemPowerFile:
        seen: set[str] = set()
        for node_set in self.node_sets:
            if node_set.node_set_id in seen:
                raise _problem(
                    f"expected unique node_set_id values, found {node_set.node_set_id!r} twice",
                    "Give every node set its own node_set_id.",
                )
            seen.add(node_set.node_set_id)
        return self


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


def _integer(value: Any) -> int | None:
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
        ensemble = _integer(node_type.get("system_node_ensemble_id"))
        if ensemble is None:
            continue
        ids.add(ensemble)
        infos = node_type.get("accelerator_info")
        count = None
        if isinstance(infos, list):
            counts = [
                _integer(info.get("accelerators_per_node"))
                for info in infos
                if isinstance(info, Mapping)
            ]
            if counts and all(c is not None for c in counts):
                count = sum(c for c in counts if c is not None)
        elif "accelerators_per_node" in node_type:
            count = _integer(node_type.get("accelerators_per_node"))
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
                f"for a {kind})",
                f"Set {field}.source to {expected_section}.",
            )
        if expected is not None and expected[1] != watts:
            name, default_watts = expected
            self.error(
                "default-value",
                field,
                f"found {format_watts(watts)} cited as an mlc_default, expected "
                f"{format_watts(default_watts)} ({expected_section} default for {name})",
                f"Set {field} to {_plain(default_watts)} W or cite the part's own source.",
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
                f"Set {field} to {_plain(required)}.",
                working,
            )
        elif declared > required:
            self.warning(
                "bandwidth-high",
                field,
                f"found {format_number(declared)} Tb/s, more than the NICs need "
                f"({format_number(required)} Tb/s)",
                f"Set {field} to {_plain(required)} unless the network needs more.",
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
                    f"Set computed.overhead_fraction to {_plain(power.overhead_fraction)}.",
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
                        f"Set computed.{name} to {_plain(expected)}.",
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
                f"Set provisioned_power_kw to {_plain(expected_kw, 2)}.",
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


# ---------------------------------------------------------------------------------------------
# Per point (§4.5.3): nodes used, point power, tokens/s per kW, maximal engagement


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
            number = _integer(source[name])
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
            _integer(entry.get("system_node_ensemble_id")) if isinstance(entry, Mapping) else None
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
) -> tuple[list[PowerFinding], list[PowerFinding]]:
    """Findings of nodes-used (accelerator capacity) and of maximal-engagement."""
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
        return capacity, engagement
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
        return capacity, engagement
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
        return capacity, engagement
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
    return capacity, engagement


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
    actual = _integer(shortfall.get("dp_actual")) if isinstance(shortfall, Mapping) else None
    formula = _integer(shortfall.get("dp_formula")) if isinstance(shortfall, Mapping) else None
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
    tps = _fraction(system_tps)
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
                f"Set system_tps_per_kw to {_plain(derived)}.",
            )
        ]
    value = _fraction(stored)
    if abs(value - derived) > tolerance * max(abs(derived), Fraction(1, 10**9)):
        return derived, [
            PowerFinding(
                "error",
                "tps-per-kw-mismatch",
                "system_tps_per_kw",
                f"found {format_number(value)}, expected {format_number(derived)} "
                f"(± {format_number(tolerance * 100)} %)",
                f"Set system_tps_per_kw to {_plain(derived)}.",
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
    capacity, engagement = _engagement(point, per_node, parallelism or Parallelism(), dp_shortfall)
    tps_per_kw, tps_findings = _tps_per_kw(
        point, system_tps, stored_tps_per_kw, defaults.tps_per_kw_tolerance
    )
    return PointAssessment(
        point,
        tuple(nodes_findings + capacity),
        tuple(engagement),
        tps_per_kw,
        tuple(tps_findings),
    )
