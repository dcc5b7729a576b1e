"""`endpoints-submission-cli init`: point.yaml derived from real inference-endpoint runs."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from endpoints_submission_cli.cli import main
from endpoints_submission_cli.pointconfig import find_placeholders
from submission_checker.loading import load_yaml

SAMPLES = ("llama2-70b_c1", "http500_every_10th_c8", "accuracy_both_c4")


def _init(*args: object):
    return CliRunner().invoke(main, ["init", *[str(a) for a in args]])


@pytest.fixture
def sweep(tmp_path: Path, samples_dir: Path) -> Path:
    """The three real run folders side by side, as a sweep parent folder."""
    parent = tmp_path / "sweep"
    for name in SAMPLES:
        shutil.copytree(samples_dir / name, parent / name)
    return parent


def _config(run: Path) -> dict:
    return load_yaml(run / "config.yaml")


def test_every_derived_field_equals_the_runs_config(sweep: Path, samples_dir: Path) -> None:
    desc = samples_dir / "system_desc.example.json"
    result = _init("--path", sweep, "--system-desc", desc)
    assert result.exit_code == 0, result.output
    system = json.loads(desc.read_text())
    for name in SAMPLES:
        run = sweep / name
        config = _config(run)
        point = load_yaml(run / "point.yaml")
        settings = point["runtime_settings"]
        assert point["concurrency"] == config["settings"]["load_pattern"]["target_concurrency"]
        assert settings["load_pattern"] == config["settings"]["load_pattern"]["type"]
        assert settings["stream_all_chunks"] is config["settings"]["client"]["stream_all_chunks"]
        assert settings["min_duration_ms"] == config["settings"]["runtime"]["min_duration_ms"]
        runtime = settings["runtime"]
        # 16159082839903944936 > 2**63: exact, not a float, not wrapped negative
        assert (
            runtime["scheduler_rng_seed"] == config["settings"]["runtime"]["scheduler_random_seed"]
        )
        assert runtime["scheduler_rng_seed"] == 16159082839903944936 > 2**63
        assert (
            runtime["sample_index_rng_seed"]
            == config["settings"]["runtime"]["dataloader_random_seed"]
        )
        assert "<FILL IN" in runtime["model_seed"]  # the config carries none
        assert point["dataset"] == point["dataset_name"] == config["datasets"][0]["name"]
        assert point["dataset_type"] == config["datasets"][0]["type"].capitalize()
        assert point["dataset_file"] == config["datasets"][0]["path"]
        assert point["model_name"] == config["submission_ref"]["model"]
        assert point["max_supported_concurrency"] == system["max_supported_concurrency"]
        assert point["division"] == system["division"]
        assert point["model_precision"] == system["model_precision"]
        assert "offline" not in point  # concurrency runs are not Offline points
        # the system description went into each folder, byte for byte
        assert (run / "system_desc.json").read_bytes() == desc.read_bytes()


def test_placeholders_mark_what_nothing_determines(sweep: Path) -> None:
    result = _init("--path", sweep / "llama2-70b_c1")  # no system description at all
    assert result.exit_code == 0, result.output
    text = (sweep / "llama2-70b_c1" / "point.yaml").read_text()
    holes = set(find_placeholders(load_yaml(sweep / "llama2-70b_c1" / "point.yaml")))
    assert {
        "division",
        "max_supported_concurrency",
        "model_precision",
        "link_to_model",
        "dataset_link",
        "seed_set",
        "target_cohort",
        "runtime_settings.runtime.model_seed",
    } <= holes
    assert "concurrency" not in holes and "model_name" not in holes
    # each placeholder line carries a comment and the stderr report names the fields
    for line in text.splitlines():
        if "<FILL IN" in line and not line.startswith("#"):
            assert "#" in line.split("<FILL IN", 1)[1], line
    assert "seed_set" in result.output and "target_cohort" in result.output


def test_model_name_falls_back_to_model_params(sweep: Path) -> None:
    run = sweep / "llama2-70b_c1"
    config_text = (run / "config.yaml").read_text()
    (run / "config.yaml").write_text(config_text.replace("  model: llama2-70b\n", ""))
    assert _init("--path", run).exit_code == 0
    assert load_yaml(run / "point.yaml")["model_name"] == "meta-llama/Llama-2-70b-chat-hf"


def test_max_throughput_run_is_a_dedicated_offline_point(sweep: Path) -> None:
    run = sweep / "llama2-70b_c1"
    config = (run / "config.yaml").read_text().replace("type: concurrency", "type: max_throughput")
    (run / "config.yaml").write_text(config)
    assert _init("--path", run).exit_code == 0
    point = load_yaml(run / "point.yaml")
    assert point["offline"] == "dedicated"
    assert point["runtime_settings"]["load_pattern"] == "max_throughput"


def test_refuses_to_overwrite_without_force(sweep: Path) -> None:
    assert _init("--path", sweep).exit_code == 0
    edited = sweep / "http500_every_10th_c8" / "point.yaml"
    edited.write_text(edited.read_text() + "# my edits\n")
    result = _init("--path", sweep)
    assert result.exit_code == 1
    assert "nothing was written" in result.output and str(edited) in result.output
    assert "--force" in result.output
    assert edited.read_text().endswith("# my edits\n")
    assert _init("--path", sweep, "--force").exit_code == 0
    assert not edited.read_text().endswith("# my edits\n")


def test_a_folder_without_runs_is_a_clear_error(tmp_path: Path) -> None:
    result = _init("--path", tmp_path)
    assert result.exit_code == 1
    assert "no config.yaml" in result.output and "Traceback" not in result.output


def test_unparsable_config_is_a_clear_error(sweep: Path) -> None:
    (sweep / "llama2-70b_c1" / "config.yaml").write_text("a: [\n")
    result = _init("--path", sweep)
    assert result.exit_code == 1
    assert "config.yaml" in result.output and "Traceback" not in result.output
    assert not (sweep / "http500_every_10th_c8" / "point.yaml").exists()


def _fake_nvidia_smi(bin_dir: Path) -> None:
    bin_dir.mkdir()
    script = bin_dir / "nvidia-smi"
    script.write_text(
        '#!/bin/sh\necho "NVIDIA H200, 143771, 565.57.01"\necho "NVIDIA H200, 143771, 565.57.01"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_system_desc_template_with_and_without_nvidia_smi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    plain = tmp_path / "plain.json"
    assert _init("--system-desc-template", plain).exit_code == 0
    data = json.loads(plain.read_text())
    node = data["node_types"][0]
    assert node["host_processor_vcpu_count"] == os.cpu_count()
    assert "<FILL IN" in node["accelerator_info"][0]["accelerator_model_name"]
    assert "system_name" in find_placeholders(data)

    _fake_nvidia_smi(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    gpus = tmp_path / "gpus.json"
    assert _init("--system-desc-template", gpus).exit_code == 0
    node = json.loads(gpus.read_text())["node_types"][0]
    assert node["accelerator_info"][0]["accelerator_model_name"] == "NVIDIA H200"
    assert node["accelerator_info"][0]["accelerators_per_node"] == 2
    assert node["accelerator_info"][0]["accelerator_memory_capacity"] == "140 GB"
    assert node["driver"] == "565.57.01"

    result = _init("--system-desc-template", gpus)
    assert result.exit_code == 1 and "--force" in result.output


def test_system_desc_template_into_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "system_desc.json"
    result = _init("--system-desc-template", target)
    assert result.exit_code == 1
    assert f"{target}: cannot write the system description template" in result.output
    assert "No such file or directory" in result.output
    assert "existing directory" in result.output  # the fix
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert not target.parent.exists()


def test_a_system_description_runs_create_would_refuse_is_named_at_init(
    sweep: Path, samples_dir: Path, tmp_path: Path
) -> None:
    """The samples' system description is v0.7's: init says so once, before any run is sent."""
    desc = samples_dir / "system_desc.example.json"
    result = _init("--path", sweep, "--system-desc", desc)
    assert result.exit_code == 0
    assert result.stderr.count("is not a valid v1.0 system description yet") == 1
    assert f"warning: {desc} is not a valid v1.0" in result.stderr
    assert "system_node_ensemble_count: missing, expected an integer" in result.stderr
    assert (sweep / SAMPLES[0] / "point.yaml").is_file()  # still written: a warning only

    v1 = tmp_path / "v1"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "runs-v1.0", v1)
    clean = _init("--path", v1, "--system-desc", v1 / "system_desc.json", "--json")
    assert clean.exit_code == 0 and "warning" not in clean.stderr
    assert all(run["system_desc_problems"] == [] for run in json.loads(clean.stdout)["runs"])


def test_init_needs_something_to_do() -> None:
    assert _init().exit_code == 2


def test_cpu_and_memory_facts_are_read_from_proc_text() -> None:
    from endpoints_submission_cli.hostfacts import cpu_facts, memory_facts, os_facts

    blocks = []
    for socket in (0, 1):
        for core in (0, 1):
            for _thread in (0, 1):  # hyper-threads share the core id
                blocks.append(
                    f"processor\t: {len(blocks)}\nmodel name\t: Example EPYC 9654\n"
                    f"physical id\t: {socket}\ncore id\t\t: {core}\n"
                )
    facts = cpu_facts("\n".join(blocks) + "\n")
    assert facts["host_processor_model_name"] == "Example EPYC 9654"
    assert facts["host_processors_per_node"] == 2
    assert facts["host_processor_core_count"] == 2  # physical cores per socket
    assert memory_facts("MemTotal:       2113322432 kB\n") == {"host_memory_capacity": "2015 GB"}
    assert memory_facts("garbage") == {}
    assert os_facts('NAME="Ubuntu"\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\n') == {
        "operating_system": "Ubuntu 24.04.1 LTS"
    }
