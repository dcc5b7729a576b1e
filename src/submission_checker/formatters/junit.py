"""JUnit XML: one test case per (rule, scope), so CI test reporters show what was checked.

A scope is the submission, a system, a system/model, or one measurement point. A test case
fails when its rule reported an error there — or a warning under --strict — with every finding
of that case in one <failure> element (many reporters only show the first failure of a case).
Warnings that do not fail go to <system-out> so they stay visible. Test suites group cases by
system/model. Output is deterministic: no timestamps or host names, and every duration is 0
(written anyway, as some CI test reporters require it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from submission_checker.formatters.ci_common import result_location

# Characters XML 1.0 cannot carry even escaped; a value quoted from a broken file may have them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class _Case:
    rule: str
    suite: str
    name: str
    file: str | None = None
    failing: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def render(report, *, strict: bool, quiet: bool) -> str:
    """The whole report as a <testsuites> document."""
    import xml.etree.ElementTree as ET

    org = Path(report.submission_path).name or str(report.submission_path)
    suites: dict[str, dict[tuple, _Case]] = {}
    for result in report.results:
        suite = _suite_name(org, result)
        key = (result.rule, result.system, result.model, result.concurrency)
        cases = suites.setdefault(suite, {})
        case = cases.get(key)
        if case is None:
            case = cases[key] = _Case(rule=result.rule, suite=suite, name=_case_name(result))
        if case.file is None:
            case.file = result_location(report, result)
        fails = result.severity == "error" or (strict and result.severity == "warning")
        if fails:
            case.failing.append(result)
        elif result.severity == "warning":
            case.notes.append(result)

    all_cases = [case for cases in suites.values() for case in cases.values()]
    root = ET.Element(
        "testsuites",
        {
            "name": "submission-checker",
            "tests": str(len(all_cases)),
            "failures": str(sum(1 for case in all_cases if case.failing)),
            "errors": "0",
            "time": "0",
        },
    )
    for suite_name, cases in suites.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _xml_text(suite_name),
                "tests": str(len(cases)),
                "failures": str(sum(1 for case in cases.values() if case.failing)),
                "errors": "0",
                "skipped": "0",
                "time": "0",
            },
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(
            properties, "property", {"name": "rules_round", "value": str(report.rules_round)}
        )
        for case in cases.values():
            _add_case(ET, suite, case, report)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _add_case(ET, suite, case: _Case, report) -> None:
    attributes = {"classname": _xml_text(case.suite), "name": _xml_text(case.name), "time": "0"}
    if case.file:
        attributes["file"] = _xml_text(case.file)
    element = ET.SubElement(suite, "testcase", attributes)
    if case.failing:
        first = case.failing[0]
        more = f" (+{len(case.failing) - 1} more)" if len(case.failing) > 1 else ""
        failure = ET.SubElement(
            element,
            "failure",
            {
                "type": "error" if any(r.severity == "error" for r in case.failing) else "warning",
                "message": _xml_text(first.message + more),
            },
        )
        failure.text = _xml_text("\n".join(_finding_text(report, r) for r in case.failing))
    if case.notes:
        out = ET.SubElement(element, "system-out")
        out.text = _xml_text("\n".join(_finding_text(report, r) for r in case.notes))


def _finding_text(report, result) -> str:
    location = result_location(report, result)
    head = f"[{result.severity}] {result.rule}"
    if result.spec_ref:
        head += f" ({result.spec_ref})"
    if location:
        head += f" {location}"
    text = f"{head}: {result.message}"
    if result.fix:
        text += f"\n  fix: {result.fix}"
    return text


def _suite_name(org: str, result) -> str:
    return "/".join(part for part in (org, result.system, result.model) if part)


def _case_name(result) -> str:
    if result.concurrency is not None:
        return f"{result.rule} [concurrency={result.concurrency}]"
    return result.rule


def _xml_text(text: str) -> str:
    """Replace characters XML cannot hold by a visible escape, e.g. '\\x07'."""
    return _XML_INVALID.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
