"""Round v1.0 region arithmetic (A2.1, B§5): exact tables, integer roots, C_min, coverage."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from submission_checker.regions import nearest_root
from submission_checker.regions_v1 import (
    REGION_NAMES,
    compute_regions_v1,
    derive_c_min,
    region_computation_problems,
)


def spans(c_max, c_min):
    regions = compute_regions_v1(c_max, c_min)
    return [tuple(regions[name]) if regions[name] else None for name in REGION_NAMES]


@pytest.mark.parametrize(
    "c_max, c_min, expected",
    [
        # d = 1: LC takes the single value 33, Medium and High are empty
        (33, 32, [(1, 32), (33, 33), None, None, (34, 37)]),
        (64, 32, [(1, 32), (33, 35), (36, 42), (43, 64), (65, 71)]),
        # the margin end per A2.1 is ⌈1.1·100⌉ = 110 (1.5.3.0's float gives 111)
        (100, 32, [(1, 32), (33, 36), (37, 49), (50, 100), (101, 110)]),
        (1024, 32, [(1, 32), (33, 42), (43, 131), (132, 1024), (1025, 1127)]),
        (1024, 16, [(1, 16), (17, 26), (27, 117), (118, 1024), (1025, 1127)]),
        (5000, 32, [(1, 32), (33, 49), (50, 323), (324, 5000), (5001, 5500)]),
        # C_min derived from a point at C = 1 (the real sweep): B§5
        (128, 1, [(1, 1), (2, 6), (7, 26), (27, 128), (129, 141)]),
    ],
)
def test_region_tables(c_max, c_min, expected):
    assert spans(c_max, c_min) == expected


def test_regions_keep_their_working():
    regions = compute_regions_v1(1024, 16, c_min_overridden=True)
    assert (regions.d, regions.cube_root, regions.two_thirds) == (1008, 10, 101)
    assert regions.working() == (
        "C_max = 1024, C_min = 16 (override), d = 1008; LC_end = 16 + round(∛1008) = 26; "
        "MC_end = 16 + round(1008^(2/3)) = 117; margin end = ⌊(11·1024 + 9)/10⌋ = 1127"
    )
    assert regions["low_latency"] == (1, 16)


def _is_nearest(k: int, value: Fraction) -> bool:
    """k is the integer nearest to value^(1/3): (k − ½)³ < value < (k + ½)³, no tie."""
    return Fraction(2 * k - 1, 2) ** 3 < value < Fraction(2 * k + 1, 2) ** 3


def test_integer_roots_agree_with_exact_arithmetic_exhaustively():
    for d in range(1, 100_001):
        assert _is_nearest(nearest_root(d, 3), Fraction(d)), d
        assert _is_nearest(nearest_root(d * d, 3), Fraction(d * d)), d


def test_integer_roots_at_huge_values_and_next_to_half_integers():
    for k in (10, 999, 123_456, 10**12):
        half_cube_below = (2 * k + 1) ** 3 // 8  # the integer just below (k + ½)³
        assert nearest_root(half_cube_below, 3) == k
        assert nearest_root(half_cube_below + 1, 3) == k + 1


def test_boundaries_match_floats_where_the_spec_says_they_agree():
    """With C_min = 32 the LC/MC ends equal 1.5.3.0's float formula for every C_max ≤ 100,000;
    only the margin end differs (float ceil(1.1·M))."""
    margin_differs = 0
    for c_max in range(33, 100_001):
        regions = compute_regions_v1(c_max)
        interval = math.log2(c_max - 32) / 3
        assert regions["low_concurrency"].hi == round(32 + 2**interval), c_max
        assert regions.margin_end == math.ceil(Fraction(11 * c_max, 10))
        margin_differs += regions.margin_end != math.ceil(1.10 * c_max)
        med = regions["med_concurrency"]
        assert (med.hi if med else regions["low_concurrency"].hi) == round(
            32 + 2 ** (2 * interval)
        ), c_max
    assert margin_differs == 5524


def test_classify_in_region_order_and_out_of_range():
    regions = compute_regions_v1(64, 32)
    assert [regions.classify(c) for c in (0, 1, 32, 33, 35, 36, 42, 43, 64, 65, 71, 72)] == [
        None,
        "low_latency",
        "low_latency",
        "low_concurrency",
        "low_concurrency",
        "med_concurrency",
        "med_concurrency",
        "high_concurrency",
        "high_concurrency",
        "margin",
        "margin",
        None,
    ]
    assert regions.classify(71) == "margin" and regions.classify(72) is None


def test_ultra_low_coverage_is_1_to_32_unless_overridden():
    derived = compute_regions_v1(1024, 16)
    overridden = compute_regions_v1(1024, 16, c_min_overridden=True)
    assert tuple(derived.coverage_range("ultra_low")) == (1, 32)
    assert tuple(overridden.coverage_range("ultra_low")) == (1, 16)
    assert derived.bands_covered(20) == ("ultra_low", "low")
    assert overridden.bands_covered(20) == ("low",)
    assert derived.bands_covered(1024) == ("high",)
    assert derived.bands_covered(1025) == ()  # the margin covers nothing
    assert tuple(derived.coverage_range("medium")) == (27, 117)
    with pytest.raises(ValueError, match="unknown band 'margin'"):
        derived.coverage_range("margin")


def test_derive_c_min():
    assert derive_c_min([64, 8, 33, 1]).value == 1
    capped = derive_c_min([40, 64])
    assert (capped.value, capped.source, capped.lowest) == (32, "cap", 40)
    assert str(capped) == "C_min = 32 (lowest point 40 capped at 32)"
    override = derive_c_min([1, 64], override=16)
    assert (override.value, override.overridden) == (16, True)
    assert derive_c_min([]) is None
    assert derive_c_min([], override=8).value == 8
    assert derive_c_min([0, 5]).value == 0  # not clamped: region-computation reports it


@pytest.mark.parametrize(
    "c_max, c_min, problems",
    [
        (64, 32, []),
        (33, 1, []),
        (32, 32, ["C_max must be greater than 32, found 32"]),
        (64, 0, ["C_min must be in [1, 32], found 0"]),
        (64, 33, ["C_min must be in [1, 32], found 33"]),
        (True, 8, ["C_max must be an integer, found True"]),
        (64, 8.0, ["C_min must be an integer, found 8.0"]),
        (
            None,
            None,
            ["C_min must be an integer, found None", "C_max must be an integer, found None"],
        ),
    ],
)
def test_region_computation_validity(c_max, c_min, problems):
    assert region_computation_problems(c_max, c_min) == problems
    if problems:
        with pytest.raises(ValueError) as raised:
            compute_regions_v1(c_max, c_min)
        assert str(raised.value) == "; ".join(problems)
