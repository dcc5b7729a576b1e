"""Name normalisation shared by the checker and the tools that build submissions."""

from __future__ import annotations

import re

__all__ = ["normalise_model_name"]

_OUTSIDE_SAFE = re.compile(r"[^A-Za-z0-9_-]")
_UNDERSCORE_RUNS = re.compile(r"_+")


def normalise_model_name(name: str) -> str:
    """The model directory name a declared model maps to (rule ``config-consistency-model``).

    Text after the last ``/`` (``meta-llama/Llama-2-70b`` → ``Llama-2-70b``), whitespace trimmed,
    every character outside ``[A-Za-z0-9_-]`` replaced by ``_``, runs of ``_`` collapsed and
    leading/trailing ``_`` removed. Case is kept.
    """
    tail = name.rsplit("/", 1)[-1].strip()
    return _UNDERSCORE_RUNS.sub("_", _OUTSIDE_SAFE.sub("_", tail)).strip("_")
