"""``read_summary`` reads a result_summary.json as ``read_document`` does, for less.

It leaves float literals unread (``loading.parse_json_literals``) and reads only those of the
summary's essentials, when the summary is plainly valid (``_plain_essentials``); any other
summary is read again in full. Over generated summaries (numbers written in every JSON shape,
huge and overflowing ones, odd percentile keys, wrong types, nesting, duplicate keys, escapes,
broken text), each document must have the state, data (types included), problems and error that
the full read gives.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker import loading
from submission_checker.layout import Tree, read_document
from submission_checker.layout_v1 import _summary_essentials, read_summary
from submission_checker.models_v1 import PointSummaryV1

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "submission-v1.0"


class Literal(str):
    """A number as written in the JSON text."""


LITERALS = [
    "0", "1", "-1", "0.5", "-0.0", "0.0", "1e400", "-1e400", "1E2", "2.5e+1", "1e-400",
    "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "123456789.123456789", "1" + "0" * 120, "1" + "0" * 120 + ".5", "17.000000000000001",
]  # fmt: skip
number = st.one_of(
    st.sampled_from(LITERALS),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-(2**65), max_value=2**65).map(str),
).map(Literal)
other = st.one_of(
    st.none(), st.booleans(), st.sampled_from(["12", "NaN", "", "caf\u00e9"]), st.builds(dict),
    st.builds(list),
)  # fmt: skip
value = st.one_of(number, number, number, other)
nested = st.recursive(value, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
percentile_keys = st.sampled_from(
    ["50", "50.0", "90", "90.0", "90.00", "99.9", "100", "100.5", "0", "-1", "abc", "", " 90"]
)
block = st.fixed_dictionaries(
    {},
    optional={
        "total": st.one_of(number, number, other),
        "min": nested,
        "percentiles": st.one_of(st.dictionaries(percentile_keys, value, max_size=5), other),
        "histogram": st.builds(
            lambda: {"buckets": [[Literal("1.5"), Literal("2")]], "counts": [3]}
        ),
    },
)
good_table = st.dictionaries(
    st.sampled_from(["50.0", "90.0", "95.0", "99.9"]), number, min_size=1, max_size=4
)
good_block = st.fixed_dictionaries({"total": number, "percentiles": good_table})
count = st.one_of(
    st.integers(min_value=0, max_value=2**64).map(lambda n: Literal(str(n))), number, other
)
summary = st.fixed_dictionaries(
    {
        "n_samples_issued": st.one_of(st.just(Literal("10")), count),
        "n_samples_completed": st.one_of(st.just(Literal("10")), count),
        "n_samples_failed": st.one_of(st.just(Literal("0")), count),
        "duration_ns": st.one_of(number, other),
        "output_sequence_lengths": st.one_of(good_block, block, other),
    },
    optional={
        "version": other,
        "ttft": st.one_of(good_block, good_block, block, other),
        "tpot": st.one_of(good_block, block, other),
        "latency": st.one_of(good_block, block),
        "finish_reason_counts": st.one_of(block, other),
        "output_sequence_lengths_full_run": st.one_of(block, nested),
        "tps": value,
        "qps": value,
        "system_tps": value,
        "tps_per_user": value,
        "notes": nested,
    },
)
# Near-valid summaries: plain values everywhere, then a few values replaced, where the quick
# path could go wrong (the full read decides every summary it declines)
plain_number = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.sampled_from(["0.5", "1E2", "-0.0", "2.5e+1", "1e-400", "17.000000000000001"]),
).map(Literal)
plain_table = st.dictionaries(
    st.sampled_from(["1.0", "50.0", "90.0", "95.0", "99.9"]), plain_number, max_size=5
)
plain_block = st.fixed_dictionaries(
    {"total": plain_number, "percentiles": plain_table},
    optional={"min": plain_number, "histogram": st.builds(lambda: {"buckets": [[Literal("1.5")]]})},
)
plain_summary = st.fixed_dictionaries(
    {
        "n_samples_issued": st.integers(min_value=0, max_value=2**63 - 1).map(str).map(Literal),
        "n_samples_completed": st.just(Literal("10")),
        "n_samples_failed": st.just(Literal("0")),
        "duration_ns": plain_number,
        "output_sequence_lengths": plain_block,
        "ttft": plain_block,
        "latency": plain_block,
    },
    optional={
        "tpot": st.one_of(plain_block, st.none()),
        "finish_reason_counts": block,
        "output_sequence_lengths_full_run": block,
        "tps": st.one_of(plain_number, st.none()),
        "qps": plain_number,
        "run_config": st.builds(lambda: {"warmup": {"salt": False, "seconds": Literal("1.5")}}),
        "notes": st.lists(st.one_of(plain_number, nested), max_size=3),
    },
)
PLACES = [
    ("n_samples_issued",), ("n_samples_failed",), ("duration_ns",), ("tps",), ("system_tps",),
    ("output_sequence_lengths",), ("output_sequence_lengths", "total"), ("ttft",),
    ("ttft", "total"), ("ttft", "percentiles"), ("ttft", "percentiles", "90"),
    ("ttft", "percentiles", "90.0"), ("latency", "percentiles", "99.9"),
    ("latency", "percentiles", "100.5"), ("tpot", "percentiles", "50"), ("tpot", "total"),
    ("output_sequence_lengths", "percentiles", "90"), ("finish_reason_counts", "percentiles"),
    ("finish_reason_counts", "total"), ("output_sequence_lengths_full_run", "total"),
    ("notes",),
]  # fmt: skip
#: values that plainly valid summaries do not have (and a few that they do)
odd_literal = st.sampled_from(
    ["1e400", "9223372036854775808", "-9223372036854775809", "-1", "1.5"]
).map(Literal)
odd = st.one_of(other, odd_literal, odd_literal, nested)


def _replaced(data: dict[str, Any], changes: list[tuple[tuple[str, ...], Any]]) -> Any:
    for place, replacement in changes:
        parent = data
        for key in place[:-1]:
            parent = parent.setdefault(key, {}) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            parent[place[-1]] = replacement
    return data


changed_summary = st.builds(
    lambda changes, data: _replaced(data, changes),
    st.lists(st.tuples(st.sampled_from(PLACES), odd), min_size=1, max_size=2),
    plain_summary,
)


#: edits of the written text: none, a duplicate key, an escape, a constant, broken or empty text
EDITS = ["none", "none", "none", "duplicate", "escape", "surrogate", "nan", "cut", "empty", "bom"]


def _text(data: Any, indent: int | None) -> str:
    """``data`` as JSON text, each ``Literal`` written as it is."""

    def prepare(item: Any) -> Any:
        if isinstance(item, Literal):
            return f"@@{item}@@"
        if isinstance(item, dict):
            return {key: prepare(value) for key, value in item.items()}
        if isinstance(item, list):
            return [prepare(value) for value in item]
        return item

    text = json.dumps(prepare(data), indent=indent, ensure_ascii=False)
    return text.replace('"@@', "").replace('@@"', "")


def _edited(text: str, edit: str) -> str:
    if edit == "duplicate":
        return '{"duration_ns": 1, ' + text.lstrip()[1:]
    if edit == "escape":
        return '{"git_sha": "\\u0041\\n", ' + text.lstrip()[1:]
    if edit == "surrogate":
        return '{"git_sha": "\\ud800", ' + text.lstrip()[1:]
    if edit == "nan":
        return '{"test_started_at": NaN, ' + text.lstrip()[1:]
    if edit == "cut":
        return text[: len(text) // 2]
    if edit == "empty":
        return " \n"
    if edit == "bom":
        return "\ufeff" + text
    return text


def _typed(value: Any) -> list[Any]:
    """``value`` flattened with every number tagged by its type (so 1 and 1.0, True and 1
    differ), without recursion (the deepest data Python's JSON reader takes)."""
    flat: list[Any] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            flat.append(("dict", list(item)))
            pending.extend(reversed(item.values()))
        elif isinstance(item, list):
            flat.append(("list", len(item)))
            pending.extend(reversed(item))
        else:
            flat.append((type(item).__name__, repr(item)))
    return flat


def _full(tree: Tree, rel: str) -> Any:
    return read_document(
        tree, rel, PointSummaryV1, loading.load_json, summary_essentials=_summary_essentials
    )


def _assert_read_alike(tree: Tree, rel: str) -> None:
    got, expected = read_summary(tree, rel), _full(tree, rel)
    assert (got.rel, got.state, got.error) == (expected.rel, expected.state, expected.error)
    assert _typed(got.data) == _typed(expected.data)
    assert [str(p) for p in got.problems] == [str(p) for p in expected.problems]
    assert got.model is None and expected.model is None


def _assert_text_reads_alike(text: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "result_summary.json").write_text(text)
        _assert_read_alike(Tree(Path(scratch)), "result_summary.json")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(summary, changed_summary), st.sampled_from(EDITS), st.sampled_from([2, None]))
def test_a_summary_reads_as_in_full(data: dict[str, Any], edit: str, indent: int | None) -> None:
    _assert_text_reads_alike(_edited(_text(data, indent), edit))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(plain_summary, changed_summary, changed_summary))
def test_a_nearly_valid_summary_reads_as_in_full(data: dict[str, Any]) -> None:
    _assert_text_reads_alike(_text(data, None))


#: (field, value) put into the example's valid summary, one at a time
CHANGES = [
    ("n_samples_issued", -1), ("n_samples_issued", 2**63), ("n_samples_failed", True),
    ("n_samples_completed", 1.5), ("duration_ns", "12"), ("duration_ns", None),
    ("duration_ns", 2**64), ("output_sequence_lengths", {}), ("output_sequence_lengths", []),
    ("output_sequence_lengths", {"total": "5"}), ("output_sequence_lengths", {"total": 2.5}),
    ("ttft", "12"), ("ttft", []), ("ttft", None), ("ttft", {"total": 1}),
    ("ttft", {"total": 1, "percentiles": []}), ("ttft", {"total": "1", "percentiles": {}}),
    ("ttft", {"total": 1, "percentiles": {"90": 2.0, "90.0": 2.0}}),
    ("ttft", {"total": 1, "percentiles": {"90": 2.0, "90.0": 3.0}}),
    ("ttft", {"total": 1, "percentiles": {"101": 2.5}}),
    ("ttft", {"total": 1, "percentiles": {"90": None}}),
    ("ttft", {"total": 1, "percentiles": {"90": 2**63, "50": 1.5}}),
    ("latency", {"total": 1, "percentiles": {"50": 2, "90.0": 1.5}}), ("tps", "12"),
    ("tps", True), ("tps", None), ("qps", 2**64), ("notes", [1.5, [2.5e30, "x"], {"a": 0.5}]),
    ("finish_reason_counts", {"total": [1.5], "percentiles": {"90": 1.5, "90.0": 2.5}}),
    ("output_sequence_lengths_full_run", {"total": 1.5, "x": [0.5]}),
]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), CHANGES)
def test_a_changed_example_summary_reads_as_in_full(field: str, value: Any) -> None:
    valid = json.loads(next(EXAMPLE.rglob("result_summary.json")).read_text())
    _assert_text_reads_alike(json.dumps({**valid, field: value}, indent=2))


def test_deep_nesting_and_missing_files_read_as_in_full(tmp_path: Path) -> None:
    (tmp_path / "deep").mkdir()
    valid = json.loads(next(EXAMPLE.rglob("result_summary.json")).read_text())
    nesting = "[" * 900 + "]" * 900
    deep = json.dumps({**valid, "notes": 0}).replace('"notes": 0', f'"notes": {nesting}')
    (tmp_path / "deep" / "result_summary.json").write_text(deep)
    (tmp_path / "dir" / "result_summary.json").mkdir(parents=True)
    tree = Tree(tmp_path)
    for rel in ("deep/result_summary.json", "dir/result_summary.json", "none/result_summary.json"):
        _assert_read_alike(tree, rel)


def test_valid_summaries_are_read_once_and_not_validated(tmp_path: Path, monkeypatch) -> None:
    """The point of it: a plainly valid summary's floats are not all read, and no schema runs."""
    import submission_checker.layout as layout

    paths = sorted(EXAMPLE.rglob("result_summary.json"))
    assert paths
    for index, path in enumerate(paths):
        (tmp_path / f"r{index}").mkdir()
        (tmp_path / f"r{index}" / "result_summary.json").write_bytes(path.read_bytes())
    expected = [_full(Tree(tmp_path), f"r{i}/result_summary.json") for i in range(len(paths))]

    def refuse(*args: Any) -> Any:
        raise AssertionError("read in full")

    monkeypatch.setattr(layout, "validate", refuse)
    monkeypatch.setattr(loading, "parse_json_bytes", refuse)
    tree = Tree(tmp_path)
    for index, want in enumerate(expected):
        got = read_summary(tree, f"r{index}/result_summary.json")
        assert got.state == want.state == "valid"
        assert _typed(got.data) == _typed(want.data)
        assert isinstance(got.data["ttft"]["percentiles"]["90"], float)
