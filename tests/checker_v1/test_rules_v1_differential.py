"""The v1.0 point rules made cheaper per point decide exactly as their plain versions.

Each rule listed in ``rules_v1_reference.REFERENCE`` runs on a point built from the shipped
example's files with random mutations (values of every YAML/JSON type at the keys the rules
read, keys removed), against varied seed-set registries; its results (every field, in order)
must equal those of the reference function, the rule as written before it was optimised.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from checker_v1_rules_reference import REFERENCE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker.layout import Document
from submission_checker.layout_v1 import (
    ModelV1,
    PointV1,
    SubmissionV1,
    SystemV1,
    _summary_essentials,
)
from submission_checker.registries import (
    RegistryUnreadable,
    SeedSet,
    SeedSetRegistry,
    load_seed_sets,
    parse_cohort,
)
from submission_checker.rounds_v1 import load_round_v1
from submission_checker.rules import get

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples/submission-v1.0/ExampleOrg/example-submission/results/Example_Cloud_Endpoint"
    / "llama3_1-8b"
)
POINT_YAML = yaml.safe_load((EXAMPLE / "r64" / "point.yaml").read_text())
CONFIG_YAML = yaml.safe_load((EXAMPLE / "r64" / "config.yaml").read_text())
SUMMARY = _summary_essentials(json.loads((EXAMPLE / "r64" / "result_summary.json").read_text()))
DESCRIPTION = json.loads((EXAMPLE / "r64" / "system_desc.json").read_text())

#: (document, key path) the rules read; a mutation sets or removes one of them
KEYS: list[tuple[str, tuple[str, ...]]] = [
    ("config", ("seed_set",)),
    ("config", ("target_cohort",)),
    ("config", ("runtime_settings",)),
    ("config", ("runtime_settings", "runtime")),
    ("config", ("runtime_settings", "runtime", "scheduler_rng_seed")),
    ("config", ("runtime_settings", "runtime", "sample_index_rng_seed")),
    ("config", ("runtime_settings", "runtime", "model_seed")),
    ("config", ("runtime_settings", "runtime", "scheduler_random_seed")),
    ("config", ("runtime_settings", "runtime", "dataloader_random_seed")),
    ("config", ("runtime_settings", "runtime", "")),
    ("config", ("runtime_settings", "stream_all_chunks")),
    ("config", ("concurrency",)),
    ("config", ("offline",)),
    ("config", ("division",)),
    ("config", ("dataset_link",)),
    ("config", ("shared_src",)),
    ("config", ("shared_docs",)),
    ("run_config", ("settings",)),
    ("run_config", ("settings", "load_pattern")),
    ("run_config", ("settings", "load_pattern", "target_concurrency")),
    ("run_config", ("settings", "runtime")),
    ("run_config", ("settings", "runtime", "scheduler_rng_seed")),
    ("run_config", ("settings", "runtime", "scheduler_random_seed")),
    ("run_config", ("settings", "runtime", "sample_index_rng_seed")),
    ("run_config", ("settings", "runtime", "dataloader_random_seed")),
    ("run_config", ("settings", "runtime", "model_seed")),
    ("run_config", ("settings", "client")),
    ("run_config", ("settings", "client", "stream_all_chunks")),
    ("run_config", ("model_params",)),
    ("run_config", ("model_params", "seed")),
    ("config", ("runtime_settings", "warmup")),
    ("config", ("runtime_settings", "warmup", "salt")),
    ("config", ("warmup",)),
    ("config", ("warmup", "duration_s")),
    ("config", ("warmup", "requests_issued")),
    ("config", ("warmup", "logs_retained")),
    ("config", ("steady_state",)),
    ("config", ("steady_state", "status")),
    ("config", ("steady_state", "verdict")),
    ("config", ("steady_state", "window")),
    ("config", ("steady_state", "window", "duration_s")),
    ("config", ("steady_state", "window", "super_pass_start")),
    ("config", ("steady_state", "window", "super_pass_end")),
    ("config", ("steady_state", "state")),
    ("config", ("steady_state", "state", "tps")),
    ("config", ("steady_state", "state", "ttft_p90")),
    ("config", ("steady_state", "state", "other")),
    ("summary", ("duration_ns",)),
    ("summary", ("tpot",)),
    ("summary", ("tpot", "percentiles")),
    ("summary", ("tpot", "percentiles", "90")),
    ("summary", ("tps_per_user",)),
    ("summary", ("output_sequence_lengths",)),
    ("summary", ("output_sequence_lengths", "total")),
    ("summary", ("e2e_avg_interactivity",)),
    ("summary", ("output_tokens_per_turn_total",)),
    ("summary", ("e2e_turn_time_seconds_total",)),
    ("summary", ("n_samples_failed",)),
    ("summary", ("latency", "total")),
    ("config", ("region",)),
    ("description", ("max_supported_concurrency",)),
]

SET_A = {
    "scheduler_rng_seed": 10487924139932647040,
    "sample_index_rng_seed": 586478644936801402,
    "model_seed": 9315206023656308754,
}
COHORTS = ["2026-10-C1", "2026-11-C0", "2026-11-C1", "2026-12-C0", "2027-03-C0", "2026-02-C1"]
#: values a mutation writes (every YAML type, seeds and cohorts right and wrong)
VALUES = st.one_of(
    st.sampled_from(
        [None, True, False, 0, 1, 42, -1, 2.5, float("nan"), "", " ", "A", "B", "Z", 7, 64]
        + ["dedicated", "none", "concurrency", "windowable", "insufficient_passes"]
        + ["STEADY STATE", "drifting_up", "Plateau", "Drifting up", "Drifting", 3, 9, 600.0]
        + ["low_latency", "high_concurrency", "med_concurrency", "submitters_choice", "margin"]
        + [1e7, 10606060.606060605, 94.28571428571429, 95.3, 0.0, -5.0, 280, 300, 33, 1024]
        + [599.0, 1200.0, 600_000_000_000, 1_199_000_000_000, 1e308, 2**1100]
        + list(SET_A.values())
        + COHORTS
        + ["2026-13-C0", "2026-11", "2026-11-C2", "２０２６-11-C0", "2026-11-C0 "]
    ),
    st.integers(),
    st.text(max_size=12),
    st.builds(dict),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(list(SET_A)), st.sampled_from(list(SET_A.values()))),
)
DELETE = object()
mutations = st.lists(
    st.tuples(st.sampled_from(KEYS), st.one_of(st.just(DELETE), VALUES)), max_size=4
)


def _registries() -> list[Any]:
    packaged = load_seed_sets()
    assert isinstance(packaged, SeedSetRegistry)
    own = SeedSet("B", 1, 2, 3, cohorts=(parse_cohort("2027-03-C0"), parse_cohort("2026-11-C0")))
    return [
        packaged,
        SeedSetRegistry("own", None, None, {"A": packaged.seed_sets["A"], "B": own}),
        SeedSetRegistry("late", "2", parse_cohort("2026-12-C0"), dict(packaged.seed_sets)),
        RegistryUnreadable("broken.yaml", "not YAML"),
    ]


REGISTRIES = _registries()


def _mutate(documents: dict[str, Any], document: str, path: tuple[str, ...], value: Any) -> None:
    data = documents
    for key in (document, *path[:-1]):
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        return
    if value is DELETE:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = copy.deepcopy(value)


def _point(documents: dict[str, Any], registry: Any) -> PointV1:
    """A one-point curve whose files hold ``documents`` (nothing is read from disk)."""
    submission = SubmissionV1(Path("org"), load_round_v1(), exists=True, is_dir=True)
    submission.__dict__["seed_sets"] = registry
    system = SystemV1(submission, "S", "results/S")
    model = ModelV1(system, "llama3_1-8b", "results/S/llama3_1-8b")
    point = PointV1(model, "r64", f"{model.rel}/r64", 64)
    submission.systems.append(system)
    system.models.append(model)
    model.points.append(point)
    for name, file in (("config", "point.yaml"), ("run_config", "config.yaml")):
        data = documents[name]
        point.__dict__[name] = Document(f"{point.rel}/{file}", "valid", data=data)
    point.__dict__["summary"] = Document(
        f"{point.rel}/result_summary.json", "valid", data=documents.get("summary", SUMMARY)
    )
    point.__dict__["description"] = Document(
        f"{point.rel}/system_desc.json", "valid", data=documents.get("description", DESCRIPTION)
    )
    return point


def _results(check: Any, rule: Any, point: PointV1) -> list[dict[str, Any]]:
    return [result.model_dump() for result in check(rule, point)]


@pytest.mark.parametrize("rule_id", sorted(REFERENCE))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=mutations, registry=st.sampled_from(REGISTRIES), points=st.integers(1, 3))
def test_rule_decides_as_its_reference(rule_id, changes, registry, points):
    documents = {
        "config": copy.deepcopy(POINT_YAML),
        "run_config": copy.deepcopy(CONFIG_YAML),
        "summary": copy.deepcopy(SUMMARY),
        "description": copy.deepcopy(DESCRIPTION),
    }
    for (document, path), value in changes:
        _mutate(documents, document, path, value)
    rule = get(rule_id, "v1.0")
    fast = _point(copy.deepcopy(documents), registry)
    plain = _point(copy.deepcopy(documents), registry)
    # a few points in a row: memos shared by the points of a submission must not leak
    for _ in range(points):
        assert _results(rule.check, rule, fast) == _results(REFERENCE[rule_id], rule, plain)


def test_the_mutations_reach_every_outcome_of_the_seed_rules():
    """The harness is not vacuous: the unmutated point passes, and mutations fail it."""
    rule = get("seed-set-adoption", "v1.0")
    point = _point({"config": copy.deepcopy(POINT_YAML), "run_config": CONFIG_YAML}, REGISTRIES[0])
    assert [r.severity for r in rule.run(point)] == ["info"]
    late = copy.deepcopy(POINT_YAML)
    late["target_cohort"] = "2027-03-C0"
    point = _point({"config": late, "run_config": CONFIG_YAML}, REGISTRIES[0])
    assert [r.severity for r in rule.run(point)] == ["error"]
