"""Every rule: passes on the valid tree, fires on one mutation with its id, severity and path."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from submission_checker import SubmissionChecker
from submission_checker.rules import REGISTRY

from ..rule_cases import Mutation, assert_clean, assert_fired

# The rule ids of checker.md §4's table, in its order (the spec is the contract).
SPEC_RULE_IDS = [
    "path-exists", "required-dir", "system-description-present", "system-description-valid",
    "src-dir", "pareto-dir-exists", "benchmark-model-dir", "pareto-subdir",
    "measurement-points-present", "point-config-valid", "point-filename-concurrency",
    "result-file-present", "result-detail-present", "result-file-valid", "point-count",
    "point-cap", "low-latency-coverage", "low-throughput-coverage", "med-throughput-coverage",
    "high-throughput-coverage", "max-concurrency-declared", "region-computation",
    "concurrency-in-range", "load-pattern", "point-duration", "min-query-count",
    "streaming-config", "metric-consistency-duration", "metric-consistency-accounting",
    "metric-consistency-output-tokens", "metric-consistency-system-tps",
    "metric-consistency-tps-per-user", "accuracy-file", "accuracy-valid",
    "accuracy-consistency", "accuracy-gate", "config-consistency-dataset",
    "config-consistency-model", "region-declared", "unsafe-path", "unexpected-entry",
]  # fmt: skip

# Rules checker-v1.0.md Part A adds to the v0.7 round too (A2.3).
ROUND_V1_ADDITIONS = ["failed-samples"]
# Rules the team added beyond the spec table (issue 15 item 7: audit results of a run).
EXTENSION_RULE_IDS = ["audit-passed"]

SPEC_FILE = Path(__file__).resolve().parents[1] / "data" / "spec" / "checker.md"


def _invalid_points(*cs):
    def mutate(t):
        for c in cs:
            t.edit_yaml(t.point_yaml(c), lambda d: d.pop("dataset"))

    return mutate


def _set_summary(c, **values):
    return lambda t: t.edit_json(t.summary_json(c), lambda d: d.update(values))


def _set_point(c, **values):
    return lambda t: t.edit_yaml(t.point_yaml(c), lambda d: d.update(values))


def _set_settings(c, **values):
    return lambda t: t.edit_yaml(t.point_yaml(c), lambda d: d["runtime_settings"].update(values))


def _set_system(**values):
    return lambda t: t.edit_json(t.system_file, lambda d: d.update(values))


def _add_system(name, with_pareto):
    def mutate(t):
        t.write(f"systems/{name}.json", t.path(t.system_file).read_text())
        if with_pareto:
            t.path(f"pareto/{name}").mkdir()

    return mutate


def _symlink_out(t):
    outside = t.org.parent / "elsewhere.json"
    outside.write_text("{}")
    t.remove(t.detail_json(8))
    os.symlink(outside, t.path(t.detail_json(8)))


def _too_many_points(t):
    extra = [c for c in range(2, 32) if c not in t.concurrencies][:25]
    for c in extra:
        t.add_point(c)


def _shorten_run(summary):
    """One nanosecond under the Low Latency minimum, throughput kept consistent."""
    summary["duration_ns"] = 599_999_999_999
    summary["tps"] = summary["output_sequence_lengths"]["total"] / (599_999_999_999 / 1e9)
    summary["tps_per_user"] = summary["tps"] / 8


def _unset_max(t):
    t.edit_json(t.system_file, lambda d: d.pop("max_supported_concurrency"))


def _no_points(t):
    for c in t.concurrencies:
        t.remove(t.point_yaml(c))


MUTATIONS: dict[str, Mutation] = {
    "path-exists": Mutation(lambda t: t.remove(""), "error", lambda t: None, "does not exist"),
    "required-dir": Mutation(lambda t: t.remove("systems"), "error", lambda t: "systems"),
    "system-description-present": Mutation(
        lambda t: t.remove(t.system_file), "error", lambda t: "systems", "no *.json"
    ),
    "system-description-valid": Mutation(
        lambda t: t.edit_json(
            t.system_file, lambda d: d["node_types"][0].update(accelerators_per_node="8")
        ),
        "error",
        lambda t: t.system_file,
        'node_types[0].accelerators_per_node: found "8" (str), expected an integer',
    ),
    "src-dir": Mutation(lambda t: t.remove("src"), "error", lambda t: "src", "Standardized"),
    "pareto-dir-exists": Mutation(_add_system("second", False), "error", lambda t: "pareto/second"),
    "benchmark-model-dir": Mutation(
        _add_system("second", True), "error", lambda t: "pareto/second"
    ),
    "pareto-subdir": Mutation(
        lambda t: t.remove(f"{t.model_dir}/accuracy"),
        "error",
        lambda t: f"{t.model_dir}/accuracy",
    ),
    "measurement-points-present": Mutation(_no_points, "error", lambda t: f"{t.model_dir}/points"),
    "point-config-valid": Mutation(
        _set_point(8, concurrency="8"),
        "error",
        lambda t: t.point_yaml(8),
        'concurrency: found "8" (str), expected an integer',
    ),
    "point-filename-concurrency": Mutation(
        _set_point(8, concurrency=9), "error", lambda t: t.point_yaml(8), "concurrency: 9"
    ),
    "result-file-present": Mutation(
        lambda t: t.remove(t.summary_json(8)), "error", lambda t: t.summary_json(8)
    ),
    "result-detail-present": Mutation(
        lambda t: t.write(t.detail_json(8), ""), "error", lambda t: t.detail_json(8), "empty"
    ),
    "result-file-valid": Mutation(
        _set_summary(8, output_sequence_lengths={}),
        "error",
        lambda t: t.summary_json(8),
        "was the benchmark run without a tokenizer?",
    ),
    "point-count": Mutation(
        lambda t: (t.remove_point(8), t.remove_point(48)),
        "error",
        lambda t: f"{t.model_dir}/points",
        "6 measurement point",
    ),
    "point-cap": Mutation(_too_many_points, "error", lambda t: f"{t.model_dir}/points", "33"),
    "low-latency-coverage": Mutation(
        _invalid_points(1, 8, 32), "error", lambda t: t.model_dir, "Low Latency (1–32)"
    ),
    "low-throughput-coverage": Mutation(
        _invalid_points(34), "error", lambda t: t.model_dir, "33–35"
    ),
    "med-throughput-coverage": Mutation(
        _invalid_points(40), "error", lambda t: t.model_dir, "36–42"
    ),
    "high-throughput-coverage": Mutation(  # the margin point 70 stays valid and must not count
        _invalid_points(48, 64), "error", lambda t: t.model_dir, "43–64"
    ),
    "max-concurrency-declared": Mutation(_unset_max, "error", lambda t: t.system_file),
    "region-computation": Mutation(
        _set_system(max_supported_concurrency=32), "error", lambda t: t.system_file, "M > 32"
    ),
    "concurrency-in-range": Mutation(
        _set_system(max_supported_concurrency=60), "error", lambda t: t.point_yaml(70), "1–66"
    ),
    "load-pattern": Mutation(
        _set_settings(8, load_pattern="poisson"), "error", lambda t: t.point_yaml(8), '"poisson"'
    ),
    "point-duration": Mutation(
        lambda t: t.edit_json(t.summary_json(8), _shorten_run),
        "warning",
        lambda t: t.summary_json(8),
        "600,000 ms",
    ),
    "min-query-count": Mutation(
        _set_summary(8, n_samples_issued=100, n_samples_completed=100),
        "error",
        lambda t: t.summary_json(8),
        "24,576",
    ),
    "streaming-config": Mutation(
        _set_settings(8, stream_all_chunks=False), "error", lambda t: t.point_yaml(8), "false"
    ),
    "metric-consistency-duration": Mutation(
        _set_summary(8, duration_ns=0), "error", lambda t: t.summary_json(8)
    ),
    "metric-consistency-accounting": Mutation(
        lambda t: t.edit_json(
            t.summary_json(8), lambda d: d.update(n_samples_issued=d["n_samples_issued"] + 5)
        ),
        "error",
        lambda t: t.summary_json(8),
        "5 of",
    ),
    "metric-consistency-output-tokens": Mutation(
        lambda t: t.edit_json(
            t.summary_json(8), lambda d: d["output_sequence_lengths"].update(total=-1)
        ),
        "error",
        lambda t: t.summary_json(8),
    ),
    "metric-consistency-system-tps": Mutation(
        lambda t: t.edit_json(t.summary_json(8), lambda d: d.update(tps=d["tps"] * 1.5)),
        "error",
        lambda t: t.summary_json(8),
        "tps: found",
    ),
    "metric-consistency-tps-per-user": Mutation(
        lambda t: t.edit_json(
            t.summary_json(8), lambda d: d.update(tps_per_user=d["tps_per_user"] * 1.5)
        ),
        "error",
        lambda t: t.summary_json(8),
        "tps_per_user: found",
    ),
    "accuracy-file": Mutation(
        lambda t: t.write(t.accuracy_txt, ""), "error", lambda t: t.accuracy_txt, "empty"
    ),
    "accuracy-valid": Mutation(
        lambda t: t.edit_json(t.accuracy_json, lambda d: d.update(passed="yes")),
        "error",
        lambda t: t.accuracy_json,
        'passed: found "yes" (str), expected true or false',
    ),
    "accuracy-consistency": Mutation(
        lambda t: t.edit_json(t.accuracy_json, lambda d: d.update(passed=False)),
        "error",
        lambda t: t.accuracy_json,
    ),
    "accuracy-gate": Mutation(
        lambda t: t.edit_json(t.accuracy_json, lambda d: d["score"].update(rouge1=40.0)),
        "error",
        lambda t: t.accuracy_json,
        "rouge1 = 40.0",
    ),
    "config-consistency-dataset": Mutation(
        _set_point(8, dataset="cnn_dailymail"), "error", lambda t: t.model_dir, "cnn_dailymail"
    ),
    "config-consistency-model": Mutation(
        _set_point(8, benchmark_model="mixtral-8x7b"), "error", lambda t: t.model_dir
    ),
    "region-declared": Mutation(
        _set_point(8, region="medium"), "error", lambda t: t.point_yaml(8), '"medium"'
    ),
    "unsafe-path": Mutation(_symlink_out, "error", lambda t: t.detail_json(8), "outside"),
    "failed-samples": Mutation(
        _set_summary(8, n_samples_failed=5), "warning", lambda t: t.summary_json(8), "found 5"
    ),
    "audit-passed": Mutation(
        _set_point(8, audits=[{"file": "audit/tokens.json", "passed": False}]),
        "warning",
        lambda t: t.point_yaml(8),
        "audit audit/tokens.json",
    ),
    "unexpected-entry": Mutation(
        lambda t: t.write(f"{t.model_dir}/points/point_9.yml", "concurrency: 9\n"),
        "warning",
        lambda t: f"{t.model_dir}/points/point_9.yml",
    ),
}


def test_registry_ids_are_the_spec_table():
    assert [rule.id for rule in REGISTRY] != []
    assert sorted(rule.id for rule in REGISTRY) == sorted(
        SPEC_RULE_IDS + ROUND_V1_ADDITIONS + EXTENSION_RULE_IDS
    )
    assert len({rule.id for rule in REGISTRY}) == len(REGISTRY)


def test_spec_file_lists_the_same_rules():
    table_ids = re.findall(r"^\| `([a-z-]+)` \|", SPEC_FILE.read_text(), flags=re.M)
    assert sorted(table_ids) == sorted(SPEC_RULE_IDS)


def test_every_rule_has_a_failing_case():
    assert set(MUTATIONS) == {rule.id for rule in REGISTRY}


def test_every_rule_is_documented():
    for rule in REGISTRY:
        assert rule.summary and "\n" not in rule.summary, rule.id
        assert "Passing" in rule.doc and "Failing" in rule.doc, rule.id
        assert rule.severity in ("error", "warning"), rule.id
        for message in rule.messages.values():
            assert (message.fix is None) == (message.severity == "info"), rule.id


def test_valid_tree_passes_every_rule(tree):
    report = tree.check()
    assert report.passed and not report.warnings, [
        r.message for r in report.results if r.severity != "info"
    ]
    seen = {r.rule for r in report.results}
    assert seen == {rule.id for rule in REGISTRY}


@pytest.mark.parametrize("rule_id", list(MUTATIONS))
def test_rule_fires_on_its_mutation(tree, rule_id):
    case = MUTATIONS[rule_id]
    case.mutate(tree)
    report = tree.check()
    result = assert_fired(report, rule_id, case, case.path(tree))
    assert result.spec_ref == next(r.spec_ref for r in REGISTRY if r.id == rule_id)
    assert_clean(report)
    assert SubmissionChecker(tree.org).run().passed is (case.severity != "error")


@pytest.fixture(scope="module")
def valid_report(tmp_path_factory, generator):
    return SubmissionChecker(generator.write_submission(tmp_path_factory.mktemp("valid"))).run()


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda rule: rule.id)
def test_rule_passes_on_the_valid_tree(valid_report, rule):
    """One info per scope the rule covers, carrying that scope."""
    results = [r for r in valid_report.results if r.rule == rule.id]
    assert_clean(valid_report)
    assert results and all(r.severity == "info" and r.fix is None for r in results)
    assert all(r.spec_ref == rule.spec_ref for r in results)
    scopes = {
        "submission": {(None, None, None)},
        "system": {("example-system", None, None)},
        "model": {("example-system", "llama2-70b", None)},
        "point": {("example-system", "llama2-70b", c) for c in (1, 8, 32, 34, 40, 48, 64, 70)},
    }[rule.scope]
    assert {(r.system, r.model, r.concurrency) for r in results} == scopes
    assert len(results) == len(scopes)  # one info per rule per scope
