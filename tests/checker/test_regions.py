"""Region arithmetic (checker.md §3): exact boundaries, exhaustive agreement, CLI table."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from click.testing import CliRunner

from submission_checker.cli import main
from submission_checker.regions import compute_regions, margin_upper, nearest_root


def spans(m):
    regions = compute_regions(m)
    return {key: (tuple(span) if span else None) for key, span in regions.ranges.items()}


@pytest.mark.parametrize(
    "m, expected",
    [
        (33, [(1, 32), (33, 33), None, None, (34, 37)]),
        (34, [(1, 32), (33, 33), (34, 34), None, (35, 38)]),
        (64, [(1, 32), (33, 35), (36, 42), (43, 64), (65, 71)]),
        (100, [(1, 32), (33, 36), (37, 49), (50, 100), (101, 110)]),
        (1024, [(1, 32), (33, 42), (43, 131), (132, 1024), (1025, 1127)]),
        (5000, [(1, 32), (33, 49), (50, 323), (324, 5000), (5001, 5500)]),
        (100000, [(1, 32), (33, 78), (79, 2186), (2187, 100000), (100001, 110000)]),
    ],
)
def test_region_boundaries(m, expected):
    keys = ["low_latency", "low_throughput", "med_throughput", "high_throughput", "margin"]
    assert spans(m) == dict(zip(keys, expected, strict=True))


@pytest.mark.parametrize("m, upper", [(100, 110), (200, 220), (3000, 3300), (64, 71), (33, 37)])
def test_margin_is_exactly_ten_percent_rounded_up(m, upper):
    # the reference's float ceil(M * 1.1) gives 111, 221 and 3301 for the first three
    assert margin_upper(m) == upper == math.ceil(Fraction(11 * m, 10))


def test_roots_agree_with_exact_arithmetic_for_every_m_up_to_100000():
    """Walk k upward with integer comparisons (no Newton) and compare every M."""
    cube_k = square_k = 0
    for m in range(33, 100_001):
        d = m - 32
        while 8 * d >= (2 * cube_k + 1) ** 3:  # k − ½ ≤ ∛d < k + ½
            cube_k += 1
        while 8 * d * d >= (2 * square_k + 1) ** 3:
            square_k += 1
        assert nearest_root(d) == cube_k, m
        assert nearest_root(d * d) == square_k, m
        assert margin_upper(m) * 10 >= 11 * m > (margin_upper(m) - 1) * 10, m


def test_regions_partition_one_to_the_margin():
    for m in (*range(33, 400), 1023, 1024, 1025, 99_999, 100_000):
        covered = []
        for span in compute_regions(m).ranges.values():
            if span:
                covered.extend(range(span.lo, span.hi + 1))
        assert covered == list(range(1, margin_upper(m) + 1)), m


def test_nearest_root_of_large_and_small_numbers():
    assert [nearest_root(x) for x in range(0, 9)] == [0, 1, 1, 1, 2, 2, 2, 2, 2]
    huge = 10**60 + 1
    assert nearest_root(huge) == 10**20
    assert nearest_root(16, 2) == 4 and nearest_root(20, 2) == 4 and nearest_root(21, 2) == 5
    with pytest.raises(ValueError):
        nearest_root(-1)


def test_classify():
    regions = compute_regions(64)
    cases = {
        0: None,
        1: "low_latency",
        32: "low_latency",
        33: "low_throughput",
        36: "med_throughput",
        42: "med_throughput",
        43: "high_throughput",
        64: "high_throughput",
        65: "margin",
        71: "margin",
        72: None,
    }
    assert {c: regions.classify(c) for c in cases} == cases


@pytest.mark.parametrize("bad", [32, 1, 0, -5, True, 64.0, "64", None])
def test_m_must_be_an_integer_above_32(bad):
    with pytest.raises(ValueError):
        compute_regions(bad)


def test_regions_command_prints_the_table():
    result = CliRunner().invoke(main, ["regions", "--max-concurrency", "1024"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Regions for max_supported_concurrency M = 1024"
    assert lines[-1].split() == ["Margin", "margin", "1025–1127", "103"]
    assert "132–1024" in result.output and "43–131" in result.output


def test_regions_command_empty_regions_and_errors():
    result = CliRunner().invoke(main, ["regions", "--max-concurrency", "33"])
    assert result.exit_code == 0 and result.output.count("(empty)") == 2
    result = CliRunner().invoke(main, ["regions", "--max-concurrency", "32"])
    assert result.exit_code == 1
    assert "greater than 32" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["regions", "--max-concurrency", "lots"])
    assert result.exit_code == 2
