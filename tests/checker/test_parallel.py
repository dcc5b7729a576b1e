"""A large submission is checked in two processes; the report must not depend on it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from submission_checker import SubmissionChecker
from submission_checker import checker as checker_module

SYSTEMS = ("sys-a", "sys-b", "sys-c")
MODELS = ("llama2-70b", "mixtral-8x7b")


@pytest.fixture
def org(tmp_path: Path, generator: Any) -> Path:
    """Three systems × two models × eight points, with problems in two of the systems."""
    root = generator.write_submission(tmp_path, systems=SYSTEMS, models=MODELS)
    (root / "pareto/sys-b/mixtral-8x7b/points/point_8.yaml").write_text("concurrency: [\n")
    summary = root / "pareto/sys-c/llama2-70b/results/point_34/mlperf_endpoints_log_summary.json"
    data = json.loads(summary.read_text())
    data["n_samples_completed"] -= 7
    summary.write_text(json.dumps(data))
    (root / "pareto/sys-a/llama2-70b/accuracy/accuracy.txt").write_text("")
    return root


def check(org: Path, monkeypatch: pytest.MonkeyPatch, *, parallel: bool) -> tuple[str, int]:
    """(the JSON report, how many processes were forked)."""
    forks = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1 if parallel else 10**9)
    report = SubmissionChecker(org).run()
    return report.model_dump_json(), len(forks)


needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@needs_fork
def test_parallel_and_serial_reports_are_identical(org: Path, monkeypatch) -> None:
    serial, serial_forks = check(org, monkeypatch, parallel=False)
    parallel, parallel_forks = check(org, monkeypatch, parallel=True)
    assert (serial_forks, parallel_forks) == (0, 1)
    assert parallel == serial
    report = json.loads(parallel)
    assert not report["passed"]
    failing = {(r["rule"], r["system"]) for r in report["results"] if r["severity"] == "error"}
    assert {system for _, system in failing} == {"sys-a", "sys-b", "sys-c"}


@needs_fork
def test_a_failing_child_process_changes_nothing(org: Path, monkeypatch) -> None:
    serial, _ = check(org, monkeypatch, parallel=False)
    parent = os.getpid()
    real_check_unit = checker_module._check_unit

    def crash_in_child(unit, round_name):
        if os.getpid() != parent:
            raise MemoryError("child died")
        return real_check_unit(unit, round_name)

    monkeypatch.setattr(checker_module, "_check_unit", crash_in_child)
    parallel, forks = check(org, monkeypatch, parallel=True)
    assert forks == 1
    assert parallel == serial


def test_without_fork_the_check_runs_in_one_process(org: Path, monkeypatch) -> None:
    expected = SubmissionChecker(org).run().model_dump_json()
    monkeypatch.delattr(os, "fork", raising=False)
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    assert SubmissionChecker(org).run().model_dump_json() == expected


def test_small_submissions_are_not_forked(org: Path, monkeypatch) -> None:
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for 48 points"))
    SubmissionChecker(org).run()


@needs_fork
def test_one_system_is_split_by_model(tmp_path: Path, generator: Any, monkeypatch) -> None:
    org = generator.write_submission(tmp_path, models=MODELS + ("llama3.1-8b",))
    (org / "pareto/example-system/llama3.1-8b/accuracy/accuracy_result.json").write_text("[]")
    serial, _ = check(org, monkeypatch, parallel=False)
    parallel, forks = check(org, monkeypatch, parallel=True)
    assert forks == 1
    assert parallel == serial
