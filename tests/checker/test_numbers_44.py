"""checker.md §4.4, numbers: ±1 % on the decimals as written, overflow, big ints, surrogates.

Each test starts from the generated valid tree and changes one summary.
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from submission_checker.decimals import RELATIVE_FLOOR, relative_difference, show
from submission_checker.loading import LoadError, parse_yaml

from .conftest import SubmissionTree, _load_generator


def _results(report, rule_id, c=None):
    return [r for r in report.results if r.rule == rule_id and (c is None or r.concurrency == c)]


def _write_summary(tree: SubmissionTree, c: int, **fields: str) -> None:
    """Rewrite point c's summary with ``fields`` as literal JSON number texts."""
    path = tree.path(tree.summary_json(c))
    summary = json.loads(path.read_text())
    summary.pop("tps_per_user", None)
    summary.pop("system_tps", None)
    for name in fields:
        summary.pop(name, None)
    text = json.dumps(summary)[:-1]
    text += "".join(f', "{name}": {value}' for name, value in fields.items()) + "}"
    path.write_text(text)


def _tokens_duration(tree: SubmissionTree, c: int, tokens: int, duration_ns: int) -> None:
    def change(summary):
        summary["output_sequence_lengths"]["total"] = tokens
        summary["duration_ns"] = duration_ns

    tree.edit_json(tree.summary_json(c), change)


def test_issue_example_exactly_one_percent_as_written_passes(tree):
    """16,797 tokens in 1,200 s is 13.9975 tokens/s; 14.137475 is exactly +1 %."""
    _tokens_duration(tree, 40, 16_797, 1_200 * 10**9)
    _write_summary(tree, 40, tps="14.137475")
    assert Fraction(14.137475) > Fraction("14.137475")  # its binary float is beyond 1 %
    [result] = _results(tree.check(), "metric-consistency-system-tps", 40)
    assert result.severity == "info", result.message
    _write_summary(tree, 40, tps="14.13747500000000000001")  # a hair beyond: same float
    [result] = _results(tree.check(), "metric-consistency-system-tps", 40)
    assert result.severity == "error"
    assert "off by 1 %" in result.message and "14.1375" in result.message


@pytest.fixture(scope="module")
def edge_tree(tmp_path_factory):
    return SubmissionTree(tmp_path_factory.mktemp("edge") / "tree", _load_generator())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tokens=st.integers(1, 10**7),
    seconds_two=st.integers(0, 12),
    seconds_five=st.integers(0, 6),
    sign=st.sampled_from([1, -1]),
    field=st.sampled_from(["tps", "system_tps", "tps_per_user"]),
)
def test_random_decimals_at_exactly_one_percent_pass_and_just_beyond_fail(
    edge_tree, tokens, seconds_two, seconds_five, sign, field
):
    """Hypothesis: d = tokens / s is a finite decimal; d·(1 ± 1 %) passes, a hair more fails.

    The hair (1e-25 of d) is far below a float's precision, so only the decimal text can
    separate the two files.
    """
    tree, c = edge_tree, 40
    seconds = 2**seconds_two * 5**seconds_five
    _tokens_duration(tree, c, tokens, seconds * 10**9)
    users = c if field == "tps_per_user" else 1
    derived = Fraction(tokens, seconds * users)
    # Below the floor the difference is relative to 1e-9, not to d (decimals.relative_difference):
    # there 1 % of d is no edge at all (1 token over 2^11·5^6 s per 40 users is 7.8e-10).
    assume(derived >= RELATIVE_FLOOR)
    rule_id = f"metric-consistency-{'tps-per-user' if users > 1 else 'system-tps'}"
    edge = derived * (1 + sign * Fraction(1, 100))
    hair = derived / 10**25 * sign
    for stored, expected in ((edge, "info"), (edge + hair, "error")):
        text = _decimal_text(stored)
        assert relative_difference(Decimal(text), derived) == abs(stored - derived) / derived
        _write_summary(tree, c, **{field: text})
        [result] = _results(tree.check(), rule_id, c)
        assert result.severity == expected, (text, result.message)


def _decimal_text(value: Fraction) -> str:
    """The exact decimal text of a fraction whose denominator has only factors 2 and 5."""
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    return str(Decimal(f"{int(value * 10**digits)}E-{digits}"))  # the constructor is exact


def test_a_tiny_duration_shows_finite_numbers(tree):
    """Item 8: 1e-300 ns derives an overflowing throughput; the message still shows numbers."""
    _write_summary(tree, 8, duration_ns="1e-300", tps="1527.886")
    report = tree.check()
    [result] = _results(report, "metric-consistency-system-tps", 8)
    assert result.severity == "error"
    for word in ("inf", "nan"):
        assert word not in result.message.lower()
    assert re.search(r"expected 2\.592e\+314 tokens/s .* off by 100 %", result.message)
    assert all("inf" not in r.message and "nan" not in r.message for r in report.results)


def test_show_is_finite_for_huge_and_tiny_values():
    assert show(Fraction(10**400) * 3) == "3e+400"
    assert show(Fraction(1, 10**400)) == "1e-400"
    assert show(1527.886) == "1527.89"
    assert show(0) == "0"


@pytest.mark.parametrize("field", ["duration_ns", "tokens"])
def test_an_integer_too_large_for_a_float_is_a_schema_error_not_a_crash(tree, field):
    huge = "9" * 400
    if field == "tokens":
        path = tree.path(tree.summary_json(34))
        summary = json.loads(path.read_text())
        summary["output_sequence_lengths"]["total"] = 0
        path.write_text(json.dumps(summary).replace('"total": 0', f'"total": {huge}', 1))
    else:
        _write_summary(tree, 34, duration_ns=huge)
    report = tree.check()
    assert not any("internal checker error" in r.message for r in report.results)
    [valid] = _results(report, "result-file-valid", 34)
    assert valid.severity == "error" and "expected a number" in valid.message
    assert _results(report, "metric-consistency-system-tps", 34) == []


@pytest.mark.parametrize("literal", ["1e400", "-1e999"])
def test_an_overflowing_literal_is_refused_like_nan(tree, literal):
    _write_summary(tree, 34, qps=literal)
    [valid] = _results(tree.check(), "result-file-valid", 34)
    assert valid.severity == "error" and "too large for a 64-bit float" in valid.message


def test_big_integer_percentiles_that_collide_as_floats_conflict(tree):
    path = tree.path(tree.summary_json(34))
    summary = json.loads(path.read_text())
    summary["ttft"]["percentiles"] = {"50": 2**53 + 1, "50.0": 2**53}
    path.write_text(json.dumps(summary))
    [valid] = _results(tree.check(), "result-file-valid", 34)
    assert valid.severity == "error"
    assert "9007199254740993 vs 9007199254740992" in valid.message
    summary["ttft"]["percentiles"] = {"50": 2**53, "50.0": 2**53}
    path.write_text(json.dumps(summary))
    assert _results(tree.check(), "result-file-valid", 34)[0].severity == "info"


def test_a_lone_surrogate_escape_makes_a_json_file_invalid(tree):
    path = tree.path(tree.system_file)
    path.write_text(path.read_text().replace('"system_name": "', '"system_name": "\\ud800', 1))
    [valid] = _results(tree.check(), "system-description-valid")
    assert valid.severity == "error" and "lone surrogate" in valid.message


def test_the_64_mib_cap_is_a_finding_with_the_size(tree):
    path = tree.path(tree.summary_json(34))
    with path.open("r+b") as handle:
        handle.truncate(64 * 1024 * 1024 + 1)
    [valid] = _results(tree.check(), "result-file-valid", 34)
    assert valid.severity == "error"
    assert "67,108,865 bytes, more than the 64 MiB" in valid.message
    assert valid.path == tree.summary_json(34)


def test_alias_bomb_point_file_is_refused_fast(tree):
    """Issue item 2: a ~600-byte file of eight nested alias levels expands to 9^9 nodes."""
    lines = ["l0: &l0 [" + ", ".join(["concurrency"] * 9) + "]"]
    for level in range(1, 9):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    assert len(text) < 700
    Path(tree.path(tree.point_yaml(34))).write_text(text)
    started = time.perf_counter()
    report = tree.check()
    assert time.perf_counter() - started < 5  # minutes before the bound; generous for CI
    [valid] = _results(report, "point-config-valid", 34)
    assert valid.severity == "error" and "aliases would expand" in valid.message


@settings(max_examples=60, deadline=None)
@given(
    levels=st.integers(1, 12),
    fan_out=st.integers(1, 9),
    leaves=st.integers(1, 9),
)
def test_alias_expansion_is_bounded_without_expanding(levels, fan_out, leaves):
    """Hypothesis: refused exactly when the expanded size passes 100× the nodes or 1,000,000.

    The expected sizes are computed here from the shape; the reader must agree and finish
    fast at any depth (9^12 nodes would never finish if expanded).
    """
    lines = ["l0: &l0 [" + ", ".join(["x"] * leaves) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fan_out) + "]")
    text = "\n".join(lines) + "\n"
    distinct = 1 + 2 * (levels + 1) + leaves  # root, keys and sequences, leaf scalars
    size = [1 + leaves]
    for _ in range(levels):
        size.append(1 + fan_out * size[-1])
    expanded = 1 + (levels + 1) + sum(size)
    refused = expanded > min(100 * distinct, 1_000_000)
    started = time.perf_counter()
    try:
        parse_yaml(text)
        outcome = False
    except LoadError as exc:
        assert "aliases would expand" in exc.message
        outcome = True
    assert time.perf_counter() - started < 1
    assert outcome is refused, (expanded, distinct)


def test_a_lone_surrogate_in_yaml_is_read_and_shown_escaped(tree, tmp_path):
    """The reference reads "\\ud800" as a string; every report shows it escaped, never crashes."""
    tree.edit_yaml(tree.point_yaml(8), lambda d: d.update(dataset="PLACEHOLDER"))
    path = tree.path(tree.point_yaml(8))
    path.write_text(path.read_text().replace("PLACEHOLDER", '"open_orca\\ud800"'))
    report = tree.check()
    [config] = _results(report, "config-consistency-dataset")
    assert config.severity == "error" and "open_orca\\ud800" in config.message
    from click.testing import CliRunner

    from submission_checker.cli import main

    out = tmp_path / "report.json"
    for fmt in ("text", "json", "sarif", "junit", "github"):
        result = CliRunner().invoke(main, ["check", str(tree.org), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 1, (fmt, result.output)
        assert "open_orca\\\\ud800" in out.read_text(encoding="utf-8")
