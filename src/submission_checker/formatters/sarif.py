"""SARIF 2.1.0: the format code-scanning tools (GitHub code scanning among them) read.

The log has one run. Its tool lists every rule of the registry — id, one-line and full
description, the rule's documentation as help text, its spec section — so a viewer can explain
a finding without this package. Each error and warning becomes one result pointing at the file
it names (relative to the current directory, which in CI is the checkout root that code scanning
resolves paths against); results about the whole submission point at its directory, because code
scanning rejects results without a location. Passing checks are not findings and are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from submission_checker.formatters.ci_common import (
    findings,
    result_location,
    scope_label,
    submission_location,
    verdict_passed,
    verdict_word,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning"}


def render(report, *, strict: bool, quiet: bool) -> str:
    """The report as a SARIF log (indented JSON)."""
    from submission_checker.rules import rules_for

    descriptors = [_descriptor_from_rule(rule) for rule in rules_for(report.rules_round or "v0.7")]
    index_by_id = {descriptor["id"]: index for index, descriptor in enumerate(descriptors)}
    results = []
    for result in findings(report.results):
        if result.rule not in index_by_id:
            index_by_id[result.rule] = len(descriptors)
            descriptors.append(_descriptor_from_result(result))
        results.append(_result(report, result, index_by_id[result.rule]))

    passed = verdict_passed(report, strict=strict)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "submission-checker",
                        "version": report.checker_version,
                        "rules": descriptors,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "exitCode": 0 if passed else 1,
                        "properties": {
                            "strict": strict,
                            "verdict": verdict_word(report, strict=strict),
                        },
                    }
                ],
                "results": results,
                "properties": {
                    "submission": submission_location(report),
                    "rulesRound": report.rules_round,
                },
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _descriptor_from_rule(rule) -> dict:
    doc = (rule.doc or "").strip() or rule.summary
    full = doc.split("\n\n", 1)[0].strip()
    return {
        "id": rule.id,
        "name": _pascal_case(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(full.split())},
        "help": {
            "text": f"{rule.summary}\n\nRules section {rule.spec_ref or '—'}; "
            f"severity {rule.severity}; scope {rule.scope}.\n\n{doc}\n\n"
            f"Locally: submission-checker explain {rule.id}"
        },
        "defaultConfiguration": {"level": _level(rule.severity)},
        "properties": {
            "spec_ref": rule.spec_ref or "",
            "scope": rule.scope,
            "tags": ["mlperf-endpoints", rule.scope],
        },
    }


def _descriptor_from_result(result) -> dict:
    """A rule the registry does not list (e.g. an internal error) still needs a descriptor."""
    return {
        "id": result.rule,
        "name": _pascal_case(result.rule),
        "shortDescription": {"text": result.rule},
        "defaultConfiguration": {"level": _level(result.severity)},
        "properties": {"spec_ref": result.spec_ref or ""},
    }


def _result(report, result, rule_index: int) -> dict:
    text = result.message + (f" Fix: {result.fix}" if result.fix else "")
    location = result_location(report, result)
    if location is None:
        location = submission_location(report).rstrip("/") + "/"
    properties = {
        "spec_ref": result.spec_ref,
        "fix": result.fix,
        "system": result.system,
        "model": result.model,
        "concurrency": result.concurrency,
        "scope": scope_label(result) or None,
    }
    return {
        "ruleId": result.rule,
        "ruleIndex": rule_index,
        "level": _level(result.severity),
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(location)}}}],
        "properties": {key: value for key, value in properties.items() if value is not None},
    }


def _uri(location: str) -> str:
    """A relative reference for paths below the cwd, else a file: URI; always percent-encoded."""
    path = Path(location)
    if path.is_absolute():
        uri = path.as_uri()
        return uri + "/" if location.endswith("/") and not uri.endswith("/") else uri
    return quote(location, safe="/")


def _level(severity: str) -> str:
    return _LEVELS.get(severity, "note")


def _pascal_case(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-"))
