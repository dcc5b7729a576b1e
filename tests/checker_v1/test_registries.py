"""Seed-set and approved-drafter registries (A2.14, B§6): packaged data, overrides, cohorts."""

from __future__ import annotations

from pathlib import Path

import pytest

from submission_checker.registries import (
    APPROVED_DRAFTERS_ENV,
    SEED_SETS_ENV,
    Cohort,
    DrafterRegistry,
    RegistryUnreadable,
    SeedSetRegistry,
    drafter_lead_time,
    load_approved_drafters,
    load_seed_sets,
    parse_cohort,
    registry_override,
)

SET_A = {
    "scheduler_rng_seed": 10487924139932647040,
    "sample_index_rng_seed": 586478644936801402,
    "model_seed": 9315206023656308754,
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- cohorts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-10-C1", Cohort(2026, 10, 1)),
        ("2026-01-C0", Cohort(2026, 1, 0)),
        ("2026-13-C0", None),
        ("2026-00-C1", None),
        ("2026-10-C2", None),
        ("2026-1-C0", None),
        ("2026-10-c1", None),
        (" 2026-10-C1", None),
        (202610, None),
        (None, None),
    ],
)
def test_parse_cohort(text, expected):
    assert parse_cohort(text) == expected


def test_cohorts_order_c0_c1_then_next_month():
    c = parse_cohort("2026-11-C1")
    assert [str(c.shifted(n)) for n in range(4)] == [
        "2026-11-C1",
        "2026-12-C0",
        "2026-12-C1",
        "2027-01-C0",
    ]
    assert str(parse_cohort("2027-01-C0").shifted(-1)) == "2026-12-C1"
    assert parse_cohort("2026-10-C0") < parse_cohort("2026-10-C1") < parse_cohort("2026-11-C0")
    assert sorted([c, parse_cohort("2026-02-C0")])[0] == parse_cohort("2026-02-C0")


# --- seed sets ------------------------------------------------------------------------------


def test_packaged_seed_sets_and_their_adoption_window():
    registry = load_seed_sets()
    assert isinstance(registry, SeedSetRegistry)
    assert registry.source == "packaged v1.0 data (seed_sets.yaml)"
    assert registry.version == "1.0"
    assert str(registry.cohort) == "2026-10-C1"
    assert registry.seed_sets["A"].seeds == SET_A
    assert [str(c) for c in registry.adoption_window("A")] == [
        "2026-10-C1",
        "2026-11-C0",
        "2026-11-C1",
        "2026-12-C0",
    ]
    assert registry.adoption_window("B") is None


def test_a_per_set_cohorts_list_overrides_the_window(tmp_path):
    path = write(
        tmp_path,
        "seeds.yaml",
        "cohort:\n  seed_sets:\n"
        "    - {id: A, scheduler_rng_seed: 1, sample_index_rng_seed: 2, model_seed: 3,\n"
        "       cohorts: [2027-01-C0, 2027-02-C1]}\n"
        "    - {id: B, scheduler_rng_seed: 4, sample_index_rng_seed: 5, model_seed: 6}\n",
    )
    registry = load_seed_sets(path)
    assert registry.source == str(path)
    assert registry.cohort is None
    assert [str(c) for c in registry.adoption_window("A")] == ["2027-01-C0", "2027-02-C1"]
    assert registry.adoption_window("B") is None  # no cohort: seed-set-adoption is SKIPPED


@pytest.mark.parametrize(
    "text, reason",
    [
        ("cohort: [1, 2]\n", "cohort must be a mapping, found a list"),
        ("a: [1, 2]\n", "cohort must be a mapping, found nothing (the key is missing or empty)"),
        ("cohort: 7\n", "cohort must be a mapping, found the number 7"),
        ("cohort:\n  seed_sets: []\n", "cohort.seed_sets lists no seed set"),
        (
            "cohort:\n  cohort-id: 2026-10\n  seed_sets: []\n",
            "cohort-id '2026-10' is not YYYY-MM-C0 or YYYY-MM-C1",
        ),
        (
            "cohort:\n  seed_sets:\n    - {id: A, scheduler_rng_seed: -1,"
            " sample_index_rng_seed: 2, model_seed: 3}\n",
            "seed_sets[0]: scheduler_rng_seed must be an unsigned 64-bit integer, found -1",
        ),
        (
            "cohort:\n  seed_sets:\n    - {id: A, scheduler_rng_seed: 1.5e+19,"
            " sample_index_rng_seed: 2, model_seed: 3}\n",
            "seed_sets[0]: scheduler_rng_seed must be an unsigned 64-bit integer, found 1.5e+19",
        ),
        (
            "cohort:\n  seed_sets:\n    - {id: A, scheduler_rng_seed: 18446744073709551616,"
            " sample_index_rng_seed: 2, model_seed: 3}\n",
            "must be an unsigned 64-bit integer, found 18446744073709551616",
        ),
        (
            "cohort:\n  seed_sets:\n    - {id: A, scheduler_rng_seed: 1, sample_index_rng_seed: 2,"
            " model_seed: 3}\n    - {id: A, scheduler_rng_seed: 1, sample_index_rng_seed: 2,"
            " model_seed: 3}\n",
            "seed_sets[1]: seed set id 'A' appears twice",
        ),
        (
            "cohort:\n  seed_sets:\n    - {id: A, scheduler_rng_seed: 1, sample_index_rng_seed: 2,"
            " model_seed: 3, cohorts: [next]}\n",
            "seed_sets[0]: cohorts entry 'next' is not YYYY-MM-C0 or YYYY-MM-C1",
        ),
        ("cohort: {}\ncohort: {}\n", "duplicate key 'cohort'"),
        ("cohort: [\n", "not valid YAML"),
        ("", "empty"),
    ],
)
def test_a_bad_seed_set_file_is_unreadable_never_an_exception(tmp_path, text, reason):
    path = write(tmp_path, "seeds.yaml", text)
    outcome = load_seed_sets(path)
    assert isinstance(outcome, RegistryUnreadable)
    assert outcome.source == str(path)
    assert reason in outcome.reason
    assert str(outcome).startswith(f"{path}: ")


def test_missing_or_directory_override_is_unreadable(tmp_path):
    assert "file not found" in load_seed_sets(tmp_path / "nope.yaml").reason
    assert "is a directory" in load_approved_drafters(tmp_path).reason


def test_the_option_wins_over_the_environment():
    env = {SEED_SETS_ENV: "/env/seeds.yaml", APPROVED_DRAFTERS_ENV: ""}
    assert registry_override("/opt/s.yaml", SEED_SETS_ENV, env) == Path("/opt/s.yaml")
    assert registry_override(None, SEED_SETS_ENV, env) == Path("/env/seeds.yaml")
    assert registry_override(None, APPROVED_DRAFTERS_ENV, env) is None  # empty = unset
    assert registry_override(None, SEED_SETS_ENV, {}) is None


def test_the_environment_is_read_when_no_mapping_is_given(monkeypatch, tmp_path):
    monkeypatch.setenv(SEED_SETS_ENV, str(tmp_path / "s.yaml"))
    assert registry_override(None, SEED_SETS_ENV) == tmp_path / "s.yaml"


# --- drafters -------------------------------------------------------------------------------


def test_packaged_drafters_match_by_weight_checksum():
    registry = load_approved_drafters()
    assert isinstance(registry, DrafterRegistry)
    assert len(registry.for_benchmark("qwen3_6-35b-a3b")) == 3
    assert registry.for_benchmark("llama3_1-8b") == ()
    declared = {
        "model_id": "anything/else",
        "weight_checksum": "git-sha1:cf6b8244620e7ea4b0651d214f28e89eac75bed6",
    }
    assert registry.match("kimi-k3", declared).model_id == "Inferact/Kimi-K3-DSpark"
    assert registry.match("deepseek-r1", declared) is None  # another benchmark's drafter
    assert registry.match("kimi-k3", {"weight_checksum": "git-sha1:0000"}) is None
    assert registry.match("kimi-k3", {}) is None


def test_drafters_match_by_target_checksum_and_configuration(tmp_path):
    path = write(
        tmp_path,
        "drafters.yaml",
        "drafters:\n"
        "  - benchmark: kimi-k3\n    approved_cohort: 2026-11-C0\n    model_id: x/ngram\n"
        "    target_checksum: git-sha1:abc\n    configuration: {method: ngram, tokens: 4}\n",
    )
    registry = load_approved_drafters(path)
    same = {"target_checksum": "git-sha1:abc", "configuration": {"tokens": 4, "method": "ngram"}}
    other = {"target_checksum": "git-sha1:abc", "configuration": {"method": "ngram", "tokens": 5}}
    assert registry.match("kimi-k3", same).model_id == "x/ngram"
    assert registry.match("kimi-k3", other) is None
    assert registry.match("kimi-k3", {"target_checksum": "git-sha1:abc"}) is None


@pytest.mark.parametrize(
    "text, reason",
    [
        ("drafters: {}\n", "drafters must be a list, found a mapping"),
        (
            "drafters:\n  - {benchmark: kimi-k3, model_id: m, approved_cohort: 2026-09-C1}\n",
            "drafters[0]: needs weight_checksum, or target_checksum and configuration",
        ),
        (
            "drafters:\n  - {benchmark: kimi-k3, model_id: m, target_checksum: t}\n",
            "drafters[0]: target_checksum needs a configuration",
        ),
        (
            "drafters:\n  - {benchmark: '', model_id: m, weight_checksum: w}\n",
            "drafters[0]: benchmark must be a non-empty string, found ''",
        ),
        ("- 1\n", "the file must be a mapping, found a list"),
    ],
)
def test_a_bad_drafter_file_is_unreadable(tmp_path, text, reason):
    outcome = load_approved_drafters(write(tmp_path, "d.yaml", text))
    assert isinstance(outcome, RegistryUnreadable)
    assert reason in outcome.reason


def test_drafter_lead_time_is_approved_cohort_plus_two():
    drafter = load_approved_drafters().for_benchmark("gpt-oss-120b")[0]  # approved 2026-09-C1
    early = drafter_lead_time("2026-10-C0", drafter)
    assert (early.ok, str(early.earliest)) == (False, "2026-10-C1")
    assert (
        early.reason
        == "target_cohort 2026-10-C0 is before 2026-10-C1 (approved 2026-09-C1 + 2 cohorts)"
    )
    assert drafter_lead_time("2026-10-C1", drafter).ok is True
    assert drafter_lead_time("2027-03-C0", drafter).ok is True
    unparsable = drafter_lead_time("October", drafter)
    assert unparsable.ok is None and "'October' is not YYYY-MM-C0" in unparsable.reason


def test_an_unparsable_approved_cohort_is_a_warning_not_a_crash(tmp_path):
    path = write(
        tmp_path,
        "d.yaml",
        "drafters:\n  - {benchmark: kimi-k3, model_id: m, weight_checksum: w,"
        " approved_cohort: soon}\n",
    )
    (drafter,) = load_approved_drafters(path).drafters
    outcome = drafter_lead_time("2026-10-C1", drafter)
    assert (outcome.ok, outcome.earliest) == (None, None)
    assert outcome.reason == "approved_cohort 'soon' of m is not YYYY-MM-C0 or YYYY-MM-C1"


def test_a_declaration_that_is_not_a_mapping_matches_nothing():
    registry = load_approved_drafters()
    assert registry.match("kimi-k3", "yes") is None
    assert registry.match("kimi-k3", None) is None
