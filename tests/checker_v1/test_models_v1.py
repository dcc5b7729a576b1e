"""The round v1.0 file schemas (Part B §4.1–§4.4): what they accept, and one human line per
problem naming the field, the value found and what was expected."""

from __future__ import annotations

import pytest

from submission_checker.models import validate
from submission_checker.models_v1 import (
    PointConfigV1,
    PointSummaryV1,
    SystemDescriptionV1,
    read_accuracy,
)

NODE = {
    "host_memory_configuration": "16x 64 GB",
    "host_network_card_count": "2",
    "driver": "570",
    "filesystem": "ext4",
    "host_processor_core_count": 64,
}
SYSTEM = {
    "system_name": "S",
    "system_availability_status": "available",
    "availability_url": "https://example.org",
    "max_supported_concurrency": 256,
    "system_size": "1 node",
    "system_node_ensemble_count": 1,
    "system_node_ensemble_total": 1,
    "shortened_system_name": "S",
    "node_types": [NODE],
    "division": "Serviced",
}
POINT = {"concurrency": 8, "runtime_settings": {"runtime": {"scheduler_rng_seed": 1}}}


def problems(schema, data):
    return [str(p) for p in validate(schema, data)[1]]


def test_system_description_canonical_values_and_legacy_status():
    model, found = validate(SystemDescriptionV1, SYSTEM)
    assert not found and model.system_availability_status == "Available"
    assert model.division == "serviced"
    legacy = {k: v for k, v in SYSTEM.items() if k != "system_availability_status"}
    model, found = validate(SystemDescriptionV1, {**legacy, "publication_status": "Available"})
    assert not found and model.system_availability_status == "Available"
    conflict = {**SYSTEM, "availability_status": "Preview"}
    assert any("disagree" in p for p in problems(SystemDescriptionV1, conflict))


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"availability_url": None}, "availability_url missing"),
        (
            {"system_availability_status": "Preview", "target_availability_date": "2026-02-30"},
            'target_availability_date: found "2026-02-30"',
        ),
        ({"system_availability_status": "Preview"}, "target_availability_date missing"),
        ({"shortened_system_name": "x" * 21}, "shortened_system_name"),
        ({"division": "closed"}, 'found "closed" (str), expected one of standardized'),
        ({"max_supported_concurrency": "256"}, 'found "256" (str), expected an integer'),
        ({"node_types": [{**NODE, "host_processor_core_count": None}]}, "host_processor"),
    ],
)
def test_system_description_problems(change, fragment):
    data = {k: v for k, v in {**SYSTEM, **change}.items() if v is not None}
    found = problems(SystemDescriptionV1, data)
    assert any(fragment in p for p in found), found


def test_node_type_lifts_flat_accelerator_fields_and_digit_ensemble_ids():
    node = {**NODE, "accelerator_model_name": "H200", "system_node_ensemble_id": "3"}
    model, found = validate(SystemDescriptionV1, {**SYSTEM, "node_types": [node]})
    assert not found
    assert model.node_types[0].accelerator_info[0].accelerator_model_name == "H200"
    assert model.node_types[0].system_node_ensemble_id == 3


def test_point_config_legacy_seed_names_and_warmup_consistency():
    legacy = {
        "concurrency": 8,
        "runtime_settings": {"runtime": {"scheduler_random_seed": 5, "dataloader_random_seed": 6}},
    }
    model, found = validate(PointConfigV1, legacy)
    assert not found
    assert model.runtime_settings.runtime.scheduler_rng_seed == 5
    assert model.runtime_settings.runtime.sample_index_rng_seed == 6
    assert model.runtime_settings.stream_all_chunks is True  # the default
    warmup = {
        "duration_s": 10,
        "requests_issued": 5,
        "requests_completed": 6,
        "data_source": "perf",
        "concurrency": 4,
    }
    assert any(
        "requests_completed (6) exceeds requests_issued (5)" in p
        for p in problems(PointConfigV1, {**POINT, "warmup": warmup})
    )
    idle = {**warmup, "requests_completed": 5, "concurrency": 0}
    assert any("concurrency 0" in p for p in problems(PointConfigV1, {**POINT, "warmup": idle}))
    assert any("runtime_settings" in p for p in problems(PointConfigV1, {"concurrency": 8}))


def test_summary_defaults_percentile_spellings_and_no_tokenizer():
    model, found = validate(PointSummaryV1, {"n_samples_completed": 3, "duration_ns": 1e9})
    assert not found and model.n_samples_issued == 0 and model.output_sequence_lengths.total == 0
    same = {"90": 5.0, "90.0": 5.0}
    assert not problems(
        PointSummaryV1,
        {"n_samples_completed": 3, "duration_ns": 1, "tpot": {"total": 1, "percentiles": same}},
    )
    conflict = {"90": 5.0, "90.0": 6.0}
    assert any(
        "name the same percentile" in p
        for p in problems(
            PointSummaryV1,
            {
                "n_samples_completed": 3,
                "duration_ns": 1,
                "tpot": {"total": 1, "percentiles": conflict},
            },
        )
    )
    no_tokenizer = {
        "n_samples_completed": 3,
        "duration_ns": 1,
        "output_sequence_lengths": {},
        "tpot": {},
        "tps": None,
    }
    found = problems(PointSummaryV1, no_tokenizer)
    assert len(found) == 1 and "without a tokenizer" in found[0]


def test_accuracy_shapes_are_normalised():
    native = {
        "accuracy_scores": [
            {"dataset_name": "a", "score": {"ROUGE-1": 40.0}, "unit_samples": 10, "num_repeats": 2},
            {"dataset_name": "performance", "dataset_type": "performance", "score": 0.6},
        ]
    }
    entries, found = read_accuracy(native)
    assert not found
    assert entries[0].metrics == {"rouge1": 40.0} and entries[0].samples == 20
    assert entries[1].is_inline and entries[1].unnamed
    keyed, found = read_accuracy({"gpqa": {"exact_match": 0.8, "num_samples": 198}})
    assert not found and keyed[0].metrics == {"exactmatch": 0.8} and keyed[0].samples == 198
    listed, found = read_accuracy([{"dataset_name": "a", "score": 1.0}])
    assert not found and listed[0].metrics == {"score": 1.0}


@pytest.mark.parametrize(
    "data, fragment",
    [
        ([{"score": 1.0}], "dataset_name"),
        ([{"dataset_name": "a", "score": 1}, {"dataset_name": "a", "score": 2}], "appears twice"),
        ([{"dataset_name": "a", "score": "high"}], "expected a number"),
        (
            [{"dataset_name": "a", "score": 1, "unit_samples": 5, "num_samples": 6}],
            "disagree",
        ),
        (
            [
                {"dataset_name": "a", "dataset_type": "performance", "score": 1},
                {"dataset_name": "b", "dataset_type": "performance", "score": 1},
            ],
            "at most one",
        ),
        ("text", "expected an object or a list"),
    ],
)
def test_accuracy_problems(data, fragment):
    _, found = read_accuracy(data)
    assert any(fragment in p for p in found), found
    assert all(p.fix for p in found)
