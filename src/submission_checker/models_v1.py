"""Schemas of the round v1.0 files (checker-v1.0.md Part B §4.1–§4.4), strict pydantic v2.

The same conventions as the v0.7 schemas (``models``): a boolean is not an integer, a string is
not a number, NaN/Infinity are rejected, unknown extra fields are kept, and an optional field set
to null counts as absent. Vocabulary fields that a dedicated rule reports (``region``,
``offline``, ``steady_state`` values, ``c_min_override``) are kept loose here so that one
mistake is one finding, reported by that rule with the values allowed.

``accuracy_results.json`` accepts several shapes; ``read_accuracy`` normalises them into
``AccuracyEntry`` items and plain problem lines instead of a pydantic model.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .models import (
    _STRICT_DEFERRED,
    FiniteNumber,
    PercentileBlock,
    PointSummary,
    Problem,
    TokenCounts,
    _canonical,
    _Strict,
)
from .rounds import normalise_metric

__all__ = [
    "AccuracyEntry",
    "NodeTypeV1",
    "PointConfigV1",
    "PointSummaryV1",
    "RuntimeSeeds",
    "SystemDescriptionV1",
    "WarmupSpec",
    "read_accuracy",
]

NonNegativeInt = Annotated[int, Field(ge=0)]

# ---------------------------------------------------------------------------------------------
# §4.1 point.yaml

_LEGACY_SEEDS = {
    "scheduler_random_seed": "scheduler_rng_seed",
    "dataloader_random_seed": "sample_index_rng_seed",
}


def _fold_aliases(data: Any, aliases: dict[str, str]) -> Any:
    """Move legacy keys onto their new names; a conflicting pair is a schema error."""
    if not isinstance(data, dict):
        return data
    folded = dict(data)
    for old, new in aliases.items():
        if old in folded:
            value = folded.pop(old)
            if new in folded and folded[new] is not None and folded[new] != value:
                raise PydanticCustomError(
                    "alias_conflict",
                    "{old} ({old_value}) and {new} ({new_value}) disagree",
                    {
                        "old": old,
                        "new": new,
                        "old_value": value,
                        "new_value": folded[new],
                        "fix": f"Keep only {new}.",
                    },
                )
            folded.setdefault(new, value)
            if folded[new] is None:
                folded[new] = value
    return folded


class RuntimeSeeds(_Strict):
    """``runtime_settings.runtime``: the three seeds (v0.7 names folded in)."""

    scheduler_rng_seed: int | None = None
    sample_index_rng_seed: int | None = None
    model_seed: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_names(cls, data: Any) -> Any:
        return _fold_aliases(data, _LEGACY_SEEDS)


class WarmupSalt(_Strict):
    salt: bool | None = None


class RuntimeSettingsV1(_Strict):
    load_pattern: str = "concurrency"
    min_duration_ms: int = 600000
    min_sample_count: int | None = None
    stream_all_chunks: bool = True
    runtime: RuntimeSeeds
    warmup: WarmupSalt | None = None


class WarmupSpec(_Strict):
    """``warmup``: what ran before the measured window (§4.1)."""

    duration_s: Annotated[FiniteNumber, Field(ge=0, le=86400)]
    requests_issued: NonNegativeInt
    requests_completed: NonNegativeInt
    data_source: Annotated[str, Field(min_length=1)]
    concurrency: NonNegativeInt
    initialization_steps: list[str] | None = None
    logs_retained: bool | None = None
    link_logs: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> WarmupSpec:
        if self.requests_completed > self.requests_issued:
            raise PydanticCustomError(
                "warmup_counts",
                "requests_completed ({completed}) exceeds requests_issued ({issued})",
                {
                    "completed": self.requests_completed,
                    "issued": self.requests_issued,
                    "fix": "Copy both counts from the warm-up log.",
                },
            )
        active = self.duration_s or self.requests_issued or self.requests_completed
        if self.concurrency == 0 and active:
            raise PydanticCustomError(
                "warmup_concurrency",
                "concurrency 0 with a warm-up that ran (duration {duration} s, {issued} issued)",
                {
                    "duration": self.duration_s,
                    "issued": self.requests_issued,
                    "fix": "Set warmup.concurrency to the warm-up's concurrency.",
                },
            )
        return self


class PointConfigV1(_Strict):
    """``results/<system>/<model>/r<N>/point.yaml`` (§4.1; disclosure fields §8.3)."""

    concurrency: int
    region: str | None = None
    dataset: str = ""
    runtime_settings: RuntimeSettingsV1
    warmup: WarmupSpec | None = None
    division: str | None = None
    max_supported_concurrency: int | None = None
    model_name: str | None = None
    model_precision: str | None = None
    link_to_model: str | None = None
    dataset_name: str | None = None
    dataset_type: str | None = None
    dataset_link: str | None = None
    link_to_model_transformation: str | None = None
    model_notes: str | None = None
    shared_src: str | None = None
    shared_docs: str | None = None
    seed_set: str | None = None
    target_cohort: str | None = None
    offline: str | None = None
    steady_state: dict[str, Any] | None = None
    speculative_decoding: dict[str, Any] | None = None
    nodes_used: list[dict[str, Any]] | None = None
    dp_shortfall: dict[str, Any] | None = None


# ---------------------------------------------------------------------------------------------
# §4.2 system_desc.json

AVAILABILITY_STATUSES = ("Available", "Preview", "RDI")
DIVISIONS_V1 = ("standardized", "serviced", "rdi")
_LEGACY_AVAILABILITY = {
    "publication_status": "system_availability_status",
    "availability_status": "system_availability_status",
}


class AcceleratorInfo(_Strict):
    accelerator_model_name: str | None = None
    accelerators_per_node: int | None = None
    accelerator_memory_capacity: str | None = None
    accelerator_memory_type: str | None = None
    accelerator_interconnect: str | None = None
    accelerator_host_interconnect: str | None = None


_FLAT_ACCELERATOR = tuple(AcceleratorInfo.model_fields)


class NodeTypeV1(_Strict):
    """One node type of §8.2.1; flat v0.7 ``accelerator_*`` fields are lifted into a list."""

    host_memory_configuration: str
    host_network_card_count: str
    driver: str
    filesystem: str
    host_processor_core_count: int | None = None
    host_processor_vcpu_count: int | None = None
    system_node_ensemble_id: int | None = None
    accelerator_info: list[AcceleratorInfo] | None = None
    cooling: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        ensemble = data.get("system_node_ensemble_id")
        if isinstance(ensemble, str) and ensemble.isdigit():
            data["system_node_ensemble_id"] = int(ensemble)
        flat = {key: data.pop(key) for key in _FLAT_ACCELERATOR if key in data}
        if flat and "accelerator_info" not in data:
            data["accelerator_info"] = [flat]
        return data

    @model_validator(mode="after")
    def _processor_count(self) -> NodeTypeV1:
        if self.host_processor_core_count is None and self.host_processor_vcpu_count is None:
            raise PydanticCustomError(
                "processor_count",
                "missing, expected host_processor_core_count or host_processor_vcpu_count",
                {"fix": "Add host_processor_core_count (or host_processor_vcpu_count)."},
            )
        return self


class SystemDescriptionV1(_Strict):
    """``r<N>/system_desc.json`` (§4.2): one copy per point."""

    model_config = _STRICT_DEFERRED

    system_name: str
    system_availability_status: str
    max_supported_concurrency: int
    system_size: str
    system_node_ensemble_count: int
    system_node_ensemble_total: int
    shortened_system_name: Annotated[str, Field(max_length=20)]
    node_types: list[NodeTypeV1]
    division: str
    availability_url: str | None = None
    target_availability_date: str | None = None
    tps_utilization: FiniteNumber | None = None
    c_min_override: Any = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("target_availability_date") == "":
            data = {**data, "target_availability_date": None}
        return _fold_aliases(data, _LEGACY_AVAILABILITY)

    @field_validator("system_availability_status")
    @classmethod
    def _status(cls, value: str) -> str:
        return _canonical(value, AVAILABILITY_STATUSES, "system_availability_status")

    @field_validator("division")
    @classmethod
    def _division(cls, value: str) -> str:
        return _canonical(value, DIVISIONS_V1, "division")

    @field_validator("shortened_system_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank_string", "expected a non-blank name (≤ 20 chars)")
        return value

    @field_validator("target_availability_date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                _dt.date.fromisoformat(value)
                valid = len(value) == 10
            except ValueError:
                valid = False
            if not valid:
                raise PydanticCustomError("date", "expected a real date YYYY-MM-DD")
        return value

    @model_validator(mode="after")
    def _conditional(self) -> SystemDescriptionV1:
        if self.system_availability_status == "Available" and not self.availability_url:
            raise PydanticCustomError(
                "availability_url",
                "availability_url missing, required when system_availability_status is Available",
                {"fix": "Add availability_url: where the system can be obtained."},
            )
        if self.system_availability_status == "Preview" and not self.target_availability_date:
            raise PydanticCustomError(
                "target_date",
                "target_availability_date missing, required when the status is Preview",
                {"fix": "Add target_availability_date: YYYY-MM-DD."},
            )
        return self


# ---------------------------------------------------------------------------------------------
# §4.3 result_summary.json


def _empty_block() -> PercentileBlock:
    return PercentileBlock.model_construct(total=0.0, percentiles={})


class PointSummaryV1(PointSummary):
    """inference-endpoint's ``result_summary.json``: the v0.7 summary with v1.0's defaults.

    Only ``n_samples_completed`` and ``duration_ns`` are required. ``output_sequence_lengths:
    {}`` (a run without a tokenizer) is still one clear error, never a silent throughput of 0.
    """

    model_config = _STRICT_DEFERRED

    n_samples_issued: NonNegativeInt = 0
    n_samples_failed: NonNegativeInt = 0
    output_sequence_lengths: TokenCounts = Field(
        default_factory=lambda: TokenCounts.model_construct(total=0.0)
    )
    ttft: PercentileBlock | None = Field(default_factory=_empty_block)
    tpot: PercentileBlock | None = Field(default_factory=_empty_block)
    latency: PercentileBlock | None = Field(default_factory=_empty_block)

    @field_validator("ttft", "tpot", "latency", mode="before")
    @classmethod
    def _empty_means_default(cls, value: Any) -> Any:
        """``{}`` (what a run without a tokenizer writes for TPOT) is the empty default block,
        so that such a run is the one no-tokenizer error, not three."""
        return _empty_block() if value == {} else value


# ---------------------------------------------------------------------------------------------
# §4.4 accuracy_results.json

_BOOKKEEPING = frozenset(
    {
        "dataset_name",
        "dataset",
        "dataset_type",
        "num_samples",
        "n_repeats",
        "unit_samples",
        "num_repeats",
        "responses",
        "score",
    }
)
_COUNT_ALIASES = {"unit_samples": "num_samples", "num_repeats": "n_repeats"}


@dataclass
class AccuracyEntry:
    """One dataset's accuracy result: metric → value (normalised names), counts, its kind."""

    dataset_name: str
    metrics: dict[str, float]
    num_samples: int | None = None
    n_repeats: int = 1
    dataset_type: str | None = None
    #: True when the score was an unnamed scalar (kept as metric "score")
    unnamed: bool = False

    @property
    def is_inline(self) -> bool:
        """The inline score of a performance run (``dataset_type: performance``)."""
        if self.dataset_type is not None:
            return self.dataset_type.strip().lower() == "performance"
        return self.dataset_name.strip().lower() == "performance"

    @property
    def samples(self) -> int:
        return (self.num_samples or 0) * self.n_repeats


def _finite(value: Any) -> bool:
    import math

    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_accuracy(data: Any) -> tuple[list[AccuracyEntry], list[Problem]]:
    """Normalise the accepted shapes of §4.4 into entries; problems as human lines."""
    problems: list[Problem] = []
    items: list[tuple[str | None, Any]] = []
    if isinstance(data, list):
        items = [(None, entry) for entry in data]
    elif isinstance(data, dict) and "accuracy_scores" in data:
        scores = data["accuracy_scores"]
        if isinstance(scores, list):
            items = [(None, entry) for entry in scores]
        elif isinstance(scores, dict):
            items = list(scores.items())
        else:
            problems.append(
                Problem(
                    "accuracy_scores",
                    "expected a list of entries or an object keyed by dataset",
                    "Write accuracy_scores as a list of {dataset_name, score, …} entries.",
                )
            )
    elif isinstance(data, dict):
        items = [(key, value) for key, value in data.items() if key != "average_accuracy"]
    else:
        problems.append(
            Problem(
                "(whole file)",
                "expected an object or a list of accuracy entries",
                "Write the file that the accuracy run produced.",
            )
        )
    entries: list[AccuracyEntry] = []
    seen: set[str] = set()
    inline = 0
    for index, (key, raw) in enumerate(items):
        where = f"[{key!r}]" if key is not None else f"[{index}]"
        entry = _entry(where, key, raw, problems)
        if entry is None:
            continue
        if entry.dataset_name in seen:
            problems.append(
                Problem(
                    f"{where}.dataset_name",
                    f'"{entry.dataset_name}" appears twice',
                    "Keep one entry per dataset.",
                )
            )
            continue
        seen.add(entry.dataset_name)
        inline += entry.is_inline
        entries.append(entry)
    if inline > 1:
        problems.append(
            Problem(
                "dataset_type",
                f"found {inline} entries with dataset_type performance, expected at most one",
                "Keep one inline (performance-run) accuracy entry.",
            )
        )
    return entries, problems


def _entry(where: str, key: str | None, raw: Any, problems: list[Problem]) -> AccuracyEntry | None:
    if not isinstance(raw, dict):
        problems.append(
            Problem(where, "expected an object", "Write each entry as {dataset_name, score, …}.")
        )
        return None
    raw = dict(raw)
    for old, new in _COUNT_ALIASES.items():
        if old in raw:
            value = raw.pop(old)
            if new in raw and raw[new] != value:
                problems.append(
                    Problem(
                        f"{where}.{old}",
                        f"{old} ({value}) and {new} ({raw[new]}) disagree",
                        f"Keep only {new}.",
                    )
                )
                return None
            raw[new] = value
    name = raw.get("dataset_name", key)
    if not isinstance(name, str) or not name.strip():
        problems.append(
            Problem(
                f"{where}.dataset_name",
                "missing or empty, expected the dataset's name",
                "Add dataset_name.",
            )
        )
        return None
    if key is None and "score" not in raw:
        problems.append(Problem(f"{where}.score", "missing, expected the scores", "Add score."))
        return None
    num_samples = raw.get("num_samples")
    n_repeats = raw.get("n_repeats", 1)
    for field_name, value in (("num_samples", num_samples), ("n_repeats", n_repeats)):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            problems.append(
                Problem(
                    f"{where}.{field_name}",
                    f"found {value!r}, expected a non-negative integer",
                    f"Set {field_name} to the count the accuracy run used.",
                )
            )
            return None
    dataset_type = raw.get("dataset_type")
    entry = AccuracyEntry(
        dataset_name=name,
        metrics={},
        num_samples=num_samples,
        n_repeats=1 if n_repeats is None else n_repeats,
        dataset_type=dataset_type if isinstance(dataset_type, str) else None,
    )
    score = raw.get("score") if "score" in raw else raw
    if isinstance(score, dict):
        candidates = (
            score if "score" in raw else {k: v for k, v in score.items() if k not in _BOOKKEEPING}
        )
        for metric, value in candidates.items():
            if _finite(value):
                entry.metrics[normalise_metric(str(metric))] = float(value)
            elif "score" in raw:
                problems.append(
                    Problem(
                        f"{where}.score.{metric}",
                        f"found {value!r}, expected a finite number",
                        "Write each metric as a number.",
                    )
                )
                return None
    elif _finite(score):
        entry.metrics["score"] = float(score)
        entry.unnamed = True
    else:
        problems.append(
            Problem(
                f"{where}.score",
                f"found {score!r}, expected a number or an object of metric → number",
                "Write the scores the accuracy run reported.",
            )
        )
        return None
    return entry
