"""The data tables of rules round v1.0 beyond the ones both rounds share.

``data/v1.0.yaml`` holds every number of the round (checker-v1.0.md Part B §5–§6): the shared
tables (dataset minimums, duration minima, accuracy targets) are read by ``rounds.load_round``
into a ``RulesRound``; this module adds the round's own tables (allowed models, point counts,
vocabularies, agentic floors, tolerances) so that rules read them as data, never as code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .rounds import Bound, OfficialTarget, RulesRound, load_round, round_table

__all__ = ["AgenticFloors", "RoundV1", "load_round_v1"]


@dataclass(frozen=True)
class AgenticFloors:
    """Accuracy floors (percent) and output-length range of one agentic model."""

    inline_floor: float
    swe_bench_floor: float
    osl_range: Bound


@dataclass(frozen=True)
class RoundV1:
    """Round v1.0's tables; the shared ones are those of ``shared`` (a ``RulesRound``)."""

    shared: RulesRound
    allowed_models: tuple[str, ...]
    sample_minimums: MappingProxyType[str, int]
    exact_targets: MappingProxyType[str, OfficialTarget]
    agentic: MappingProxyType[str, AgenticFloors]
    point_counts: MappingProxyType[str, int]
    accuracy_points: MappingProxyType[str, int]
    accuracy_bands: tuple[str, ...]
    c_min_cap: int
    ultra_low_coverage_max: int
    low_latency_max_concurrency: int
    region_names: tuple[str, ...]
    offline_values: tuple[str, ...]
    load_patterns: tuple[str, ...]
    steady_statuses: tuple[str, ...]
    steady_verdicts: tuple[str, ...]
    steady_states: tuple[str, ...]
    minimum_super_passes: int
    legacy_default_seed: int
    drafter_lead_cohorts: int
    adoption_following_cohorts: int
    metric_tolerance: float
    tps_utilization_tolerance: float
    offline_tps_ratio: float

    @property
    def name(self) -> str:
        return self.shared.name

    def dataset_minimum(self, dataset: str) -> int | None:
        return self.shared.dataset_minimum(dataset)

    def official_target(self, model_name: str) -> OfficialTarget | None:
        """The accuracy row naming ``model_name`` exactly, else the shared fragment lookup."""
        exact = self.exact_targets.get(model_name)
        return exact if exact is not None else self.shared.official_target(model_name)

    def minimum_duration_ms(self, concurrency: int, *, agentic: bool = False) -> int:
        """600 000 ms up to C = 32, else 1 200 000 ms (2 400 000 ms for an agentic curve)."""
        minimums = self.shared.duration_minimums_ms
        if concurrency <= self.low_latency_max_concurrency:
            return minimums["low_latency"]
        return minimums["agentic" if agentic else "other"]

    def is_agentic_model(self, model_name: str) -> bool:
        return model_name in self.agentic


@functools.cache
def load_round_v1() -> RoundV1:
    """Round v1.0's tables (a packaging error raises ``ValueError``)."""
    shared = load_round("v1.0")
    try:
        return _build(shared, round_table("v1.0"))
    except (KeyError, TypeError, ValueError) as exc:  # a packaging bug, not user input
        raise ValueError(f"rules data for round v1.0 is malformed: {exc}") from exc


def _build(shared: RulesRound, raw: dict[str, Any]) -> RoundV1:
    exact: dict[str, OfficialTarget] = {}
    sample_minimums: dict[str, int] = {}
    for row, target in zip(raw["accuracy_targets"], shared.accuracy_targets, strict=True):
        for model in row.get("models", []):
            exact[str(model)] = target
            sample_minimums[str(model)] = int(row["accuracy_sample_minimum"])
    agentic = {
        str(model): AgenticFloors(
            float(spec["inline_floor"]),
            float(spec["swe_bench_floor"]),
            Bound(float(spec["osl_range"]["lower"]), float(spec["osl_range"]["upper"])),
        )
        for model, spec in raw["agentic_accuracy"].items()
    }
    steady = raw["steady_state"]
    tolerances = raw["tolerances"]
    return RoundV1(
        shared=shared,
        allowed_models=tuple(str(m) for m in raw["allowed_models"]),
        sample_minimums=MappingProxyType(sample_minimums),
        exact_targets=MappingProxyType(exact),
        agentic=MappingProxyType(agentic),
        point_counts=MappingProxyType({str(k): int(v) for k, v in raw["point_counts"].items()}),
        accuracy_points=MappingProxyType(
            {str(k): int(v) for k, v in raw["accuracy_points"].items()}
        ),
        accuracy_bands=tuple(str(b) for b in raw["accuracy_bands"]),
        c_min_cap=int(raw["regions"]["c_min_cap"]),
        ultra_low_coverage_max=int(raw["regions"]["ultra_low_coverage_max"]),
        low_latency_max_concurrency=int(raw["low_latency_max_concurrency"]),
        region_names=tuple(str(r) for r in raw["region_names"]),
        offline_values=tuple(str(v) for v in raw["offline_values"]),
        load_patterns=tuple(str(v) for v in raw["load_patterns"]),
        steady_statuses=tuple(str(v) for v in steady["statuses"]),
        steady_verdicts=tuple(str(v) for v in steady["verdicts"]),
        steady_states=tuple(str(v) for v in steady["states"]),
        minimum_super_passes=int(steady["minimum_super_passes"]),
        legacy_default_seed=int(raw["legacy_default_seed"]),
        drafter_lead_cohorts=int(raw["drafter_lead_cohorts"]),
        adoption_following_cohorts=int(raw["seed_set_adoption_following_cohorts"]),
        metric_tolerance=float(tolerances["metric_relative"]),
        tps_utilization_tolerance=float(tolerances["tps_utilization_absolute"]),
        offline_tps_ratio=float(tolerances["offline_tps_ratio"]),
    )
