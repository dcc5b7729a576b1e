"""Strict readers for the submission's JSON and YAML files.

Submission files are written by hand or by tools we do not control, so every reader here turns
whatever is on disk into either plain Python data or one ``LoadError`` whose message a submitter
can act on: not UTF-8, empty, malformed (with line and column), duplicate keys, ``NaN`` or
``Infinity`` in JSON, numbers too large to represent. Integers stay exact (Python ints).
"""

from __future__ import annotations

import decimal
import json
import operator
import os
import re
import threading
from itertools import compress
from typing import Any

import yaml

__all__ = [
    "MAX_FILE_BYTES",
    "LoadError",
    "load_json",
    "load_json_exact",
    "load_yaml",
    "parse_json",
    "parse_json_bytes",
    "parse_json_exact",
    "parse_json_literals",
    "parse_yaml",
    "read_bytes",
]


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
    return _decode(_read_bytes(path))


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
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
                f"file is {size:,} bytes, more than the {MAX_FILE_BYTES // 1024 // 1024} MiB "
                f"({MAX_FILE_BYTES:,} bytes) this kind of file can be, so it is not read; "
                "is it the detail log?"
            )
        # One read when the file still has the size fstat gave (a thousand small files: a
        # second read only to see the end is a tenth of the cost of reading them)
        data = os.read(fd, size + 1)
        if len(data) != size:  # the file grew or shrank meanwhile: read on to its end
            chunks = [data]
            while chunk := os.read(fd, size + 1):
                chunks.append(chunk)
            data = b"".join(chunks)
    except IsADirectoryError:
        raise LoadError("is a directory, expected a file") from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return data


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
    if not text or text.isspace():  # what ``not text.strip()`` says, without copying the text
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

    Only files that contain a ``\\u`` escape at all pay for the check. A backslash is looked for
    first: one character is found at memory speed, a two-character string ten times slower.
    """
    if "\\" in text and ("\\u" in text or "\\U" in text):
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


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value - value != 0.0:
        literal = literal if len(literal) <= 24 else f"{literal[:20]}…"
        raise LoadError(
            f"the number {literal} is too large for a 64-bit float (it would read as infinity); "
            "write a finite number"
        )
    return value


#: The same, refusing float literals that overflow (``1e400``): slower, so only used when
#: ``_may_overflow`` finds a candidate in the text
_FINITE_JSON = json.JSONDecoder(
    object_pairs_hook=_no_duplicate_keys,
    parse_constant=_reject_constant,
    parse_float=_finite_float,
)

#: Every float literal beyond 1.8e308 has a three-digit exponent or a run of 100+ digits. The
#: bytes are mapped (digits → 0, E → e, signs dropped) so that both show as plain substrings,
#: found at memory speed: a regular expression costs as much as the parse.
_NUMBER_SHAPE = bytes.maketrans(b"0123456789E", b"0000000000e")
_OVERFLOW_SHAPES = (b"e000", b"0" * 100)
#: the first shape, searched by ``re``: it skips to each ``e`` at memory speed, where ``in``
#: compares at every zero of the long runs a summary's digits become (3 µs for 3 KB)
_OVERFLOW_EXPONENT = re.compile(re.escape(_OVERFLOW_SHAPES[0]))


def _value_error(kind: str, exc: ValueError, text: str) -> LoadError:
    """``LoadError`` for a ValueError of a parser: Python's integer-size limit is said in the
    project's words (where, how many digits, the limit), not with Python's own advice."""
    size = _INT_LIMIT_MESSAGE.search(str(exc))
    if size is None:
        return LoadError(f"not valid {kind}: {exc}")
    limit, digits = size.group(1), size.group(2)
    line = next(
        (
            text.count("\n", 0, run.start()) + 1
            for run in _DIGIT_RUN.finditer(text)
            if sum(char.isdigit() for char in run.group()) > int(limit)
        ),
        None,
    )
    where = f" at line {line}" if line else ""
    return LoadError(
        f"not valid {kind}: the number{where} has {digits} digits; at most {limit} digits are "
        "read (no field needs a number that long: correct the value)"
    )


#: Python's message for an integer literal longer than ``sys.get_int_max_str_digits()``
_INT_LIMIT_MESSAGE = re.compile(
    r"limit \((\d+) digits\) for integer string conversion.*? (\d+) digits"
)
_DIGIT_RUN = re.compile(r"[0-9_]{100,}")


def _may_overflow(data: bytes) -> bool:
    shape = data.translate(_NUMBER_SHAPE, b"+-")
    return _OVERFLOW_EXPONENT.search(shape) is not None or _OVERFLOW_SHAPES[1] in shape


def parse_json(text: str) -> Any:
    """Parse strict JSON text (see ``load_json``)."""
    return _parse_json(text, text.encode("utf-8", "surrogatepass"))


def _parse_json(text: str, data: bytes, plain: json.JSONDecoder = _STRICT_JSON) -> Any:
    """``text`` (whose bytes are ``data``) read by ``plain``, or by ``_FINITE_JSON`` when a
    float literal in it might overflow."""
    _require_content(text)
    try:
        if text.startswith("\ufeff"):  # json.loads names this mistake; let it
            json.loads(text)
        decoder = _FINITE_JSON if _may_overflow(data) else plain
        parsed = decoder.decode(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise LoadError(f"not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise LoadError("not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal with more digits than Python allows
        raise _value_error("JSON", exc, text) from None
    return _reject_lone_surrogates(parsed, text)


def load_json(path: str | os.PathLike[str]) -> Any:
    """Read a UTF-8 JSON file strictly.

    Rejects duplicate object keys, ``NaN``/``Infinity`` and literals that overflow to infinity
    (``1e400``), lone surrogate escapes, empty files and non-UTF-8 bytes, each with a
    ``LoadError`` that says what is wrong and where. Integers stay exact Python ints, however
    large; the schemas say where one too large for a float is wrong.
    """
    return parse_json_bytes(_read_bytes(path))


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes, as every loader here reads them: bounded, one clear error if it can't."""
    return _read_bytes(path)


def parse_json_bytes(data: bytes) -> Any:
    """``load_json`` of bytes already read (``read_bytes``)."""
    return _parse_json(_decode(data), data)


#: ``_STRICT_JSON`` leaving float literals unread (see ``parse_json_literals``)
_LITERAL_JSON = json.JSONDecoder(
    object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant, parse_float=str.encode
)
#: the size of each object the counting decoder built, per thread (see ``_count_keys``)
_KEY_COUNTS = threading.local()


def _count_keys(mapping: dict[str, Any]) -> dict[str, Any]:
    _KEY_COUNTS.sizes.append(len(mapping))
    return mapping


#: ``_LITERAL_JSON`` without the duplicate-key hook: it counts the keys each object kept
_COUNTING_LITERAL_JSON = json.JSONDecoder(
    object_hook=_count_keys, parse_constant=_reject_constant, parse_float=str.encode
)


def parse_json_literals(data: bytes) -> Any:
    """``parse_json_bytes``, leaving every number written with a fraction or an exponent unread:
    its literal as ASCII ``bytes``, whose ``float()`` is the float ``parse_json_bytes`` reads.

    Converting float literals is half the cost of parsing a summary (~80 of them), and its
    readers keep a dozen. Every literal left is finite: bytes in which one might overflow to
    infinity are read with floats, as ``parse_json_bytes`` reads them (refusing an overflow).
    Valid or not, the bytes give the same errors as with ``parse_json_bytes``.

    Duplicate keys are ruled out by counting, not by a hook on every object: each key is
    followed by a colon, so when the objects built kept as many keys as the bytes hold colons,
    no key was written twice (a colon inside a string only makes the count differ). Bytes that
    do not count out so, or that fail to parse, are read again by the reference path, which
    names the error.
    """
    text = _decode(data)
    sizes: list[int] = []
    _KEY_COUNTS.sizes = sizes
    try:
        parsed = _COUNTING_LITERAL_JSON.decode(text)
    except Exception:  # noqa: BLE001 - whatever it is, the reference read below names it
        return _parse_json(text, data, _LITERAL_JSON)
    if sum(sizes) != data.count(b":") or _may_overflow(data):
        return _parse_json(text, data, _LITERAL_JSON)
    return _reject_lone_surrogates(parsed, text)


_EXACT_JSON = json.JSONDecoder(
    object_pairs_hook=_no_duplicate_keys,
    parse_constant=_reject_constant,
    parse_float=decimal.Decimal,
)


def parse_json_exact(text: str) -> Any:
    """Parse strict JSON text keeping every fractional number as the ``Decimal`` written.

    For decisions that must be made on the numbers as written (§4.4, see ``decimals``), not on
    their binary floats. Integers are ints as with ``parse_json``; the same errors apply, except
    that an overflowing literal is kept (``parse_json`` refuses it; callers read a file with it
    first).
    """
    _require_content(text)
    try:
        return _EXACT_JSON.decode(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise LoadError(f"not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise LoadError("not valid JSON: nested too deeply") from None
    except ValueError as exc:
        raise _value_error("JSON", exc, text) from None


def load_json_exact(path: str | os.PathLike[str]) -> Any:
    """``load_json`` with fractional numbers as exact ``Decimal``s (see ``parse_json_exact``)."""
    return parse_json_exact(_read_text(path))


# ---------------------------------------------------------------------------------------------
# YAML

_MERGE_TAG = "tag:yaml.org,2002:merge"


_PLAIN_SCALAR_TAGS: dict[str, str] = {}
_PLAIN_SCALAR_TAGS_MAX = 4096


class _StrictMixin:
    """What both loaders add to PyYAML: the §4.4 refusals and a plain-scalar tag cache."""

    def get_single_data(self) -> Any:
        """``yaml.load``'s entry point: compose, refuse bombs and duplicates, construct."""
        node = self.get_single_node()  # type: ignore[attr-defined]
        if node is None:
            return None
        _check_node_graph(self, node)
        return self.construct_document(node)  # type: ignore[attr-defined]

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of a node, as PyYAML resolves it; plain scalars' tags are remembered.

        The parser asks this Python method for every node. For a plain scalar the answer
        depends on its text alone (a safe loader has no path resolvers), and point files repeat
        the same few texts, so a small cache saves most of the regular-expression matching.
        """
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _PLAIN_SCALAR_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
                if len(_PLAIN_SCALAR_TAGS) < _PLAIN_SCALAR_TAGS_MAX and len(value) <= 64:
                    _PLAIN_SCALAR_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[misc]


class StrictSafeLoader(_StrictMixin, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, the reference every YAML file is read as (§4.4).

    With ``yaml.load(text, Loader=StrictSafeLoader)`` it also refuses duplicate mapping keys
    (merge sources included) and alias bombs, on the composed node graph before anything is
    constructed. ``parse_yaml`` gives the same result, faster.
    """


_FastSafeLoader: type = type(
    "_FastSafeLoader", (_StrictMixin, getattr(yaml, "CSafeLoader", yaml.SafeLoader)), {}
)

#: Text the C parser (libyaml) and PyYAML's pure-Python parser compose alike. libyaml differs
#: from the reference on tabs, byte-order marks, ``?`` in flow collections, ``%YAML``
#: directives, escapes, and long simple keys; so text with any of those, other line breaks
#: (U+0085, U+2028/9), control characters, block scalars, tags or reserved indicators goes to
#: the reference parser. Whatever the C parser refuses goes there too, so only its acceptances
#: are trusted, on the subset the differential tests cover. The round tables are in it, and
#: the C parser reads them ten times faster (point files are read line by line, faster still:
#: see ``_read_line_block``).
_RESERVED_FOR_REFERENCE = "?%\\!|>@`"
_LONGEST_PLAIN_LINE = 512


def _in_plain_subset(text: str) -> bool:
    flat = text.replace("\n", "")
    # Unicode calls unprintable: tabs, CR, BOM, NEL, U+2028/9, controls, surrogates, no-break
    # spaces, unassigned characters
    if not flat.isprintable():
        return False
    if any(char in flat for char in _RESERVED_FOR_REFERENCE):
        return False
    return len(text) <= _LONGEST_PLAIN_LINE or all(
        len(line) <= _LONGEST_PLAIN_LINE for line in text.split("\n")
    )


def _compose(text: str, plain: bool) -> tuple[Any, Any]:
    """(loader, node graph) of the single document in ``text``, as the reference composes it.

    The C parser is used only on the plain subset (see ``_in_plain_subset``), and only when it
    accepts the text: whenever it refuses, the reference parser decides and names the error.
    """
    if plain:  # _in_plain_subset(text)
        loader = _FastSafeLoader(text)
        try:
            return loader, loader.get_single_node()
        except yaml.YAMLError:
            loader.dispose()
    loader = StrictSafeLoader(text)
    return loader, loader.get_single_node()


#: Alias expansion bound (§4.4): expanded nodes per node of the text, and in all
MAX_EXPANSION_FACTOR = 100
MAX_EXPANDED_NODES = 1_000_000


def _check_node_graph(loader: Any, root: yaml.Node) -> None:
    """Refuse alias bombs and duplicate keys, looking at each distinct node once.

    The expanded size of a node (what it would become with every alias copied out) is counted
    by reference, without expanding anything, so eight nested levels of aliases cost as much as
    eight nodes. Duplicate keys are looked for in every mapping as written, before PyYAML's
    merge (``<<``) folds sources into it: a merge source's own keys must be unique, while a key
    written next to ``<<`` may override a merged one.
    """
    expanded: dict[int, int] = {}  # id(node) → expanded size, once it is known
    on_path: set[int] = set()  # collections being counted (a node inside itself is a loop)
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if type(node) is yaml.ScalarNode:
            expanded[key] = 1
            continue
        if children_done:
            on_path.discard(key)
            children = _children(node)
            expanded[key] = 1 + sum(expanded[id(child)] for child in children)
            if type(node) is yaml.MappingNode:
                _refuse_duplicate_keys(loader, node)
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise yaml.constructor.ConstructorError(
                None, None, "an alias refers to a collection that contains it", node.start_mark
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in expanded)
    distinct = len(expanded)
    total = expanded[id(root)]
    if total > min(MAX_EXPANSION_FACTOR * distinct, MAX_EXPANDED_NODES):
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"aliases would expand {distinct:,} nodes into {total:,} "
            f"(more than {MAX_EXPANSION_FACTOR}× its own, or {MAX_EXPANDED_NODES:,} in all)",
            root.start_mark,
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if type(node) is yaml.MappingNode:
        return [child for pair in node.value for child in pair]
    return list(node.value) if type(node) is yaml.SequenceNode else []


def _refuse_duplicate_keys(loader: Any, node: yaml.MappingNode) -> None:
    explicit = [key for key, _ in node.value if key.tag != _MERGE_TAG]
    plain = all(key.tag == _STR_TAG and type(key) is yaml.ScalarNode for key in explicit)
    if plain and len({key.value for key in explicit}) == len(explicit):
        return  # distinct string keys (the common case), decided on their text
    seen: list[Any] = []
    for key_node in explicit:
        try:
            key = loader.construct_object(key_node, deep=True)
            hash(key)
        except Exception:  # noqa: BLE001 - PyYAML's constructor reports such keys itself
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}; keep only one", key_node.start_mark
            )
        seen.append(key)


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


# ---------------------------------------------------------------------------------------------
# Plain block documents, read line by line

#: ``key: value`` or ``key:``, the key a plain word (its tag is checked to be ``str``)
_BLOCK_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_./-]*):(?: (.*))?")
#: characters a plain value read line by line never has (each can start or end a token)
_NOT_IN_LINE_VALUES = frozenset("#,[]{}&*!'\"%@`\\?\t")
#: characters a plain value read line by line never starts with (indicators)
_NOT_FIRST_IN_LINE_VALUES = frozenset(":|>")
#: whole values that are empty flow collections (``profiling: {}``), built afresh each time
_EMPTY_FLOW = {"{}": dict, "[]": list}
_LINE_SCALAR_TAGS = frozenset({_NULL_TAG, *_SCALAR_TAGS})
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_RESOLVER = yaml.resolver.Resolver()


class _NotLineBlock(Exception):
    """The text is not a plain block document (see ``_read_line_block``)."""


def _read_line_block(text: str) -> dict[str, Any]:
    """The mapping of a plain block document, as PyYAML's safe loader reads it; else raises.

    Point and config files are block mappings and sequences, one ``key: value``, ``key:`` or
    ``- item`` per line, with plain or quoted one-line scalars. Read line by line here, without
    building PyYAML's nodes, they cost a fifth of a parse. Only that shape is read: every line
    indented exactly as its place demands, keys plain words resolving to strings and distinct,
    values plain scalars without any character YAML could give a meaning to (``#``, ``,``,
    brackets, anchors, tags, ``: ``, a trailing ``:``, an indicator first) and resolving to a
    string, null, bool, int or float, quotes (without escapes) only around a whole value, ``{}``
    and ``[]`` as whole values, comments (a trailing one ends at the first `` #``: a quoted value
    holding one goes to the full parser) and empty lines. Anything else raises
    ``_NotLineBlock`` and the full parser decides, so the result is the reference's (the
    differential tests check it). Scalars convert through PyYAML's own resolver and
    constructors.
    """
    raw_lines = text.split("\n")
    shapes = _TEMPLATES.get(len(raw_lines)) if len(raw_lines) >= _TEMPLATE_LINES_MIN else None
    if shapes is not None:
        for place, template in enumerate(shapes):
            mapping = template.read(raw_lines)
            if mapping is not None:
                if place:  # the template read by last comes first
                    shapes.insert(0, shapes.pop(place))
                return mapping
    lines: list[tuple[int, str]] = []
    prepared = _PREPARED_LINES.get
    for line in raw_lines:
        entry = prepared(line, _UNSEEN)
        if entry is _UNSEEN:
            entry = _prepare_line(line)
        if entry is not None:
            lines.append(entry)
    if not lines or lines[0][0] != 0:
        raise _NotLineBlock
    #: per line, the mapping its scalar value is stored in (``None``: not a ``key: value``)
    slots: list[dict | None] = [None] * len(lines)
    mapping, end = _line_mapping(lines, 0, 0, slots)
    if end != len(lines):
        raise _NotLineBlock
    if len(raw_lines) >= _TEMPLATE_LINES_MIN and len(text) <= _TEMPLATE_CHARACTERS_MAX:
        template = _keep_template(raw_lines, mapping, slots)
        if template is not None:
            return template.copy()[0]  # the template keeps its own
    return mapping


def _keep_template(
    raw_lines: list[str], mapping: dict[str, Any], slots: list[dict | None]
) -> _LineTemplate | None:
    """The document just read in full, kept first among the templates of its line count (the
    last of them dropped when there are ``_TEMPLATES_PER_SHAPE``); ``None`` when there is no
    room (``_TEMPLATES_MAX`` in all)."""
    shapes = _TEMPLATES.get(len(raw_lines))
    if shapes is None or len(shapes) < _TEMPLATES_PER_SHAPE:
        if sum(map(len, _TEMPLATES.values())) >= _TEMPLATES_MAX:
            return None
    elif shapes:
        shapes.pop()
    template = _LineTemplate(raw_lines, mapping, slots)
    _TEMPLATES.setdefault(len(raw_lines), []).insert(0, template)
    return template


class _LineTemplate:
    """A document read line by line, to read the next one of its shape by difference.

    Files of one kind differ in a few values (``concurrency: 8`` against ``concurrency: 16``):
    a document whose lines are this one's but for some ``key: value`` lines (same indent, same
    key, a value again, on the same line index) has this document's structure, so its mapping is
    a copy of this one's with those values read by ``_key_line``, as the full line read would
    read them at those places. Any other difference (a line of another shape, another key, an
    open ``key:``, a sequence item) returns ``None`` and the document is read in full.
    """

    def __init__(
        self, raw_lines: list[str], mapping: dict[str, Any], slots: list[dict | None]
    ) -> None:
        """``slots``: per line read (blank and comment lines left out), the mapping its value
        was stored in by ``_line_mapping``."""
        self.raw_lines = raw_lines
        self.mapping = mapping
        self.positions = range(len(raw_lines))
        self.nested = self.containers(mapping)
        #: the position in ``copy``'s list of each container, by its ``id``
        position = {id(mapping): 0}
        position.update((id(child), number) for number, (_, _, child) in enumerate(self.nested, 1))
        #: per raw line that is a ``key: value`` line of a mapping (not an item's first line):
        #: (its indent, the position of the mapping its value is stored in, the key), else None
        self.slots: list[tuple[int, int, str] | None] = [None] * len(raw_lines)
        prepared = _PREPARED_LINES.get  # the lines were just read: most are remembered
        entries = [prepared(line, _UNSEEN) for line in raw_lines]
        entries = [
            _prepare_line(line) if entry is _UNSEEN else entry
            for line, entry in zip(raw_lines, entries, strict=True)
        ]
        read = [(number, entry) for number, entry in enumerate(entries) if entry is not None]
        for (number, (indent, content)), container in zip(read, slots, strict=True):
            if container is not None and content[:2] != "- ":
                key = (_KEY_LINES.get(content) or _key_line(content))[0]
                self.slots[number] = (indent, position[id(container)], key)

    @staticmethod
    def containers(mapping: dict[str, Any]) -> list[tuple[int, Any, Any]]:
        """(position of the parent, key, child) for every mapping and sequence inside
        ``mapping``, parents first; ``mapping`` is at position 0, the n-th one found at n."""
        found: list[tuple[int, Any, Any]] = []
        pending: list[tuple[int, Any]] = [(0, mapping)]
        while pending:
            position, parent = pending.pop()
            items = parent.items() if type(parent) is dict else enumerate(parent)
            for key, value in items:
                if type(value) is dict or type(value) is list:
                    found.append((position, key, value))
                    pending.append((len(found), value))
        return found

    def copy(self) -> tuple[dict[str, Any], list[Any]]:
        """A copy of every mapping and sequence of the template's mapping (scalars are
        immutable and shared), and the copies by position (see ``containers``)."""
        copies: list[Any] = [self.mapping.copy()]
        append = copies.append
        for parent, key, child in self.nested:
            copied = copies[parent][key] = child.copy()
            append(copied)
        return copies[0], copies

    def read(self, raw_lines: list[str]) -> dict[str, Any] | None:
        """The mapping of ``raw_lines`` (as many as this template's), else ``None``."""
        changed = list(compress(self.positions, map(operator.ne, raw_lines, self.raw_lines)))
        if len(changed) > _TEMPLATE_CHANGES_MAX:
            return None
        slots = self.slots
        updates: list[tuple[int, str, Any]] = []
        for index in changed:
            line = raw_lines[index]
            slot = slots[index]
            entry = _VALUE_LINES.get(line) or _value_line(line)
            if slot is None or entry is None or entry[0] != slot[0] or entry[1] != slot[2]:
                return None  # another shape of line, another indent or key
            updates.append((slot[1], entry[1], entry[2]))
        copy, copies = self.copy()
        for position, key, value in updates:
            copies[position][key] = value
        return copy


#: raw line → (indent, key, value) of a ``key: value`` line (``_value_line``)
_VALUE_LINES: dict[str, tuple[int, str, Any]] = {}


def _value_line(line: str) -> tuple[int, str, Any] | None:
    """(indent, key, value) of a ``key: value`` line of a mapping as ``_line_mapping`` reads it
    (not an item's first line, not an open ``key:``); ``None`` for any other line."""
    try:
        entry = _PREPARED_LINES.get(line) or _prepare_line(line)
        if entry is None:  # a blank or comment line
            return None
        indent, content = entry
        if content[:2] == "- ":
            return None
        key, value = _KEY_LINES.get(content) or _key_line(content)
    except Exception:  # noqa: BLE001 - any doubt: the full line read decides
        return None
    if value is _OPEN:
        return None
    parts = (indent, key, value)
    shared = type(value) is not dict and type(value) is not list  # a collection: built afresh
    if shared and len(_VALUE_LINES) < _PLAIN_SCALAR_TAGS_MAX and len(line) <= 128:
        _VALUE_LINES[line] = parts
    return parts


#: raw line count → the last documents of that many lines read in full (``_LineTemplate``),
#: the one a document was last read by first: files of one kind and line count can come in a
#: few shapes (the config.yaml of two models), read in turns (curve by curve)
_TEMPLATES: dict[int, list[_LineTemplate]] = {}
_TEMPLATES_PER_SHAPE = 4
_TEMPLATES_MAX = 64
#: shorter files (v0.7 point files: 10 lines) are read in full: as fast as by difference
_TEMPLATE_LINES_MIN = 20
#: longer files are not kept as templates (memory: a point or config file is ~2 KB)
_TEMPLATE_CHARACTERS_MAX = 64 * 1024
#: more changed lines than this: read in full (a file of another kind with as many lines)
_TEMPLATE_CHANGES_MAX = 16


def _line_mapping(
    lines: list[tuple[int, str]], index: int, indent: int, slots: list[dict | None]
) -> tuple[dict, int]:
    mapping: dict[str, Any] = {}
    count = len(lines)
    key_lines = _KEY_LINES.get
    while index < count:
        line_indent, content = lines[index]
        if line_indent != indent:
            if line_indent > indent:
                raise _NotLineBlock
            break
        parts = key_lines(content)
        if parts is None:
            parts = _key_line(content)
        key, value = parts
        if key in mapping:
            raise _NotLineBlock
        if value is not _OPEN:
            mapping[key] = value
            slots[index] = mapping
            index += 1
            continue
        index += 1
        if index < count and lines[index][0] > indent:
            mapping[key], index = _line_block(lines, index, slots)
        elif index < count and lines[index][0] == indent and lines[index][1][:2] == "- ":
            mapping[key], index = _line_sequence(lines, index, indent, slots)
        else:
            mapping[key] = None
    return mapping, index


#: raw line → its (indent, content) with any comment cut off, ``None`` for a blank or comment
#: line: files of one kind repeat most of their lines (bounded like the caches below)
_PREPARED_LINES: dict[str, tuple[int, str] | None] = {}
_UNSEEN: Any = object()


def _prepare_line(line: str) -> tuple[int, str] | None:
    if not line.isprintable():  # a tab, CR, BOM, NEL, control character…: the full parser's
        raise _NotLineBlock
    content = line.lstrip(" ")
    if not content or content[0] == "#":
        entry = None
    else:
        indent = len(line) - len(content)
        if "#" in content:  # a comment ends a plain scalar where whitespace precedes it
            content = content.partition(" #")[0]
        entry = (indent, content.rstrip(" "))
    if len(_PREPARED_LINES) < _PLAIN_SCALAR_TAGS_MAX and len(line) <= 128:
        _PREPARED_LINES[line] = entry
    return entry


#: Longer keys go to the full parser (PyYAML limits a simple key to 1,024 characters)
_LONGEST_LINE_KEY = 128
#: ``key:`` with its value on the following lines
_OPEN: Any = object()
#: line text → (key, value or ``_OPEN``): files of one kind repeat most of their lines
_KEY_LINES: dict[str, tuple[str, Any]] = {}


def _key_line(content: str) -> tuple[str, Any]:
    """(key, value) of a ``key: value`` or ``key:`` line; else raises ``_NotLineBlock``."""
    match = _BLOCK_KEY_LINE.fullmatch(content)
    if match is None:
        raise _NotLineBlock
    key, text = match.groups()
    if len(key) > _LONGEST_LINE_KEY or _line_scalar_tag(key) != _STR_TAG:
        raise _NotLineBlock
    parts = (key, _OPEN if text is None else _line_scalar(text))
    shared = type(parts[1]) not in (dict, list)  # a cached collection would be shared
    if shared and len(_KEY_LINES) < _PLAIN_SCALAR_TAGS_MAX and len(content) <= 128:
        _KEY_LINES[content] = parts
    return parts


def _line_block(lines: list[tuple[int, str]], index: int, slots: list) -> tuple[Any, int]:
    indent, content = lines[index]
    if content[:2] == "- ":
        return _line_sequence(lines, index, indent, slots)
    return _line_mapping(lines, index, indent, slots)


def _line_sequence(
    lines: list[tuple[int, str]], index: int, indent: int, slots: list
) -> tuple[list, int]:
    items: list[Any] = []
    count = len(lines)
    while index < count and lines[index][0] == indent and lines[index][1][:2] == "- ":
        rest = lines[index][1][2:]
        if _BLOCK_KEY_LINE.fullmatch(rest):  # an item mapping, continued at indent + 2
            lines[index] = (indent + 2, rest)
            item, index = _line_mapping(lines, index, indent + 2, slots)
            items.append(item)
        else:
            items.append(_line_scalar(rest))
            index += 1
    if index < count and lines[index][0] > indent:
        raise _NotLineBlock
    return items, index


def _line_scalar_tag(text: str) -> str:
    tag = _PLAIN_SCALAR_TAGS.get(text)
    if tag is None:
        tag = _SCALAR_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
        if len(_PLAIN_SCALAR_TAGS) < _PLAIN_SCALAR_TAGS_MAX and len(text) <= 64:
            _PLAIN_SCALAR_TAGS[text] = tag
    return tag


def _line_scalar(text: str) -> Any:
    """A one-line scalar value: quoted (the whole value), else plain; else raises."""
    if not text or text != text.strip(" "):
        raise _NotLineBlock
    first = text[0]
    if first == "'" or first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != first:
            raise _NotLineBlock
        if first == "'":
            if "'" in inner.replace("''", ""):
                raise _NotLineBlock
            return inner.replace("''", "'")
        if '"' in inner or "\\" in inner:  # no escapes
            raise _NotLineBlock
        return inner
    if text[-1] == ":" or ": " in text:
        raise _NotLineBlock
    if text in _EMPTY_FLOW:
        return _EMPTY_FLOW[text]()
    if (first == "-" and (len(text) == 1 or text[1] == " ")) or first in _NOT_FIRST_IN_LINE_VALUES:
        raise _NotLineBlock
    if not _NOT_IN_LINE_VALUES.isdisjoint(text):
        raise _NotLineBlock
    tag = _line_scalar_tag(text)
    if tag == _STR_TAG:
        return text
    if tag not in _LINE_SCALAR_TAGS:
        raise _NotLineBlock
    node = yaml.ScalarNode(tag, text)
    return _SCALAR_CONSTRUCTOR.yaml_constructors[tag](_SCALAR_CONSTRUCTOR, node)


def _load_yaml_text(text: str) -> Any:
    """What PyYAML's pure-Python safe loader reads from ``text``, with the §4.4 refusals."""
    try:  # only lines without a tab, CR, BOM, NEL, control character… (see _prepare_line)
        return _read_line_block(text)
    except (_NotLineBlock, RecursionError):
        pass
    loader, node = _compose(text, _in_plain_subset(text))
    try:
        if node is None:
            return None
        if "*" not in text:  # no alias: a tree, so nothing to bound; _construct_plain refuses
            try:  # duplicate keys and merges by raising _Unhandled
                return _construct_plain(loader, node, set())
            except Exception:  # noqa: BLE001 - any doubt: the full path below decides
                pass
        _check_node_graph(loader, node)
        try:
            return _construct_plain(loader, node, set())
        except Exception:  # noqa: BLE001 - any doubt: PyYAML decides, and raises its own error
            return loader.construct_document(node)
    finally:
        loader.dispose()


def parse_yaml(text: str) -> Any:
    """Parse YAML text as the reference loader does (see ``load_yaml``)."""
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
        raise _value_error("YAML", exc, text) from None
    except (AttributeError, IndexError, KeyError, TypeError):
        # PyYAML's constructors fail this way on explicitly tagged values they cannot read,
        # such as "!!timestamp yes" or "!!bool maybe"
        raise LoadError("not valid YAML: an explicitly tagged value does not fit its tag") from None
    return data


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """Read a UTF-8 YAML file exactly as PyYAML's pure-Python safe loader does (§4.4).

    On top of it: duplicate keys (inside merge sources too) and alias bombs are refused, and
    so are empty files, non-UTF-8 bytes and malformed YAML, each with a ``LoadError``. A string
    with a lone surrogate escape (``"\\ud800"``) is read as the reference reads it; reports
    show it escaped.
    """
    return parse_yaml(_read_text(path))
