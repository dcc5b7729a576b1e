"""Issue 15, real benchmark output: bundles built from the vendored inference-endpoint runs."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from endpoints_submission_cli.bundle import BundleOptions, BundleRun, build_bundle
from endpoints_submission_cli.runfolder import read_run_folder
from submission_checker import SubmissionChecker


@pytest.fixture
def real_run(sample_copy, samples_dir, tmp_path):
    """A real run folder with the example system description, at a chosen concurrency."""

    def make(name: str, concurrency: int | None = None, as_name: str | None = None) -> Path:
        folder = sample_copy(name)
        if as_name:
            folder = folder.rename(folder.parent / as_name)
        shutil.copy(samples_dir / "system_desc.example.json", folder / "system_desc.json")
        if concurrency is not None:
            config = folder / "config.yaml"
            data = yaml.safe_load(config.read_text())
            old = data["settings"]["load_pattern"]["target_concurrency"]
            config.write_text(
                config.read_text().replace(
                    f"target_concurrency: {old}\n", f"target_concurrency: {concurrency}\n"
                )
            )
            summary = folder / "performance" / "result_summary.json"
            data = json.loads(summary.read_text())
            data["run_config"]["load_pattern"]["target_concurrency"] = concurrency
            summary.write_text(json.dumps(data))
        return folder

    return make


def _bundle(tmp_path: Path, runs: dict[str, Path], **options) -> tuple:
    bundle_runs = [BundleRun(run_id, read_run_folder(path)) for run_id, path in runs.items()]
    info = build_bundle(bundle_runs, tmp_path / "out", BundleOptions(**options))
    return info, info.root


# -- item 1: a --mode both run serves as the accuracy run beside a performance point ---------


@pytest.mark.parametrize("named", [True, False], ids=["--accuracy-run", "only-accuracy-run"])
def test_both_mode_run_is_used_for_accuracy_alone_beside_a_performance_point(
    tmp_path, real_run, named
):
    perf_c4 = real_run("llama2-70b_c1", concurrency=4)
    both_c4 = real_run("accuracy_both_c4")
    options = {"accuracy_run_id": "both"} if named else {}
    info, root = _bundle(tmp_path, {"perf": perf_c4, "both": both_c4}, **options)

    assert [(p.concurrency, p.run_id) for p in info.points] == [(4, "perf")]
    assert [a.run_id for a in info.accuracy] == ["both"]
    point = yaml.safe_load(next(root.rglob("point_4.yaml")).read_text())
    assert point["run_id"] == "perf"
    summary = next(root.rglob("results/point_4/mlperf_endpoints_log_summary.json"))
    assert summary.read_bytes() == (perf_c4 / "performance" / "result_summary.json").read_bytes()
    assert any("run both" in n and "accuracy alone" in n for n in info.notes), info.notes


def test_two_performance_runs_at_one_concurrency_are_still_refused(tmp_path, real_run):
    from endpoints_submission_cli.errors import BundleError

    first = real_run("llama2-70b_c1", concurrency=4, as_name="a")
    second = real_run("http500_every_10th_c8", concurrency=4, as_name="b")
    with pytest.raises(BundleError, match="both performance runs"):
        _bundle(tmp_path, {"a": first, "b": second, "acc": real_run("accuracy_both_c4")})


# -- item 2: the model directory ------------------------------------------------------------


def test_model_directory_comes_from_submission_ref_model(tmp_path, real_run):
    runs = {"c1": real_run("llama2-70b_c1"), "acc": real_run("accuracy_both_c4")}
    info, root = _bundle(tmp_path, runs)
    model_dirs = [p.name for p in (root / "pareto" / "Example_H200x8_Sim").iterdir()]
    assert model_dirs == ["llama2-70b"]
    point = yaml.safe_load(next(root.rglob("point_1.yaml")).read_text())
    assert point["benchmark_model"] == "llama2-70b"
    assert "model directory 'llama2-70b' from submission_ref.model in config.yaml" in "\n".join(
        info.notes
    )


def test_model_directory_falls_back_to_system_desc_then_model_params(tmp_path, real_run):
    runs = {"c1": real_run("llama2-70b_c1"), "acc": real_run("accuracy_both_c4")}
    for folder in runs.values():
        config = folder / "config.yaml"
        config.write_text(config.read_text().replace("  model: llama2-70b\n", ""))
    desc = json.loads((runs["c1"] / "system_desc.json").read_text())

    def describe(desc):
        for folder in runs.values():
            (folder / "system_desc.json").write_text(json.dumps(desc))

    desc["benchmark_model"] = "llama2-70b-99"
    describe(desc)
    info, root = _bundle(tmp_path, runs)
    assert [p.name for p in (root / "pareto" / "Example_H200x8_Sim").iterdir()] == ["llama2-70b-99"]
    assert any("benchmark_model in the system description" in n for n in info.notes)

    del desc["benchmark_model"]
    describe(desc)
    info, root = _bundle(tmp_path / "2", runs, quality_target=0.5)
    assert [p.name for p in (root / "pareto" / "Example_H200x8_Sim").iterdir()] == [
        "Llama-2-70b-chat-hf"
    ]
    assert any("model_params.name" in n for n in info.notes)


def test_model_option_overrides_every_source(tmp_path, real_run):
    runs = {"c1": real_run("llama2-70b_c1"), "acc": real_run("accuracy_both_c4")}
    info, root = _bundle(tmp_path, runs, model="llama2-70b-interactive")
    assert [p.name for p in (root / "pareto" / "Example_H200x8_Sim").iterdir()] == [
        "llama2-70b-interactive"
    ]
    assert any("from --model" in n for n in info.notes)


# -- item 3: a dataset is its file, not its label ----------------------------------------


def test_same_dataset_file_under_two_labels_is_one_dataset(tmp_path, real_run):
    c1 = real_run("llama2-70b_c1")
    c8 = real_run("http500_every_10th_c8")
    config = c8 / "config.yaml"
    config.write_text(config.read_text().replace("- name: perf\n", "- name: dummy_1k\n"))
    info, root = _bundle(tmp_path, {"c1": c1, "c8": c8, "acc": real_run("accuracy_both_c4")})
    points = {p.name: yaml.safe_load(p.read_text()) for p in root.rglob("point_*.yaml")}
    assert points["point_8.yaml"]["dataset"] == "dummy_1k"
    assert points["point_1.yaml"]["dataset_file"] == {"path": "/srv/bench/datasets/dummy_1k.jsonl"}
    report = SubmissionChecker(root).run()
    found = [r for r in report.results if r.rule == "config-consistency-dataset"]
    assert [r.severity for r in found] == ["info"], [r.message for r in found]


def test_different_dataset_files_still_fail_consistency(tmp_path, real_run):
    c1 = real_run("llama2-70b_c1")
    c8 = real_run("http500_every_10th_c8")
    config = c8 / "config.yaml"
    config.write_text(config.read_text().replace("dummy_1k.jsonl", "other_2k.jsonl"))
    info, root = _bundle(tmp_path, {"c1": c1, "c8": c8, "acc": real_run("accuracy_both_c4")})
    report = SubmissionChecker(root).run()
    found = [r for r in report.results if r.rule == "config-consistency-dataset"]
    assert [r.severity for r in found] == ["error"]
    assert "other_2k.jsonl" in found[0].message and "dummy_1k.jsonl" in found[0].message


def test_dataset_size_and_sha256_recorded_at_runs_create_are_bundled(tmp_path, real_run):
    from endpoints_submission_cli.runfolder import DATASET_FILE, dataset_identity

    data_file = tmp_path / "dummy_1k.jsonl"
    data_file.write_text('{"text_input": "hello"}\n')
    folder = real_run("llama2-70b_c1")
    config = folder / "config.yaml"
    config.write_text(
        config.read_text().replace("/srv/bench/datasets/dummy_1k.jsonl", str(data_file))
    )
    identity = dataset_identity(read_run_folder(folder))
    assert identity == {
        "path": str(data_file),
        "size_bytes": data_file.stat().st_size,
        "sha256": hashlib.sha256(data_file.read_bytes()).hexdigest(),
    }
    # What runs create puts into the archive is what the bundle reads back after download.
    (folder / DATASET_FILE).write_text(json.dumps(identity))
    data_file.unlink()  # the submitter's machine no longer has it
    info, root = _bundle(tmp_path, {"c1": folder, "acc": real_run("accuracy_both_c4")})
    point = yaml.safe_load(next(root.rglob("point_1.yaml")).read_text())
    assert point["dataset_file"] == identity


# -- item 6: a score without any official metric ----------------------------------------


def test_accuracy_without_an_official_metric_is_written_as_measured_and_fails(tmp_path, real_run):
    info, root = _bundle(tmp_path, {"both": real_run("accuracy_both_c4")})
    result = json.loads(next(root.rglob("accuracy_result.json")).read_text())
    assert result["metric"] == "string_match" and result["score"] == 0.9
    assert result["passed"] is False
    assert result["quality_target"] == pytest.approx(43.986888)
    assert info.accuracy[0].passed is False
    report = SubmissionChecker(root).run()
    rules = {r.rule: r for r in report.errors}
    assert "accuracy-consistency" not in rules
    assert "no official metric reported" in rules["accuracy-gate"].message


# -- end to end: registered real runs, `submissions create --dry-run` -------------------


def test_create_sweep_with_a_both_mode_accuracy_run_and_model_option(
    cli, api, register, real_run, tmp_path
):
    perf_c4 = real_run("llama2-70b_c1", concurrency=4, as_name="perf_c4")
    perf_c1 = real_run("llama2-70b_c1")
    both_c4 = real_run("accuracy_both_c4")
    ids = register([perf_c1, perf_c4, both_c4])
    out = tmp_path / "out"
    result = cli(
        "submissions", "create", "--division", "standardized", "--availability", "available",
        "--run-ids", ",".join(ids), "--accuracy-run", ids[2], "--model", "llama2-70b-99",
        "--dry-run", "--output", out, "--json",
    )  # fmt: skip
    assert "two performance runs" not in result.stderr and "both performance" not in result.stderr
    assert f"note: run {ids[2]} is used for accuracy alone" in result.stderr
    assert "note: model directory 'llama2-70b-99' from --model" in result.stderr
    model_dir = out / "Example_Org" / "pareto" / "Example_H200x8_Sim" / "llama2-70b-99"
    assert sorted(p.name for p in (model_dir / "points").iterdir()) == [
        "point_1.yaml",
        "point_4.yaml",
    ]
    assert (
        json.loads((model_dir / "accuracy" / "accuracy_result.json").read_text())["run_id"]
        == ids[2]
    )
    assert api.submissions() == []


# -- item 7: audit results reach the checker ----------------------------------------------


def test_failed_audit_of_a_run_is_a_checker_warning(tmp_path, real_run):
    c1 = real_run("llama2-70b_c1")
    (c1 / "audit").mkdir()
    (c1 / "audit" / "tokens_audit.json").write_text(json.dumps({"passed": False}))
    info, root = _bundle(tmp_path, {"c1": c1, "acc": real_run("accuracy_both_c4")})
    point = yaml.safe_load(next(root.rglob("point_1.yaml")).read_text())
    assert point["audits"] == [{"file": "audit/tokens_audit.json", "passed": False}]
    report = SubmissionChecker(root).run()
    found = [r for r in report.warnings if r.rule == "audit-passed"]
    assert [(r.concurrency, r.message) for r in found] == [
        (1, "audit audit/tokens_audit.json of run c1: passed is false")
    ]


def test_a_rebuild_keeps_the_model_directory_chosen_with_model(
    cli, api, example_ids, bare_repo, monkeypatch, git
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    ids = [rid for c, rid in example_ids.items() if c != 96]
    created = cli(
        "submissions", "create", "--division", "standardized", "--availability", "available",
        "--run-ids", ",".join(ids), "--model", "llama2-70b-99",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    sid = created.stdout.strip()
    added = cli("submissions", "add-run", "--submission-id", sid, "--run-id", example_ids[96])
    assert added.exit_code == 0, added.stderr
    assert "model directory 'llama2-70b-99' from the submission's previous bundle" in added.stderr
    files = git("ls-tree", "-r", "--name-only", f"submission-{sid}", cwd=bare_repo).split()
    paths = [f.split("/") for f in files]
    assert {p[3] for p in paths if len(p) > 4 and p[1] == "pareto"} == {"llama2-70b-99"}
    assert any(f.endswith("llama2-70b-99/points/point_96.yaml") for f in files)
