"""The `github` format: workflow-command escaping, annotations and the step summary."""

from __future__ import annotations

from submission_checker.formatters import github
from submission_checker.report import CheckResult, Report


def _report(*results: CheckResult, path: str = "Org") -> Report:
    return Report(submission_path=path, checker_version="9.9.9", results=list(results))


def _result(severity: str, message: str = "bad value", **fields) -> CheckResult:
    fields.setdefault("rule", "point-duration")
    fields.setdefault("spec_ref", "§11")
    return CheckResult(severity=severity, message=message, **fields)


def test_message_escaping_follows_the_actions_toolkit():
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    # A literal "%0A" typed by a user must survive, not turn into a newline.
    assert github.escape_data("%0A") == "%250A"
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_a_newline_in_a_message_cannot_start_a_second_workflow_command():
    evil = "value 5\n::error file=x::forged"
    text = github.render(
        _report(_result("error", evil, path="systems/a,b:c.json")), strict=False, quiet=False
    )
    lines = text.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith(
        "::error file=Org/systems/a%2Cb%3Ac.json,title=point-duration (§11)::"
    )
    assert "value 5%0A::error file=x::forged" in annotations[0]


def test_warnings_and_errors_become_annotations_info_does_not():
    report = _report(
        _result("error", "e1", path="systems/s.json", fix="set it"),
        _result("warning", "w1"),
        _result("info", "fine"),
    )
    lines = github.render(report, strict=False, quiet=False).splitlines()
    assert lines[0] == (
        "::error file=Org/systems/s.json,title=point-duration (§11)::e1%0AFix: set it"
    )
    assert lines[1] == "::warning title=point-duration (§11)::w1"
    assert lines[-1] == "submission-checker: FAILED Org: 1 error, 1 warning"
    assert len(lines) == 3


def test_step_summary_is_appended_with_the_strict_verdict(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    report = _report(_result("warning", "short | run <b>", path="x.yaml"))
    assert github.append_step_summary(
        report, strict=False, environ={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert github.append_step_summary(
        report, strict=True, environ={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")
    first, second = text.split("### ")[1:]
    assert first.startswith("✅ submission-checker: PASSED")
    assert second.startswith("❌ submission-checker: FAILED")
    assert "--strict: warnings fail" in second
    # Table cells cannot be broken by a pipe or inject HTML.
    assert "short \\| run &lt;b&gt;" in first


def test_no_summary_without_the_environment_variable():
    assert not github.append_step_summary(_report(), strict=False, environ={})


def test_unwritable_step_summary_is_a_warning_not_a_crash(workdir):
    from .conftest import copy_example, run_cli

    copy_example(workdir)
    (workdir / "summary-dir").mkdir()
    run = run_cli(
        "check",
        "ExampleOrg",
        "--format",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(workdir / "summary-dir")},
    )
    assert run.exit_code == 0
    assert "cannot append to GITHUB_STEP_SUMMARY" in run.stderr
