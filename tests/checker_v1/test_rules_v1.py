"""Every round v1.0 rule: it passes on the valid tree and fires on one mutation of it, with
the severity, the path (relative to PATH) and a message naming what was found and expected.

The valid tree is the shipped example's (``builder.V1Tree``): C_max 256, points 1, 4, 16, 32,
64, 128, 256, 272 and a dedicated Offline r512; C_min 1 → regions 1 | 2–7 | 8–41 | 42–256 |
margin 257–282.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from checker_v1_builder import PointSpec, V1Tree

from submission_checker import SubmissionChecker
from submission_checker.rules import rules_for

from ..rule_cases import Mutation, assert_clean, assert_fired

V1_RULES = rules_for("v1.0")
#: rules whose only outcome is information (nothing can fail them)
INFO_ONLY = {"max-concurrency-declared", "streaming-config"}
#: rules tested by their own functions below (they need another tree or checker options)
SPECIAL = {
    "power-descriptor",
    # the other power rules need a system_power.json: tests/power/test_power_rules.py
    "power-estimated",
    "nodes-used",
    "maximal-engagement",
    "metric-consistency-tps-per-kw",
    "agentic-metric-consistency",
    "agentic-accuracy",
    "agentic-accuracy-inline",
    "agentic-accuracy-swebench",
    "agentic-osl-range",
    "seed-set-registry",
    "drafter-list-registry",
    "drafter-approval-lead-time",
    "path-exists",
}


def point_yaml(c: int, **values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_point_yaml(c, lambda d: d.update(values))


def settings(c: int, **values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_point_yaml(c, lambda d: d["runtime_settings"].update(values))


def runtime(c: int, **values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_point_yaml(c, lambda d: d["runtime_settings"]["runtime"].update(values))


def summary(c: int, **values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_summary(c, lambda d: d.update(values))


def every_point(**values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_all_points(lambda d: d.update(values))


def every_desc(**values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_system_desc(lambda d: d.update(values))


def at(c: int | None, name: str | None = None) -> Callable[[V1Tree], str]:
    return lambda t: t.rel(c, name)


def root(rel: str) -> Callable[[V1Tree], str]:
    return lambda t: f"{t.spec.submission_id}/{rel}"


def curve(t: V1Tree) -> str:
    return t.rel()


def system_rel(t: V1Tree) -> str:
    return f"{t.spec.submission_id}/results/{t.spec.system_dir}"


def remove_points(*cs: int) -> Callable[[V1Tree], None]:
    def run(t: V1Tree) -> None:
        for c in cs:
            t.remove_point(c)

    return run


def rename_system(t: V1Tree) -> None:
    os.rename(t.org / system_rel(t), t.org / t.spec.submission_id / "results" / "Example Cloud")


def accuracy_score(c: int, score: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_accuracy(c, lambda d: d["accuracy_scores"][0].update(score=score))


def steady(c: int, **values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_point_yaml(c, lambda d: d["steady_state"].update(values))


def window(c: int, **values: Any) -> Callable[[V1Tree], None]:
    return lambda t: t.edit_point_yaml(c, lambda d: d["steady_state"]["window"].update(values))


def drop(c: int, filename: str, *keys: str) -> Callable[[V1Tree], None]:
    def change(data: dict) -> None:
        for key in keys[:-1]:
            data = data[key]
        data.pop(keys[-1])

    return lambda t: t._edit(c, filename, change)


def link_outside(t: V1Tree) -> None:
    os.symlink("/etc/hostname", t.path(64, "extra.json"))


MUTATIONS: dict[str, Mutation] = {
    # structure
    "required-dir": Mutation(
        lambda t: shutil.rmtree(t.path("docs")), "error", root("docs"), "docs/ is missing"
    ),
    "src-dir": Mutation(
        lambda t: shutil.rmtree(t.path("src")), "error", root("src"), "src/<implementation>/"
    ),
    "src-readme": Mutation(
        lambda t: t.path("src", t.spec.implementation, "README.md").unlink(),
        "error",
        lambda t: f"{t.spec.submission_id}/src/{t.spec.implementation}",
        "no README.md",
    ),
    "system-results-dir": Mutation(
        rename_system, "error", root("results/Example Cloud"), "holds ' '"
    ),
    "benchmark-model-dir": Mutation(
        lambda t: t.path("results", "Other").mkdir(), "error", root("results/Other")
    ),
    "point-dirs": Mutation(
        lambda t: t.write(f"{system_rel(t)}/gpt-oss-120b/c64/notes.txt", "x"),
        "error",
        lambda t: f"{system_rel(t)}/gpt-oss-120b",
        "found c64",
    ),
    "measurement-points-present": Mutation(
        lambda t: t.remove(64, "point.yaml"), "error", at(64, "point.yaml"), "point.yaml"
    ),
    "config-file-present": Mutation(
        lambda t: t.remove(64, "config.yaml"), "error", at(64, "config.yaml"), "config.yaml"
    ),
    "point-dirname-concurrency": Mutation(
        point_yaml(64, concurrency=65), "warning", at(64), "r64 but point.yaml concurrency is 65"
    ),
    "result-summary-present": Mutation(
        lambda t: t.remove(64, "result_summary.json"), "error", at(64, "result_summary.json")
    ),
    "point-rules-skipped": Mutation(
        lambda t: t.path(64, "point.yaml").write_text("concurrency: [\n"),
        "warning",
        at(64, "point.yaml"),
        "point.yaml is unreadable",
    ),
    "shared-path-resolution": Mutation(
        point_yaml(64, shared_docs="../docs"), "error", at(64, "point.yaml"), '"../docs"'
    ),
    "unexpected-entry": Mutation(
        lambda t: t.path(64).rename(t.org / t.rel() / "r64_old"),
        "warning",
        lambda t: f"{t.rel()}/r64_old",
        "expected only r<N>/",
    ),
    "unsafe-path": Mutation(link_outside, "error", at(64, "extra.json"), "/etc/hostname"),
    # system description
    "system-description-present": Mutation(
        lambda t: t.remove(64, "system_desc.json"), "error", at(64, "system_desc.json")
    ),
    "system-description-valid": Mutation(
        every_desc(division="closed"), "error", at(1, "system_desc.json"), 'found "closed"'
    ),
    "system-description-consistency": Mutation(
        lambda t: t.edit_system_desc(lambda d: d.update(system_size="2 nodes"), 64),
        "error",
        at(64, "system_desc.json"),
        "found '2 nodes', expected '1 node'",
    ),
    "tps-utilization": Mutation(
        lambda t: t.edit_system_desc(lambda d: d.update(tps_utilization=0.99), 64),
        "error",
        at(64, "system_desc.json"),
        "found 0.99, expected 0.625",
    ),
    "model-name-valid": Mutation(
        every_point(model_name="Llama3.1-8B"),
        "error",
        at(1, "point.yaml"),
        'found "Llama3.1-8B", expected one of llama3_1-8b',
    ),
    "model-name-consistency": Mutation(
        every_point(model_name="gpt-oss-120b"),
        "error",
        at(1, "point.yaml"),
        'directory "llama3_1-8b" but point.yaml model_name is "gpt-oss-120b"',
    ),
    "config-consistency-model": Mutation(
        point_yaml(64, model_name="gpt-oss-120b"),
        "error",
        at(64, "point.yaml"),
        'found "gpt-oss-120b" here, expected "llama3_1-8b"',
    ),
    # regions / points
    "region-basis": Mutation(
        lambda t: t.edit_system_desc(lambda d: d.pop("max_supported_concurrency")),
        "warning",
        curve,
        "C_max unreadable",
    ),
    "c-min-override": Mutation(
        lambda t: t.edit_system_desc(lambda d: d.update(c_min_override=4), 64),
        "error",
        curve,
        "declared by 1 of 9 points",
    ),
    "region-computation": Mutation(
        lambda t: (
            every_desc(max_supported_concurrency=32)(t),
            every_point(max_supported_concurrency=32)(t),
        ),
        "error",
        at(1, "system_desc.json"),
        "C_max must be greater than 32, found 32",
    ),
    "concurrency-in-range": Mutation(
        lambda t: t.add_point(PointSpec(283)), "error", at(283), "outside 1 … 282"
    ),
    "region-declared": Mutation(
        point_yaml(64, region="high_throughput"),
        "error",
        at(64, "point.yaml"),
        'found "high_throughput", expected one of low_latency',
    ),
    "region-placement": Mutation(
        point_yaml(64, region="low_concurrency"),
        "warning",
        at(64, "point.yaml"),
        'found "low_concurrency", expected "high_concurrency"',
    ),
    "ultra-low-concurrency-coverage": Mutation(
        remove_points(1, 4, 16, 32),
        "error",
        curve,
        "no point in the Ultra Low Concurrency band 1–32",
    ),
    "low-concurrency-coverage": Mutation(
        remove_points(4), "error", curve, "no point in the Low Concurrency band 2–7"
    ),
    "med-concurrency-coverage": Mutation(
        remove_points(16, 32), "error", curve, "Medium Concurrency band 8–41"
    ),
    "high-concurrency-coverage": Mutation(
        remove_points(64, 128, 256), "error", curve, "High Concurrency band 42–256"
    ),
    "point-count": Mutation(
        remove_points(272, 128), "error", curve, "found 7 point directories, expected at least 8"
    ),
    "point-cap": Mutation(
        lambda t: [t.add_point(PointSpec(c)) for c in range(100, 124)],
        "error",
        curve,
        "found 33 point directories, expected at most 32",
    ),
    "benchmark-type-consistency": Mutation(
        settings(64, load_pattern="agentic_inference"),
        "error",
        at(64, "point.yaml"),
        'found "agentic_inference", expected "concurrency"',
    ),
    "offline-declared": Mutation(
        point_yaml(512, offline="yes"), "error", at(512, "point.yaml"), 'found "yes" (string)'
    ),
    "offline-point-present": Mutation(
        point_yaml(512, offline="none"), "error", curve, "found 0, expected 1"
    ),
    "offline-ordering": Mutation(
        summary(512, tps=100.0),
        "warning",
        at(512, "result_summary.json"),
        "Offline throughput 100 tokens/s",
    ),
    # point config
    "point-config-valid": Mutation(
        point_yaml(64, concurrency="64"), "error", at(64, "point.yaml"), 'found "64" (str)'
    ),
    "point-disclosure-complete": Mutation(
        drop(64, "point.yaml", "dataset_link"), "error", at(64, "point.yaml"), "dataset_link"
    ),
    "load-pattern": Mutation(
        settings(64, load_pattern="poisson"), "error", at(64, "point.yaml"), 'found "poisson"'
    ),
    "point-duration": Mutation(
        window(64, duration_s=900),
        "warning",
        at(64, "point.yaml"),
        "900,000 ms is shorter than the 1,200,000 ms minimum",
    ),
    "steady-state-valid": Mutation(
        steady(64, status="great"), "error", at(64, "point.yaml"), 'found "great"'
    ),
    "steady-state-consistency": Mutation(
        window(64, super_pass_end=3),
        "error",
        at(64, "point.yaml"),
        "windowable with 2 super-passes, expected ≥ 4",
    ),
    "steady-state-basis": Mutation(
        drop(64, "point.yaml", "steady_state"), "warning", at(64, "point.yaml"), "no steady_state"
    ),
    "min-query-count": Mutation(
        summary(64, n_samples_issued=100, n_samples_completed=100),
        "error",
        at(64, "result_summary.json"),
        "100 completed samples is below the 13,368 required",
    ),
    "warmup-present": Mutation(
        drop(64, "point.yaml", "warmup"), "error", at(64, "point.yaml"), "warmup missing"
    ),
    "warmup-logs-retained": Mutation(
        lambda t: t.edit_point_yaml(64, lambda d: d["warmup"].update(logs_retained=False)),
        "warning",
        at(64, "point.yaml"),
        "found false, expected true",
    ),
    "warmup-salt": Mutation(
        lambda t: t.edit_point_yaml(
            64, lambda d: d["runtime_settings"]["warmup"].update(salt=True)
        ),
        "warning",
        at(64, "point.yaml"),
        "found true, expected false",
    ),
    "config-point-consistency": Mutation(
        lambda t: t.edit_config(
            64, lambda d: d["settings"]["load_pattern"].update(target_concurrency=32)
        ),
        "error",
        at(64, "point.yaml"),
        "concurrency: found 64, expected 32 as run",
    ),
    # metrics
    "result-file-valid": Mutation(
        summary(64, output_sequence_lengths={}, tps=None),
        "error",
        at(64, "result_summary.json"),
        "without a tokenizer",
    ),
    "metric-consistency-duration": Mutation(
        summary(64, duration_ns=0), "error", at(64, "result_summary.json"), "found 0"
    ),
    "metric-consistency-accounting": Mutation(
        lambda t: t.edit_summary(
            64, lambda d: d.update(n_samples_issued=d["n_samples_issued"] + 5)
        ),
        "error",
        at(64, "result_summary.json"),
        "5 of 76,595 issued samples",
    ),
    "metric-consistency-output-tokens": Mutation(
        lambda t: t.edit_summary(64, lambda d: d["output_sequence_lengths"].update(total=-1)),
        "error",
        at(64, "result_summary.json"),
        "found -1",
    ),
    "metric-consistency-system-tps": Mutation(
        summary(64, tps=7000.0),
        "error",
        at(64, "result_summary.json"),
        "tps: found 7000, expected 6637.71",
    ),
    "metric-consistency-tpot-p90": Mutation(
        lambda t: t.edit_summary(64, lambda d: d["tpot"]["percentiles"].pop("90.0") and None),
        "error",
        at(64, "result_summary.json"),
        'tpot.percentiles["90"] missing',
    ),
    "metric-consistency-tps-per-user": Mutation(
        summary(64, tps_per_user=120.0),
        "error",
        at(64, "result_summary.json"),
        "found 120, expected 94.2857",
    ),
    "failed-samples": Mutation(
        summary(64, n_samples_failed=766),
        "warning",
        at(64, "result_summary.json"),
        "found 766, expected 0 (1.00 % of 76,590 issued",
    ),
    # accuracy
    "accuracy-present": Mutation(
        lambda t: [t.remove(c, "accuracy_results.json") for c in t.accuracy_points],
        "error",
        root("results"),
        "no accuracy_results.json",
    ),
    "accuracy-valid": Mutation(
        accuracy_score(1, "high"), "error", at(1, "accuracy_results.json"), "found 'high'"
    ),
    "accuracy-coverage": Mutation(
        lambda t: t.remove(4, "accuracy_results.json"), "error", curve, "for the Low slot"
    ),
    "accuracy-sample-count": Mutation(
        lambda t: t.edit_accuracy(1, lambda d: d["accuracy_scores"][0].update(unit_samples=50)),
        "error",
        at(1, "accuracy_results.json"),
        "found 50 (Σ num_samples × n_repeats), expected at least 13,368 for llama3_1-8b",
    ),
    "accuracy-gate": Mutation(
        accuracy_score(1, {"echo-acc": 0.9}),
        "error",
        at(1, "accuracy_results.json"),
        "no official metric reported: found echoacc, expected rouge1",
    ),
    # seeds and drafters
    "seed-set-consistency": Mutation(
        point_yaml(64, seed_set="B"), "error", at(64, "point.yaml"), 'found "B", expected "A"'
    ),
    "seed-set-membership": Mutation(
        every_point(seed_set="Z"), "error", at(1, "point.yaml"), 'found "Z", expected one of A'
    ),
    "seed-runtime-match": Mutation(
        runtime(64, scheduler_rng_seed=16159082839903944936),
        "error",
        at(64, "point.yaml"),
        "found 16159082839903944936, expected 10487924139932647040",
    ),
    "seed-set-adoption": Mutation(
        every_point(target_cohort="2027-06-C0"),
        "error",
        at(1, "point.yaml"),
        "found 2027-06-C0, expected one of 2026-10-C1, 2026-11-C0",
    ),
    "seed-config-legacy": Mutation(
        lambda t: (drop(64, "point.yaml", "seed_set")(t), runtime(64, scheduler_rng_seed=7)(t)),
        "error",
        at(64, "point.yaml"),
        "found 7, expected 42",
    ),
    "target-cohort": Mutation(
        point_yaml(64, target_cohort="2026-11"),
        "error",
        at(64, "point.yaml"),
        "found '2026-11', expected YYYY-MM-C0",
    ),
    "audit-passed": Mutation(  # the bundle appends the runs' audit/ verdicts to point.yaml
        point_yaml(64, audits=[{"file": "audit/tokens.json", "passed": False, "run_id": "run-9"}]),
        "warning",
        at(64, "point.yaml"),
        "audit audit/tokens.json of run run-9: passed is false",
    ),
    "approved-drafter": Mutation(
        point_yaml(64, speculative_decoding={"model_id": "x/y", "weight_checksum": "git-sha1:0"}),
        "error",
        at(64, "point.yaml"),
        "llama3_1-8b has no approved drafter",
    ),
}


def check(tree: V1Tree, **options: Any):
    return SubmissionChecker(tree.org, round="v1.0", **options).run()


def test_every_v1_rule_is_tested_here():
    ids = {rule.id for rule in V1_RULES}
    assert ids == set(MUTATIONS) | INFO_ONLY | SPECIAL


def test_every_v1_rule_is_documented():
    for rule in V1_RULES:
        assert rule.summary and "\n" not in rule.summary, rule.id
        assert "Passing" in rule.doc and "Failing" in rule.doc, rule.id
        for message in rule.messages.values():
            assert (message.fix is None) == (message.severity == "info"), rule.id


def test_the_valid_tree_passes_every_rule_without_warnings(v1_tree):
    report = check(v1_tree)
    assert report.rules_round == "v1.0"
    assert report.passed and not report.warnings, [
        (r.rule, r.message) for r in report.results if r.severity != "info"
    ]
    assert_clean(report)
    seen = {r.rule for r in report.results}
    silent_when_passing = {
        "approved-drafter",
        "c-min-override",
        "point-rules-skipped",
        "region-computation",
        "seed-config-legacy",
    }
    expected = {r.id for r in V1_RULES} - SPECIAL - silent_when_passing | {
        "path-exists",
        "power-descriptor",
        "seed-set-registry",
    }
    assert expected <= seen, sorted(expected - seen)


@pytest.mark.parametrize("rule_id", sorted(MUTATIONS))
def test_rule_fires_on_its_mutation(v1_tree, rule_id):
    case = MUTATIONS[rule_id]
    case.mutate(v1_tree)
    report = check(v1_tree)
    assert_fired(report, rule_id, case, case.path(v1_tree))
    assert_clean(report)
    assert report.passed is (case.severity != "error" and not report.errors)


def test_c_max_must_agree_between_point_yaml_and_system_desc(v1_tree):
    """A2.10: 1.5.3.0 never compares them."""
    v1_tree.edit_point_yaml(64, lambda d: d.update(max_supported_concurrency=512))
    found = [r for r in check(v1_tree).errors if r.rule == "system-description-consistency"]
    assert [(r.path, r.message) for r in found] == [
        (
            v1_tree.rel(64, "point.yaml"),
            "point.yaml max_supported_concurrency: found 512, expected 256 as in system_desc.json",
        )
    ]


def test_accuracy_below_threshold_names_value_and_bound(v1_tree):
    v1_tree.edit_accuracy(1, lambda d: d["accuracy_scores"][0]["score"].update(rouge1=30.0))
    gate = [r for r in check(v1_tree).errors if r.rule == "accuracy-gate"]
    assert [r.message for r in gate] == [
        "rouge1 = 30 does not meet ≥ 38.391408 (llama3_1-8b official target)"
    ]


def test_streaming_off_is_information_only_in_v1(v1_tree):
    v1_tree.edit_all_points(lambda d: d["runtime_settings"].update(stream_all_chunks=False))
    v1_tree.edit_config(64, lambda d: d["settings"]["client"].update(stream_all_chunks=False))
    report = check(v1_tree)
    streaming = [r for r in report.results if r.rule == "streaming-config"]
    assert streaming and {r.severity for r in streaming} == {"info"}
    assert "stream_all_chunks: false" in streaming[0].message
    # the run of r64 streamed nothing either, the other configs say it streamed: mismatch
    mismatch = [r for r in report.errors if r.rule == "config-point-consistency"]
    assert {r.path for r in mismatch} == {
        v1_tree.rel(c, "point.yaml") for c in v1_tree.concurrencies if c != 64
    }


def test_standardized_system_needs_a_power_descriptor(v1_tree_factory):
    tree = v1_tree_factory(division="Standardized")
    found = [r for r in check(tree).results if r.rule == "power-descriptor"]
    assert [(r.severity, r.path) for r in found] == [
        ("error", f"{system_rel(tree)}/system_power.json")
    ]
    assert "Standardized" in found[0].message and found[0].fix
    serviced = [r for r in check(v1_tree_factory()).results if r.rule == "power-descriptor"]
    assert [r.severity for r in serviced] == ["info"]


def test_missing_path_is_reported_once(tmp_path):
    report = SubmissionChecker(tmp_path / "nowhere", round="v1.0").run()
    assert [(r.rule, r.severity) for r in report.results] == [("path-exists", "error")]


def test_registry_overrides_and_unreadable_registries(v1_tree, tmp_path, monkeypatch):
    broken = tmp_path / "broken.yaml"
    broken.write_text("cohort: [1, 2\n")
    report = check(v1_tree, seed_sets=broken)
    registry = [r for r in report.results if r.rule == "seed-set-registry"]
    assert [r.severity for r in registry] == ["warning"]
    assert str(broken) in registry[0].message
    assert not [r for r in report.results if r.rule == "seed-runtime-match"]
    # the environment variable does the same when no option is given
    monkeypatch.setenv("MLPERF_ENDPOINTS_SEED_SETS", str(broken))
    assert [r.severity for r in check(v1_tree).results if r.rule == "seed-set-registry"] == [
        "warning"
    ]
    # a registry of our own with set B
    monkeypatch.delenv("MLPERF_ENDPOINTS_SEED_SETS")
    own = tmp_path / "seeds.yaml"
    own.write_text(
        "cohort:\n  version: 1.0\n  cohort-id: 2026-10-C1\n  seed_sets:\n"
        "    - {id: B, scheduler_rng_seed: 1, sample_index_rng_seed: 2, model_seed: 3}\n"
    )
    membership = [
        r for r in check(v1_tree, seed_sets=own).errors if r.rule == "seed-set-membership"
    ]
    assert membership and "expected one of B" in membership[0].message


def test_drafter_rules(v1_tree_factory, tmp_path):
    from checker_v1_builder import generator

    tree = v1_tree_factory(model="kimi-k3", max_concurrency=128, points=generator.AGENTIC_POINTS)
    drafter = {
        "model_id": "RadixArk/Kimi-K3-DSpark",
        "weight_checksum": "git-sha1:3c5bac301d9cf392706189d82ed947feca6c2f0f",
    }
    tree.edit_point_yaml(4, lambda d: d.update(speculative_decoding=drafter))
    tree.edit_point_yaml(4, lambda d: d.update(target_cohort="2026-10-C0"))
    report = check(tree)
    lead = [r for r in report.results if r.rule == "drafter-approval-lead-time"]
    assert [(r.severity, r.path) for r in lead] == [("error", tree.rel(4, "point.yaml"))]
    assert "2026-10-C0" in lead[0].message and "2026-10-C1" in lead[0].fix
    assert [r.severity for r in report.results if r.rule == "approved-drafter"] == ["info"]
    assert [r.severity for r in report.results if r.rule == "drafter-list-registry"] == ["info"]
    broken = tmp_path / "drafters.yaml"
    broken.write_text("drafters: 3\n")
    unreadable = [
        r
        for r in check(tree, approved_drafters=broken).results
        if r.rule == "drafter-list-registry"
    ]
    assert [r.severity for r in unreadable] == ["warning"]


def test_agentic_curve_rules(v1_tree_factory):
    from checker_v1_builder import generator

    tree = v1_tree_factory(model="kimi-k3", max_concurrency=128, points=generator.AGENTIC_POINTS)
    report = check(tree)
    # the round data has no minimum for swe_bench: an unknown dataset warns (A2.7), nothing else
    assert report.passed and {(r.rule, r.message.split(":")[0]) for r in report.warnings} == {
        ("min-query-count", 'dataset "swe_bench"')
    }
    ran = {r.rule for r in report.results}
    assert {
        "agentic-accuracy",
        "agentic-accuracy-inline",
        "agentic-accuracy-swebench",
        "agentic-osl-range",
        "agentic-metric-consistency",
    } <= ran
    # one mutation per agentic rule
    tree.edit_accuracy(4, lambda d: d["accuracy_scores"][0].update(score=0.5))
    tree.edit_summary(32, lambda d: d.update(e2e_avg_interactivity=1e6))
    tree.edit_summary(64, lambda d: d.pop("output_sequence_lengths_full_run"))
    tree.edit_summary(
        128,
        lambda d: d["output_sequence_lengths_full_run"]["output_sequence_lengths"].update(avg=300),
    )
    for c in (1, 4, 16, 128):
        tree.edit_accuracy(c, lambda d: d["accuracy_scores"][-1].update(score=0.5))
    found = {(r.rule, r.severity, r.path) for r in check(tree).results if r.severity != "info"}
    assert ("agentic-accuracy-inline", "error", tree.rel(4, "accuracy_results.json")) in found
    assert ("agentic-metric-consistency", "error", tree.rel(32, "result_summary.json")) in found
    assert ("agentic-osl-range", "warning", tree.rel(64, "result_summary.json")) in found
    assert ("agentic-osl-range", "error", tree.rel(128, "result_summary.json")) in found
    assert ("agentic-accuracy-swebench", "error", tree.rel()) in found


def test_agentic_curve_of_a_model_without_floors_warns(v1_tree):
    v1_tree.edit_all_points(
        lambda d: d["runtime_settings"].update(load_pattern="agentic_inference")
    )
    found = [r for r in check(v1_tree).results if r.rule == "agentic-accuracy"]
    assert [r.severity for r in found] == ["warning"]
    assert "llama3_1-8b" in found[0].message
