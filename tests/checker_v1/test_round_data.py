"""Round v1.0 data files: they load with the project's YAML reader and hold the spec's numbers."""

from __future__ import annotations

from importlib import resources

import pytest

from submission_checker.loading import load_yaml
from submission_checker.regions_v1 import C_MIN_CAP, COVERAGE_BANDS, REGION_NAMES
from submission_checker.rounds import available_rounds, load_round

DATA = resources.files("submission_checker") / "data"


def read(name: str):
    with resources.as_file(DATA / name) as path:
        return load_yaml(path)


def test_round_loader_accepts_v1_0_with_its_shared_tables():
    rules = load_round("v1.0")
    assert rules.name == "v1.0"
    assert "v1.0" in available_rounds()
    # only rules rounds directly in data/: the registries' folder is not a round
    assert all(not name.startswith("v1.0/") for name in available_rounds())
    assert rules.dataset_minimum("cnn_dailymail::llama3_8b") == 13368
    assert rules.dataset_minimum("mlperf_gpt_oss_accuracy") == 4395
    assert rules.minimum_duration_ms(32) == 600000
    assert rules.minimum_duration_ms(33) == 1200000
    assert rules.duration_minimums_ms["agentic"] == 2400000


@pytest.mark.parametrize(
    "model, metric, lower, upper",
    [
        ("llama3_1-8b", "rougeL", 24.250743, None),
        ("llama3_1-8b", "gen_len", 7350879.6, 8984408.4),
        ("llama3-8b", "rougelsum", 35.43507, None),
        ("llama2-70b", "tokens_per_sample", 265.005, 323.895),
        ("llama3-405b", "exact_match", 89.232165, None),
        ("mixtral-8x7b", "rouge2", 23.119074, None),
        ("deepseek-r1", "exact_match", 80.5446, None),
        ("gpt-oss-120b", "exact_match", 82.2987, None),
    ],
)
def test_accuracy_thresholds_reach_the_shared_lookup(model, metric, lower, upper):
    bound = load_round("v1.0").official_target(model).bound_for(metric)
    assert (bound.lower, bound.upper) == (lower, upper)


def test_every_accuracy_row_names_its_models_exactly_and_its_sample_minimum():
    raw = read("v1.0.yaml")
    minimums = {
        m: row["accuracy_sample_minimum"] for row in raw["accuracy_targets"] for m in row["models"]
    }
    assert minimums == {
        "llama3-405b": 8313,
        "llama2-70b": 24576,
        "mixtral-8x7b": 15000,
        "llama3_1-8b": 13368,
        "llama3-8b": 13368,
        "deepseek-r1": 4388,
        "gpt-oss-120b": 4395,
    }
    rules = load_round("v1.0")
    for row in raw["accuracy_targets"]:
        for model in row["models"]:  # the fragment lookup finds the same row for each name
            assert rules.official_target(model).fragments == tuple(row["fragments"])


def test_round_tables_hold_the_spec_numbers():
    raw = read("v1.0.yaml")
    assert raw["allowed_models"] == [
        "llama3_1-8b",
        "gpt-oss-120b",
        "deepseek-r1",
        "kimi-k3",
        "qwen3_6-35b-a3b",
        "deepseek-v4_1-flash",
    ]
    assert "llama2-70b" not in raw["allowed_models"]
    assert raw["point_counts"] == {
        "minimum": 7,
        "minimum_with_dedicated_offline": 8,
        "minimum_agentic": 7,
        "maximum": 32,
    }
    assert raw["accuracy_points"] == {"standard": 5, "agentic": 4}
    assert set(raw["agentic_accuracy"]) <= set(raw["allowed_models"])
    assert raw["agentic_accuracy"]["qwen3_6-35b-a3b"] == {
        "inline_floor": 55.86,
        "swe_bench_floor": 69.0,
        "osl_range": {"lower": 344, "upper": 422},
    }
    assert "low_throughput" not in raw["region_names"]
    assert raw["offline_values"] == ["dedicated", "elected", "none"]
    assert "STEADY STATE" in raw["steady_state"]["verdicts"]


def test_seed_set_registry_keeps_64_bit_seeds_exact():
    cohort = read("v1.0/seed_sets.yaml")["cohort"]
    assert cohort["cohort-id"] == "2026-10-C1"
    (seed_set,) = cohort["seed_sets"]
    assert seed_set == {
        "id": "A",
        "scheduler_rng_seed": 10487924139932647040,
        "sample_index_rng_seed": 586478644936801402,
        "model_seed": 9315206023656308754,
    }
    assert seed_set["scheduler_rng_seed"] > 2**63  # beyond int64: must not pass through float


def test_approved_drafter_registry_holds_the_appendix_entries():
    drafters = read("v1.0/approved_drafters.yaml")["drafters"]
    assert len(drafters) == 9
    assert {d["benchmark"] for d in drafters} == {
        "kimi-k3",
        "deepseek-v4_1-flash",
        "qwen3_6-35b-a3b",
        "deepseek-r1",
        "gpt-oss-120b",
    }
    assert all(d["approved_cohort"] == "2026-09-C1" for d in drafters)
    assert all(d["weight_checksum"].startswith("git-sha1:") for d in drafters)
    assert drafters[-1]["model_id"] == "nvidia/gpt-oss-120b-Eagle3-long-context"


def test_the_pure_modules_agree_with_the_round_data():
    """regions_v1 and accuracy_bands name these values as constants; the data is the source."""
    raw = read("v1.0.yaml")
    assert C_MIN_CAP == raw["regions"]["c_min_cap"] == raw["regions"]["ultra_low_coverage_max"]
    assert raw["low_latency_max_concurrency"] == C_MIN_CAP
    assert list(COVERAGE_BANDS) == raw["accuracy_bands"]
    assert [*REGION_NAMES, "submitters_choice"] == raw["region_names"]
