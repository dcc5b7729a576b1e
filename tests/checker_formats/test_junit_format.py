"""The `junit` format: one test case per (rule, scope), failures that match the verdict."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from submission_checker.formatters import junit
from submission_checker.report import CheckResult, Report


def _report(*results: CheckResult) -> Report:
    return Report(submission_path="Org", checker_version="9.9.9", results=list(results))


def _point(rule: str, severity: str, concurrency: int, message: str = "m") -> CheckResult:
    return CheckResult(
        rule=rule,
        severity=severity,
        message=message,
        system="sys",
        model="llama",
        concurrency=concurrency,
        path=f"pareto/sys/llama/points/point_{concurrency}.yaml",
    )


def _cases(xml_text: str) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(xml_text)
    return {(case.get("classname"), case.get("name")): case for case in root.iter("testcase")}


def test_one_case_per_rule_and_scope_with_all_its_findings_in_one_failure():
    report = _report(
        _point("point-config-valid", "error", 8, "concurrency: found 'x'"),
        _point("point-config-valid", "error", 8, "dataset: missing"),
        _point("point-config-valid", "info", 16),
        CheckResult(rule="path-exists", severity="info", message="ok"),
    )
    root = ET.fromstring(junit.render(report, strict=False, quiet=False))
    assert root.get("tests") == "3" and root.get("failures") == "1"
    cases = _cases(junit.render(report, strict=False, quiet=False))
    failing = cases[("Org/sys/llama", "point-config-valid [concurrency=8]")]
    failure = failing.find("failure")
    assert failure.get("message") == "concurrency: found 'x' (+1 more)"
    assert "dataset: missing" in failure.text
    assert failing.get("file") == "Org/pareto/sys/llama/points/point_8.yaml"
    assert cases[("Org/sys/llama", "point-config-valid [concurrency=16]")].find("failure") is None
    assert cases[("Org", "path-exists")].find("failure") is None


def test_warnings_fail_only_under_strict():
    report = _report(_point("point-duration", "warning", 64, "too short"))
    relaxed = _cases(junit.render(report, strict=False, quiet=False))
    case = relaxed[("Org/sys/llama", "point-duration [concurrency=64]")]
    assert case.find("failure") is None
    assert "too short" in case.find("system-out").text
    strict = _cases(junit.render(report, strict=True, quiet=False))
    failure = strict[("Org/sys/llama", "point-duration [concurrency=64]")].find("failure")
    assert failure is not None and failure.get("type") == "warning"


def test_control_characters_from_a_broken_file_still_give_well_formed_xml():
    report = _report(_point("point-config-valid", "error", 1, "value '\x07\x00' & <tag>"))
    text = junit.render(report, strict=False, quiet=False)
    failure = ET.fromstring(text).find(".//failure")
    assert failure.get("message") == "value '\\x07\\x00' & <tag>"
