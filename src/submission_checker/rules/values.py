"""Typed reads of already-parsed data, so a rule runs whenever *its* fields are well-typed.

A summary with one bad field still gets its other metrics checked (checker.md §4.3); these
helpers return ``None`` instead of guessing when a value has the wrong type.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["dig", "integer", "number", "text"]


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]…`` or ``None`` when any level is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def integer(value: Any) -> int | None:
    """``value`` if it is an int (a bool is not), else ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number(value: Any) -> float | int | None:
    """``value`` if it is a finite int or float (a bool is not), else ``None``.

    An int too large for a float is not a number here: the schema reports it (§4.4), and rules
    that compute with floats must not meet it.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value if -_FLOAT_INT_LIMIT < value < _FLOAT_INT_LIMIT else None


#: Ints at least this large overflow ``float()``
_FLOAT_INT_LIMIT = 2**1024 - 2**970


def text(value: Any) -> str | None:
    """``value`` if it is a string with non-whitespace content, else ``None``."""
    return value if isinstance(value, str) and value.strip() else None
