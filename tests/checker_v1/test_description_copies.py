"""``DescriptionCopies`` reads every system_desc.json as ``read_document`` does.

A copy that differs from an earlier one only in its ``tps_utilization`` number is not parsed or
validated again; every other copy is read in full. Over sequences of copies of the example's
description (numbers of every JSON shape, escapes, duplicate and nested keys, layouts, schema
errors), each document must have the state, data (types included), problems and error that
reading it alone gives.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker.layout import Tree, read_document
from submission_checker.layout_v1 import DescriptionCopies
from submission_checker.loading import load_json
from submission_checker.models_v1 import SystemDescriptionV1

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "submission-v1.0"
BASE: dict[str, Any] = json.loads(next(EXAMPLE.rglob("system_desc.json")).read_text())

#: how a copy writes its tps_utilization (the JSON text of the value)
NUMBERS = [
    "0.5", "0.6822916666665708", "1", "0", "-0", "-1", "1e-3", "1E2", "2.5e+1", "1e400",
    "-1e400", "9007199254740993", "123456789012345678901234567890", "1" + "0" * 45, "0.0",
    "-0.0", '"0.5"', "null", "true", "[0.5]", "{}", "01", "1.", ".5", "NaN", "Infinity",
]  # fmt: skip
#: other edits of a copy: none, a schema error, a second or nested key, an escape
EDITS = [
    "none", "none", "none", "bad-division", "long-name", "escaped-key", "backslash-elsewhere",
    "duplicate-key", "nested-key", "no-key", "key-in-string", "spaces",
]  # fmt: skip


def _copy_text(number: str, edit: str, indent: int | None) -> str:
    data = {key: value for key, value in BASE.items() if key != "tps_utilization"}
    if edit == "bad-division":
        data["division"] = "closed"
    elif edit == "long-name":
        data["shortened_system_name"] = "x" * 21
    elif edit == "backslash-elsewhere":
        data["system_size"] = "1 node \\ rack"
    elif edit == "nested-key":
        data["node_types"] = [{**data["node_types"][0], "tps_utilization": 0.5}]
    elif edit == "key-in-string":
        data["notes"] = '"tps_utilization": 7'
    text = json.dumps(data, indent=indent)
    if edit == "no-key":
        return text
    key = '"tps\\u005futilization"' if edit == "escaped-key" else '"tps_utilization"'
    colon = " :  " if edit == "spaces" else ": "
    extra = f'{key}{colon}{number}, "tps_utilization": 0.25, ' if edit == "duplicate-key" else ""
    return "{" + extra + f"{key}{colon}{number}, " + text.lstrip()[1:]


def _alone(tree: Tree, rel: str) -> Any:
    return read_document(tree, rel, SystemDescriptionV1, load_json)


def _typed(value: Any) -> Any:
    """``value`` with every number tagged by its type (so 1 and 1.0, True and 1 differ)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


copies = st.lists(
    st.tuples(st.sampled_from(NUMBERS), st.sampled_from(EDITS), st.sampled_from([2, None, 1])),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(copies)
def test_every_copy_reads_as_it_reads_alone(sequence: list[tuple[str, str, int | None]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for index, (number, edit, indent) in enumerate(sequence):
            (root / f"r{index}").mkdir()
            (root / f"r{index}" / "system_desc.json").write_text(_copy_text(number, edit, indent))
        tree = Tree(root)
        reader = DescriptionCopies()
        for index in range(len(sequence)):
            rel = f"r{index}/system_desc.json"
            got, expected = reader.document(tree, rel), _alone(tree, rel)
            assert (got.rel, got.state, got.error) == (expected.rel, expected.state, expected.error)
            assert _typed(got.data) == _typed(expected.data), sequence[index]
            assert [str(p) for p in got.problems] == [str(p) for p in expected.problems]


def test_copies_that_differ_only_in_the_number_are_read_once(tmp_path: Path, monkeypatch) -> None:
    """The point of it: the second and later copies are neither parsed nor validated."""
    import submission_checker.layout as layout  # read_document validates every full read

    for index, number in enumerate(["0.5", "0.25", "1", "0.125"]):
        (tmp_path / f"r{index}").mkdir()
        (tmp_path / f"r{index}" / "system_desc.json").write_text(_copy_text(number, "none", 2))
    calls = {"validate": 0}
    real_validate = layout.validate

    def counting_validate(*args: Any) -> Any:
        calls["validate"] += 1
        return real_validate(*args)

    monkeypatch.setattr(layout, "validate", counting_validate)
    tree = Tree(tmp_path)
    reader = DescriptionCopies()
    documents = [reader.document(tree, f"r{index}/system_desc.json") for index in range(4)]
    assert [d.state for d in documents] == ["valid"] * 4
    assert [d.data["tps_utilization"] for d in documents] == [0.5, 0.25, 1, 0.125]
    assert calls["validate"] == 1


def test_missing_and_unreadable_copies_are_reported_as_alone(tmp_path: Path) -> None:
    (tmp_path / "r1").mkdir()
    (tmp_path / "r2").mkdir()
    (tmp_path / "r2" / "system_desc.json").write_text('{"tps_utilization": 0.5, "a": 1, "a": 2}')
    (tmp_path / "r3").mkdir()
    (tmp_path / "r3" / "system_desc.json").mkdir()
    tree = Tree(tmp_path)
    reader = DescriptionCopies()
    for rel in ("r1/system_desc.json", "r2/system_desc.json", "r3/system_desc.json"):
        got, expected = reader.document(tree, rel), _alone(tree, rel)
        assert (got.state, got.error, got.data) == (expected.state, expected.error, expected.data)
        assert got.state in ("missing", "unreadable", "not-a-file")
