"""Measurement regions of the concurrency range (rules §5.5, margin §5.4), in exact integers.

With M = ``max_supported_concurrency`` > 32 and d = M − 32 the regions are Low Latency 1…32,
Low Throughput 33…32+round(d^(1/3)), Medium Throughput …32+round(d^(2/3)), High Throughput …M and
the margin M+1…ceil(1.1·M). Floats would misplace boundaries (the reference gets
ceil(100 × 1.1) = 111), so everything here is integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "LOW_LATENCY_MAX",
    "REGION_KEYS",
    "REGION_LABELS",
    "Range",
    "Regions",
    "compute_regions",
    "margin_upper",
    "nearest_root",
    "region_holding",
    "span_or_none",
]

LOW_LATENCY_MAX = 32
REGION_KEYS = ("low_latency", "low_throughput", "med_throughput", "high_throughput", "margin")
REGION_LABELS = {
    "low_latency": "Low Latency",
    "low_throughput": "Low Throughput",
    "med_throughput": "Medium Throughput",
    "high_throughput": "High Throughput",
    "margin": "Margin",
}


def _floor_root(value: int, n: int) -> int:
    """Largest r ≥ 0 with r**n ≤ value (integer Newton iteration from above)."""
    if value < 2:
        return value
    root = 1 << -(-value.bit_length() // n)  # 2**ceil(bits/n) ≥ the true root
    while True:
        better = ((n - 1) * root + value // root ** (n - 1)) // n
        if better >= root:
            return root
        root = better


def nearest_root(x: int, n: int = 3) -> int:
    """The integer nearest to x^(1/n), exactly.

    k is nearest when k − ½ ≤ x^(1/n) < k + ½, i.e. (2k−1)^n ≤ 2^n·x < (2k+1)^n. The middle term
    is even and the outer ones odd, so a tie cannot happen for integer x.
    """
    if isinstance(x, bool) or not isinstance(x, int) or x < 0:
        raise ValueError(f"nearest_root needs a non-negative integer, got {x!r}")
    if n < 1:
        raise ValueError(f"nearest_root needs n ≥ 1, got {n!r}")
    # r = floor((2^n x)^(1/n)) lies in [2k−1, 2k+1), so k = (r + 1) // 2.
    return (_floor_root(x << n, n) + 1) // 2


def margin_upper(max_concurrency: int) -> int:
    """ceil(1.1 · M) computed exactly: ⌊(11·M + 9) / 10⌋."""
    return (11 * max_concurrency + 9) // 10


class Range(NamedTuple):
    """An inclusive concurrency range ``lo…hi``."""

    lo: int
    hi: int

    def __str__(self) -> str:
        return f"{self.lo}–{self.hi}" if self.lo != self.hi else str(self.lo)

    @property
    def size(self) -> int:
        return self.hi - self.lo + 1


@dataclass(frozen=True)
class Regions:
    """The five regions for one M. ``ranges[key]`` is a ``Range`` or ``None`` when empty."""

    max_concurrency: int
    ranges: dict[str, Range | None]

    def __getitem__(self, key: str) -> Range | None:
        return self.ranges[key]

    def classify(self, concurrency: int) -> str | None:
        """The key of the region containing ``concurrency``, or ``None`` when out of range."""
        return region_holding(self.ranges, REGION_KEYS, concurrency)


def region_holding(
    ranges: Mapping[str, Range | None], order: Iterable[str], concurrency: int
) -> str | None:
    """The first region of ``order`` whose range holds ``concurrency``, else ``None``.

    Both rounds classify a point this way; only their region names differ.
    """
    for key in order:
        span = ranges[key]
        if span is not None and span.lo <= concurrency <= span.hi:
            return key
    return None


def span_or_none(lo: int, hi: int) -> Range | None:
    """``lo…hi``, or ``None`` when the region is empty (``lo > hi``)."""
    return Range(lo, hi) if lo <= hi else None


def compute_regions(max_concurrency: int) -> Regions:
    """Regions for M = ``max_concurrency``; raises ``ValueError`` when M is not an integer > 32."""
    m = max_concurrency
    if isinstance(m, bool) or not isinstance(m, int):
        raise ValueError(f"max_supported_concurrency must be an integer, got {m!r}")
    if m <= LOW_LATENCY_MAX:
        raise ValueError(
            f"max_supported_concurrency must be greater than {LOW_LATENCY_MAX} "
            f"to compute regions, got {m}"
        )
    d = m - LOW_LATENCY_MAX
    low_top = LOW_LATENCY_MAX + nearest_root(d, 3)
    med_top = LOW_LATENCY_MAX + nearest_root(d * d, 3)
    return Regions(
        max_concurrency=m,
        ranges={
            "low_latency": Range(1, LOW_LATENCY_MAX),
            "low_throughput": span_or_none(LOW_LATENCY_MAX + 1, low_top),
            "med_throughput": span_or_none(low_top + 1, med_top),
            "high_throughput": span_or_none(med_top + 1, m),
            "margin": span_or_none(m + 1, margin_upper(m)),
        },
    )
