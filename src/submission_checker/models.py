"""Schemas of the four submission files (checker.md §2), as strict pydantic v2 models.

``Model.model_validate(data)`` on already-parsed JSON/YAML data enforces §2 on its own: a boolean
is not an integer, a string is not a number, NaN/Infinity are rejected, unknown extra fields are
kept (submitters add disclosure fields), enumerations are matched case-insensitively after
trimming whitespace and stored in their canonical spelling, and an optional field set to null
counts as absent. ``validation_problems`` turns a failure into one human line per problem:
``node_types[0].accelerators_per_node: found "8" (str), expected an integer``.
"""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from typing import Annotated, Any, TypeVar, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .rounds import normalise_metric

__all__ = [
    "AccuracyResult",
    "NodeType",
    "PercentileBlock",
    "PointConfig",
    "PointSummary",
    "RuntimeSettings",
    "SystemDescription",
    "TokenCounts",
    "is_plainly_valid_summary",
    "validate",
    "validation_problems",
]

_STRICT = ConfigDict(strict=True, extra="allow", allow_inf_nan=False)
#: Summary schemas are built on first use: valid summaries never need them (see
#: ``is_plainly_valid_summary``), and building them costs start-up time.
_STRICT_DEFERRED = ConfigDict(_STRICT, defer_build=True)

NonNegativeInt = Annotated[int, Field(ge=0)]


class _Strict(BaseModel):
    model_config = _STRICT


def _canonical(value: Any, choices: tuple[str, ...], field: str) -> Any:
    """Map a case/whitespace variant onto its canonical spelling, or raise a clear error."""
    if not isinstance(value, str):
        return value  # the strict str type reports the wrong type
    wanted = value.strip().lower()
    for choice in choices:
        if choice.lower() == wanted:
            return choice
    raise PydanticCustomError(
        "enum_choice",
        "expected one of {choices} (case-insensitive)",
        {"choices": ", ".join(choices), "field": field},
    )


# ---------------------------------------------------------------------------------------------
# §2.1 systems/<id>.json


class NodeType(_Strict):
    """One kind of node in the system; every field is optional."""

    system_node_ensemble_id: int | None = None
    number_of_nodes: int | None = None
    host_processors_per_node: int | None = None
    host_processor_core_count: int | None = None
    host_processor_vcpu_count: int | None = None
    accelerators_per_node: int | None = None
    host_processor_model_name: str | None = None
    host_memory_capacity: str | None = None
    host_memory_configuration: str | None = None
    accelerator_model_name: str | None = None
    accelerator_memory_capacity: str | None = None
    accelerator_memory_type: str | None = None
    accelerator_interconnect: str | None = None
    accelerator_host_interconnect: str | None = None
    host_network_card_count: str | None = None
    host_networking: str | None = None
    host_storage_capacity: str | None = None
    host_storage_type: str | None = None
    other_hardware: str | None = None
    hw_notes: str | None = None
    cooling: str | None = None
    inference_backend: str | None = None
    driver: str | None = None
    operating_system: str | None = None
    filesystem: str | None = None
    container_link: str | None = None
    other_software_stack: str | None = None
    sw_notes: str | None = None


AVAILABILITY_STATUSES = ("Available", "Preview", "RDI")
DIVISIONS = ("Standardized", "Serviced", "RDI")


class SystemDescription(_Strict):
    """``systems/<system_id>.json``.

    ``max_supported_concurrency`` is optional here on purpose: its absence is reported by the
    rule ``max-concurrency-declared``; a present value of the wrong type fails this schema.
    """

    submitter_org_names: str
    system_name: str
    system_category: str
    system_availability_status: str
    division: str
    node_types: list[NodeType]
    max_supported_concurrency: int | None = None
    submitter_contact: str | None = None
    submission_id: str | None = None
    submission_date: str | None = None
    publish_date: str | None = None
    system_size: str | None = None
    serving_framework: str | None = None
    benchmark_model: str | None = None
    model_id: str | None = None
    model_name: str | None = None
    model_precision: str | None = None
    link_to_model: str | None = None
    link_to_model_transformation: str | None = None
    model_notes: str | None = None
    dataset_id: str | None = None
    dataset_name: str | None = None
    dataset_type: str | None = None
    dataset_link: str | None = None
    system_node_ensemble_count: int | None = None
    system_node_ensemble_total: int | None = None
    input_token_average: float | None = None
    output_token_average: float | None = None
    measured_accuracy_score: float | None = None

    @field_validator("system_availability_status", mode="before")
    @classmethod
    def _availability(cls, value: Any) -> Any:
        return _canonical(value, AVAILABILITY_STATUSES, "system_availability_status")

    @field_validator("division", mode="before")
    @classmethod
    def _division(cls, value: Any) -> Any:
        return _canonical(value, DIVISIONS, "division")


# ---------------------------------------------------------------------------------------------
# §2.2 points/point_<N>.yaml


class RuntimeSettings(_Strict):
    load_pattern: str
    stream_all_chunks: bool
    min_duration_ms: int | None = None
    min_sample_count: int | None = None


class PointConfig(_Strict):
    """``points/point_<N>.yaml``: one measurement point."""

    concurrency: int
    dataset: str
    runtime_settings: RuntimeSettings
    region: str | None = None
    benchmark_model: str | None = None

    @field_validator("dataset")
    @classmethod
    def _dataset_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank_string", "expected a non-empty dataset name")
        return value


# ---------------------------------------------------------------------------------------------
# §2.3 results/point_<N>/mlperf_endpoints_log_summary.json

_DECIMAL_KEY = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
FiniteNumber = float  # strict float: ints are accepted, bools and strings are not; no NaN/Inf


@functools.lru_cache(maxsize=1024)
def _percentile_level(key: str) -> str | None:
    """The percentile a key names, in canonical spelling (``"90"``, ``"90.0"`` → ``"90"``).

    ``None`` when the key is not a decimal number from 0 to 100. Cached: every summary repeats
    the same few keys.
    """
    match = _DECIMAL_KEY.fullmatch(key)
    if not match:
        return None
    whole = match.group(1).lstrip("0") or "0"
    fraction = (match.group(2) or "").rstrip("0")
    if len(whole) > 3 or int(whole) > 100 or (int(whole) == 100 and fraction):
        return None
    return f"{whole}.{fraction}" if fraction else whole


class PercentileBlock(_Strict):
    """A latency-like block: ``total`` and ``percentiles`` (decimal-string keys 0…100)."""

    model_config = _STRICT_DEFERRED

    total: FiniteNumber
    percentiles: dict[str, FiniteNumber]

    @field_validator("percentiles", mode="before")
    @classmethod
    def _decimal_keys(cls, value: Any) -> Any:
        """Keys are percentiles; two spellings of one must agree, compared as written (§4.4).

        Runs before the numbers become floats, so that ``9007199254740993`` and
        ``9007199254740992`` conflict although their floats are equal.
        """
        if not isinstance(value, dict):
            return value  # the dict type reports it
        seen: dict[str, tuple[str, Any]] = {}
        for key, number in value.items():
            level = _percentile_level(key) if isinstance(key, str) else None
            if level is None:
                raise PydanticCustomError(
                    "percentile_key",
                    'percentile key "{key}" is not a decimal number from 0 to 100',
                    {"key": key, "fix": 'Name percentiles by decimal numbers such as "90.0".'},
                )
            if level in seen and _differ(seen[level][1], number):
                other, other_number = seen[level]
                raise PydanticCustomError(
                    "percentile_conflict",
                    'percentile keys "{other}" and "{key}" name the same percentile '
                    "but differ ({other_number} vs {number})",
                    {
                        "key": key,
                        "other": other,
                        "number": number,
                        "other_number": other_number,
                        "fix": "Keep one of the two keys.",
                    },
                )
            seen[level] = (key, number)
        return value


def _differ(first: Any, second: Any) -> bool:
    """Two percentile values differ: compared exactly as numbers (an int as an int)."""
    try:
        return bool(first != second)
    except Exception:  # noqa: BLE001 - not numbers: the float type reports them
        return False


class TokenCounts(_Strict):
    """``output_sequence_lengths``: ``total`` is the run's output token count."""

    model_config = _STRICT_DEFERRED

    total: FiniteNumber


class PointSummary(_Strict):
    """The benchmark's summary of one point (inference-endpoint's ``result_summary.json``)."""

    model_config = _STRICT_DEFERRED

    n_samples_issued: NonNegativeInt
    n_samples_completed: NonNegativeInt
    n_samples_failed: NonNegativeInt
    duration_ns: FiniteNumber
    output_sequence_lengths: TokenCounts
    ttft: PercentileBlock | None = None
    tpot: PercentileBlock | None = None
    latency: PercentileBlock | None = None
    system_tps: FiniteNumber | None = None
    tps: FiniteNumber | None = None
    tps_per_user: FiniteNumber | None = None
    qps: FiniteNumber | None = None

    @field_validator("output_sequence_lengths", mode="before")
    @classmethod
    def _token_counts_present(cls, value: Any) -> Any:
        if value == {}:
            raise PydanticCustomError(
                "no_token_counts",
                "no output token counts — was the benchmark run without a tokenizer?",
                {"fix": "Re-run the point with a tokenizer so that output tokens are counted."},
            )
        return value

    @property
    def total_output_tokens(self) -> float:
        return self.output_sequence_lengths.total

    @property
    def elapsed_s(self) -> float:
        return self.duration_ns / 1e9

    @property
    def derived_system_tps(self) -> float:
        return self.total_output_tokens / self.elapsed_s if self.elapsed_s > 0 else 0.0


_NUMBER_LIMIT = 2**63  # pydantic takes larger ints too; beyond this the quick check leaves it


def _plain_number(value: Any) -> bool:
    """A value the strict finite-number type surely accepts (a bool is not a number)."""
    kind = type(value)
    if kind is float:
        return value - value == 0.0  # false for inf and nan
    return kind is int and -_NUMBER_LIMIT <= value < _NUMBER_LIMIT


def _plain_block(value: Any, *, percentiles: bool) -> bool:
    if type(value) is not dict or not _plain_number(value.get("total")):
        return False
    if not percentiles:
        return True
    table = value.get("percentiles")
    if type(table) is not dict:
        return False
    keys = tuple(table)
    distinct = _DISTINCT_LEVELS.get(keys)
    if distinct is None:
        distinct = _distinct_levels(keys)
        if len(_DISTINCT_LEVELS) < _DISTINCT_LEVELS_MAX and len(keys) <= 64:
            _DISTINCT_LEVELS[keys] = distinct
    if distinct:  # each key a level of its own: only the numbers are left to look at
        for number in table.values():
            kind = type(number)
            if kind is float:
                if number - number != 0.0:  # inf, nan
                    return False
            elif kind is not int or not -_NUMBER_LIMIT <= number < _NUMBER_LIMIT:
                return False
        return True
    seen: dict[str, float | int] = {}
    for key, number in table.items():
        level = _percentile_level(key) if type(key) is str else None
        if level is None or not _plain_number(number):
            return False
        if seen.setdefault(level, number) != number:  # exact: ints are not rounded to floats
            return False
    return True


#: percentile keys of a table (in order) → whether each names a different level; every summary
#: of a submission has the same keys
_DISTINCT_LEVELS: dict[tuple[Any, ...], bool] = {}
_DISTINCT_LEVELS_MAX = 256


def _distinct_levels(keys: tuple[Any, ...]) -> bool:
    """True when every key is a percentile level (``_percentile_level``) and no two the same."""
    levels = [_percentile_level(key) if type(key) is str else None for key in keys]
    return None not in levels and len(set(levels)) == len(levels)


def is_plainly_valid_summary(data: Any) -> bool:
    """True only when ``PointSummary`` surely accepts ``data``; False may also mean "not sure".

    Validating a summary with pydantic costs ~40 µs (its percentile checks run in Python), a
    large submission has a thousand summaries, and the checker keeps only their essentials, not
    the model. So ``layout`` asks this first and runs the schema only when it says False — for
    every summary with a problem, whose messages come from the schema as before. Deliberately
    narrow: exact ``dict``/``int``/``float`` types, ints below 2**63.
    """
    if type(data) is not dict:
        return False
    for name in ("n_samples_issued", "n_samples_completed", "n_samples_failed"):
        value = data.get(name)
        if type(value) is not int or not 0 <= value < _NUMBER_LIMIT:
            return False
    if not _plain_number(data.get("duration_ns")):
        return False
    if not _plain_block(data.get("output_sequence_lengths"), percentiles=False):
        return False
    for name in ("ttft", "tpot", "latency"):
        value = data.get(name)
        if value is not None and not _plain_block(value, percentiles=True):
            return False
    for name in ("system_tps", "tps", "tps_per_user", "qps"):
        value = data.get(name)
        if value is not None and not _plain_number(value):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# §2.4 accuracy/accuracy_result.json


class AccuracyResult(_Strict):
    """The accuracy run's verdict; with an object ``score``, ``metric`` names the primary one."""

    metric: str
    score: Union[FiniteNumber, dict[str, FiniteNumber]]  # noqa: UP007 - pydantic union order
    quality_target: FiniteNumber
    passed: bool
    dataset: str | None = None
    num_samples: int | None = None

    @field_validator("score", mode="wrap")
    @classmethod
    def _score_shape(cls, value: Any, handler: Any, info: ValidationInfo) -> Any:
        try:
            score = handler(value)
        except ValidationError:
            raise PydanticCustomError(
                "score_shape",
                "expected a finite number or an object mapping metric names to finite numbers",
            ) from None
        metric = info.data.get("metric")
        if isinstance(score, dict):
            by_name: dict[str, str] = {}
            for name in score:
                other = by_name.setdefault(normalise_metric(name), name)
                if other != name:  # "ROUGE-L" and "rougel": one metric, two values (§4.4)
                    raise PydanticCustomError(
                        "metric_twice",
                        'score names one metric twice: "{other}" and "{name}"',
                        {
                            "other": other,
                            "name": name,
                            "fix": f'Keep one of "{other}" and "{name}" in the score object.',
                        },
                    )
        if isinstance(score, dict) and isinstance(metric, str):
            wanted = normalise_metric(metric)
            if not any(normalise_metric(name) == wanted for name in score):
                raise PydanticCustomError(
                    "primary_metric_missing",
                    'expected an entry for the primary metric "{metric}" (named by "metric")',
                    {
                        "metric": metric,
                        "fix": f'Add "{metric}" to the score object, or set metric to one '
                        "of its entries.",
                    },
                )
        return score

    @property
    def primary_score(self) -> float:
        """The score of the metric named by ``metric``."""
        if isinstance(self.score, dict):
            wanted = normalise_metric(self.metric)
            return next(v for k, v in self.score.items() if normalise_metric(k) == wanted)
        return self.score

    def metric_scores(self) -> dict[str, float]:
        """Every reported metric by normalised name (a scalar score is the ``metric``'s)."""
        if isinstance(self.score, dict):
            return {normalise_metric(k): v for k, v in self.score.items()}
        return {normalise_metric(self.metric): self.score}


# ---------------------------------------------------------------------------------------------
# Human-readable problems

M = TypeVar("M", bound=BaseModel)

_EXPECTED_BY_TYPE = {
    "int_type": "an integer",
    "float_type": "a number",
    "finite_number": "a finite number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object (mapping)",
    "model_type": "an object (mapping)",
    "model_attributes_type": "an object (mapping)",
    "missing": None,  # described from the field's annotation
}


class Problem(str):
    """One schema problem as a human line, ``field: found …, expected …``.

    A ``str`` (so lists of problems print and compare as text) that also keeps ``field`` and a
    one-line ``fix``.
    """

    field: str
    fix: str

    def __new__(cls, field: str, text: str, fix: str) -> Problem:
        problem = super().__new__(cls, f"{field}: {text}")
        problem.field = field
        problem.fix = fix
        return problem


def validate(model_cls: type[M], data: Any) -> tuple[M | None, list[Problem]]:
    """Validate ``data``; return the model (or ``None``) and the problems (empty when valid)."""
    try:
        return model_cls.model_validate(data), []
    except ValidationError as exc:
        return None, [_describe(model_cls, error) for error in exc.errors(include_url=False)]
    except RecursionError:
        return None, [
            Problem("(whole file)", "nested too deeply or refers to itself", "Simplify the file.")
        ]


def validation_problems(model_cls: type[BaseModel], data: Any) -> list[str]:
    """One line per schema problem: field path, value found, what was expected."""
    return list(validate(model_cls, data)[1])


def _describe(model_cls: type[BaseModel], error: Any) -> Problem:
    loc = _field_path(error["loc"])
    kind = error["type"]
    if kind == "missing":
        expected = _annotation_text(model_cls, error["loc"])
        return Problem(loc, f"missing, expected {expected}", f"Add {loc} ({expected}).")
    found = f"found {_show(error['input'])}"
    context = error.get("ctx") or {}
    if kind in _EXPECTED_BY_TYPE:
        expected = _EXPECTED_BY_TYPE[kind]
    elif kind == "greater_than_equal":
        expected = f"a value ≥ {context['ge']}"
    else:
        message = error["msg"]
        if message.startswith("Input should be "):
            message = "expected " + message[len("Input should be ") :]
        fix = context.get("fix") or (
            f"Set {loc} to {message[len('expected ') :]}."
            if message.startswith("expected ")
            else f"Correct {loc}."
        )
        return Problem(loc, f"{found}, {message}", fix)
    return Problem(loc, f"{found}, expected {expected}", f"Set {loc} to {expected}.")


def _field_path(loc: tuple[Any, ...]) -> str:
    # pydantic appends the union member / validator name for unions; drop those technical parts
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part.isidentifier():
            parts.append(f".{part}" if parts else part)
        else:
            parts.append(f"[{json.dumps(part)}]")
    return "".join(parts) or "(whole file)"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    type_name = {dict: "object", list: "list"}.get(type(value), type(value).__name__)
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type_name})"


def _annotation_text(model_cls: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """Describe what a missing field at ``loc`` should hold, from the model's annotations."""
    annotation: Any = model_cls
    for part in loc:
        annotation = _strip_optional(annotation)
        if isinstance(part, int) or not (
            isinstance(annotation, type) and issubclass(annotation, BaseModel)
        ):
            args = typing.get_args(annotation)
            annotation = args[-1] if args else Any
            continue
        field = annotation.model_fields.get(part)
        annotation = field.annotation if field else Any
    return _type_text(_strip_optional(annotation))


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _type_text(annotation: Any) -> str:
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    simple = {int: "an integer", float: "a finite number", str: "a string", bool: "true or false"}
    if annotation in simple:
        return simple[annotation]
    origin = typing.get_origin(annotation)
    if origin is list:
        inner = _type_text(typing.get_args(annotation)[0])
        noun = inner.split(" ", 1)[-1]
        return f"a list of {noun}s" if inner.startswith(("a ", "an ")) else "a list"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_text(a) for a in typing.get_args(annotation))
    if origin is dict or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return "an object"
    return "a value"
