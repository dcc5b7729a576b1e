"""The v1.0 fixture builder writes a tree that is valid by the spec's numbers (Part B §1–§6).

Until the v1.0 checker exists these checks read the generated files directly and judge them
with the round data and the pure v1.0 modules (regions, accuracy bands, registries), so a
builder change that breaks validity fails here first.
"""

from __future__ import annotations

import json
import math
from importlib import resources

import pytest
import yaml
from checker_v1_builder import PointSpec, generator

from submission_checker.accuracy_bands import accuracy_point, assign_accuracy_bands
from submission_checker.loading import load_json, load_yaml
from submission_checker.regions_v1 import compute_regions_v1, derive_c_min
from submission_checker.registries import load_seed_sets, parse_cohort
from submission_checker.rounds import load_round

with resources.as_file(resources.files("submission_checker") / "data" / "v1.0.yaml") as _path:
    RAW = load_yaml(_path)


def points_of(tree):
    out = {}
    for c in tree.concurrencies:
        out[c] = {
            "point": load_yaml(tree.path(c, "point.yaml")),
            "summary": load_json(tree.path(c, "result_summary.json")),
            "desc": load_json(tree.path(c, "system_desc.json")),
            "config": load_yaml(tree.path(c, "config.yaml")),
        }
    return out


def test_layout_of_part_b_section_1(v1_tree):
    root = v1_tree.root
    assert root.parent == v1_tree.org
    assert sorted(p.name for p in root.iterdir()) == ["docs", "results", "src"]
    (impl,) = (root / "src").iterdir()
    assert (impl / "README.md").is_file()
    (system,) = (root / "results").iterdir()
    assert system.name == "Example_Cloud_Endpoint"  # system_name with [^A-Za-z0-9._-] → _
    (model,) = system.iterdir()
    assert model.name == "llama3_1-8b"
    assert sorted(p.name for p in model.iterdir()) == sorted(f"r{c}" for c in v1_tree.concurrencies)
    for c in v1_tree.concurrencies:
        files = {p.name for p in (model / f"r{c}").iterdir()}
        expected = {"point.yaml", "system_desc.json", "config.yaml", "result_summary.json"}
        if c in v1_tree.accuracy_points:
            expected.add("accuracy_results.json")
        assert files == expected
    assert not (system / "system_power.json").exists()  # Serviced: no power file needed


def test_numbers_are_self_consistent(v1_tree):
    points = points_of(v1_tree)
    tps = {}
    for c, files in points.items():
        s = files["summary"]
        tps[c] = s["output_sequence_lengths"]["total"] / (s["duration_ns"] / 1e9)
        assert s["tps"] == pytest.approx(tps[c], rel=1e-12)
        assert "system_tps" not in s  # inference-endpoint writes tps
        tpot_p90_ms = s["tpot"]["percentiles"]["90.0"] / 1e6
        assert s["tps_per_user"] == pytest.approx(1000 / tpot_p90_ms, rel=1e-12)
        assert s["n_samples_completed"] == s["n_samples_issued"] and s["n_samples_failed"] == 0
        assert set(s["tpot"]["percentiles"]) >= {"90.0", "50.0", "99.9"}
        assert files["config"]["settings"]["load_pattern"]["target_concurrency"] == c
        assert files["point"]["concurrency"] == c
    top = max(tps.values())
    for c, files in points.items():
        assert files["desc"]["tps_utilization"] == pytest.approx(tps[c] / top, abs=1e-12)
    # the system description copies agree apart from tps_utilization
    strip = [
        {k: v for k, v in f["desc"].items() if k != "tps_utilization"} for f in points.values()
    ]
    assert all(d == strip[0] for d in strip)


def test_round_rules_hold(v1_tree):
    rules = load_round("v1.0")
    points = points_of(v1_tree)
    seeds = load_seed_sets()
    window = seeds.adoption_window("A")
    c_max = v1_tree.spec.max_concurrency
    assert 8 <= len(points) <= RAW["point_counts"]["maximum"]  # dedicated Offline: at least 8
    for c, files in points.items():
        point, summary, desc = files["point"], files["summary"], files["desc"]
        assert point["model_name"] in RAW["allowed_models"]
        assert point["max_supported_concurrency"] == desc["max_supported_concurrency"] == c_max
        for key in [
            "division",
            "model_precision",
            "link_to_model",
            "dataset_name",
            "dataset_type",
            "dataset_link",
            "shared_src",
            "shared_docs",
            "seed_set",
            "target_cohort",
        ]:
            assert point[key], key
        assert (v1_tree.root / point["shared_src"]).is_dir()
        assert (v1_tree.root / point["shared_docs"]).is_dir()
        assert point["runtime_settings"]["runtime"] == seeds.seed_sets["A"].seeds
        config_runtime = files["config"]["settings"]["runtime"]
        assert config_runtime["scheduler_random_seed"] == seeds.seed_sets["A"].scheduler_rng_seed
        assert parse_cohort(point["target_cohort"]) in window
        assert summary["n_samples_completed"] >= rules.dataset_minimum(point["dataset"])
        state = point["steady_state"]
        assert state["status"] in RAW["steady_state"]["statuses"]
        assert state["verdict"] in RAW["steady_state"]["verdicts"]
        passes = state["window"]["super_pass_end"] - state["window"]["super_pass_start"] + 1
        assert passes >= RAW["steady_state"]["minimum_super_passes"]
        assert state["window"]["duration_s"] * 1000 >= rules.minimum_duration_ms(c)
        assert summary["duration_ns"] / 1e6 >= rules.minimum_duration_ms(c)
        assert point["warmup"]["logs_retained"] is True
        assert point["offline"] in RAW["offline_values"]
        if point["offline"] == "dedicated":
            assert "region" not in point and c >= c_max
        else:
            assert point["runtime_settings"]["load_pattern"] in RAW["load_patterns"]
    offline = [c for c, f in points.items() if f["point"]["offline"] != "none"]
    assert offline == [512]
    c_max_tps = points[c_max]["summary"]["tps"]
    assert points[512]["summary"]["tps"] >= RAW["tolerances"]["offline_tps_ratio"] * c_max_tps


def test_regions_are_declared_as_computed_and_every_band_is_covered(v1_tree):
    points = points_of(v1_tree)
    c_min = derive_c_min(points)
    regions = compute_regions_v1(v1_tree.spec.max_concurrency, c_min.value)
    assert (c_min.value, regions.margin_end) == (1, 282)
    covered = set()
    for c, files in points.items():
        if files["point"]["offline"] == "dedicated":
            continue
        assert files["point"]["region"] == regions.classify(c)
        covered.update(regions.bands_covered(c))
    assert covered == {"ultra_low", "low", "medium", "high"}
    assert regions.classify(272) == "margin"


def test_accuracy_fills_every_band_and_the_offline_point_and_meets_the_targets(v1_tree):
    points = points_of(v1_tree)
    regions = compute_regions_v1(v1_tree.spec.max_concurrency, 1)
    assignment = assign_accuracy_bands(
        accuracy_point(
            regions,
            c,
            offline=files["point"]["offline"],
            has_accuracy=v1_tree.path(c, "accuracy_results.json").exists(),
        )
        for c, files in points.items()
    )
    assert assignment.complete, (assignment.unfilled, assignment.surplus)
    target = load_round("v1.0").official_target("llama3_1-8b")
    minimum = {
        m: r["accuracy_sample_minimum"] for r in RAW["accuracy_targets"] for m in r["models"]
    }
    for c in v1_tree.accuracy_points:
        (entry,) = load_json(v1_tree.path(c, "accuracy_results.json"))["accuracy_scores"]
        assert entry["unit_samples"] * entry["num_repeats"] >= minimum["llama3_1-8b"]
        for metric, bound in target.metrics.items():
            assert bound.admits(entry["score"][metric]), metric


def test_edits_reach_the_files(v1_tree):
    v1_tree.edit_point_yaml(64, lambda p: p.update(seed_set="B"))
    v1_tree.edit_summary(64, lambda s: s.update(tps=1.0))
    v1_tree.edit_system_desc(lambda d: d.pop("system_size"))
    v1_tree.edit_config(64, lambda c: {"replaced": True})
    assert v1_tree.read(64, "point.yaml")["seed_set"] == "B"
    assert v1_tree.read(64, "result_summary.json")["tps"] == 1.0
    assert v1_tree.read(64, "config.yaml") == {"replaced": True}
    assert all(
        "system_size" not in v1_tree.read(c, "system_desc.json") for c in v1_tree.concurrencies
    )
    assert v1_tree.rel(64, "point.yaml") == (
        "example-submission/results/Example_Cloud_Endpoint/llama3_1-8b/r64/point.yaml"
    )
    assert v1_tree.path(64, "point.yaml") == v1_tree.org / v1_tree.rel(64, "point.yaml")


def test_points_can_be_removed_and_added(v1_tree):
    v1_tree.remove_point(272)
    assert not (v1_tree.org / v1_tree.rel(272)).exists()
    folder = v1_tree.add_point(PointSpec(48, accuracy=True))
    assert folder == v1_tree.org / v1_tree.rel(48)
    assert 48 in v1_tree.concurrencies and 272 not in v1_tree.concurrencies
    assert yaml.safe_load((folder / "point.yaml").read_text())["region"] == "high_concurrency"
    summary = json.loads((folder / "result_summary.json").read_text())
    utilization = json.loads((folder / "system_desc.json").read_text())["tps_utilization"]
    offline_tps = v1_tree.read(512, "result_summary.json")["tps"]
    assert math.isclose(utilization, summary["tps"] / offline_tps)


def test_the_factory_builds_other_shapes(v1_tree_factory):
    tree = v1_tree_factory(
        max_concurrency=1024,
        points=tuple(PointSpec(c) for c in (32, 40, 100, 512, 1024)),
        system_name="Big/Box: v2",
    )
    assert tree.spec.system_dir == "Big_Box__v2"
    regions = compute_regions_v1(1024, 32)
    for c in tree.concurrencies:
        assert tree.read(c, "point.yaml")["region"] == regions.classify(c)
    assert tree.accuracy_points == [] and tree.offline_point is None


def test_a_standardized_system_without_a_power_file(v1_tree_factory):
    tree = v1_tree_factory(division="Standardized")
    assert all(
        tree.read(c, "system_desc.json")["division"] == "Standardized" for c in tree.concurrencies
    )
    assert all(tree.read(c, "point.yaml")["division"] == "Standardized" for c in tree.concurrencies)
    assert not list(tree.root.rglob("system_power.json"))


def test_an_agentic_curve_meets_the_agentic_rules(v1_tree_factory):
    tree = v1_tree_factory(model="kimi-k3", max_concurrency=128, points=generator.AGENTIC_POINTS)
    rules = load_round("v1.0")
    floors = RAW["agentic_accuracy"]["kimi-k3"]
    points = points_of(tree)
    assert len(points) >= RAW["point_counts"]["minimum_agentic"]
    regions = compute_regions_v1(128, derive_c_min(points).value)
    swe_bench = []
    for c, files in points.items():
        point, summary = files["point"], files["summary"]
        assert point["offline"] == "none"
        assert point["runtime_settings"]["load_pattern"] == "agentic_inference"
        assert point["region"] == regions.classify(c)
        minimum = rules.duration_minimums_ms["agentic"] if c > 32 else rules.minimum_duration_ms(c)
        assert point["steady_state"]["window"]["duration_s"] * 1000 >= minimum
        interactivity = (
            summary["output_tokens_per_turn_total"] / summary["e2e_turn_time_seconds_total"]
        )
        assert summary["e2e_avg_interactivity"] == pytest.approx(interactivity, rel=1e-12)
        osl = summary["output_sequence_lengths_full_run"]["output_sequence_lengths"]["avg"]
        assert floors["osl_range"]["lower"] <= osl <= floors["osl_range"]["upper"]
        scores = load_json(tree.path(c, "accuracy_results.json"))["accuracy_scores"]
        (inline,) = [e for e in scores if e["dataset_type"] == "performance"]
        assert 0 <= inline["score"] <= 1 and inline["score"] * 100 >= floors["inline_floor"]
        swe_bench += [e["score"] for e in scores if e["dataset_name"] == "swe_bench"]
    assert len(swe_bench) == RAW["accuracy_points"]["agentic"]
    assert 100 * sum(swe_bench) / len(swe_bench) >= floors["swe_bench_floor"]
    assignment = assign_accuracy_bands(
        (accuracy_point(regions, c) for c in tree.accuracy_points), agentic=True
    )
    assert assignment.complete


def test_several_curves_in_one_submission(tmp_path):
    curves = tuple(
        (system, model)
        for system in ("Box A", "Box B")
        for model in ("llama3_1-8b", "gpt-oss-120b", "deepseek-r1")
    )
    org = generator.write_submission_v1(tmp_path, curves=curves)
    results = org / "example-submission" / "results"
    assert sorted(p.name for p in results.iterdir()) == ["Box_A", "Box_B"]
    rules = load_round("v1.0")
    minimum = {
        m: r["accuracy_sample_minimum"] for r in RAW["accuracy_targets"] for m in r["models"]
    }
    for system, model in curves:
        curve = results / system.replace(" ", "_") / model
        tps = {}
        for folder in curve.iterdir():
            point = load_yaml(folder / "point.yaml")
            summary = load_json(folder / "result_summary.json")
            assert point["model_name"] == model in RAW["allowed_models"]
            assert summary["n_samples_completed"] >= rules.dataset_minimum(point["dataset"])
            tps[folder.name] = (summary["tps"], load_json(folder / "system_desc.json"))
            if (folder / "accuracy_results.json").exists():
                (entry,) = load_json(folder / "accuracy_results.json")["accuracy_scores"]
                assert entry["unit_samples"] * entry["num_repeats"] >= minimum[model]
                for metric, bound in rules.official_target(model).metrics.items():
                    assert bound.admits(entry["score"][metric]), (model, metric)
        top = max(t for t, _ in tps.values())
        for value, desc in tps.values():
            assert desc["tps_utilization"] == pytest.approx(value / top, abs=1e-12)
            assert desc["system_name"] == system


def test_bench_points_fill_a_curve_to_the_cap():
    points = generator.BENCH_POINTS
    assert len(points) == RAW["point_counts"]["maximum"]
    regions = compute_regions_v1(1024, derive_c_min(p.concurrency for p in points).value)
    covered = set()
    for p in points:
        if p.offline == "none":
            assert regions.classify(p.concurrency) is not None, p
            covered.update(regions.bands_covered(p.concurrency))
    assert covered == {"ultra_low", "low", "medium", "high"}
    assignment = assign_accuracy_bands(
        accuracy_point(regions, p.concurrency, offline=p.offline, has_accuracy=p.accuracy)
        for p in points
    )
    assert assignment.complete


def test_a_real_summary_can_replace_a_generated_one(v1_tree, samples_dir):
    run = samples_dir / "http500_every_10th_c8"
    v1_tree.use_real_run(4, run, config=True)
    assert (
        v1_tree.path(4, "result_summary.json").read_bytes()
        == (run / "performance" / "result_summary.json").read_bytes()
    )
    summary = v1_tree.read(4, "result_summary.json")
    assert "90.0" in summary["tpot"]["percentiles"] and "system_tps" not in summary
    assert v1_tree.read(4, "config.yaml")["settings"]["load_pattern"]["target_concurrency"] == 8


def test_an_elected_offline_point_at_c_max(v1_tree_factory):
    points = tuple(
        p for p in generator.DEFAULT_POINTS if p.offline == "none" and p.concurrency != 256
    )
    tree = v1_tree_factory(points=(*points, PointSpec(256, offline="elected", accuracy=True)))
    elected = tree.read(256, "point.yaml")
    assert (elected["offline"], elected["region"]) == ("elected", "high_concurrency")
    assert elected["runtime_settings"]["load_pattern"] == "concurrency"
    assert tree.offline_point == 256 and len(tree.concurrencies) == 8
    regions = compute_regions_v1(256, 1)
    assignment = assign_accuracy_bands(
        accuracy_point(regions, c, offline=tree.read(c, "point.yaml")["offline"])
        for c in tree.accuracy_points
    )
    assert assignment.complete and assignment.filled["offline"].concurrency == 256
