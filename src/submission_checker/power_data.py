"""Reads the round's power numbers (``data/<round>/power_defaults.yaml``) for ``power``.

Kept apart from ``power`` so that the arithmetic stays free of file access.
"""

from __future__ import annotations

import functools
from importlib import resources

from .loading import LoadError, parse_yaml
from .power import PowerDefaults

__all__ = ["load_power_defaults"]


@functools.cache
def load_power_defaults(round_name: str = "v1.0") -> PowerDefaults:
    """The power defaults shipped for ``round_name``; ``ValueError`` when absent or malformed."""
    resource = resources.files("submission_checker") / "data" / round_name / "power_defaults.yaml"
    try:
        return PowerDefaults.from_mapping(parse_yaml(resource.read_text(encoding="utf-8")))
    except (OSError, LoadError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"power data of round {round_name!r} is unreadable: {exc}") from exc
