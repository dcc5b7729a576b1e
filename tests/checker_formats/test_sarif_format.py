"""The `sarif` format on hand-made reports: locations, rule descriptors, schema validity."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from submission_checker.formatters import sarif
from submission_checker.report import CheckResult, Report

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)


def _render(report: Report, *, strict: bool = False) -> dict:
    log = json.loads(sarif.render(report, strict=strict, quiet=False))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


def _uris(log: dict) -> list[str]:
    return [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]


def test_schema_file_is_the_official_sarif_2_1_0_schema():
    assert SCHEMA["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_file_names_are_percent_encoded_relative_references(workdir):
    report = Report(
        submission_path="My Org",
        checker_version="1",
        results=[
            CheckResult(
                rule="system-description-valid",
                severity="error",
                message="bad",
                path="systems/gpu #1 ü.json",
                spec_ref="§1",
                fix="repair it",
            ),
            CheckResult(rule="path-exists", severity="error", message="missing"),
        ],
    )
    log = _render(report)
    assert _uris(log) == ["My%20Org/systems/gpu%20%231%20%C3%BC.json", "My%20Org/"]
    first = log["runs"][0]["results"][0]
    assert first["message"]["text"] == "bad Fix: repair it"
    assert first["properties"]["fix"] == "repair it"


def test_a_submission_outside_the_working_directory_gets_file_uris(workdir, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    report = Report(
        submission_path=str(elsewhere / "Org"),
        checker_version="1",
        results=[
            CheckResult(
                rule="point-duration",
                severity="warning",
                message="short",
                path="pareto/s/m/points/point_1.yaml",
            ),
        ],
    )
    (uri,) = _uris(_render(report))
    assert uri == (elsewhere / "Org" / "pareto/s/m/points/point_1.yaml").as_uri()


def test_a_rule_missing_from_the_registry_still_resolves(workdir):
    report = Report(
        submission_path="Org",
        checker_version="1",
        results=[
            CheckResult(rule="internal-error", severity="error", message="boom"),
        ],
    )
    run = _render(report)["runs"][0]
    result = run["results"][0]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "internal-error"


def test_strict_changes_the_invocation_verdict_not_the_levels(workdir):
    report = Report(
        submission_path="Org",
        checker_version="1",
        results=[
            CheckResult(rule="point-duration", severity="warning", message="short"),
        ],
    )
    relaxed, strict = _render(report), _render(report, strict=True)
    assert relaxed["runs"][0]["invocations"][0]["exitCode"] == 0
    assert strict["runs"][0]["invocations"][0]["exitCode"] == 1
    assert strict["runs"][0]["results"][0]["level"] == "warning"
