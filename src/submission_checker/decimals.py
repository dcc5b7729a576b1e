"""Exact arithmetic on numbers as they are written in a file (checker.md §4.4).

A stored throughput such as ``"tps": 14.137475`` is exactly 1 % above 13.9975 tokens/s as
written, but its nearest binary float is a hair above that, so a float comparison fails about
half of all exact ±1 % values. Tolerances are therefore decided on ``Fraction``s built from the
decimal text (``loading.parse_json_exact`` keeps it as ``decimal.Decimal``), and numbers shown in
messages are formatted from those exact values, so that a message never says ``inf`` or ``nan``.
Round v1.0's stored ``tps`` uses the same helpers.
"""

from __future__ import annotations

import decimal
from fractions import Fraction

__all__ = ["RELATIVE_FLOOR", "exact", "relative_difference", "show", "within_relative"]

#: The denominator floor of a relative difference, ``max(|derived|, 1e-9)``, as the decimal 1e-9
RELATIVE_FLOOR = Fraction(1, 10**9)

Exact = Fraction | decimal.Decimal | int | float


def exact(value: Exact) -> Fraction:
    """The exact rational value of ``value``.

    A ``Decimal`` (or ``int``) is exactly the text that was written; a ``float`` is its binary
    value, which is only right when the text is not available. Non-finite values raise
    ``ValueError``: callers never have them (the readers refuse them).
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return Fraction(value)


def relative_difference(stored: Exact, derived: Exact) -> Fraction:
    """``|stored − derived| / max(|derived|, 1e-9)``, exactly."""
    s, d = exact(stored), exact(derived)
    return abs(s - d) / max(abs(d), RELATIVE_FLOOR)


def within_relative(stored: Exact, derived: Exact, tolerance: Fraction) -> bool:
    """True when ``stored`` is within ``tolerance`` of ``derived`` (exactly at it passes)."""
    return relative_difference(stored, derived) <= tolerance


_FLOAT_RANGE = (Fraction(1, 10**300), Fraction(10**300))


def show(value: Exact, digits: int = 6) -> str:
    """``value`` with ``digits`` significant digits, as ``format(x, ".6g")`` shows a float, but
    never ``inf``, ``nan`` or ``0`` for a huge or tiny finite value (``1.5e-310``, ``2e+400``)."""
    if type(value) is float and (value == 0.0 or 1e-300 <= abs(value) <= 1e300):
        return format(value, f".{digits}g")  # the common case, without a Fraction
    number = exact(value)
    low, high = _FLOAT_RANGE
    if number == 0 or low <= abs(number) <= high:
        return format(float(number), f".{digits}g")
    context = decimal.Context(prec=digits, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
    quotient = context.divide(
        decimal.Decimal(number.numerator), decimal.Decimal(number.denominator)
    )
    return format(quotient.normalize(context), "g").replace("E", "e")
