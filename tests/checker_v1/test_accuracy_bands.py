"""Accuracy results to mandatory bands by maximum bipartite matching (B§5, accuracy-coverage)."""

from __future__ import annotations

import random

from submission_checker.accuracy_bands import (
    AccuracyPoint,
    accuracy_point,
    assign_accuracy_bands,
    required_slots,
)
from submission_checker.regions_v1 import compute_regions_v1


def filled(assignment):
    return {slot: point.concurrency for slot, point in assignment.filled.items()}


def curve(regions, accuracy_at, *, elected=None, dedicated=None, no_accuracy=()):
    points = [accuracy_point(regions, c) for c in accuracy_at]
    points += [accuracy_point(regions, c, has_accuracy=False) for c in no_accuracy]
    if elected is not None:
        points.append(accuracy_point(regions, elected, offline="elected"))
    if dedicated is not None:
        points.append(accuracy_point(regions, dedicated, offline="dedicated"))
    return points


def test_one_result_per_band_and_a_dedicated_offline_point_fill_every_slot():
    regions = compute_regions_v1(64, 8)  # LL 1-8, LC 9-11, MC 12-25, HC 26-64
    points = curve(regions, [8, 10, 20, 64], dedicated=128, no_accuracy=[1, 12, 40])
    assignment = assign_accuracy_bands(points)
    assert filled(assignment) == {
        "ultra_low": 8,
        "low": 10,
        "medium": 20,
        "high": 64,
        "offline": 128,
    }
    assert assignment.complete


def test_matching_finds_the_assignment_greedy_misses():
    # C_min = 16 derived: Ultra Low coverage is [1, 32], Low Concurrency [17, 26], Medium
    # [27, 117]. 20 may fill Ultra Low or Low, 30 Ultra Low or Medium, 100 only Medium. Greedy
    # (by concurrency, first band that is free) gives 20 → Ultra Low, 30 → Medium and strands
    # 100 with Low empty; the matching reassigns along an augmenting path.
    regions = compute_regions_v1(1024, 16)
    assert regions.bands_covered(20) == ("ultra_low", "low")
    assert regions.bands_covered(30) == ("ultra_low", "medium")
    points = [accuracy_point(regions, c) for c in (100, 30, 20, 1024)]
    points.append(accuracy_point(regions, 2048, offline="dedicated"))
    assignment = assign_accuracy_bands(points)
    assert filled(assignment) == {
        "ultra_low": 30,
        "low": 20,
        "medium": 100,
        "high": 1024,
        "offline": 2048,
    }
    assert assignment.complete


def test_input_order_does_not_change_the_assignment():
    regions = compute_regions_v1(1024, 16)
    forward = [accuracy_point(regions, c) for c in (4, 20, 30, 100, 1024)]
    assert filled(assign_accuracy_bands(forward)) == filled(assign_accuracy_bands(forward[::-1]))


def test_the_elected_c_max_point_counts_for_high_and_offline_once_each():
    regions = compute_regions_v1(64)  # LL 1-32, LC 33-35, MC 36-42, HC 43-64
    assignment = assign_accuracy_bands(curve(regions, [8, 34, 40], elected=64))
    assert filled(assignment) == {
        "ultra_low": 8,
        "low": 34,
        "medium": 40,
        "high": 64,
        "offline": 64,
    }
    assert assignment.complete


def test_a_plain_point_never_fills_two_slots():
    regions = compute_regions_v1(64)
    # the C_max point without an Offline declaration fills High only; no Offline result
    assignment = assign_accuracy_bands(curve(regions, [8, 34, 40, 64]))
    assert assignment.unfilled == ("offline",)
    assert not assignment.complete


def test_second_result_in_a_band_and_results_outside_every_band_are_surplus():
    regions = compute_regions_v1(64)
    points = curve(regions, [1, 8, 34, 40, 70], elected=64)  # 70 is in the margin
    points.append(accuracy_point(regions, 50, declared_region="submitters_choice"))
    assignment = assign_accuracy_bands(points)
    assert assignment.unfilled == ()
    assert [p.concurrency for p in assignment.surplus] == [8, 50, 70]
    reasons = [assignment.surplus_reason(p) for p in assignment.surplus]
    assert reasons == [
        "r8's band is already filled (Ultra Low by r1)",
        "r50 lies in no mandatory band",
        "r70 lies in no mandatory band",
    ]
    assert not assignment.complete


def test_missing_bands_are_named_in_slot_order():
    regions = compute_regions_v1(1024)
    assignment = assign_accuracy_bands(curve(regions, [32, 100], no_accuracy=[33, 1024]))
    assert filled(assignment) == {"ultra_low": 32, "medium": 100}
    assert assignment.unfilled == ("low", "high", "offline")


def test_two_dedicated_offline_points_one_is_surplus():
    regions = compute_regions_v1(64)
    points = curve(regions, [8, 34, 40, 64], dedicated=64)
    points.append(AccuracyPoint(128, (), offline="dedicated", name="r128"))
    assignment = assign_accuracy_bands(points)
    assert filled(assignment)["offline"] == 64
    assert [p.label for p in assignment.surplus] == ["r128"]
    assert assignment.surplus_reason(assignment.surplus[0]) == (
        "r128's band is already filled (Offline by r64)"
    )


def test_agentic_curves_need_four_bands_and_no_offline_result():
    regions = compute_regions_v1(64)
    assert required_slots(agentic=True) == ("ultra_low", "low", "medium", "high")
    assignment = assign_accuracy_bands(curve(regions, [8, 34, 40, 64]), agentic=True)
    assert assignment.complete
    with_offline = assign_accuracy_bands(
        curve(regions, [8, 34, 40, 64], dedicated=96), agentic=True
    )
    assert [p.concurrency for p in with_offline.surplus] == [96]
    assert with_offline.surplus_reason(with_offline.surplus[0]) == "r96 lies in no required slot"


def test_no_results_fill_nothing():
    assignment = assign_accuracy_bands([])
    assert assignment.filled == {}
    assert assignment.unfilled == required_slots()


def _most_slots_any_assignment_fills(points, slots):
    """Brute force: try every way of giving each result-unit one slot (or none)."""
    units = []
    for p in points:
        if p.offline == "elected":
            units += [p.bands, ("offline",)]
        elif p.offline == "dedicated":
            units.append((*p.bands, "offline"))
        else:
            units.append(p.bands)
    best = 0

    def walk(i, used):
        nonlocal best
        best = max(best, len(used))
        if i == len(units):
            return
        walk(i + 1, used)
        for slot in units[i]:
            if slot in slots and slot not in used:
                walk(i + 1, used | {slot})

    walk(0, frozenset())
    return best


def test_matching_is_maximum_on_random_curves():
    rng = random.Random(20261130)
    bands = ("ultra_low", "low", "medium", "high")
    for _ in range(400):
        points = []
        for c in rng.sample(range(1, 60), rng.randint(0, 6)):
            eligible = tuple(b for b in bands if rng.random() < 0.35)
            offline = rng.choice(["none", "none", "none", "elected", "dedicated"])
            points.append(AccuracyPoint(c, eligible, offline=offline))
        assignment = assign_accuracy_bands(points)
        assert len(assignment.filled) == _most_slots_any_assignment_fills(
            points, assignment.slots
        ), points
        for slot, point in assignment.filled.items():
            assert slot in point.bands or (slot == "offline" and point.offline != "none")
