"""Strict readers for the submission's JSON and YAML files.

Submission files are written by hand or by tools we do not control, so every reader here turns
whatever is on disk into either plain Python data or one ``LoadError`` whose message a submitter
can act on: not UTF-8, empty, malformed (with line and column), duplicate keys, ``NaN`` or
``Infinity`` in JSON, numbers too large to represent. Integers stay exact (Python ints).
"""

from __future__ import annotations

import json
import os
from typing import Any

import yaml
from yaml.constructor import ConstructorError

__all__ = ["MAX_FILE_BYTES", "LoadError", "load_json", "load_yaml", "parse_json", "parse_yaml"]


class LoadError(Exception):
    """A file could not be read as the strict JSON or YAML the submission format requires."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------------------------
# Reading bytes


#: Larger files are refused unread: a summary or a point file is kilobytes, and a detail log
#: copied over a summary by mistake can be gigabytes.
MAX_FILE_BYTES = 64 * 1024 * 1024


def _read_text(path: str | os.PathLike[str]) -> str:
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise LoadError(
                    f"file is {size / 1024 / 1024:.0f} MiB, larger than the "
                    f"{MAX_FILE_BYTES // 1024 // 1024} MiB this kind of file can be; "
                    "is it the detail log?"
                )
            data = handle.read()
    except IsADirectoryError:
        raise LoadError("is a directory, expected a file") from None
    except FileNotFoundError:
        raise LoadError("file not found") from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None
    return _decode(data)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None
    # A UTF-8 byte-order mark is legal UTF-8 that some editors add; it carries no content.
    return text[1:] if text.startswith("\ufeff") else text


def _require_content(text: str) -> None:
    if not text.strip():
        raise LoadError("file is empty")


# ---------------------------------------------------------------------------------------------
# JSON


def _reject_constant(name: str) -> Any:
    raise LoadError(f"{name} is not a number in strict JSON; write a finite number or null")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise LoadError(f'duplicate key "{key}" in a JSON object; keep only one')
            seen.add(key)
    return result


def _reject_lone_surrogates(data: Any, text: str) -> Any:
    """A ``\\ud800`` escape decodes to a string no UTF-8 output can print; refuse it here.

    Only files that contain a ``\\u`` escape at all pay for the check.
    """
    if "\\u" in text or "\\U" in text:
        try:
            json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise LoadError(
                "contains a \\u escape of a lone surrogate, which is not a character"
            ) from None
        except (TypeError, ValueError, RecursionError):
            pass  # not JSON-shaped (YAML tags, self-references): nothing to print anyway
    return data


def parse_json(text: str) -> Any:
    """Parse strict JSON text (see ``load_json``)."""
    _require_content(text)
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise LoadError(f"not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise LoadError("not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal with more digits than Python allows
        raise LoadError(f"not valid JSON: {exc}") from None
    return _reject_lone_surrogates(data, text)


def load_json(path: str | os.PathLike[str]) -> Any:
    """Read a UTF-8 JSON file strictly.

    Rejects duplicate object keys, ``NaN``/``Infinity``, empty files and non-UTF-8 bytes, each
    with a ``LoadError`` that says what is wrong and where. A literal too large for a float
    (``1e400``) reads as infinity, which every schema rejects where a number is expected;
    scanning for it up front would double the cost of reading large summaries.
    """
    return parse_json(_read_text(path))


# ---------------------------------------------------------------------------------------------
# YAML

_BaseSafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictSafeLoader(_BaseSafeLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (the C one when available) that rejects duplicate mapping keys.

    The C loaders parse in C but still construct through Python's ``construct_mapping``, so the
    override applies to both. Keys brought in by a ``<<`` merge may be overridden, as YAML allows.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        explicit = [key_node for key_node, _ in node.value if key_node.tag != _MERGE_TAG]
        mapping = super().construct_mapping(node, deep=deep)
        if len(explicit) == len(node.value) and len(mapping) == len(explicit):
            return mapping  # no merge keys and as many keys as entries: no duplicates
        seen: set[Any] = set()
        for key_node in explicit:  # constructed above already: these calls hit the cache
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConstructorError(
                    None, None, f"duplicate key {key!r}; keep only one", key_node.start_mark
                )
            seen.add(key)
        return mapping


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader, rejecting duplicate keys (see ``load_yaml``)."""
    _require_content(text)
    try:
        data = yaml.load(text, Loader=StrictSafeLoader)  # noqa: S506 - a safe loader subclass
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "malformed"
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise LoadError(f"not valid YAML: {problem}{where}") from None
    except yaml.YAMLError as exc:
        raise LoadError(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise LoadError("not valid YAML: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python allows
        raise LoadError(f"not valid YAML: {exc}") from None
    return _reject_lone_surrogates(data, text)


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """Read a UTF-8 YAML file as PyYAML's safe loader does, plus duplicate-key rejection.

    Empty files, non-UTF-8 bytes and malformed YAML raise ``LoadError``.
    """
    return parse_yaml(_read_text(path))
