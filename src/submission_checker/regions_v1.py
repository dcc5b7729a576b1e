"""Round v1.0 concurrency regions (checker-v1.0.md A2.1, B§5), in exact integers.

With C_max = ``max_supported_concurrency`` and C_min (the curve's lowest concurrency capped at
32, or ``c_min_override``), d = C_max − C_min and

    low_latency       1 … C_min                       (the "Ultra Low" band)
    low_concurrency   C_min+1 … C_min + ⟨∛d⟩
    med_concurrency   LC_end+1 … C_min + ⟨d^(2/3)⟩
    high_concurrency  MC_end+1 … C_max
    margin            C_max+1 … ⌊(11·C_max + 9)/10⌋  (= ⌈1.1·C_max⌉)

where ⟨x⟩ is the integer nearest to x. ⟨∛d⟩ is ``regions.nearest_root(d, 3)`` and ⟨d^(2/3)⟩ is
``nearest_root(d², 3)``: k is nearest to ∛y exactly when (2k−1)³ < 8y < (2k+1)³, and 8y is even
while (2k±1)³ is odd, so no tie can occur and no float is involved. 1.5.3.0 uses floats and gets
the margin end wrong for 5,524 values of C_max ≤ 100,000 (C_max = 100 → 111 instead of 110).

Everything here is pure: numbers in, a ``RegionsV1`` out that keeps its inputs and intermediate
values so that a finding can show the working (``RegionsV1.working()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from .regions import Range, margin_upper, nearest_root, region_holding, span_or_none

__all__ = [
    "BAND_OF_REGION",
    "C_MIN_CAP",
    "COVERAGE_BANDS",
    "REGION_LABELS",
    "REGION_NAMES",
    "CMin",
    "RegionsV1",
    "compute_regions_v1",
    "derive_c_min",
    "region_computation_problems",
]

#: C_min is capped at, and an override may be at most, this value; C_max must exceed it.
C_MIN_CAP = 32

#: Computed region names, in classification order (the point.yaml ``region`` vocabulary minus
#: ``submitters_choice``, which is declared, never computed).
REGION_NAMES = ("low_latency", "low_concurrency", "med_concurrency", "high_concurrency", "margin")
REGION_LABELS = MappingProxyType(
    {
        "low_latency": "Ultra Low Concurrency",
        "low_concurrency": "Low Concurrency",
        "med_concurrency": "Medium Concurrency",
        "high_concurrency": "High Concurrency",
        "margin": "Margin",
    }
)
#: The mandatory bands of coverage and accuracy (the margin counts for none of them).
COVERAGE_BANDS = ("ultra_low", "low", "medium", "high")
BAND_OF_REGION = MappingProxyType(
    {
        "low_latency": "ultra_low",
        "low_concurrency": "low",
        "med_concurrency": "medium",
        "high_concurrency": "high",
    }
)


class CMin(NamedTuple):
    """C_min of a curve and where it came from.

    ``source`` is ``"override"`` (every point's system description declared
    ``c_min_override``), ``"lowest point"`` (the curve's lowest concurrency, ≤ 32) or ``"cap"``
    (the lowest concurrency ``lowest`` was above 32, so C_min = 32). ``lowest`` is ``None`` for
    an override. (A ``NamedTuple``: a tenth of a frozen dataclass's import cost.)
    """

    value: int
    source: str
    lowest: int | None

    @property
    def overridden(self) -> bool:
        return self.source == "override"

    def __str__(self) -> str:
        if self.overridden:
            return f"C_min = {self.value} (c_min_override)"
        if self.source == "cap":
            return f"C_min = {self.value} (lowest point {self.lowest} capped at {C_MIN_CAP})"
        return f"C_min = {self.value} (lowest point)"


def derive_c_min(concurrencies: Iterable[int], override: int | None = None) -> CMin | None:
    """C_min per B§5 / A2.1: ``override`` when given, else min(lowest concurrency, 32).

    ``concurrencies`` are all the curve's points (the caller includes unparsed points by their
    raw concurrency or ``r<N>``). ``override`` is the ``c_min_override`` the caller established
    that *every* point declares with one value (the ``c-min-override`` rule judges partial or
    conflicting declarations); it is returned as is, even when invalid, so that
    ``region_computation_problems`` reports it. Returns ``None`` when there is no override and no
    concurrency (``region-basis`` error). The value is not clamped below: a concurrency ≤ 0
    yields C_min ≤ 0, which ``region_computation_problems`` reports.
    """
    if override is not None:
        return CMin(value=override, source="override", lowest=None)
    values = list(concurrencies)
    if not values:
        return None
    lowest = min(values)
    if lowest > C_MIN_CAP:
        return CMin(value=C_MIN_CAP, source="cap", lowest=lowest)
    return CMin(value=lowest, source="lowest point", lowest=lowest)


def region_computation_problems(max_concurrency: object, min_concurrency: object) -> list[str]:
    """What makes (C_max, C_min) unusable (rule ``region-computation``); empty when valid.

    Valid means both are integers (``bool`` is not), 1 ≤ C_min ≤ 32 and C_max > 32. Each problem
    names the value found and the range expected.
    """
    problems = []
    if isinstance(min_concurrency, bool) or not isinstance(min_concurrency, int):
        problems.append(f"C_min must be an integer, found {min_concurrency!r}")
    elif not 1 <= min_concurrency <= C_MIN_CAP:
        problems.append(f"C_min must be in [1, {C_MIN_CAP}], found {min_concurrency}")
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
        problems.append(f"C_max must be an integer, found {max_concurrency!r}")
    elif max_concurrency <= C_MIN_CAP:
        problems.append(f"C_max must be greater than {C_MIN_CAP}, found {max_concurrency}")
    return problems


@dataclass(frozen=True)
class RegionsV1:
    """The five v1.0 regions of one curve, with the inputs and steps that produced them.

    ``ranges[name]`` is an inclusive ``Range`` or ``None`` when the region is empty (e.g. C_max =
    33, C_min = 32 leaves Medium and High empty). ``cube_root`` = ⟨∛d⟩ and ``two_thirds`` =
    ⟨d^(2/3)⟩ are kept for ``working()``.
    """

    max_concurrency: int
    min_concurrency: int
    c_min_overridden: bool
    d: int
    cube_root: int
    two_thirds: int
    ranges: Mapping[str, Range | None]

    def __getitem__(self, name: str) -> Range | None:
        return self.ranges[name]

    def classify(self, concurrency: int) -> str | None:
        """The first region (``REGION_NAMES`` order) holding ``concurrency``, else ``None``."""
        return region_holding(self.ranges, REGION_NAMES, concurrency)

    @property
    def margin_end(self) -> int:
        return margin_upper(self.max_concurrency)

    def coverage_range(self, band: str) -> Range | None:
        """Concurrencies that cover a mandatory band (``COVERAGE_BANDS``).

        Ultra Low is [1, 32] without an override and [1, C_min] with one (B§5); Low, Medium and
        High are their regions. The margin covers nothing.
        """
        if band == "ultra_low":
            return Range(1, self.min_concurrency if self.c_min_overridden else C_MIN_CAP)
        for region, region_band in BAND_OF_REGION.items():
            if region_band == band:
                return self.ranges[region]
        raise ValueError(f"unknown band {band!r}; expected one of {', '.join(COVERAGE_BANDS)}")

    def bands_covered(self, concurrency: int) -> tuple[str, ...]:
        """Every mandatory band whose coverage range holds ``concurrency``, in band order.

        Usually one band; two when C_min < 32 without an override (e.g. C_min = 16: C = 20 lies
        in Ultra Low's [1, 32] and in Low Concurrency's [17, 26]); none for the margin or out of
        range. The accuracy-band matching takes these as a point's eligible bands.
        """
        covered = []
        for band in COVERAGE_BANDS:
            span = self.coverage_range(band)
            if span is not None and span.lo <= concurrency <= span.hi:
                covered.append(band)
        return tuple(covered)

    def working(self) -> str:
        """One line showing the arithmetic, for findings and ``explain``."""
        c_max, c_min, d = self.max_concurrency, self.min_concurrency, self.d
        lc_end = c_min + self.cube_root
        mc_end = c_min + self.two_thirds
        return (
            f"C_max = {c_max}, C_min = {c_min}{' (override)' if self.c_min_overridden else ''}, "
            f"d = {d}; LC_end = {c_min} + round(∛{d}) = {lc_end}; "
            f"MC_end = {c_min} + round({d}^(2/3)) = {mc_end}; "
            f"margin end = ⌊(11·{c_max} + 9)/10⌋ = {self.margin_end}"
        )


def compute_regions_v1(
    max_concurrency: int, min_concurrency: int = C_MIN_CAP, *, c_min_overridden: bool = False
) -> RegionsV1:
    """The regions for (C_max, C_min); ``c_min_overridden`` only changes Ultra Low coverage.

    Raises ``ValueError`` with the ``region_computation_problems`` text when the pair is not
    valid (C_min ∉ [1, 32] or C_max ≤ 32, or either not an integer).
    """
    problems = region_computation_problems(max_concurrency, min_concurrency)
    if problems:
        raise ValueError("; ".join(problems))
    c_max, c_min = max_concurrency, min_concurrency
    d = c_max - c_min
    cube_root = nearest_root(d, 3)
    two_thirds = nearest_root(d * d, 3)
    lc_end = c_min + cube_root
    mc_end = c_min + two_thirds
    return RegionsV1(
        max_concurrency=c_max,
        min_concurrency=c_min,
        c_min_overridden=c_min_overridden,
        d=d,
        cube_root=cube_root,
        two_thirds=two_thirds,
        ranges=MappingProxyType(
            {
                "low_latency": Range(1, c_min),
                "low_concurrency": span_or_none(c_min + 1, lc_end),
                "med_concurrency": span_or_none(lc_end + 1, mc_end),
                "high_concurrency": span_or_none(mc_end + 1, c_max),
                "margin": Range(c_max + 1, margin_upper(c_max)),
            }
        ),
    )
