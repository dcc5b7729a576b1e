"""``DescriptionCopies`` compares the bytes before and after a copy's ``tps_utilization`` number
with those of copies read earlier, where they are: any difference (even of the same length, on
either side of the number, wherever the key is) means a read in full.

Sequences of copies of the example's description, with the key first, in the middle or last,
edits of the same length on either side (valid and invalid), numbers of every shape: each
document must have the state, data (types included), problems and error of reading it alone.
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
REST = {key: value for key, value in BASE.items() if key != "tps_utilization"}

NUMBERS = ["0.5", "0.25", "1", "0", "-1", "2.5e-1", "1e400", "9007199254740993", "0.125"]
PLACES = ["first", "middle", "last"]
#: edits that keep the text's length: before the key (system_name) or after it (system_size,
#: division: "Servicex" is not a division), so lengths alone cannot tell copies apart
EDITS = {
    "none": {},
    "name": {"system_name": BASE["system_name"][:-1] + "X"},
    "size": {"system_size": BASE["system_size"][:-1] + "X"},
    "division": {"division": BASE["division"][:-1] + "x"},
}


def _copy_text(number: str, place: str, edit: str) -> str:
    data = {**REST, **EDITS[edit]}
    items = [json.dumps(key) + ": " + json.dumps(value) for key, value in data.items()]
    at = {"first": 0, "middle": len(items) // 2, "last": len(items)}[place]
    items.insert(at, f'"tps_utilization": {number}')
    return "{" + ", ".join(items) + "}"


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, repr(value))


copies = st.lists(
    st.tuples(st.sampled_from(NUMBERS), st.sampled_from(PLACES), st.sampled_from(list(EDITS))),
    min_size=2,
    max_size=8,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(copies)
def test_every_copy_reads_as_it_reads_alone(sequence: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for index, copy in enumerate(sequence):
            (root / f"r{index}").mkdir()
            (root / f"r{index}" / "system_desc.json").write_text(_copy_text(*copy))
        tree = Tree(root)
        reader = DescriptionCopies()
        for index in range(len(sequence)):
            rel = f"r{index}/system_desc.json"
            got = reader.document(tree, rel)
            expected = read_document(tree, rel, SystemDescriptionV1, load_json)
            assert (got.state, got.error) == (expected.state, expected.error), sequence[index]
            assert _typed(got.data) == _typed(expected.data), sequence[index]
            assert [str(p) for p in got.problems] == [str(p) for p in expected.problems]


def test_same_length_edits_on_either_side_are_read_in_full(tmp_path: Path) -> None:
    sequence = [("0.5", "middle", "none"), ("0.25", "middle", "name"), ("1", "middle", "size")]
    sequence += [("0.5", "middle", "division"), ("0.125", "first", "division")]
    for index, copy in enumerate(sequence):
        (tmp_path / f"r{index}").mkdir()
        (tmp_path / f"r{index}" / "system_desc.json").write_text(_copy_text(*copy))
    tree = Tree(tmp_path)
    reader = DescriptionCopies()
    documents = [reader.document(tree, f"r{index}/system_desc.json") for index in range(5)]
    assert [d.state for d in documents] == ["valid", "valid", "valid", "invalid", "invalid"]
    assert documents[1].data["system_name"].endswith("X")
    assert documents[2].data["system_size"].endswith("X")
    assert [d.data["tps_utilization"] for d in documents] == [0.5, 0.25, 1, 0.5, 0.125]
