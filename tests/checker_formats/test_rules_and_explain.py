"""`submission-checker rules` and `explain RULE` are generated from the registry."""

from __future__ import annotations

import pytest

from submission_checker.rules import REGISTRY

from .conftest import run_cli


def test_rules_lists_every_rule_with_section_severity_and_summary():
    """Piped (not a terminal): one plain line per rule, whole values, no box characters."""
    run = run_cli("rules")
    assert run.exit_code == 0
    header, *lines = run.stdout.splitlines()
    assert header.split() == ["Rule", "§", "Severity", "Checks"]
    assert not any(char in run.stdout for char in "│┃━─")
    assert all(line == line.rstrip() for line in lines)
    assert [line.split()[0] for line in lines] == [rule.id for rule in REGISTRY]
    for rule, line in zip(REGISTRY, lines, strict=True):
        assert line.split()[1] == (rule.spec_ref or "—").split()[0]
        assert f" {rule.severity}" in line
        assert line.endswith(rule.summary)


def test_rules_on_a_terminal_is_a_table():
    from rich.console import Console

    from submission_checker.explain import rules_table

    console = Console(width=100, record=True, force_terminal=True)
    console.print(rules_table())
    text = console.export_text()
    assert "submission-checker rules" in text and "┃ Rule" in text


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda rule: rule.id)
def test_explain_shows_the_rule_documentation_with_examples(rule):
    run = run_cli("explain", rule.id)
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == rule.id
    assert f"Section:  {rule.spec_ref or '—'}" in lines
    assert any(line.startswith(f"Severity: {rule.severity}") for line in lines)
    assert rule.summary in run.stdout
    assert "Passing" in run.stdout and "Failing" in run.stdout


def test_a_rule_that_can_warn_or_fail_says_both():
    assert "Severity: error / warning" in run_cli("explain", "region-declared").stdout.splitlines()


def test_explain_accepts_underscores_and_capitals():
    assert run_cli("explain", "Point_Duration").stdout.startswith("point-duration\n")


def test_unknown_rule_is_a_usage_error_with_close_matches():
    run = run_cli("explain", "point-duraton")
    assert run.exit_code == 2
    assert "unknown rule 'point-duraton'" in run.stderr
    assert "Did you mean: point-duration" in run.stderr
    assert "submission-checker rules" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_word_from_the_id_finds_the_rules_containing_it():
    run = run_cli("explain", "duration")
    assert run.exit_code == 2
    assert "point-duration" in run.stderr and "metric-consistency-duration" in run.stderr


def test_nothing_close_still_points_at_the_rule_list():
    run = run_cli("explain", "zzzz")
    assert run.exit_code == 2
    assert "Did you mean" not in run.stderr and "submission-checker rules" in run.stderr
