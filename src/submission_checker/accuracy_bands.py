"""Which accuracy result fills which mandatory band (B§5 last bullet, rule ``accuracy-coverage``).

A v1.0 curve needs one accuracy result per mandatory band — Ultra Low, Low, Medium, High — and
one at the Offline point (N = 5); an agentic curve needs the four bands only (N = 4). A result
fills at most one slot, except that the point that *elected* itself Offline (the C_max point)
may fill High once and the Offline slot once. A point can lie in two bands' coverage ranges
(without an override Ultra Low is [1, 32], which overlaps Low when C_min < 32), so assigning
greedily can leave a band empty that another assignment fills; the slots are therefore filled by
a maximum bipartite matching (results × slots), which fills as many slots as any assignment can.

Pure: plain data in (``AccuracyPoint``), a ``BandAssignment`` out. Eligibility comes from the
region arithmetic (``regions_v1.RegionsV1.bands_covered``) through ``accuracy_point``. The
records are ``NamedTuple``s: created at every v1.0 check's start-up, they cost a tenth of what
frozen dataclasses do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from .regions_v1 import COVERAGE_BANDS, RegionsV1

__all__ = [
    "BAND_LABELS",
    "OFFLINE_SLOT",
    "AccuracyPoint",
    "BandAssignment",
    "accuracy_point",
    "assign_accuracy_bands",
    "required_slots",
]

OFFLINE_SLOT = "offline"
BAND_LABELS = MappingProxyType(
    {
        "ultra_low": "Ultra Low",
        "low": "Low",
        "medium": "Medium",
        "high": "High",
        OFFLINE_SLOT: "Offline",
    }
)


class AccuracyPoint(NamedTuple):
    """One point of a curve as the matching sees it.

    ``bands``: the mandatory bands the point may fill (empty for the margin, a dedicated Offline
    point, or a point the caller does not count, e.g. one declared ``submitters_choice``).
    ``offline``: point.yaml ``offline`` (``dedicated``, ``elected`` or ``none``).
    ``has_accuracy``: the point has an accuracy result that counts (not inline-only).
    ``name``: how findings refer to the point (e.g. ``r64``).
    """

    concurrency: int
    bands: tuple[str, ...]
    offline: str = "none"
    has_accuracy: bool = True
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or f"r{self.concurrency}"


def accuracy_point(
    regions: RegionsV1,
    concurrency: int,
    *,
    offline: str = "none",
    has_accuracy: bool = True,
    declared_region: str | None = None,
    name: str = "",
) -> AccuracyPoint:
    """An ``AccuracyPoint`` whose bands come from the regions.

    A dedicated Offline point covers no band (B§5); a point declared ``submitters_choice``
    covers none either (its result is an extra, B§6 ``accuracy-coverage``); any other point
    covers ``regions.bands_covered(concurrency)``.
    """
    if offline == "dedicated" or declared_region == "submitters_choice":
        bands: tuple[str, ...] = ()
    else:
        bands = regions.bands_covered(concurrency)
    return AccuracyPoint(
        concurrency=concurrency,
        bands=bands,
        offline=offline,
        has_accuracy=has_accuracy,
        name=name,
    )


def required_slots(*, agentic: bool = False) -> tuple[str, ...]:
    """The slots a curve must fill: the four bands, plus ``offline`` unless agentic."""
    return COVERAGE_BANDS if agentic else (*COVERAGE_BANDS, OFFLINE_SLOT)


class BandAssignment(NamedTuple):
    """A maximum assignment of accuracy results to slots.

    ``filled`` maps each filled slot to its point, in slot order; ``unfilled`` lists the slots no
    result can fill; ``surplus`` lists the points with a result that fills no slot (an extra
    result: a second one in a band, or one at a point outside every band), ordered by
    concurrency. ``slots`` are the required slots (``required_slots``).
    """

    slots: tuple[str, ...]
    filled: Mapping[str, AccuracyPoint]
    unfilled: tuple[str, ...]
    surplus: tuple[AccuracyPoint, ...]

    @property
    def complete(self) -> bool:
        """Every slot filled and no extra result: ``accuracy-coverage`` passes."""
        return not self.unfilled and not self.surplus

    def surplus_reason(self, point: AccuracyPoint) -> str:
        """Why ``point``'s result fills no slot, naming the point that holds its band(s)."""
        if not point.bands and point.offline == "none":
            return f"{point.label} lies in no mandatory band"
        holders = [
            f"{BAND_LABELS[slot]} by {self.filled[slot].label}"
            for slot in (*point.bands, *((OFFLINE_SLOT,) if point.offline != "none" else ()))
            if slot in self.filled
        ]
        if not holders:
            return f"{point.label} lies in no required slot"
        return f"{point.label}'s band is already filled ({', '.join(holders)})"


def _eligible_units(
    points: Iterable[AccuracyPoint], slots: tuple[str, ...]
) -> list[tuple[AccuracyPoint, tuple[str, ...]]]:
    """One matching unit per result; the elected Offline point gets a second, Offline-only unit.

    A dedicated Offline point's single unit may fill the Offline slot; an elected point's band
    unit fills bands only, so it can count for High and, with its other unit, as Offline.
    """
    offline_needed = OFFLINE_SLOT in slots
    units = []
    for point in sorted(points, key=lambda p: (p.concurrency, p.label)):
        if not point.has_accuracy:
            continue
        bands = tuple(band for band in point.bands if band in slots)
        if point.offline == "dedicated" and offline_needed:
            units.append((point, (*bands, OFFLINE_SLOT)))
        elif point.offline == "elected" and offline_needed:
            units.append((point, bands))
            units.append((point, (OFFLINE_SLOT,)))
        else:
            units.append((point, bands))
    return units


def assign_accuracy_bands(
    points: Iterable[AccuracyPoint], *, agentic: bool = False
) -> BandAssignment:
    """Fill the required slots with as many results as possible (maximum bipartite matching).

    Kuhn's augmenting paths over at most 33 results × 5 slots. Deterministic: units are tried in
    order of concurrency, so among maximum matchings the one found first is stable for a given
    input. A point is surplus when none of its units is matched.
    """
    slots = required_slots(agentic=agentic)
    units = _eligible_units(points, slots)
    slot_owner: dict[str, int] = {}  # slot -> index of the unit filling it

    def augment(unit: int, visited: set[str]) -> bool:
        for slot in units[unit][1]:
            if slot in visited:
                continue
            visited.add(slot)
            holder = slot_owner.get(slot)
            if holder is None or augment(holder, visited):
                slot_owner[slot] = unit
                return True
        return False

    for unit in range(len(units)):
        augment(unit, set())

    matched_points = {id(units[unit][0]) for unit in slot_owner.values()}
    surplus: list[AccuracyPoint] = []
    for point, _ in units:
        if id(point) not in matched_points and all(p is not point for p in surplus):
            surplus.append(point)
    return BandAssignment(
        slots=slots,
        filled=MappingProxyType(
            {slot: units[slot_owner[slot]][0] for slot in slots if slot in slot_owner}
        ),
        unfilled=tuple(slot for slot in slots if slot not in slot_owner),
        surplus=tuple(surplus),
    )
