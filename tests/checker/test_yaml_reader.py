"""``parse_yaml`` builds plain documents itself: it must agree with PyYAML's safe loader exactly.

Differential tests: the same text goes through ``parse_yaml`` and through PyYAML's own
``yaml.load`` with the strict loader (the reference behaviour, duplicate-key rejection included),
and the two must give the same data — same types, same values, same shared objects — or the
same error.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker.loading import LoadError, StrictSafeLoader, parse_yaml

# Plain scalars that the YAML 1.1 resolver reads as something other than a string, and look-alikes
TRICKY_SCALARS = [
    "yes", "No", "ON", "off", "y", "n", "true", "False", "TRUE", "~", "null", "Null", "",
    "0", "-0", "+0", "7", "-12", "+3", "017", "0o17", "0x1F", "0X1f", "0b101", "1_000",
    "-1_0", "1:30", "190:20:30", "-1:00", "08", "09", "1e3", "1.5", "-1.5e-3", "1.5E+3",
    "6.8523015e+5", "685.230_15e+03", ".5", "1.", ".inf", "-.Inf", "+.INF", ".nan", ".NaN",
    "1_0.5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10",
    "<<", "=", "0.", "-", "1e", "12345678901234567890", "0x_1", "abc", "a b", "concurrency",
    "open_orca", "é", "3.14_15",
]  # fmt: skip

scalar_text = st.one_of(
    st.sampled_from(TRICKY_SCALARS),
    st.from_regex(r"[-+]?[0-9_]{0,6}(\.[0-9_]{0,4})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_ ]{0,8}", fullmatch=True),
)
tag_prefix = st.sampled_from(
    ["", "", "", "", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!binary ",
     "!!timestamp ", "!custom ", "!!python/none "]
)  # fmt: skip


@st.composite
def scalar(draw: Any) -> str:
    text = draw(scalar_text)
    style = draw(st.sampled_from(["plain", "plain", "plain", "single", "double"]))
    if style == "single":
        text = "'" + text.replace("'", "''") + "'"
    elif style == "double":
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif not text.strip() or text.strip() != text or any(c in text for c in ",[]{}:#"):
        text = '"' + text + '"' if text != "<<" else text
    return draw(tag_prefix) + text


def flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    mapping = st.lists(st.tuples(scalar(), children), max_size=5).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    )
    sequence = st.lists(children, max_size=5).map(lambda items: "[" + ", ".join(items) + "]")
    tagged = st.tuples(
        st.sampled_from(["", "", "", "!!set ", "!!omap ", "!!map ", "!!seq "]),
        st.one_of(mapping, sequence),
    )
    return tagged.map(lambda t: t[0] + t[1])


@st.composite
def document(draw: Any) -> str:
    """A flow-style YAML text, sometimes with anchors and aliases, duplicate or merge keys."""
    body = draw(st.recursive(scalar(), flow, max_leaves=12))
    if draw(st.booleans()) and body.startswith("{"):
        # anchor the whole body and refer to it from a wrapping mapping
        body = f"{{first: &a {body}, second: *a, <<: *a}}"
    if draw(st.booleans()) and body.startswith("{") and body != "{}":
        body = body[:-1] + ", dup: 1, dup: 2}"
    return body


def reference(text: str) -> tuple[str, Any]:
    """What PyYAML's own loading gives (data, or the error as ``parse_yaml`` reports it)."""
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "submission_checker.loading._load_yaml_text",
                lambda text: yaml.load(text, Loader=StrictSafeLoader),  # noqa: S506
            )
            return "data", parse_yaml(text)
    except LoadError as exc:
        return "error", exc.message
    except Exception as exc:  # noqa: BLE001 - compared below: ours must fail the same way
        return "error", f"{type(exc).__name__}: {exc}"


def ours(text: str) -> tuple[str, Any]:
    try:
        return "data", parse_yaml(text)
    except LoadError as exc:
        return "error", exc.message
    except Exception as exc:  # noqa: BLE001
        return "error", f"{type(exc).__name__}: {exc}"


def typed(value: Any, memo: dict[int, int] | None = None) -> Any:
    """A comparable picture of ``value``: types, values, NaN and which objects are shared."""
    memo = {} if memo is None else memo
    if isinstance(value, (dict, list, set)):
        if id(value) in memo:
            return ("shared", memo[id(value)])
        memo[id(value)] = len(memo)
    if isinstance(value, dict):
        return ("dict", [(typed(k, memo), typed(v, memo)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v, memo) for v in value])
    if isinstance(value, set):
        return ("set", sorted(repr(typed(v, memo)) for v in value))
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)


def assert_same(text: str) -> None:
    expected_kind, expected = reference(text)
    kind, got = ours(text)
    assert kind == expected_kind, text
    if kind == "data":
        assert typed(got) == typed(expected), text
    else:
        assert got == expected, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_flow_documents_read_exactly_like_pyyaml(text: str) -> None:
    assert_same(text)


plain_data = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=8),
        st.dates(),
        st.datetimes(timezones=st.just(datetime.timezone.utc)),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), children, max_size=4),
    ),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(plain_data, st.booleans())
def test_dumped_documents_read_exactly_like_pyyaml(data: Any, flow_style: bool) -> None:
    assert_same(yaml.safe_dump(data, default_flow_style=flow_style))


@pytest.mark.parametrize(
    "text",
    [
        "concurrency: 8\ndataset: open_orca\nruntime_settings:\n  load_pattern: concurrency\n"
        "  stream_all_chunks: yes\n  min_duration_ms: 600_000\n",
        "a: 1\na: 2\n",  # duplicate key: the strict loader's error
        "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  x: 3\n",  # merge key: PyYAML's constructor
        "a: &x [1, 2]\nb: *x\n",  # shared list stays shared
        "a: &x [1, *x]\n",  # recursive list
        "? [1, 2]\n: unhashable key\n",
        "a: !!python/object:os.system x\n",
        "a: !!binary aGVsbG8=\n",
        "a: 2001-12-14\n",
        "a: 0x1F\nb: 017\nc: 1:30\nd: .NaN\ne: -.inf\nf: 1_0.5\n",
        "--- 1\n--- 2\n",
        "a: " + "9" * 5000 + "\n",  # more digits than Python converts by default
        "[" * 2000 + "]" * 2000,
        "True: 1\n1: 2\n",  # equal keys of different spellings
        "!!set {a, b}\n",
        "# only a comment\n",
    ],
)
def test_edge_documents_read_exactly_like_pyyaml(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("text", ["a: !!timestamp yes\n", "a: !!bool maybe\n"])
def test_value_not_fitting_its_tag_is_a_load_error(text: str) -> None:
    with pytest.raises(LoadError, match="not valid YAML: .*does not fit its tag"):
        parse_yaml(text)


def test_plain_point_file_types() -> None:
    data = parse_yaml("concurrency: 0x10\nstream: on\nmin: 1_000\nregion: low_latency\nx: ~\n")
    assert data == {
        "concurrency": 16,
        "stream": True,
        "min": 1000,
        "region": "low_latency",
        "x": None,
    }
    assert type(data["concurrency"]) is int and type(data["stream"]) is bool
