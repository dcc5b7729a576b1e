"""`submission-checker rules` and `explain RULE` are generated from the registry."""

from __future__ import annotations

import pytest

from submission_checker.rules import REGISTRY

from .conftest import run_cli


def test_rules_lists_every_rule_with_section_severity_and_summary():
    run = run_cli("rules")
    assert run.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in run.stdout.splitlines()
            if line.startswith("│") and line.split("│")[1].strip()}
    for rule in REGISTRY:
        assert rule.id in rows, f"{rule.id} missing from `rules`"
        row = rows[rule.id]
        assert rule.severity in row and (rule.spec_ref or "—") in row
        assert rule.summary.split()[0] in row
    # Registry order, so the table reads like the spec.
    listed = [rule_id for rule_id in rows if rule_id in {r.id for r in REGISTRY}]
    assert listed == [rule.id for rule in REGISTRY]


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
