"""A v1.0 check that counts passes (``check -q``, ``--format github``) prints and decides as
its full report does, in one process or two."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from checker_v1_builder import generator
from click.testing import CliRunner

from submission_checker import SubmissionChecker
from submission_checker import checker as checker_module
from submission_checker.cli import main
from submission_checker.formatters import github, text
from submission_checker.report import tally_of

CURVES = tuple((f"System {letter}", model) for letter in "AB" for model in ("llama3_1-8b",))


def _write(tmp_path: Path, *, broken: bool) -> Path:
    org = generator.write_submission_v1(tmp_path, curves=CURVES)
    if broken:
        description = sorted(org.glob("*/results/System_B/*/r*/system_desc.json"))[0]
        description.write_text("{not json", encoding="utf-8")
        summary_path = sorted(org.glob("*/results/System_A/*/r*/result_summary.json"))[-1]
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        summary["n_samples_failed"] = 2
        summary_path.write_text(json.dumps(summary), encoding="utf-8")
    return org


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "errors-and-warnings"])
@pytest.mark.parametrize("fork", [False, True], ids=["one-process", "two-processes"])
def test_a_quiet_v1_report_prints_and_decides_as_the_full_one(
    tmp_path: Path, broken: bool, fork: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fork and not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    org = _write(tmp_path, broken=broken)
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1 if fork else 10**9)
    full = SubmissionChecker(org, round="v1.0").run()
    quiet = SubmissionChecker(org, round="v1.0").run_quiet()
    counts = full.counts
    assert (counts["error"] > 0 and counts["warning"] > 0) == broken
    assert quiet.rules_round == "v1.0"
    assert quiet.results == [result for result in full.results if result.severity != "info"]
    assert quiet.tally == tally_of(full.results)
    for strict in (False, True):
        assert text.render(quiet, strict=strict, quiet=True) == text.render(
            full, strict=strict, quiet=True
        )
        assert github.render_step_summary(quiet, strict=strict) == github.render_step_summary(
            full, strict=strict
        )


def test_check_q_on_a_v1_tree_prints_the_full_reports_verdict(tmp_path: Path) -> None:
    org = _write(tmp_path, broken=True)
    full = SubmissionChecker(org, round="v1.0").run()
    printed = CliRunner().invoke(main, ["check", "-q", str(org)])
    assert printed.exit_code == 1
    assert printed.output == text.render(full, quiet=True) + "\n"
