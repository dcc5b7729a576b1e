"""Real inference-endpoint output is read as the checker's schemas expect."""

from __future__ import annotations

import json
import shutil

from submission_checker.loading import load_json
from submission_checker.models import PointSummary, SystemDescription, validate


def test_real_summaries_validate(samples_dir):
    for name in ("llama2-70b_c1", "http500_every_10th_c8", "accuracy_both_c4"):
        data = load_json(samples_dir / name / "performance" / "result_summary.json")
        summary, problems = validate(PointSummary, data)
        assert problems == [], name
        assert "99.9" in summary.ttft.percentiles  # decimal-string percentile keys
        assert abs(summary.derived_system_tps - data["tps"]) / data["tps"] < 1e-9


def test_real_system_description_validates(samples_dir):
    data = load_json(samples_dir / "system_desc.example.json")
    assert validate(SystemDescription, data)[1] == []


def test_failed_samples_counted_among_completed_pass_accounting(tree, samples_dir):
    """http500_every_10th_c8: 150 issued, 150 completed of which 15 failed."""
    real = samples_dir / "http500_every_10th_c8" / "performance" / "result_summary.json"
    data = json.loads(real.read_text())
    assert (data["n_samples_issued"], data["n_samples_completed"], data["n_samples_failed"]) == (
        150,
        150,
        15,
    )
    shutil.copyfile(real, tree.path(tree.summary_json(8)))
    report = tree.check()
    at_8 = {r.rule: r for r in report.results if r.concurrency == 8}
    assert at_8["result-file-valid"].severity == "info"
    assert at_8["metric-consistency-accounting"].severity == "info"
    assert at_8["metric-consistency-system-tps"].severity == "info"
    assert "tps = 1527.89" in at_8["metric-consistency-system-tps"].message
    # a short demo run: too few samples and too short, and its 15 failures named (A2.3)
    assert {(r.rule, r.severity) for r in report.errors + report.warnings} == {
        ("min-query-count", "error"),
        ("point-duration", "warning"),
        ("failed-samples", "warning"),
    }
    assert "135 successful samples" in at_8["min-query-count"].message
    assert "found 15, expected 0 (10.00 % of 150 issued" in at_8["failed-samples"].message
