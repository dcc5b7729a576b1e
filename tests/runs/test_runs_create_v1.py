"""`runs create` on round v1.0 run folders (point.yaml present), against a real prism-server."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from endpoints_submission_cli.prism import PrismClient
from prism_server.store import SCHEMA_VERSION, Store

SCHEDULER_SEED = 16159082839903944936  # > 2**63, as in the real config.yaml

V1_SYSTEM_FIELDS = {
    "shortened_system_name": "Example H200x8",
    "system_node_ensemble_count": 1,
    "system_node_ensemble_total": 1,
    "availability_url": "https://example.org/h200x8",
}
V1_NODE_FIELDS = {
    "host_memory_configuration": "32x 64 GB DDR5",
    "host_network_card_count": "8",
    "driver": "565.57.01",
    "filesystem": "ext4",
}
FILLED = {
    "link_to_model": "https://huggingface.co/meta-llama/Llama-2-70b-chat-hf",
    "dataset_link": "https://example.org/datasets/dummy_1k",
    "seed_set": "A",
    "target_cohort": "2026-12-C0",
    "    model_seed": None,
}


def v1_system_desc(example: Path) -> dict:
    data = json.loads(example.read_text())
    data.update(V1_SYSTEM_FIELDS)
    for node in data["node_types"]:
        node.update(V1_NODE_FIELDS)
    return data


@pytest.fixture
def api(prism):
    with PrismClient(prism.url, prism.token) as client:
        yield client


@pytest.fixture
def v1_run(sample_copy, samples_dir: Path, cli):
    """A real run folder made a complete v1.0 folder: `init`, then the placeholders filled."""

    def make(name: str = "llama2-70b_c1", fill: bool = True) -> Path:
        folder = sample_copy(name)
        desc = folder.parent / "system_desc_v1.json"
        desc.write_text(json.dumps(v1_system_desc(samples_dir / "system_desc.example.json")))
        result = cli("init", "--path", folder, "--system-desc", desc)
        assert result.exit_code == 0, result.output
        if fill:
            text = (folder / "point.yaml").read_text()
            for key, value in FILLED.items():
                lines = [
                    f"{key}: {json.dumps(value)}" if line.startswith(f"{key}: ") else line
                    for line in text.splitlines()
                ]
                text = "\n".join(lines) + "\n"
            (folder / "point.yaml").write_text(text)
        return folder

    return make


def _edit_point(folder: Path, change) -> None:
    point = yaml.safe_load((folder / "point.yaml").read_text())
    change(point)
    (folder / "point.yaml").write_text(yaml.safe_dump(point))


def _refused(result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_complete_v1_folder_round_trips_its_new_fields(cli, api, v1_run) -> None:
    folder = v1_run()
    (folder / "system_power.json").write_text(json.dumps({"system_desc_id": "x", "cooling": "air"}))
    result = cli("runs", "create", "--path", folder, "--test", "--json")
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["id"]
    got = cli("runs", "get", "--run-id", run_id, "--json")
    record = json.loads(got.stdout)
    point = yaml.safe_load((folder / "point.yaml").read_text())
    assert record["point_config"] == point
    assert record["point_config"]["runtime_settings"]["runtime"]["scheduler_rng_seed"] == (
        SCHEDULER_SEED
    )
    # a descriptor the checker rejects is sent as written, without derived numbers
    assert record["system_power"] == {"system_desc_id": "x", "cooling": "air"}
    assert "sent without its derived power numbers" in result.stderr
    assert record["is_test"] is True
    assert record["cli_version"]
    table = cli("runs", "get", "--run-id", run_id).stdout
    assert "v1.0 (point.yaml)" in table and "test run" in table


def _vendor(watts: int) -> dict:
    return {"value_w": watts, "source_type": "vendor_spec", "source": "https://vendor.example/x"}


# One node (ensemble 0 of the example system description), liquid cooled:
# major = 2 × 350 W CPUs + 8 × 700 W H200 = 6 300 W; overhead 0.30 × 6 300 = 1 890 W;
# total 8 190 W → 8.19 kW. The run (llama2-70b_c1) made 2 663 output tokens in
# 11.740 071 310 s → 226.83 tokens/s → 27.696 tokens/s per kW on all of its one node.
H200_POWER = {
    "system_desc_id": "Example H200x8 Sim",
    "cooling": "liquid",
    "provisioned_power_kw": 8.19,
    "mlc_estimated_power": False,
    "scale_out": {"present": False},
    "node_sets": [
        {
            "node_set_id": "gpu",
            "system_node_ensemble_id": 0,
            "nodes_provisioned": 1,
            "power_method": "component_sum",
            "components": {
                "cpu": {"model": "Example CPU", "count_per_node": 2, "tdp_per_unit": _vendor(350)},
                "accelerator": {
                    "model": "NVIDIA H200",
                    "count_per_node": 8,
                    "tdp_per_unit": _vendor(700),
                },
                "scale_up_network": {"method": "none"},
            },
        }
    ],
}


def test_system_power_is_sent_with_the_checkers_derived_numbers(cli, v1_run) -> None:
    folder = v1_run()
    (folder / "system_power.json").write_text(json.dumps(H200_POWER))
    result = cli("runs", "create", "--path", folder, "--json")
    assert result.exit_code == 0, result.output
    assert "derived" not in result.stderr
    assert "provisioned 8.19 kW, this point 8.19 kW, 27.696 tokens/s per kW" in result.stderr
    record = json.loads(
        cli("runs", "get", "--run-id", json.loads(result.stdout)["id"], "--json").stdout
    )
    stored = record["system_power"]
    assert {k: v for k, v in stored.items() if k != "derived"} == H200_POWER
    assert stored["derived"] == {
        "provisioned_power_kw": 8.19,
        "point_power_kw": 8.19,
        "system_tps_per_kw": 27.696,
        "mlc_estimated_power": False,
    }


def test_derived_power_follows_nodes_used_and_appendix_defaults(offline_cli, v1_run) -> None:
    folder = v1_run()
    power = json.loads(json.dumps(H200_POWER))
    gpu = power["node_sets"][0]
    gpu["nodes_provisioned"] = 2  # 2 × 8 190 W = 16 380 W → 16.38 kW
    gpu["components"]["cpu"].update(  # the Appendix D.2 default for a 64-core x86 CPU
        architecture="x86",
        cores=64,
        tdp_per_unit={"value_w": 350, "source_type": "mlc_default", "source": "D.2"},
    )
    power.update(provisioned_power_kw=16.38, mlc_estimated_power=True)
    (folder / "system_power.json").write_text(json.dumps(power))
    _edit_point(folder, lambda p: p.update(nodes_used=[{"system_node_ensemble_id": 0, "nodes": 1}]))
    result = offline_cli("runs", "create", "--path", folder, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    derived = json.loads(result.stdout)["payload"]["system_power"]["derived"]
    assert "MLC Estimated Power" in result.stderr
    # the point ran on 1 of the 2 nodes: charged 16 380 W × 1/2 = 8.19 kW
    assert derived == {
        "provisioned_power_kw": 16.38,
        "point_power_kw": 8.19,
        "system_tps_per_kw": 27.696,
        "mlc_estimated_power": True,
    }


def test_nodes_used_the_checker_rejects_sends_no_derived_numbers(offline_cli, v1_run) -> None:
    folder = v1_run()
    (folder / "system_power.json").write_text(json.dumps(H200_POWER))
    _edit_point(folder, lambda p: p.update(nodes_used=[{"system_node_ensemble_id": 0, "nodes": 3}]))
    result = offline_cli("runs", "create", "--path", folder, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["payload"]["system_power"] == H200_POWER
    assert "nodes-used" in result.stderr
    assert "sent without its derived power numbers" in result.stderr


def test_v07_folder_is_unchanged(cli, run_folder) -> None:
    result = cli("runs", "create", "--path", run_folder("llama2-70b_c1"), "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["point_config"] is None and record["is_test"] is False
    refused = cli("runs", "create", "--path", run_folder("llama2-70b_c1"), "--test")
    assert refused.exit_code == 2 and "point.yaml" in refused.output


def test_placeholder_is_refused_before_anything_is_sent(cli, api, v1_run) -> None:
    folder = v1_run(fill=False)
    _refused(
        cli("runs", "create", "--path", folder),
        "placeholder",
        "seed_set",
        "target_cohort",
        "link_to_model",
    )
    assert api.list_runs() == []


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (
            lambda p: p["runtime_settings"]["runtime"].update(scheduler_rng_seed=42),
            ("scheduler_rng_seed is 42", str(SCHEDULER_SEED), "scheduler_random_seed"),
        ),
        (
            lambda p: p["runtime_settings"]["runtime"].update(sample_index_rng_seed=7),
            ("sample_index_rng_seed is 7", "dataloader_random_seed"),
        ),
        (lambda p: p.update(concurrency=16), ("concurrency is 16", "used 1")),
        (
            lambda p: p["runtime_settings"].update(stream_all_chunks=False),
            ("stream_all_chunks is False", "used True"),
        ),
    ],
    ids=["scheduler-seed", "sample-index-seed", "concurrency", "stream"],
)
def test_point_yaml_that_differs_from_the_run_is_refused(cli, api, v1_run, change, needles):
    folder = v1_run()
    _edit_point(folder, change)
    _refused(cli("runs", "create", "--path", folder), "config-point-consistency", *needles)
    assert api.list_runs() == []


def test_legacy_seed_names_are_compared_too(cli, api, v1_run) -> None:
    folder = v1_run()

    def legacy(point: dict) -> None:
        runtime = point["runtime_settings"]["runtime"]
        runtime["scheduler_random_seed"] = runtime.pop("scheduler_rng_seed") + 1

    _edit_point(folder, legacy)
    _refused(cli("runs", "create", "--path", folder), "scheduler_rng_seed")


def test_missing_system_description_is_refused(cli, api, v1_run) -> None:
    folder = v1_run()
    (folder / "system_desc.json").unlink()
    _refused(cli("runs", "create", "--path", folder), "system_desc.json")
    assert api.list_runs() == []


def test_system_description_placeholder_is_refused(cli, api, v1_run, tmp_path) -> None:
    folder = v1_run()
    template = tmp_path / "template.json"
    assert cli("init", "--system-desc-template", template).exit_code == 0
    shutil.copy(template, folder / "system_desc.json")
    _refused(cli("runs", "create", "--path", folder), "system_name", "placeholder")
    assert api.list_runs() == []


def test_dry_run_shows_the_v1_payload(offline_cli, v1_run) -> None:
    result = offline_cli("runs", "create", "--path", v1_run(), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)["payload"]
    assert payload["point_config"]["concurrency"] == 1
    assert payload["is_test"] is False and payload["system_power"] is None
    files = {entry["path"] for entry in json.loads(result.stdout)["archive"]["files"]}
    assert "point.yaml" in files


def test_schema_1_data_dir_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "prism.sqlite3"
    store = Store(db)
    with sqlite3.connect(db) as conn:  # make it look like a data dir of the previous release
        conn.execute("UPDATE schema_version SET version = 1")
        for table, column in (
            ("runs", "point_config"),
            ("runs", "system_power"),
            ("runs", "is_test"),
            ("submissions", "is_test"),
        ):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    del store
    Store(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    assert {"point_config", "system_power", "is_test"} <= columns


def test_point_level_rules_refuse_an_invalid_point_yaml(cli, api, v1_run) -> None:
    folder = v1_run()

    def impossible_warmup(point: dict) -> None:
        point["warmup"].update(requests_issued=5, requests_completed=9)

    _edit_point(folder, impossible_warmup)
    _refused(
        cli("runs", "create", "--path", folder),
        "point-level v1.0 rules",
        "point-config-valid",
        "warmup",
    )
    assert api.list_runs() == []


def test_other_point_level_findings_are_warnings(cli, v1_run) -> None:
    folder = v1_run()
    _edit_point(folder, lambda p: p.update(target_cohort="2026-13-C7"))
    result = cli("runs", "create", "--path", folder, "--json")
    assert result.exit_code == 0, result.output
    assert "target-cohort" in result.stderr and "the checker will reject this" in result.stderr
    # the real run's seeds are not seed set A's, a finding of the checker, not a refusal
    assert "seed-runtime-match" in result.stderr
    # shared_src/shared_docs come from `submissions create`: not reported here
    assert "shared_src" not in result.stderr


@pytest.mark.parametrize(
    ("name", "damage", "fix"),
    [
        ("point.yaml", "concurrency: [1\n", "init --path"),
        ("system_power.json", '{"system_desc_id": ', "one JSON object"),
        ("point.yaml", "- a list, not a mapping\n", "init --path"),
        ("system_power.json", "[]", "found a list, expected a mapping"),
    ],
)
def test_damaged_point_or_power_file_names_the_folder_and_a_fix(
    cli, api, v1_run, name, damage, fix
) -> None:
    folder = v1_run()
    (folder / name).write_text(damage)
    result = cli("runs", "create", "--path", folder)
    _refused(result, f"{folder.name}/{name}", fix)
    assert api.list_runs() == []
