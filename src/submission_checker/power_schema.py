"""Schema of round v1.0's ``system_power.json`` (policy §4.5.2, Appendix E) as pydantic v2 models.

Strict like the other submission schemas (a boolean is not a number, a string is not a count,
NaN/Infinity are refused), extra keys kept except in a ``SourcedValue``, where a typo such as
``watts`` for ``value_w`` must not pass silently. Every cross-field rule of the descriptor
that needs no arithmetic (one value per figure, a URL or an Appendix D section as source, the
inputs each power method needs) is checked here; ``power`` does the arithmetic.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "MAX_COUNT",
    "MAX_VALUE",
    "MLC_DEFAULT_SECTIONS",
    "Components",
    "ComputedBlock",
    "CpuPart",
    "EnergyPerBit",
    "NodeSet",
    "Nics",
    "Part",
    "PowerValue",
    "ScaleOut",
    "ScaleUpNetwork",
    "SourcedValue",
    "Switch",
    "SystemPowerFile",
]

# Input bounds: large enough for any real system, small enough that no input makes the exact
# arithmetic slow.
MAX_COUNT = 1_000_000
MAX_VALUE = 10**12


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
