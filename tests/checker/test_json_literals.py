"""``loading.parse_json_literals`` reads bytes as ``parse_json_bytes`` does, float literals aside.

Every float literal it leaves unread (``bytes``) reads to the float ``parse_json_bytes`` gives,
and everything else is the same, errors included: duplicate keys (found by counting colons, not
by a hook), overflowing numbers, constants, broken text, escapes and colons inside strings.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from submission_checker import loading

keys = st.sampled_from(["a", "b", "total", "90.0", "x:y", "k\\u003a", "\\u0061", "é", "t"])
literals = st.one_of(
    st.sampled_from(["0.5", "-0.0", "1e400", "1E2", "2.5e+1", "1e-400", "1" + "0" * 120 + ".5"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
strings = st.sampled_from(['"x"', '"a: b"', '"\\ud800"', '"\\u003a"', '"\\"a\\": 1"', '"é"'])
scalars = st.one_of(literals, literals, strings, st.sampled_from(["null", "true", "NaN"]))


@st.composite
def texts(draw: Any, depth: int = 0) -> str:
    """JSON-like text: objects (a key written twice sometimes), arrays and scalars."""
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(scalars)
    if draw(st.booleans()):
        items = draw(st.lists(texts(depth + 1), max_size=3))
        return "[" + ", ".join(items) + "]"
    names = draw(st.lists(keys, max_size=4))
    members = [f'"{name}": {draw(texts(depth + 1))}' for name in names]
    separator = draw(st.sampled_from([": ", ":", " : ", ":\n"]))
    return "{" + ", ".join(member.replace(": ", separator, 1) for member in members) + "}"


def _read(text: str, reader: Any) -> tuple[str, Any]:
    try:
        return "data", _typed(reader(text.encode("utf-8", "surrogatepass")))
    except loading.LoadError as exc:
        return "error", exc.message


def _typed(value: Any) -> Any:
    """``value`` with literals read and every scalar tagged by its type."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    if isinstance(value, bytes):
        value = float(value)
    return (type(value).__name__, repr(value))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts(), st.sampled_from(["", "cut", "trail", "bom"]))
@example('{"a": 1, "a": 2}', "")
@example('[{"a": 1, "a": 2}, 1.5', "")
@example('{"a": {"b": 0.5, "b": 0.5}, "c": "x:y"}', "")
@example('{"a": "x:y", "b": 1.5}', "")
@example('{"a": 1e400}', "")
def test_literals_read_as_the_full_read(text: str, edit: str) -> None:
    if edit == "cut":
        text = text[: len(text) // 2]
    elif edit == "trail":
        text += " ,"
    elif edit == "bom":
        text = "\ufeff" + text
    assert _read(text, loading.parse_json_literals) == _read(text, loading.parse_json_bytes)


def test_literals_are_left_as_bytes_and_counted_keys_stand_for_the_hook() -> None:
    data = loading.parse_json_literals(b'{"a": 0.5, "b": [1, 2.5e3], "c": {"d": -0.0}}')
    assert data == {"a": b"0.5", "b": [1, b"2.5e3"], "c": {"d": b"-0.0"}}
    for text in ('{"a": 1, "b": {"c": 2, "c": 3}}', '{"a": 1, "a": 2}'):
        expected = _read(text, loading.parse_json_bytes)
        assert expected[0] == "error" and "duplicate" in expected[1]
        assert _read(text, loading.parse_json_literals) == expected
    assert json.loads('{"a": "x:y"}') == loading.parse_json_literals(b'{"a": "x:y"}')
