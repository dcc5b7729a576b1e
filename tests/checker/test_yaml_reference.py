"""Differential test: ``parse_yaml`` reads YAML exactly as PyYAML's pure-Python SafeLoader (§4.4).

The reference below is ``yaml.SafeLoader`` itself plus the project's duplicate-key rule, written
here independently of ``loading``: duplicate keys are refused in every mapping as written,
merge sources included, while a key written next to ``<<`` may override a merged one. Over a
generated corpus of tricky snippets (tabs, byte-order marks, flow edge cases, directives, merges,
duplicate keys, anchors, escapes, and fuzz in the plain subset the C parser is trusted with),
the two must give identical data or both refuse, every time.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from submission_checker.loading import LoadError, parse_yaml

_MERGE = "tag:yaml.org,2002:merge"


class Reference(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader with duplicate keys refused (merge sources too)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._checked: set[int] = set()

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # called for every mapping before PyYAML folds its merge sources into it, and for every
        # merge source before it is folded: the keys as written
        if id(node) not in self._checked:
            self._checked.add(id(node))
            seen: list[Any] = []
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, "duplicate key", key_node.start_mark
                    )
                seen.append(key)
        super().flatten_mapping(node)


def reference(text: str) -> tuple[str, Any]:
    try:
        return "data", yaml.load(text, Loader=Reference)  # noqa: S506 - a SafeLoader subclass
    except Exception as exc:  # noqa: BLE001 - any refusal counts as one
        return "refused", type(exc).__name__


def ours(text: str) -> tuple[str, Any]:
    try:
        return "data", parse_yaml(text)
    except LoadError as exc:
        return "refused", exc.message


def canonical(value: Any) -> Any:
    """Data with types made visible: 1, 1.0 and True differ; NaN equals NaN."""
    if isinstance(value, dict):
        return ("map", sorted((repr(canonical(k)), canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("seq", [canonical(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def assert_same_as_reference(text: str) -> None:
    expected_kind, expected = reference(text)
    got_kind, got = ours(text)
    if not text.strip():  # ours refuses blank files: "file is empty", whatever the reference says
        assert got_kind == "refused"
        return
    assert got_kind == expected_kind, (text, expected, got)
    if expected_kind == "data":
        assert canonical(got) == canonical(expected), text


# The corpus: fragments where libyaml and PyYAML are known to differ, and their neighbours
FRAGMENTS = [
    "a: 1", "a:\t1", "a: \t1", "a:\t", "\ta: 1", "b: 2", "  c: 3", "- x", "- - y", "-\tz",
    "? a", ": b", "? ", "[a, ?]", "[?]", "{? : 1}", "{? a}", "{a: }", "{a: , b: 1}", "{a, b}",
    "[a: 1]", "[a, , b]", "{a: 1,}", "[,]", "{: 1}", "%YAML 1.1", "%YAML 1.3", "%YAML 2.0",
    "%YAML 1.1\n%YAML 1.1", "%TAG ! tag:x.org,2000:", "%FOO bar", "---", "...", "--- a",
    '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\u00e9"', '"\\x41"', '"\\U0001F600"',
    '"\\N\\_\\L\\P"', '"\\q"', "'it''s'", "\ufeff", "a: \ufeff", "\ufeffa: 1", "a: |\n  text",
    "a: >-\n  folded\n  more", "a: |2\n   x", "&a b", "*a", "m: &m {x: 1, y: 2}", "<<: *m",
    "<<: {a: 1, a: 1}", "<<: [*m, {x: 3}]", "<<: {x: 1}\nx: 2", "x: 1\nx: 2", "1: a\n0x1: b",
    "!!str 1", "!!int x", "!!binary aGk=", "!!timestamp 2001-12-14", "!foo bar", "a: b # c",
    "a: b#c", "a: 'x\n  y'", '"a\n  b"', "a: @b", "a: `b", "a: {b: [c, {d: e}]}", "*m: 1",
    "? [a]\n: b", "? {a: 1}\n: b", "a: !!null ''", "~: 1", "null: 1\n~: 2", "yes: 1\ntrue: 2",
    "a: .inf", "a: .NaN", "a: 1e400", "a: 0o17", "a: 1_000", "a: 1:30", "\t", " ", "#c",
]  # fmt: skip
SEPARATORS = ["\n", "\n", "\n  ", " ", "\r\n", "\n\ufeff", "", "\t", ", "]


@st.composite
def tricky_snippet(draw: Any) -> str:
    pieces = draw(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5))
    text = pieces[0]
    for piece in pieces[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + piece
    return text + draw(st.sampled_from(["", "\n", "\n\n", " \n", "\t\n", "\ufeff"]))


# Fuzz in and around the plain subset (block collections, plain and quoted scalars, comments,
# anchors), where the C parser is trusted: every character YAML gives a meaning to is here.
plain_fuzz = st.text(
    alphabet=st.sampled_from(list(":- \n\n  #'\"&*abx01.,<~[]{}é§\xa0😀")), max_size=60
)

FLOW_ATOMS = [
    "a", "b", "1", "0x1", "'q'", '"d"', "", " ", "~", "&x y", "*x", "a b", "é", "-", ":", "a:b",
    "<<", "#c", "\n", "\n ", "yes",
]  # fmt: skip


@st.composite
def flow_document(draw: Any, depth: int = 0) -> str:
    """Nested flow collections with empty entries, stray commas and odd separators."""
    if depth > 2 or draw(st.integers(0, 9)) < 3:
        return draw(st.sampled_from(FLOW_ATOMS))
    count = draw(st.integers(0, 4))
    if draw(st.booleans()):
        comma = draw(st.sampled_from([",", ", ", " ,", ",\n"]))
        items = comma.join(draw(flow_document(depth + 1)) for _ in range(count))
        return "[" + items + draw(st.sampled_from(["]", ",]", " ]", ""]))
    pairs = []
    for _ in range(count):
        colon = draw(st.sampled_from([": ", ":", " : ", ""]))
        pairs.append(draw(flow_document(depth + 1)) + colon + draw(flow_document(depth + 1)))
    return (
        "{"
        + draw(st.sampled_from([",", ", "])).join(pairs)
        + draw(st.sampled_from(["}", ",}", " }", ""]))
    )


SCALARS = [
    "yes", "No", "on", "~", "null", "0", "-0", "017", "0x1F", "0b101", "1_000", "1:30", "1e3",
    "1.5", ".5", "1.", ".inf", "-.Inf", ".nan", "2001-12-14", "2001-12-14 21:59:43.10", "<<",
    "=", "-", "abc", "a b", "open_orca", "'q'", "'it''s'", '"d"', "'multi\n  line'", "a:b",
    "a #b", "12345678901234567890", "concurrency", "*", "&", "- x", "a,b",
]  # fmt: skip


@st.composite
def block_document(draw: Any, depth: int = 0) -> str:
    """A block mapping or sequence, its indentation sometimes wrong."""
    lines = []
    indent = " " * draw(st.sampled_from([depth * 2, depth * 2, depth * 2 + 1, max(depth - 1, 0)]))
    for index in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(["a", "b", "c", "<<", "'a'", '"b"', "1", "? a", "- "]))
        anchor = draw(st.sampled_from(["", "", "", f"&n{depth}{index} ", f"*n{depth}0"]))
        if depth < 2 and draw(st.booleans()):
            lines.append(f"{indent}{key}: {anchor}".rstrip())
            lines.append(draw(block_document(depth + 1)))
        else:
            value = draw(st.sampled_from(SCALARS))
            comment = draw(st.sampled_from(["", "", " # note", "  #", "#x"]))
            lines.append(f"{indent}{key}: {anchor}{value}{comment}")
    return "\n".join(lines)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(tricky_snippet())
@example("concurrency:\t8\n")
@example("concurrency: 8\n\ufeff")
@example("{a: [?]}")
@example("{a: }")
@example("%YAML 1.3\n---\nconcurrency: 8\n")
@example('dataset: "\\ud800"\n')
@example("<<: {a: 1, a: 1}\nb: 2\n")
@example("base: &b {a: 1}\nitem:\n  <<: *b\n  a: 2\n")
def test_tricky_snippets_read_as_the_reference_reads_them(text: str) -> None:
    assert_same_as_reference(text)


@SETTINGS
@given(plain_fuzz)
def test_fuzz_in_the_plain_subset_reads_as_the_reference_reads_it(text: str) -> None:
    assert_same_as_reference(text)


@SETTINGS
@given(st.sampled_from(["", "k: ", "- ", "k:\n  - "]), flow_document())
def test_flow_documents_read_as_the_reference_reads_them(prefix: str, text: str) -> None:
    assert_same_as_reference(prefix + text)
    assert_same_as_reference(prefix + text + "\nz: 1\n")


@SETTINGS
@given(block_document())
def test_block_documents_read_as_the_reference_reads_them(text: str) -> None:
    assert_same_as_reference(text)
    assert_same_as_reference(text + "\n")


@pytest.mark.parametrize(
    "text, refused",
    [
        ("concurrency:\t8\n", True),  # the C loader accepts these three
        ("concurrency: 8\n\ufeff", True),
        ("flow: [?x]\n", False),
        ("flow: {a: }\n", False),  # the C loader refuses these three
        ("%YAML 1.3\n---\nconcurrency: 8\n", False),
        ('dataset: "\\ud800"\n', False),
        ("<<: {a: 1, a: 1}\nb: 2\n", True),  # a duplicate inside a merge source
        ("base: &b {a: 1}\nitem:\n  <<: *b\n  a: 2\n", False),  # an override is allowed
    ],
)
def test_the_issue_cases(text: str, refused: bool) -> None:
    kind, _ = ours(text)
    assert (kind == "refused") is refused
    assert_same_as_reference(text)


# Documents in and around the shape read line by line (``loading._read_line_block``): block
# mappings and sequences of one-line scalars, now and then indented wrong or with an odd key or
# value (each odd one sends the document to the full parser)
LINE_KEYS = ["a", "b", "name", "a.b", "x-y", "_k", "k/v", "e1", "Key"]
ODD_LINE_KEYS = ["on", "yes", "null", "True", "1", "a b", "'a'", "a" * 130, "<<", "? a"]
LINE_VALUES = [
    "1", "-1", "0.0", "1e3", "1.5e-3", ".inf", "-.Inf", ".nan", "0x1F", "0o17", "017", "1_000",
    "1:30", "10487924139932647040", "yes", "No", "on", "OFF", "~", "null", "true", "<redacted>",
    "a > b", "a | b", "a :b", "https://x/y", "-x", "--x", "'1.0'", "'on'", "'it''s'", "''",
    '"d"', '""', "{}", "[]", "a b", "a  b", "a#b", "é", "x=y", "a'b", "open_orca",
]  # fmt: skip
ODD_LINE_VALUES = [
    "2001-12-14", "<<", "=", "|", ">", ":x", "x:", "a: b", "-", "- x", "'a", "'a'b'", '"a\'b"',
    '"', '"\\t"', "{ }", "[a]", "{a: 1}", "a #b", "&x", "*x", "!x", "%x", "@x", "`x", "a,b",
    "?x", "", " ", "x ",
]  # fmt: skip


def _sometimes_odd(draw: Any, usual: list[str], odd: list[str]) -> str:
    return draw(st.sampled_from(odd if draw(st.integers(0, 15)) == 0 else usual))


@st.composite
def line_block_document(draw: Any, depth: int = 0, indent: int = 0) -> str:
    lines = []
    sequence = depth > 0 and draw(st.integers(0, 3)) == 0
    for _ in range(draw(st.integers(1, 4))):
        shift = draw(st.sampled_from([-1, 1])) if draw(st.integers(0, 20)) == 0 else 0
        pad = " " * max(indent + shift, 0)
        if draw(st.integers(0, 9)) == 0:
            lines.append(pad + draw(st.sampled_from(["", "# note", "#", "  "])))
        key = _sometimes_odd(draw, LINE_KEYS, ODD_LINE_KEYS)
        head = f"{pad}- " if sequence else pad
        if not sequence and depth < 3 and draw(st.integers(0, 2)) == 0:
            lines.append(f"{head}{key}:")
            child_indent = indent + draw(st.sampled_from([2, 2, 4, 0]))
            lines.append(draw(line_block_document(depth + 1, child_indent)))
        elif sequence and draw(st.booleans()):
            lines.append(f"{head}{_sometimes_odd(draw, LINE_VALUES, ODD_LINE_VALUES)}")
        else:
            value = _sometimes_odd(draw, LINE_VALUES, ODD_LINE_VALUES)
            comment = draw(st.sampled_from(["", "", "", " # c `x`", "  #: c", " #", "#x", " "]))
            lines.append(f"{head}{key}: {value}".rstrip(" ") + comment)
            if sequence and draw(st.booleans()):
                key = _sometimes_odd(draw, LINE_KEYS, ODD_LINE_KEYS)
                value = _sometimes_odd(draw, LINE_VALUES, ODD_LINE_VALUES)
                lines.append(f"{pad}  {key}: {value}")
    return "\n".join(lines)


@SETTINGS
@given(line_block_document())
@example("version: '1.0'\nstreaming: 'on'\napi_key: <redacted>\nprofiling: {}\n")
@example("datasets:\n- name: x\n  parser:\n    prompt: input\n- name: y\nnext: 1\n")
@example("a:\n- 1\n  b: 2\n")
@example("a: 1\na: 2\n")
@example("a: x\n  y\n")
@example('# `init`\nc: 1  # settings\nd: "<FILL IN: e.g. A>"  # §4.6\nr:  # seeds\n  s: 7  # x\n')
@example("a: 'x #y' # c\nb: x#c\nc: 'it''s' #c\n")
def test_line_block_documents_read_as_the_reference_reads_them(text: str) -> None:
    assert_same_as_reference(text)
    assert_same_as_reference(text + "\n")
    assert_same_as_reference(text.replace("{}", "{a: 1}"))


def test_point_and_config_files_of_the_examples_take_the_line_by_line_path() -> None:
    """Every point.yaml and config.yaml shipped or vendored is read line by line, as parsed."""
    from pathlib import Path

    from submission_checker.loading import _read_line_block

    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("examples/**/*.yaml"), *root.glob("tests/data/samples/**/*.yaml")]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert canonical(_read_line_block(text)) == canonical(reference(text)[1]), path


def test_packaged_data_files_are_read_as_the_reference_reads_them_by_the_c_parser() -> None:
    """The round tables are read on every check: their comments keep to the plain subset (no
    backtick, ``%``, ``>``, ``?``), so the C parser reads them; the data is the reference's."""
    from pathlib import Path

    from submission_checker.loading import _in_plain_subset

    data = Path(__file__).resolve().parents[2] / "src" / "submission_checker" / "data"
    files = [*data.glob("*.yaml"), *data.glob("v1.0/*.yaml")]
    assert len(files) >= 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _in_plain_subset(text), f"{path.name}: a comment leaves the plain subset"
        assert_same_as_reference(text)


def test_point_files_written_by_init_take_the_line_by_line_path(tmp_path) -> None:
    """``init`` writes point.yaml with trailing comments and quoted placeholders: read line by
    line, as the reference reads them."""
    import shutil
    from pathlib import Path

    from endpoints_submission_cli.pointconfig import init_runs
    from submission_checker.loading import _read_line_block

    runs = Path(__file__).resolve().parents[2] / "examples" / "runs-v1.0"
    for run in sorted(runs.iterdir())[:3]:
        shutil.copytree(run, tmp_path / run.name)
    init_runs([tmp_path])
    written = sorted(tmp_path.glob("*/point.yaml"))
    assert len(written) == 3
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert " # " in text
        assert canonical(_read_line_block(text)) == canonical(reference(text)[1]), path
