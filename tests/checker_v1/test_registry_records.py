"""The registry records (``NamedTuple``s, cheap to create at import) keep the behaviour the
rules rely on: cohorts ordered on their time line, records immutable and compared by value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from submission_checker.registries import (
    Cohort,
    Drafter,
    LeadTime,
    RegistryUnreadable,
    load_approved_drafters,
    load_seed_sets,
    parse_cohort,
)

cohorts = st.builds(Cohort, st.integers(1900, 2200), st.integers(1, 12), st.integers(0, 1))


@given(cohorts, cohorts)
def test_cohorts_are_ordered_and_equal_as_on_their_time_line(a, b):
    assert (a < b, a <= b, a > b, a >= b) == (
        a.index < b.index,
        a.index <= b.index,
        a.index > b.index,
        a.index >= b.index,
    )
    assert (a == b) == (a.index == b.index) == (str(a) == str(b))
    assert (hash(a) == hash(b)) or a != b
    assert parse_cohort(str(a)) == a
    assert Cohort.from_index(a.index) == a


def test_a_cohort_is_not_ordered_against_other_values():
    with pytest.raises(TypeError):
        _ = Cohort(2026, 10, 1) < 5
    with pytest.raises(TypeError):
        _ = Cohort(2026, 10, 1) >= "2026-10-C1"


def test_registry_records_are_immutable_values():
    seeds, drafters = load_seed_sets(), load_approved_drafters()
    for record in (seeds, drafters, drafters.drafters[0], parse_cohort("2026-10-C1")):
        with pytest.raises(AttributeError):
            record.source = "elsewhere"  # type: ignore[misc]
    assert load_seed_sets() == seeds and load_approved_drafters() == drafters
    assert str(RegistryUnreadable("f.yaml", "not YAML")) == "f.yaml: not YAML"
    assert LeadTime(True, None, "ok").ok is True
    drafter = Drafter("m", "d", "2026-09-C1", weight_checksum="w")
    assert drafter.approved == Cohort(2026, 9, 1)
    assert drafter.matches({"weight_checksum": "w"}) and not drafter.matches(
        {"weight_checksum": "x"}
    )
