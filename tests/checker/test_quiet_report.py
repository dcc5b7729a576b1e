"""``check -q``, ``--format sarif`` and ``--format github`` count passing checks, not keep them
(``SubmissionChecker.run_quiet``): what they print, the verdict and the exit status are the full
report's, in one process or two."""

from __future__ import annotations

import json
import marshal
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from submission_checker import SubmissionChecker
from submission_checker import checker as checker_module
from submission_checker.cli import main
from submission_checker.formatters import github, sarif, text
from submission_checker.report import QuietReport, tally_of

SYSTEMS = ("sys-a", "sys-é")
MODELS = ("llama2-70b", "mixtral-8x7b")

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _valid(root: Path) -> None:
    """No change: every result is a pass."""


def _errors_and_warnings(root: Path) -> None:
    """An unreadable point file (errors), failed samples (a warning), a lone surrogate shown
    escaped in a message."""
    (root / "pareto/sys-a/mixtral-8x7b/points/point_8.yaml").write_text("concurrency: [\n")
    summary_path = (
        root / "pareto/sys-é/llama2-70b/results/point_32/mlperf_endpoints_log_summary.json"
    )
    summary = json.loads(summary_path.read_text())
    summary["n_samples_failed"] = 3
    summary_path.write_text(json.dumps(summary))
    point = root / "pareto/sys-é/mixtral-8x7b/points/point_40.yaml"
    point.write_text(point.read_text().replace("dataset: open_orca", 'dataset: "\\ud800"'))


MUTATIONS: dict[str, Callable[[Path], None]] = {
    "valid": _valid,
    "errors-and-warnings": _errors_and_warnings,
}


@pytest.fixture(params=sorted(MUTATIONS))
def org(request: pytest.FixtureRequest, tmp_path: Path, generator: Any) -> Path:
    root = generator.write_submission(tmp_path, systems=SYSTEMS, models=MODELS)
    MUTATIONS[request.param](root)
    return root


@pytest.mark.parametrize("fork", [False, True], ids=["one-process", "two-processes"])
def test_a_quiet_report_prints_and_decides_as_the_full_one(
    org: Path, fork: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fork and not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1 if fork else 10**9)
    forks: list[int] = []
    real_fork = getattr(os, "fork", None)

    def counted_fork() -> int:
        forks.append(os.getpid())
        assert real_fork is not None
        return real_fork()

    if real_fork is not None:
        monkeypatch.setattr(os, "fork", counted_fork)
    full = SubmissionChecker(org).run()
    quiet = SubmissionChecker(org).run_quiet()
    assert len(forks) == (2 if fork else 0)
    assert isinstance(quiet, QuietReport)
    assert quiet.results == [result for result in full.results if result.severity != "info"]
    assert quiet.tally == tally_of(full.results)
    assert quiet.counts == full.counts and quiet.passed == full.passed
    for strict in (False, True):
        assert quiet.verdict(strict=strict) == full.verdict(strict=strict)
        for color in (False, True):
            assert text.render(quiet, strict=strict, quiet=True, color=color) == text.render(
                full, strict=strict, quiet=True, color=color
            )
        assert text.verdict_line(quiet, strict=strict) == text.verdict_line(full, strict=strict)
        assert github.render(quiet, strict=strict, quiet=False) == github.render(
            full, strict=strict, quiet=False
        )
        assert github.render_step_summary(quiet, strict=strict) == github.render_step_summary(
            full, strict=strict
        )
        assert sarif.render(quiet, strict=strict, quiet=False) == sarif.render(
            full, strict=strict, quiet=False
        )


def test_the_mutations_give_what_their_names_say(generator: Any, tmp_path: Path) -> None:
    """The differential test above compares reports that have errors and warnings too."""
    root = generator.write_submission(tmp_path, systems=SYSTEMS, models=MODELS)
    _errors_and_warnings(root)
    counts = SubmissionChecker(root).run().counts
    assert counts["error"] > 0 and counts["warning"] > 0 and counts["info"] > 0


def test_a_quiet_report_lists_no_passes_so_it_renders_only_quiet(org: Path) -> None:
    quiet = SubmissionChecker(org).run_quiet()
    assert all(result.severity != "info" for result in quiet.results)
    with pytest.raises(ValueError, match="render it quiet"):
        text.render(quiet, quiet=False)


def test_check_q_counts_passes_and_prints_what_the_full_report_would(
    org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = SubmissionChecker(org).run()
    for strict in ([], ["--strict"]):
        with monkeypatch.context() as patch:  # check -q never builds the full report
            patch.setattr(SubmissionChecker, "run", lambda self: pytest.fail("kept every pass"))
            printed = CliRunner().invoke(main, ["check", "-q", *strict, str(org)])
        assert printed.output == text.render(expected, quiet=True, strict=bool(strict)) + "\n"
        assert printed.exit_code == (0 if expected.verdict(strict=bool(strict)) == "PASSED" else 1)


def test_check_q_with_a_json_file_still_writes_every_pass(org: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    printed = CliRunner().invoke(main, ["check", "-q", "-o", str(out), str(org)])
    written = json.loads(out.read_text())
    assert written["counts"] == SubmissionChecker(org).run().counts
    assert sum(result["severity"] == "info" for result in written["results"]) > 0
    assert printed.output.splitlines()[-1] == text.verdict_line(SubmissionChecker(org).run())


@needs_fork
@pytest.mark.parametrize("fault", ["garbage", "bad-count", "death"])
def test_a_failing_child_changes_no_quiet_report(
    org: Path, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child sends each unit's errors and warnings and its count of every result; whatever
    it gets wrong, this process checks the units it did not send, so the report is the same."""
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 10**9)
    expected = SubmissionChecker(org).run_quiet()
    parent = os.getpid()
    real_dumps = marshal.dumps
    real_check_unit = checker_module._check_unit
    calls: list[Any] = []

    def faulty_dumps(value: Any, *version: int) -> bytes:
        if os.getpid() != parent:
            fields, counted = value
            if fault == "garbage":
                return b"not marshal data"
            if fault == "bad-count":  # marshal data, but no count of results
                return real_dumps((fields, [(("passed", None), "many")]), *version)
        return real_dumps(value, *version)

    def dying_check_unit(unit: Any, round_name: str) -> Any:
        if os.getpid() != parent and fault == "death":
            calls.append(unit)
            if len(calls) == 2:
                raise MemoryError("child died")
        return real_check_unit(unit, round_name)

    monkeypatch.setattr(marshal, "dumps", faulty_dumps)
    monkeypatch.setattr(checker_module, "_check_unit", dying_check_unit)
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    got = SubmissionChecker(org).run_quiet()
    assert (got.results, got.tally) == (expected.results, expected.tally)


def test_github_and_sarif_count_passes_and_print_what_the_full_report_would(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GitHub Action's default run (``--format github``): annotations, verdict line and job
    summary as the full report's, without keeping a pass; SARIF likewise; with ``-o`` the file
    has them all."""
    expected = SubmissionChecker(org).run()
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    with monkeypatch.context() as patch:
        patch.setattr(SubmissionChecker, "run", lambda self: pytest.fail("kept every pass"))
        printed = CliRunner().invoke(main, ["check", "--format", "github", str(org)])
    assert printed.output == github.render(expected, strict=False, quiet=False)
    assert summary.read_text(encoding="utf-8") == github.render_step_summary(expected, strict=False)
    assert printed.exit_code == (0 if expected.passed else 1)
    with monkeypatch.context() as patch:
        patch.setattr(SubmissionChecker, "run", lambda self: pytest.fail("kept every pass"))
        printed = CliRunner().invoke(main, ["check", "--format", "sarif", "--strict", str(org)])
    assert printed.output == sarif.render(expected, strict=True, quiet=False)
    assert printed.exit_code == (0 if expected.verdict(strict=True) == "PASSED" else 1)
    out = tmp_path / "report.json"
    CliRunner().invoke(main, ["check", "--format", "github", "-o", str(out), str(org)])
    assert json.loads(out.read_text())["counts"] == expected.counts
