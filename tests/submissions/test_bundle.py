"""bundle: extracted run folders in, the checker.md §1 tree out (no server, no git)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from endpoints_submission_cli.bundle import BundleOptions, BundleRun, build_bundle, safe_name
from endpoints_submission_cli.errors import BundleError
from endpoints_submission_cli.runfolder import read_run_folder

MODEL_DIR = "llama2-70b"  # submission_ref.model of the example configs


def load_runs(folder: Path) -> list[BundleRun]:
    desc = folder / "system_desc.json"
    return [
        BundleRun(f"run-{p.name}", read_run_folder(p, desc))
        for p in sorted(folder.glob("llama2-70b_c*"))
    ]


def edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_example_runs_map_to_checker_layout(tmp_path, example_runs):
    info = build_bundle(load_runs(example_runs), tmp_path / "out")
    root = tmp_path / "out" / "Example_Org"
    assert info.root == root and info.org == "Example_Org" and info.systems == ["Example_H200x8"]
    model = root / "pareto" / "Example_H200x8" / MODEL_DIR
    assert json.loads((root / "systems" / "Example_H200x8.json").read_text()) == json.loads(
        (example_runs / "system_desc.json").read_text()
    )
    # M = 128: Low Latency 1-32, Low Throughput 33-37, Medium 38-53, High 54-128.
    regions = {
        int(p.stem.split("_")[1]): yaml.safe_load(p.read_text())["region"]
        for p in (model / "points").glob("point_*.yaml")
    }
    assert regions == {
        1: "low_latency",
        8: "low_latency",
        32: "low_latency",
        36: "low_throughput",
        48: "med_throughput",
        64: "high_throughput",
        96: "high_throughput",
        128: "high_throughput",
    }
    point = yaml.safe_load((model / "points" / "point_36.yaml").read_text())
    assert point["concurrency"] == 36 and point["dataset"] == "open_orca"
    assert point["benchmark_model"] == "llama2-70b"
    assert point["runtime_settings"] == {
        "load_pattern": "concurrency",
        "stream_all_chunks": True,
        "min_duration_ms": 1200000,
        "min_sample_count": 24576,
    }
    run_dir = example_runs / "llama2-70b_c36"
    results = model / "results" / "point_36"
    assert (results / "mlperf_endpoints_log_summary.json").read_bytes() == (
        run_dir / "performance" / "result_summary.json"
    ).read_bytes()
    detail = json.loads((results / "mlperf_endpoints_log_detail.json").read_text())
    assert detail["run_id"] == "run-llama2-70b_c36"
    assert (
        detail["events_sha256"]
        == hashlib.sha256((run_dir / "events.jsonl").read_bytes()).hexdigest()
    )
    assert detail["config"]["settings"]["runtime"]["scheduler_random_seed"] == 16159082839903944936
    assert detail["metrics"] == json.loads(
        (run_dir / "metrics" / "final_snapshot.json").read_text()
    )
    accuracy = json.loads((model / "accuracy" / "accuracy_result.json").read_text())
    # Fractions from accuracy_results.json, on the official 0-100 scale of llama2-70b.
    assert accuracy["metric"] == "rouge1" and accuracy["score"]["rouge1"] == 44.52
    assert accuracy["score"]["rougeL"] == 28.74
    assert 265 < accuracy["score"]["tokens_per_sample"] < 324  # not a fraction: unscaled
    assert accuracy["quality_target"] == 43.986888 and accuracy["passed"] is True
    assert accuracy["num_samples"] == 24576
    assert "run-llama2-70b_c8" in (model / "accuracy" / "accuracy.txt").read_text()
    # src/ is the union of the runs' identical src/, documentation/ comes from one run.
    assert (root / "src" / "launch_server.sh").read_bytes() == (
        example_runs / "llama2-70b_c1" / "src" / "launch_server.sh"
    ).read_bytes()
    assert (root / "documentation" / "README.md").is_file()


def test_two_runs_at_one_concurrency_are_refused_naming_both(tmp_path, example_runs):
    clone = example_runs / "llama2-70b_c99"
    shutil.copytree(example_runs / "llama2-70b_c48", clone)
    with pytest.raises(BundleError) as err:
        build_bundle(load_runs(example_runs), tmp_path / "out")
    assert "run-llama2-70b_c48" in err.value.message and "run-llama2-70b_c99" in err.value.message
    assert "concurrency 48" in err.value.message
    assert not (tmp_path / "out").exists()


def test_disagreeing_system_descriptions_name_the_fields(tmp_path, example_runs):
    runs = load_runs(example_runs)
    other = dict(runs[0].folder.system_desc)
    other["node_types"] = [dict(other["node_types"][0], accelerators_per_node=4)]
    other["model_precision"] = "bf16"
    runs[3].folder.system_desc = other
    with pytest.raises(BundleError) as err:
        build_bundle(runs, tmp_path / "out")
    message = err.value.message
    assert runs[0].run_id in message and runs[3].run_id in message
    assert "node_types[0].accelerators_per_node: 8 vs 4" in message
    assert 'model_precision: "fp8" vs "bf16"' in message


def test_several_accuracy_runs_need_a_choice(tmp_path, example_runs):
    second = example_runs / "llama2-70b_c64" / "accuracy"
    shutil.copytree(example_runs / "llama2-70b_c8" / "accuracy", second)
    with pytest.raises(BundleError) as err:
        build_bundle(load_runs(example_runs), tmp_path / "out")
    assert "run-llama2-70b_c64" in err.value.message and "--accuracy-run" in err.value.hint
    info = build_bundle(
        load_runs(example_runs),
        tmp_path / "out",
        BundleOptions(accuracy_run_id="run-llama2-70b_c64"),
    )
    assert info.accuracy[0].run_id == "run-llama2-70b_c64"


def test_model_without_official_target_needs_quality_target(tmp_path, example_runs):
    for config in example_runs.glob("*/config.yaml"):
        config.write_text(
            config.read_text()
            .replace("meta-llama/Llama-2-70b-chat-hf", "example-org/Echo 7B")
            .replace("  model: llama2-70b\n", "")  # submission_ref.model would name the dir
        )
    desc = json.loads((example_runs / "system_desc.json").read_text())
    del desc["benchmark_model"]
    (example_runs / "system_desc.json").write_text(json.dumps(desc))
    with pytest.raises(BundleError) as err:
        build_bundle(load_runs(example_runs), tmp_path / "out")
    assert "'Echo_7B' has no official accuracy target" in err.value.message
    assert "--quality-target" in err.value.hint
    build_bundle(load_runs(example_runs), tmp_path / "out", BundleOptions(quality_target=0.4))
    result = json.loads(
        (
            tmp_path / "out/Example_Org/pareto/Example_H200x8/Echo_7B/accuracy/accuracy_result.json"
        ).read_text()
    )
    assert result["quality_target"] == 0.4 and result["score"]["rouge1"] == 0.4452  # target ≤ 1


def test_src_and_documentation_are_merged_and_conflicts_refused(tmp_path, example_runs):
    (example_runs / "llama2-70b_c1" / "src" / "tuning.yaml").write_text("max_num_seqs: 128\n")
    (example_runs / "llama2-70b_c64" / "documentation").mkdir()
    (example_runs / "llama2-70b_c64" / "documentation" / "notes.md").write_text("tuning notes")
    info = build_bundle(load_runs(example_runs), tmp_path / "ok")
    assert sorted(p.name for p in (info.root / "src").iterdir()) == [
        "launch_server.sh",
        "tuning.yaml",
    ]
    assert sorted(p.name for p in (info.root / "documentation").iterdir()) == [
        "README.md",
        "notes.md",
    ]

    (example_runs / "llama2-70b_c8" / "src" / "launch_server.sh").write_text("exec other-serve\n")
    with pytest.raises(BundleError) as err:
        build_bundle(load_runs(example_runs), tmp_path / "bad")
    assert (
        "src/launch_server.sh: run run-llama2-70b_c1 and run run-llama2-70b_c8 bring different "
        "bytes for the same file" in err.value.message
    )
    assert not (tmp_path / "bad").exists()


def test_real_accuracy_sample_is_scaled_to_the_official_scale(tmp_path, sample_copy, samples_dir):
    folder = sample_copy("accuracy_both_c4")
    shutil.copy(samples_dir / "system_desc.example.json", folder / "system_desc.json")
    results = folder / "accuracy" / "accuracy_results.json"
    data = json.loads(results.read_text())
    data["accuracy_scores"][0]["metric"] = "rouge1"  # as if the phase had scored rouge1
    results.write_text(json.dumps(data))
    run = BundleRun("acc", read_run_folder(folder))
    info = build_bundle([run], tmp_path / "out")
    result = json.loads(next(info.root.rglob("accuracy_result.json")).read_text())
    # 0.9 is a fraction; llama2-70b's official targets are on a 0-100 scale.
    assert result == {
        "metric": "rouge1",
        "score": 90.0,
        "quality_target": 43.986888,
        "passed": True,
        "dataset": "echo-acc",
        "num_samples": 50,
        "run_id": "acc",
    }


def test_safe_name():
    assert safe_name("Example Org / Lab #1") == "Example_Org___Lab__1"
    assert safe_name("..") == "_" and safe_name("a.b-c_D") == "a.b-c_D"


def test_example_runs_bundle_passes_the_checker_without_warnings(tmp_path, example_runs):
    from submission_checker import SubmissionChecker

    info = build_bundle(load_runs(example_runs), tmp_path / "out", BundleOptions(quality_target=1))
    assert info.notes == [
        "model directory 'llama2-70b' from submission_ref.model in config.yaml (runs "
        "run-llama2-70b_c1, run-llama2-70b_c128, run-llama2-70b_c32, run-llama2-70b_c36, "
        "run-llama2-70b_c48 and 3 more)",
        "--quality-target 1 is not used for 'llama2-70b': it has an official target (llama2+70b)",
    ]
    report = SubmissionChecker(info.root).run()
    assert report.passed, [r.message for r in report.errors]
    assert report.warnings == []


def test_shipped_examples_are_what_the_generator_writes(tmp_path, example_generator):
    """examples/runs/ must not drift from examples/make_example_runs.py."""
    shipped = Path(__file__).resolve().parents[2] / "examples" / "runs"
    example_generator.make_runs(tmp_path / "fresh")
    fresh_files = sorted(
        p.relative_to(tmp_path / "fresh") for p in (tmp_path / "fresh").rglob("*") if p.is_file()
    )
    assert fresh_files == sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file())
    for rel in fresh_files:
        assert (tmp_path / "fresh" / rel).read_bytes() == (shipped / rel).read_bytes(), rel
