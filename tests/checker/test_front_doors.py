"""CLI (subprocess), ``python -m`` and the library give the same findings and verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from submission_checker import CheckResult, Report, SubmissionChecker
from submission_checker.cli import main

CONSOLE_SCRIPT = Path(sys.executable).parent / "submission-checker"


def findings(results):
    return sorted(
        (r["rule"], r["severity"], r["path"] or "", r["message"], r["concurrency"] or 0)
        for r in results
    )


def damage(tree):
    """One error (streaming off at C = 8) and one warning (margin point declared high)."""
    tree.edit_yaml(
        tree.point_yaml(8), lambda d: d["runtime_settings"].update(stream_all_chunks=False)
    )
    tree.edit_yaml(tree.point_yaml(70), lambda d: d.update(region="high_throughput"))


def test_cli_module_and_library_agree(tree, tmp_path):
    damage(tree)
    library = SubmissionChecker(tree.org).run()
    assert [(r.rule, r.severity) for r in library.errors + library.warnings] == [
        ("streaming-config", "error"),
        ("region-declared", "warning"),
    ]
    command = (
        [str(CONSOLE_SCRIPT)]
        if CONSOLE_SCRIPT.exists()
        else [sys.executable, "-m", "submission_checker"]
    )
    script_json, module_json = tmp_path / "script.json", tmp_path / "module.json"
    script = subprocess.run(
        [*command, "check", str(tree.org), "-q", "-o", str(script_json)],
        capture_output=True,
        text=True,
    )
    module = subprocess.run(
        [
            sys.executable,
            "-m",
            "submission_checker",
            "check",
            str(tree.org),
            "-o",
            str(module_json),
        ],
        capture_output=True,
        text=True,
    )
    assert script.returncode == module.returncode == 1
    assert "Traceback" not in script.stderr + module.stderr
    from_script = json.loads(script_json.read_text())
    from_module = json.loads(module_json.read_text())
    expected = findings(library.model_dump(mode="json")["results"])
    assert findings(from_script["results"]) == findings(from_module["results"]) == expected
    assert from_script["verdict"] == from_module["verdict"] == "FAILED"
    assert script.stdout.rstrip().splitlines()[-1].startswith("FAILED: 1 error, 1 warning")
    # -q hides passing checks on the terminal but not in the JSON report
    assert " ok " not in script.stdout and " ok " in module.stdout
    assert len(from_script["results"]) == len(library.results)


def test_strict_turns_warnings_into_failure(tree, tmp_path):
    tree.edit_yaml(tree.point_yaml(70), lambda d: d.update(region="high_throughput"))
    out = tmp_path / "r.json"
    relaxed = CliRunner().invoke(main, ["check", str(tree.org), "-o", str(out)])
    assert relaxed.exit_code == 0 and json.loads(out.read_text())["verdict"] == "PASSED"
    strict = CliRunner().invoke(main, ["check", str(tree.org), "--strict", "-o", str(out)])
    assert strict.exit_code == 1
    assert json.loads(out.read_text())["verdict"] == "FAILED"
    assert "FAILED (--strict: warnings fail)" in strict.output


def test_json_report_round_trips_through_the_model(tree, tmp_path):
    damage(tree)
    out = tmp_path / "r.json"
    CliRunner().invoke(main, ["check", str(tree.org), "-o", str(out)])
    document = json.loads(out.read_text())
    report = Report.model_validate(document)
    assert report == SubmissionChecker(tree.org).run()
    assert Report.model_validate_json(report.model_dump_json()) == report
    assert isinstance(report.results[0], CheckResult)
    assert document["passed"] is False and document["counts"]["error"] == 1


def test_usage_errors_exit_2_and_missing_path_is_a_finding(tmp_path):
    assert CliRunner().invoke(main, ["check"]).exit_code == 2
    assert CliRunner().invoke(main, ["check", str(tmp_path), "--bogus"]).exit_code == 2
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(tmp_path / "absent"), "-o", str(out)])
    assert result.exit_code == 1
    document = json.loads(out.read_text())
    assert document["verdict"] == "FAILED"
    assert [(r["rule"], r["severity"]) for r in document["results"]] == [("path-exists", "error")]
