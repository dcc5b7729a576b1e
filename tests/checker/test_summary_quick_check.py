"""``is_plainly_valid_summary`` may only say True when the PointSummary schema accepts the data.

It lets the checker skip pydantic for the (many) valid summaries; a wrong True would hide a
schema error, so it is tested against the schema on generated summaries, valid and broken.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from submission_checker.models import PointSummary, is_plainly_valid_summary, validate

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63 - 1, 2**63, -(2**63), 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "12", "NaN"]),
    st.just({}),
    st.just([]),
)
percentile_keys = st.one_of(
    st.sampled_from(["50", "50.0", "90", "90.0", "90.00", "99.9", "100", "100.0", "100.5",
                     "0", "000", "-1", "1e2", "abc", "", "050", "101", " 90"]),
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3})?", fullmatch=True),
)  # fmt: skip
number = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    anything,
)
block = st.fixed_dictionaries(
    {},
    optional={
        "total": number,
        "percentiles": st.one_of(st.dictionaries(percentile_keys, number, max_size=6), anything),
        "min": anything,
        "histogram": st.just({"buckets": [[1, 2]], "counts": [3]}),
    },
)
count = st.one_of(st.integers(min_value=-3, max_value=2**64), anything)
summary = st.fixed_dictionaries(
    {},
    optional={
        "n_samples_issued": count,
        "n_samples_completed": count,
        "n_samples_failed": count,
        "duration_ns": number,
        "output_sequence_lengths": st.one_of(block, anything),
        "ttft": st.one_of(block, anything),
        "tpot": st.one_of(block, anything),
        "latency": st.one_of(block, anything),
        "system_tps": number,
        "tps": number,
        "tps_per_user": number,
        "qps": number,
        "version": anything,
    },
)


# Near-valid summaries: the right shapes, with edge values (huge ints, inf, nan, -0.0,
# conflicting or out-of-range percentile keys) where the quick check could go wrong
edge_number = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(),
    st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**400, -0.0, True]),
)
edge_block = st.fixed_dictionaries(
    {"total": edge_number, "percentiles": st.dictionaries(percentile_keys, edge_number, max_size=5)}
)
near_valid = st.fixed_dictionaries(
    {
        "n_samples_issued": st.integers(min_value=-1, max_value=2**64),
        "n_samples_completed": st.integers(min_value=0, max_value=2**63),
        "n_samples_failed": st.one_of(st.integers(min_value=0, max_value=5), st.booleans()),
        "duration_ns": edge_number,
        "output_sequence_lengths": st.one_of(edge_block, st.just({})),
    },
    optional={
        "ttft": st.one_of(edge_block, st.none()),
        "latency": edge_block,
        "tps": st.one_of(edge_number, st.none()),
        "qps": edge_number,
    },
)


def mostly_valid(data: dict[str, Any]) -> dict[str, Any]:
    """Fill in the required fields with good values so that many examples are near-valid."""
    filled = {
        "n_samples_issued": 10,
        "n_samples_completed": 10,
        "n_samples_failed": 0,
        "duration_ns": 1.5e9,
        "output_sequence_lengths": {"total": 30},
    }
    filled.update(data)
    return filled


@settings(max_examples=300, deadline=None)
@given(st.one_of(summary, summary.map(mostly_valid), near_valid))
def test_quick_true_only_when_the_schema_accepts(data: dict[str, Any]) -> None:
    if is_plainly_valid_summary(data):
        assert validate(PointSummary, data)[1] == []


def test_quick_check_accepts_real_and_generated_summaries(samples_dir: Path, generator) -> None:
    paths = list(samples_dir.rglob("result_summary.json"))
    assert paths
    for path in paths:
        data = json.loads(path.read_text())
        assert validate(PointSummary, data)[1] == []
        assert is_plainly_valid_summary(data), path
    for c in (1, 8, 64):
        assert is_plainly_valid_summary(generator.point_summary(c, "llama2-70b"))


def test_quick_check_declines_what_the_schema_rejects() -> None:
    good = mostly_valid({"ttft": {"total": 1, "percentiles": {"90": 2.0}}})
    assert is_plainly_valid_summary(good)
    for broken in (
        {"n_samples_failed": True},
        {"n_samples_failed": -1},
        {"duration_ns": float("nan")},
        {"output_sequence_lengths": {}},
        {"ttft": {"total": 1, "percentiles": {"90": 2.0, "90.0": 3.0}}},
        {"ttft": {"total": 1, "percentiles": {"101": 2.0}}},
        {"ttft": {"total": 1}},
        {"tps": "12"},
    ):
        data = {**good, **broken}
        assert not is_plainly_valid_summary(data), broken
        assert validate(PointSummary, data)[1], broken
