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


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_text(path: str | os.PathLike[str]) -> str:
    # os.open/os.read rather than open(): no buffered file object for a file read whole, which
    # is a third of the cost of reading a thousand small files
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except IsADirectoryError:
        raise LoadError("is a directory, expected a file") from None
    except FileNotFoundError:
        raise LoadError("file not found") from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(
                f"file is {size / 1024 / 1024:.0f} MiB, larger than the "
                f"{MAX_FILE_BYTES // 1024 // 1024} MiB this kind of file can be; "
                "is it the detail log?"
            )
        chunks = []
        while chunk := os.read(fd, size + 1):  # to the end, even if the file grew meanwhile
            chunks.append(chunk)
        data = b"".join(chunks)
    except IsADirectoryError:
        raise LoadError("is a directory, expected a file") from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
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


#: The decoder ``json.loads(text, object_pairs_hook=…, parse_constant=…)`` would build per call
_STRICT_JSON = json.JSONDecoder(
    object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
)


def parse_json(text: str) -> Any:
    """Parse strict JSON text (see ``load_json``)."""
    _require_content(text)
    try:
        if text.startswith("\ufeff"):  # json.loads names this mistake; let it
            json.loads(text)
        data = _STRICT_JSON.decode(text)
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


_PLAIN_SCALAR_TAGS: dict[str, str] = {}
_PLAIN_SCALAR_TAGS_MAX = 4096


class StrictSafeLoader(_BaseSafeLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (the C one when available) that rejects duplicate mapping keys.

    The C loaders parse in C but still construct through Python's ``construct_mapping``, so the
    override applies to both. Keys brought in by a ``<<`` merge may be overridden, as YAML allows.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of a node, as PyYAML resolves it; plain scalars' tags are remembered.

        The C parser asks this Python method for every node. For a plain scalar the answer
        depends on its text alone (a safe loader has no path resolvers), and point files repeat
        the same few texts, so a small cache saves most of the regular-expression matching.
        """
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _PLAIN_SCALAR_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_PLAIN_SCALAR_TAGS) < _PLAIN_SCALAR_TAGS_MAX and len(value) <= 64:
                    _PLAIN_SCALAR_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

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


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_NULL_TAG = "tag:yaml.org,2002:null"
#: Scalars whose safe-loader constructor is a plain function of the node's text
_SCALAR_TAGS = frozenset(
    {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}
)


class _Unhandled(Exception):
    """The node tree needs PyYAML's full constructor (see ``_construct_plain``)."""


def _construct_plain(loader: Any, node: yaml.Node, seen: set[int]) -> Any:
    """Build the Python data of a plain node tree exactly as the safe constructor would, faster.

    PyYAML's constructor is pure Python with per-node bookkeeping (anchors, recursion, merge
    keys, two-step construction of collections) that costs more than parsing a small point file
    in C. Plain trees — untagged or standard-tagged str/int/float/bool/null scalars in
    mappings with scalar keys and sequences, each collection met once — are built here; scalar
    values other than strings and nulls go through the safe constructor's own functions, so they
    convert exactly alike. Anything else (merge keys, aliases of collections, other tags,
    duplicate keys, unhashable keys) raises ``_Unhandled`` and the caller uses PyYAML's
    constructor on the same node tree, with its exact results and errors.
    """
    kind = type(node)
    tag = node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR_TAG:
            return node.value
        if tag == _NULL_TAG:
            return None
        if tag in _SCALAR_TAGS:
            return loader.yaml_constructors[tag](loader, node)
        raise _Unhandled
    if id(node) in seen:  # an alias of a collection: PyYAML shares the object; let it
        raise _Unhandled
    seen.add(id(node))
    if kind is yaml.MappingNode and tag == _MAP_TAG:
        mapping = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _Unhandled
            mapping[_construct_plain(loader, key_node, seen)] = _construct_plain(
                loader, value_node, seen
            )
        if len(mapping) != len(node.value):  # duplicate keys: PyYAML reports them
            raise _Unhandled
        return mapping
    if kind is yaml.SequenceNode and tag == _SEQ_TAG:
        return [_construct_plain(loader, item, seen) for item in node.value]
    raise _Unhandled


def _load_yaml_text(text: str) -> Any:
    """``yaml.load(text, Loader=StrictSafeLoader)``, building plain documents faster."""
    loader = StrictSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _construct_plain(loader, node, set())
        except Exception:  # noqa: BLE001 - any doubt: PyYAML decides, and raises its own error
            return loader.construct_document(node)
    finally:
        loader.dispose()


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader, rejecting duplicate keys (see ``load_yaml``)."""
    _require_content(text)
    try:
        data = _load_yaml_text(text)
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
    except (AttributeError, IndexError, KeyError, TypeError):
        # PyYAML's constructors fail this way on explicitly tagged values they cannot read,
        # such as "!!timestamp yes" or "!!bool maybe"
        raise LoadError("not valid YAML: an explicitly tagged value does not fit its tag") from None
    return _reject_lone_surrogates(data, text)


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """Read a UTF-8 YAML file as PyYAML's safe loader does, plus duplicate-key rejection.

    Empty files, non-UTF-8 bytes and malformed YAML raise ``LoadError``.
    """
    return parse_yaml(_read_text(path))
