"""Name normalisation shared by the checker and the tools that build submissions."""

from __future__ import annotations

import re

__all__ = ["normalise_model_name", "printable"]

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


def printable(text: str) -> str:
    """``text`` as it can be shown and written as UTF-8: surrogates escaped (§4.4).

    A file name with bytes that are not UTF-8 reaches Python with surrogate escapes (byte 0xff
    as U+DCFF) and shows as ``\\xff``; a lone surrogate that a YAML escape produced (``\\ud800``)
    shows as that escape. Other text is returned unchanged (and at once when it is ASCII).
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(_escaped(char) for char in text)
    return text


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if 0xD800 <= code <= 0xDFFF else char
