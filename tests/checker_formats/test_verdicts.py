"""Every format tells the same verdict as the exit code, with and without --strict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from .conftest import run_cli

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

# variant -> (exit code without --strict, with --strict)
EXPECTED_EXIT = {"example": (0, 0), "warnings": (0, 1), "failing": (1, 1)}


def verdict_of(output_format: str, stdout: str, summary_file: Path) -> str:
    """The verdict a reader of this format would see."""
    if output_format == "text":
        return stdout.strip().splitlines()[-1].split(":")[0].split()[0]
    if output_format == "json":
        return json.loads(stdout)["verdict"]
    if output_format == "sarif":
        invocation = json.loads(stdout)["runs"][0]["invocations"][0]
        assert invocation["exitCode"] == (
            0 if invocation["properties"]["verdict"] == "PASSED" else 1
        )
        return invocation["properties"]["verdict"]
    if output_format == "junit":
        return "FAILED" if int(ET.fromstring(stdout).get("failures")) else "PASSED"
    if output_format == "github":
        last_line = stdout.strip().splitlines()[-1]
        heading = summary_file.read_text(encoding="utf-8").splitlines()[0]
        word = heading.split(": ")[-1]
        assert f": {word} " in last_line, (last_line, heading)
        return word
    raise AssertionError(output_format)


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("variant", list(EXPECTED_EXIT))
@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "github"])
def test_exit_code_and_verdict_agree(submission, workdir, output_format, variant, strict):
    org = submission(variant)
    summary = workdir / "summary.md"
    args = ["check", org, "--format", output_format] + (["--strict"] if strict else [])
    run = run_cli(*args, env={"GITHUB_STEP_SUMMARY": str(summary)})
    expected = EXPECTED_EXIT[variant][strict]
    assert run.exit_code == expected, run.stdout
    assert verdict_of(output_format, run.stdout, summary) == (
        "PASSED" if expected == 0 else "FAILED"
    )
    # The step summary is written only by the github format.
    assert summary.exists() == (output_format == "github")


def test_junit_warnings_fail_only_under_strict(submission):
    org = submission("warnings")
    relaxed = ET.fromstring(run_cli("check", org, "--format", "junit").stdout)
    strict = ET.fromstring(run_cli("check", org, "--format", "junit", "--strict").stdout)
    assert relaxed.get("failures") == "0"
    assert strict.get("failures") == "2"
    failing = [
        case.get("name") for case in strict.iter("testcase") if case.find("failure") is not None
    ]
    assert failing == ["unexpected-entry", "region-declared [concurrency=40]"]


@pytest.mark.parametrize("variant", list(EXPECTED_EXIT))
def test_sarif_validates_against_the_official_schema(submission, variant):
    org = submission(variant)
    log = json.loads(run_cli("check", org, "--format", "sarif").stdout)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    from submission_checker.rules import REGISTRY

    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.id for rule in REGISTRY]
    assert all(
        rule["shortDescription"]["text"]
        and rule["fullDescription"]["text"]
        and rule["help"]["text"]
        for rule in rules
    )
    # Every finding is a result at a file that exists (or, for deleted files, its folder).
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert Path(uri).exists() or result["ruleId"] == "accuracy-file"


def test_sarif_result_count_equals_errors_plus_warnings(submission):
    org = submission("failing")
    text = json.loads(run_cli("check", org, "--format", "json").stdout)
    sarif = json.loads(run_cli("check", org, "--format", "sarif").stdout)
    levels = [result["level"] for result in sarif["runs"][0]["results"]]
    assert levels.count("error") == text["counts"]["error"] == 3
    assert levels.count("warning") == text["counts"]["warning"] == 3


def test_output_file_still_gets_the_json_report(submission, workdir):
    org = submission("failing")
    run = run_cli("check", org, "--format", "sarif", "-o", "report.json")
    assert run.exit_code == 1
    assert json.loads(run.stdout)["version"] == "2.1.0"
    assert json.loads((workdir / "report.json").read_text())["verdict"] == "FAILED"


def test_unknown_format_is_a_usage_error(submission):
    run = run_cli("check", submission(), "--format", "xml")
    assert run.exit_code == 2
    assert "'xml' is not one of" in run.stderr


def test_real_process_exit_codes(submission, workdir):
    """The installed entry point, not just the in-process runner."""
    org = submission("warnings")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    command = [sys.executable, "-m", "submission_checker", "check", org, "--format", "github"]
    relaxed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    strict = subprocess.run(
        command + ["--strict"], capture_output=True, text=True, env=env, timeout=120
    )
    assert (relaxed.returncode, strict.returncode) == (0, 1)
    assert relaxed.stdout.count("::warning ") == strict.stdout.count("::warning ") == 2
    assert "Traceback" not in relaxed.stderr + strict.stderr


def test_cli_import_stays_lean():
    """`check -q` start-up is benchmarked: the CI formats and plotting load only when used."""
    code = (
        "import sys, submission_checker.cli; "
        "heavy = [m for m in ('matplotlib', 'jsonschema', 'xml.etree.ElementTree', "
        "'submission_checker.plot', 'submission_checker.formatters.sarif') "
        "if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
