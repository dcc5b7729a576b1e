"""Differential test of reading a point or config file by difference from the last one of its
shape (``loading._LineTemplate``): whatever lines change, the data is the reference's (PyYAML's
pure-Python safe loader), keys in the same order, and each read gets its own containers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from submission_checker import loading

from .test_yaml_reference import (
    LINE_KEYS,
    LINE_VALUES,
    ODD_LINE_KEYS,
    ODD_LINE_VALUES,
    SETTINGS,
    canonical,
    ours,
    reference,
)

# A point.yaml of the shape ``init`` writes, with what the line reader meets in config.yaml
# (a sequence of mappings, an open key, an empty flow mapping, quoted values, comments)
BASE = """\
concurrency: 96  # the point
region: med_concurrency
offline: none
seed_set: A
target_cohort: 2026-11-C0
runtime_settings:
  load_pattern: concurrency
  min_duration_ms: 1200000
  runtime:
    scheduler_rng_seed: 10487924139932647040
    model_seed: 9315206023656308754
  warmup:
    salt: false
warmup:
  duration_s: 120.0
  initialization_steps:
  - load weights
  - capture CUDA graphs
  link_logs: docs/warmup-logs.md

datasets:
- name: cnn_dailymail
  parser:
    prompt: input
- name: other
profiling: {}
streaming: 'on'
notes:
version: '1.0'
"""
BASE_LINES = BASE.splitlines()


def ordered(value: Any) -> Any:
    """``canonical`` with the order of keys kept (a read by difference must keep it too)."""
    if isinstance(value, dict):
        return ("map", [(repr(canonical(k)), ordered(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [ordered(item) for item in value])
    return canonical(value)


def assert_read_as_reference(text: str) -> None:
    expected_kind, expected = reference(text)
    got_kind, got = ours(text)
    assert got_kind == expected_kind, (text, expected, got)
    if expected_kind == "data":
        assert ordered(got) == ordered(expected), text


@st.composite
def changed_line(draw: Any) -> tuple[int, str]:
    """A line of BASE replaced: most often its value, sometimes its key, indent or shape."""
    index = draw(st.integers(0, len(BASE_LINES) - 1))
    line = BASE_LINES[index]
    pad = line[: len(line) - len(line.lstrip(" "))]
    key = line.strip().removeprefix("- ").partition(":")[0]
    how = draw(st.integers(0, 10))
    if how <= 4:
        value = draw(st.sampled_from(LINE_VALUES))
    elif how == 5:
        value = draw(st.sampled_from(ODD_LINE_VALUES))
    elif how == 6:
        key = draw(st.sampled_from(LINE_KEYS + ODD_LINE_KEYS + [key, key]))
        value = draw(st.sampled_from(LINE_VALUES))
    elif how == 7:
        pad = draw(st.sampled_from(["", " ", "  ", "    ", "      "]))
        value = draw(st.sampled_from(LINE_VALUES))
    elif how == 8:
        return index, f"{pad}- {draw(st.sampled_from(LINE_VALUES))}"
    elif how == 9:
        return index, f"{pad}{key}:"
    else:  # a blank or comment line in its place, or a tab, CR or control character
        return index, draw(st.sampled_from(["", pad, f"{pad}# note", f"{line}\r", f"\t{line}"]))
    head = "- " if line.lstrip(" ").startswith("- ") and draw(st.booleans()) else ""
    return index, f"{pad}{head}{key}: {value}".rstrip(" ")


@SETTINGS
@given(st.lists(changed_line(), min_size=1, max_size=4))
@example([(0, "concurrency: 8")])
@example([(0, "concurrency: 8"), (1, "region: low"), (9, "    scheduler_rng_seed: 7")])
@example([(23, "profiling: []")])
@example([(21, "- name: x")])
@example([(16, "  - 7")])
@example([(25, "notes: 1")])
@example([(24, "streaming:")])
@example([(3, "seed_set: " + "9" * 5000)])
@example([(7, "  min_duration_ms: 1"), (8, "  runtime: 2")])
@example([(1, "concurrency: 8")])
@example([(2, "# offline: none")])
@example([(0, "concurrency: 96  # another comment"), (4, "target_cohort: 2026-12-C0 #")])
def test_documents_read_by_difference_read_as_the_reference(changes: list) -> None:
    lines = list(BASE_LINES)
    for index, line in changes:
        lines[index] = line
    assert_read_as_reference(BASE)  # the template of this shape
    assert_read_as_reference("\n".join(lines) + "\n")


def test_values_changed_on_key_lines_are_read_by_difference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = loading.parse_yaml(BASE)
    varied = BASE.replace("concurrency: 96", "concurrency: 8").replace(
        "  duration_s: 120.0", "  duration_s: 150.5"
    )

    def full_read(*args: Any) -> Any:
        raise AssertionError("read in full, expected by difference")

    monkeypatch.setattr(loading, "_line_mapping", full_read)
    second = loading.parse_yaml(varied)
    assert second["concurrency"] == 8 and second["warmup"]["duration_s"] == 150.5
    assert first["concurrency"] == 96 and first["warmup"]["duration_s"] == 120.0
    assert list(second) == list(first)
    assert ordered(second) == ordered(reference(varied)[1])


def test_each_read_gets_its_own_containers() -> None:
    first = loading.parse_yaml(BASE)
    first["warmup"]["initialization_steps"].append("mutated")
    first["datasets"][0]["parser"]["prompt"] = "mutated"
    first["profiling"]["x"] = 1
    second = loading.parse_yaml(BASE.replace("region: med_concurrency", "region: low"))
    assert second["warmup"]["initialization_steps"] == ["load weights", "capture CUDA graphs"]
    assert second["datasets"][0]["parser"] == {"prompt": "input"}
    assert second["profiling"] == {}
    assert second["region"] == "low"


def test_long_documents_are_not_kept_as_templates() -> None:
    long_text = BASE + "".join(f"k{n}: {'v' * 100}\n" for n in range(700))
    lines = len(long_text.split("\n"))
    assert len(long_text) > loading._TEMPLATE_CHARACTERS_MAX
    assert_read_as_reference(long_text)
    assert lines not in loading._TEMPLATES
