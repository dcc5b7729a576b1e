"""The precise edges of checker.md §3–§4.3, one behaviour per test."""

from __future__ import annotations

import os

import pytest

from submission_checker import SubmissionChecker
from submission_checker.report import CheckResult
from submission_checker.rules import get
from submission_checker.rules.registry import Rule


def by_rule(report, rule_id):
    return [r for r in report.results if r.rule == rule_id]


def problems(report):
    return [(r.rule, r.severity, r.path, r.message) for r in report.results if r.severity != "info"]


def _set_tps(tree, c, factor):
    def change(summary):
        derived = summary["output_sequence_lengths"]["total"] / (summary["duration_ns"] / 1e9)
        summary["tps"] = derived * factor
        summary["tps_per_user"] = derived / c

    tree.edit_json(tree.summary_json(c), change)


def test_system_tps_exactly_one_percent_passes(tree):
    def exact(summary):
        summary["duration_ns"] = 1_300_000_000_000
        summary["output_sequence_lengths"]["total"] = 1_300_000  # derived = 1000 tokens/s
        summary["tps"] = 1010.0
        summary["tps_per_user"] = 1000 / 34

    tree.edit_json(tree.summary_json(34), exact)
    report = tree.check()
    assert [r.severity for r in by_rule(report, "metric-consistency-system-tps")] == ["info"] * 8
    tree.edit_json(tree.summary_json(34), lambda s: s.update(tps=1010.0000001))
    fired = [
        r for r in by_rule(tree.check(), "metric-consistency-system-tps") if r.severity != "info"
    ]
    assert [(r.concurrency, r.severity) for r in fired] == [(34, "error")]


def test_system_tps_prefers_system_tps_over_tps(tree):
    _set_tps(tree, 8, 1.0)
    tree.edit_json(tree.summary_json(8), lambda s: s.update(system_tps=1.0))
    fired = [
        r for r in by_rule(tree.check(), "metric-consistency-system-tps") if r.severity != "info"
    ]
    assert len(fired) == 1 and fired[0].message.startswith("system_tps: found 1")


def test_missing_stored_throughput_is_info(tree):
    tree.edit_json(tree.summary_json(8), lambda s: (s.pop("tps"), s.pop("tps_per_user")))
    report = tree.check()
    assert report.passed
    infos = [
        r.message for r in by_rule(report, "metric-consistency-system-tps") if r.concurrency == 8
    ]
    assert infos and "not stored" in infos[0]


@pytest.mark.parametrize("c, minimum_ms", [(8, 600_000), (34, 1_200_000), (70, 1_200_000)])
def test_duration_exactly_the_minimum_passes(tree, c, minimum_ms):
    def exact(summary):
        summary["duration_ns"] = minimum_ms * 1_000_000
        summary["tps"] = summary["output_sequence_lengths"]["total"] / (minimum_ms / 1000)
        summary["tps_per_user"] = summary["tps"] / c

    tree.edit_json(tree.summary_json(c), exact)
    report = tree.check()
    assert report.passed and not report.warnings, problems(report)
    tree.edit_json(tree.summary_json(c), lambda s: s.update(duration_ns=minimum_ms * 1_000_000 - 1))
    warned = [r for r in tree.check().warnings if r.rule == "point-duration"]
    assert [r.concurrency for r in warned] == [c]


def test_tiny_m_empty_regions_warn_instead_of_failing(tmp_path, generator):
    org = generator.write_submission(
        tmp_path, max_concurrency=33, concurrencies=(1, 2, 4, 8, 16, 32, 33, 35)
    )
    report = SubmissionChecker(org).run()
    assert report.passed, problems(report)
    warned = {(r.rule, r.message) for r in report.warnings}
    assert warned == {
        (
            "med-throughput-coverage",
            "Medium Throughput is empty for M = 33; such a small M needs "
            "working-group justification",
        ),
        (
            "high-throughput-coverage",
            "High Throughput is empty for M = 33; such a small M needs working-group justification",
        ),
    }


def test_accounting_accepts_failed_counted_among_completed_or_apart(tree):
    tree.edit_json(tree.summary_json(8), lambda s: s.update(n_samples_failed=15))
    tree.edit_json(
        tree.summary_json(32),
        lambda s: s.update(n_samples_completed=s["n_samples_issued"] - 15, n_samples_failed=15),
    )
    report = tree.check()
    assert not [r for r in by_rule(report, "metric-consistency-accounting") if r.severity != "info"]


def test_accounting_names_the_dropped_samples(tree):
    tree.edit_json(
        tree.summary_json(8),
        lambda s: s.update(n_samples_issued=30000, n_samples_completed=29990, n_samples_failed=3),
    )
    [result] = [r for r in tree.check().errors if r.rule == "metric-consistency-accounting"]
    assert result.message.startswith("7 of 30,000 issued samples are neither completed nor failed")


def test_unsafe_link_is_present_but_unread(tree):
    outside = tree.org.parent / "outside.yaml"
    outside.write_text(tree.path(tree.point_yaml(8)).read_text())
    tree.remove(tree.point_yaml(8))
    os.symlink(outside, tree.path(tree.point_yaml(8)))
    report = tree.check()
    assert [(r.rule, r.path) for r in report.errors] == [("unsafe-path", tree.point_yaml(8))]
    about_link = {r.rule for r in report.results if r.path == tree.point_yaml(8)}
    assert about_link == {"unsafe-path", "point-filename-concurrency"}  # its name is still fine
    [count] = by_rule(report, "point-count")
    assert count.message.startswith("8 measurement points")


def test_symlink_inside_the_tree_is_followed_silently(tree):
    keep = tree.org / "documentation" / "summary-8.json"
    keep.parent.mkdir()
    tree.path(tree.summary_json(8)).rename(keep)
    os.symlink("../../../../../documentation/summary-8.json", tree.path(tree.summary_json(8)))
    report = tree.check()
    assert report.passed and not report.warnings, problems(report)


def test_unsafe_link_to_a_directory_outside(tree, tmp_path):
    outside = tmp_path / "docs-outside"
    outside.mkdir()
    os.symlink(outside, tree.org / "documentation")
    report = tree.check()
    assert [(r.rule, r.path) for r in report.errors] == [("unsafe-path", "documentation")]


def test_non_plain_point_name_gets_no_results_lookup_and_no_orphan(tree):
    tree.path(tree.point_yaml(8)).rename(tree.path(tree.point_yaml("08")))
    tree.path(tree.results_dir(8)).rename(tree.path(tree.results_dir("08")))
    report = tree.check()
    assert [(r.rule, r.path) for r in report.errors] == [
        ("point-filename-concurrency", tree.point_yaml("08"))
    ]
    assert "point_8.yaml" in report.errors[0].fix
    assert not report.warnings


def test_orphan_results_folder_warns(tree):
    tree.remove(tree.point_yaml(8))
    report = tree.check()
    assert [(r.rule, r.path) for r in report.warnings] == [
        ("unexpected-entry", tree.results_dir(8))
    ]


def test_orphan_pareto_system_warns(tree):
    (tree.org / "pareto" / "old-system").mkdir()
    report = tree.check()
    assert report.passed
    assert [(r.rule, r.path, r.system) for r in report.warnings] == [
        ("unexpected-entry", "pareto/old-system", "old-system")
    ]


def test_two_files_declaring_one_concurrency(tree):
    tree.add_point(9)
    tree.edit_yaml(tree.point_yaml(9), lambda d: d.update(concurrency=8))
    errors = [r for r in tree.check().errors if r.rule == "point-filename-concurrency"]
    assert {(r.path, "as do") for r in errors if "as do" in r.message} == {
        (tree.point_yaml(8), "as do"),
        (tree.point_yaml(9), "as do"),
    }


def test_margin_point_declared_high_throughput_is_a_warning(tree):
    tree.edit_yaml(tree.point_yaml(70), lambda d: d.update(region="high_throughput"))
    report = tree.check()
    assert report.passed
    [warned] = report.warnings
    assert (warned.rule, warned.concurrency) == ("region-declared", 70)
    assert "margin" in warned.message


def test_submitters_choice_always_agrees(tree):
    tree.edit_yaml(tree.point_yaml(70), lambda d: d.update(region="submitters_choice"))
    report = tree.check()
    assert report.passed and not report.warnings


def test_wrong_typed_max_concurrency_is_a_schema_error_only(tree):
    tree.edit_json(tree.system_file, lambda d: d.update(max_supported_concurrency="64"))
    report = tree.check()
    rules = {r.rule for r in report.errors}
    assert "system-description-valid" in rules
    assert "max-concurrency-declared" not in rules
    # without M the throughput regions are skipped, Low Latency still checked
    assert [r.severity for r in by_rule(report, "low-latency-coverage")] == ["info"]
    assert by_rule(report, "high-throughput-coverage") == []


def test_null_max_concurrency_counts_as_absent(tree):
    tree.edit_json(tree.system_file, lambda d: d.update(max_supported_concurrency=None))
    rules = [r.rule for r in tree.check().errors]
    assert rules == ["max-concurrency-declared"]


def test_enumerations_are_case_and_space_insensitive(tree):
    tree.edit_json(
        tree.system_file,
        lambda d: d.update(division="  standardized ", system_availability_status="PREVIEW"),
    )
    report = tree.check()
    assert report.passed, problems(report)
    assert [r.severity for r in by_rule(report, "src-dir")] == ["info"]


def test_duplicate_yaml_key_in_point(tree):
    path = tree.path(tree.point_yaml(8))
    path.write_text(path.read_text() + "concurrency: 8\n")
    [error] = [r for r in tree.check().errors if r.rule == "point-config-valid"]
    assert "duplicate key 'concurrency'" in error.message and "line" in error.message


def test_scalar_score_unknown_model_and_own_target(tree, generator):
    base = tree.path("pareto/example-system")
    (base / "llama2-70b").rename(base / "my-model")
    for c in tree.concurrencies:
        rel = f"pareto/example-system/my-model/points/point_{c}.yaml"
        tree.edit_yaml(rel, lambda d: d.update(benchmark_model="my-model"))
    acc = "pareto/example-system/my-model/accuracy/accuracy_result.json"
    tree.edit_json(acc, lambda d: d.update(metric="accuracy", score=71.5, quality_target=70.0))
    report = tree.check()
    assert report.passed
    assert [(r.rule, r.severity) for r in report.warnings] == [("accuracy-gate", "warning")]
    assert "no official accuracy target" in report.warnings[0].message
    tree.edit_json(acc, lambda d: d.update(score=69.0, passed=False))
    errors = [(r.rule, r.message) for r in tree.check().errors]
    assert errors == [("accuracy-gate", "accuracy = 69.0 is below the file's quality_target 70.0")]


def test_gate_checks_bounds_missing_metrics_and_low_targets(tree):
    def change(d):
        d["score"].pop("rouge2")
        d["score"]["tokens_per_sample"] = 330.0  # above the 323.895 upper bound
        d["quality_target"] = 20.0

    tree.edit_json(tree.accuracy_json, change)
    report = tree.check()
    gate = [(r.severity, r.message.split(" ")[0]) for r in by_rule(report, "accuracy-gate")]
    assert sorted(gate) == sorted(
        [
            ("warning", "score"),  # rouge2 missing
            ("error", "tokens_per_sample"),
            ("error", "quality_target:"),
        ]
    )


def test_score_with_no_official_metric(tree):
    tree.edit_json(
        tree.accuracy_json,
        lambda d: d.update(metric="bleu", score={"bleu": 30.0}, quality_target=29.0),
    )
    gate = [(r.severity, r.message) for r in by_rule(tree.check(), "accuracy-gate")]
    assert gate == [
        (
            "error",
            "no official metric reported: the score has none of rouge1, rouge2, rougel, "
            "tokens_per_sample (official target for llama2+70b)",
        )
    ]


def test_model_declared_only_in_system_file(tree):
    for c in tree.concurrencies:
        tree.edit_yaml(tree.point_yaml(c), lambda d: d.pop("benchmark_model"))
    assert tree.check().passed
    tree.edit_json(tree.system_file, lambda d: d.update(benchmark_model="meta-llama/Llama-2-70b"))
    [error] = [r for r in tree.check().errors if r.rule == "config-consistency-model"]
    assert '"Llama-2-70b"' in error.message
    tree.edit_json(tree.system_file, lambda d: d.pop("benchmark_model"))
    [warned] = tree.check().warnings
    assert warned.rule == "config-consistency-model" and warned.severity == "warning"


def test_a_broken_system_does_not_stop_its_siblings(tree):
    tree.write("systems/broken.json", "{not json")
    tree.path("pareto/broken").mkdir()
    report = tree.check()
    assert [(r.rule, r.path) for r in report.errors] == [
        ("system-description-valid", "systems/broken.json"),
        ("benchmark-model-dir", "pareto/broken"),
    ]
    assert "not valid JSON" in report.errors[0].message
    assert len([r for r in report.results if r.system == "example-system"]) > 100


def test_a_crashing_rule_becomes_an_error_result(tree):
    original = get("point-duration")

    def explode(rule, point):
        yield from original.check(rule, point)  # one good result first
        raise ZeroDivisionError("boom")

    broken = Rule(
        original.id,
        original.spec_ref,
        original.severity,
        original.scope,
        original.summary,
        original.messages,
        explode,
    )
    from submission_checker.layout import read_submission
    from submission_checker.rounds import load_round

    point = read_submission(tree.org, load_round()).systems[0].models[0].points[0]
    kept, crashed = broken.run(point)
    assert kept.severity == "info" and isinstance(crashed, CheckResult)
    assert (crashed.rule, crashed.severity, crashed.path, crashed.concurrency) == (
        "point-duration",
        "error",
        tree.point_yaml(1),
        1,
    )
    assert "ZeroDivisionError: boom" in crashed.message


def test_results_are_ordered_deterministically(tree):
    tree.add_point(9)
    tree.add_point(10)
    points = [r.concurrency for r in tree.check().results if r.rule == "point-config-valid"]
    assert points == sorted(points) == [1, 8, 9, 10, 32, 34, 40, 48, 64, 70]


def test_lone_surrogate_escape_is_a_load_error(tree):
    tree.write(tree.accuracy_json, '{"metric": "\\ud800", "score": 1, "quality_target": 1}')
    [error] = [r for r in tree.check().errors if r.rule == "accuracy-valid"]
    assert "lone surrogate" in error.message


def test_names_that_are_not_utf8_are_checked_and_shown_escaped(tree, tmp_path):
    """§4.4: a point file whose name is not UTF-8 is a point file like any other."""
    points = os.fsencode(tree.path(f"{tree.model_dir}/points"))
    with open(os.path.join(points, b"point_\xff.yaml"), "w") as handle:
        handle.write("concurrency: 9\n")
    report = tree.check()
    shown = f"{tree.model_dir}/points/point_\\xff.yaml"
    assert {(r.rule, r.path) for r in report.errors} >= {
        ("point-config-valid", shown),
        ("point-filename-concurrency", shown),
    }
    out = tmp_path / "r.json"
    from click.testing import CliRunner

    from submission_checker.cli import main

    result = CliRunner().invoke(main, ["check", str(tree.org), "-o", str(out)])
    assert result.exit_code == 1 and "point_\\\\xff.yaml" in out.read_text(encoding="utf-8")
    assert "point_\\xff.yaml" in result.output
