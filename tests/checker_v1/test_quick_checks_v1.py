"""The quick checks of point.yaml and system_desc.json may only say True when the schema accepts.

``layout_v1`` skips pydantic for files that ``is_plainly_valid_point_config`` /
``is_plainly_valid_description`` accept; a wrong True would hide a schema error. So each is
tested against its schema on the shipped example's files mutated at every place with edge
values (wrong types, bools for ints, huge ints, NaN, blank and over-long names, bad dates,
legacy names, non-string keys, extra fields), and on the files a real tree has.
"""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker.loading import load_yaml
from submission_checker.models import validate
from submission_checker.models_v1 import (
    PointConfigV1,
    SystemDescriptionV1,
    is_plainly_valid_description,
    is_plainly_valid_point_config,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "submission-v1.0"

EDGE_VALUES = (
    None,
    True,
    False,
    0,
    1,
    -1,
    2**63,
    2**64 - 1,
    2**64,
    -(2**64),
    10**400,
    0.0,
    -0.0,
    1.5,
    86400,
    86400.5,
    float("nan"),
    float("inf"),
    "",
    " ",
    "x",
    "12",
    "Available",
    "available ",
    "Preview",
    "RDI",
    "Serviced",
    "closed",
    "2026-01-31",
    "2026-13-01",
    "20260131",
    "a" * 21,
    "a" * 20,
    [],
    ["x"],
    [1],
    [{}],
    {},
    {"k": 1},
    {1: "x"},
    datetime.date(2026, 1, 31),
)
EXTRA_KEYS = (
    "extra",
    "_private",
    "scheduler_random_seed",
    "dataloader_random_seed",
    "publication_status",
    "availability_status",
    "accelerator_model_name",
    "accelerators_per_node",
    "accelerator_info",
    "host_processor_vcpu_count",
    "cooling",
    "salt",
    "warmup",
    "c_min_override",
    "target_availability_date",
    1,
)


def _example_files(name: str) -> list[Path]:
    paths = sorted(EXAMPLE.rglob(name))
    assert paths, f"the example has no {name}"
    return paths


def _point_configs() -> list[dict[str, Any]]:
    return [load_yaml(path) for path in _example_files("point.yaml")]


def _descriptions() -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in _example_files("system_desc.json")]


def _places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place (key path) in ``data``, containers included."""
    places = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            places.extend(_places(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            places.extend(_places(value, (*path, index)))
    return places


def _mutated(base: dict[str, Any], draw: Any) -> dict[str, Any]:
    """``base`` with one to four mutations: a value replaced, removed, or an extra key added."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = _places(data)
        place = draw(st.sampled_from(places))
        action = draw(st.sampled_from(("replace", "remove", "add")))
        if not place:  # the document itself: only extra keys
            action = "add"
        parent = data
        for step in place[:-1] if action != "add" else place:
            parent = parent[step]
        value = copy.deepcopy(draw(st.sampled_from(EDGE_VALUES)))  # never the shared one
        if action == "add":
            if isinstance(parent, dict):
                parent[draw(st.sampled_from(EXTRA_KEYS))] = value
        elif action == "remove":
            del parent[place[-1]]
        else:
            parent[place[-1]] = value
    return data


@st.composite
def mutated_point_configs(draw: Any) -> dict[str, Any]:
    return _mutated(draw(st.sampled_from(_point_configs())), draw)


@st.composite
def mutated_descriptions(draw: Any) -> dict[str, Any]:
    return _mutated(draw(st.sampled_from(_descriptions())), draw)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_point_configs())
def test_point_quick_true_only_when_the_schema_accepts(data: dict[str, Any]) -> None:
    if is_plainly_valid_point_config(data):
        assert validate(PointConfigV1, data)[1] == []


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_descriptions())
def test_description_quick_true_only_when_the_schema_accepts(data: dict[str, Any]) -> None:
    if is_plainly_valid_description(data):
        assert validate(SystemDescriptionV1, data)[1] == []


def test_quick_checks_accept_the_example_files() -> None:
    """Otherwise they would save nothing: the files a valid tree has are plainly valid."""
    for data in _point_configs():
        assert validate(PointConfigV1, data)[1] == []
        assert is_plainly_valid_point_config(data)
    for data in _descriptions():
        assert validate(SystemDescriptionV1, data)[1] == []
        assert is_plainly_valid_description(data)


@pytest.mark.parametrize(
    ("place", "value"),
    [
        (("concurrency",), True),
        (("concurrency",), "8"),
        (("dataset",), None),
        (("runtime_settings",), None),
        (("runtime_settings", "runtime"), None),
        (("runtime_settings", "runtime", "model_seed"), "1"),
        (("runtime_settings", "stream_all_chunks"), 1),
        (("runtime_settings", "warmup", "salt"), "no"),
        (("warmup", "duration_s"), 86400.5),
        (("warmup", "duration_s"), float("nan")),
        (("warmup", "requests_completed"), 10**6),
        (("warmup", "concurrency"), 0),
        (("warmup", "data_source"), ""),
        (("warmup", "initialization_steps"), [1]),
        (("steady_state",), {1: "x"}),
        (("nodes_used",), [1]),
    ],
)
def test_point_quick_check_declines_what_the_schema_rejects(place: tuple, value: Any) -> None:
    data = _point_configs()[0]
    parent = data
    for step in place[:-1]:
        parent = parent[step]
    parent[place[-1]] = value
    assert validate(PointConfigV1, data)[1], place
    assert not is_plainly_valid_point_config(data), place


@pytest.mark.parametrize(
    ("place", "value"),
    [
        (("system_name",), None),
        (("max_supported_concurrency",), True),
        (("shortened_system_name",), "a" * 21),
        (("shortened_system_name",), "  "),
        (("system_availability_status",), "Sold"),
        (("division",), "closed"),
        (("availability_url",), ""),
        (("target_availability_date",), "2026-02-30"),
        (("tps_utilization",), float("inf")),
        (("node_types",), {}),
        (("node_types", 0, "driver"), 570),
        (("node_types", 0, "host_processor_core_count"), None),
        (("node_types", 0, "accelerator_info"), [{"accelerators_per_node": "8"}]),
    ],
)
def test_description_quick_check_declines_what_the_schema_rejects(
    place: tuple, value: Any
) -> None:
    data = _descriptions()[0]
    parent = data
    for step in place[:-1]:
        parent = parent[step]
    parent[place[-1]] = value
    if place == ("node_types", 0, "host_processor_core_count"):
        parent.pop("host_processor_vcpu_count", None)
    assert validate(SystemDescriptionV1, data)[1], place
    assert not is_plainly_valid_description(data), place
