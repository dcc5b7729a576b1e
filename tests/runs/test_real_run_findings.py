"""Issue 15, real benchmark output at `runs create`: dataset identity, audits, config causes."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

from endpoints_submission_cli.prism import PrismClient


def _create(cli, folder: Path, *extra: str):
    return cli("runs", "create", "--path", folder, *extra)


def _edit_config(folder: Path, old: str, new: str) -> None:
    config = folder / "config.yaml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))


def test_dataset_file_size_and_sha256_travel_in_the_run_archive(cli, prism, run_folder, tmp_path):
    dataset = tmp_path / "dummy_1k.jsonl"
    dataset.write_text('{"text_input": "hello"}\n{"text_input": "world"}\n')
    folder = run_folder("llama2-70b_c1")
    _edit_config(folder, "/srv/bench/datasets/dummy_1k.jsonl", str(dataset))

    created = _create(cli, folder)
    assert created.exit_code == 0, created.stderr
    run_id = created.stdout.strip()
    assert f"dataset perf: {dataset}" in created.stderr
    assert cli("runs", "get", "--run-id", run_id, "--download-to", tmp_path / "dl").exit_code == 0
    with tarfile.open(tmp_path / "dl" / f"{run_id}.tar.gz") as tar:
        recorded = json.load(tar.extractfile("llama2-70b_c1/dataset_file.json"))
    assert recorded == {
        "path": str(dataset),
        "size_bytes": dataset.stat().st_size,
        "sha256": hashlib.sha256(dataset.read_bytes()).hexdigest(),
    }
    assert not (folder / "dataset_file.json").exists()  # the user's folder is left as it was


def test_dry_run_lists_the_dataset_record(cli, run_folder):
    result = _create(cli, run_folder(), "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    files = {f["path"] for f in json.loads(result.stdout)["archive"]["files"]}
    assert "dataset_file.json" in files


def test_failed_audit_is_a_warning_and_the_run_is_registered(cli, prism, run_folder):
    folder = run_folder("accuracy_both_c4")
    (folder / "audit").mkdir()
    (folder / "audit" / "tokens_audit.json").write_text(
        json.dumps({"test": "output tokens", "passed": False, "reason": "mismatch"})
    )
    (folder / "audit" / "seed_audit.json").write_text(json.dumps({"passed": True}))
    created = _create(cli, folder)
    assert created.exit_code == 0, created.stderr
    assert "audit/tokens_audit.json: the audit did not pass" in created.stderr
    assert "seed_audit" not in created.stderr
    with PrismClient(prism.url, prism.token) as client:
        assert [r["id"] for r in client.list_runs()] == [created.stdout.strip()]


def test_offline_run_is_refused_as_offline(offline_cli, run_folder):
    folder = run_folder("llama2-70b_c1")
    _edit_config(folder, "type: concurrency\n    target_concurrency: 1\n", "type: max_throughput\n")
    summary = folder / "performance" / "result_summary.json"
    data = json.loads(summary.read_text())
    data["run_config"]["load_pattern"] = {"type": "max_throughput"}
    summary.write_text(json.dumps(data))
    result = _create(offline_cli, folder, "--dry-run")
    assert result.exit_code == 1
    assert "settings.load_pattern.type is 'max_throughput' (an Offline run)" in result.stderr
    assert "target_concurrency is missing" not in result.stderr
    assert "Traceback" not in result.stderr


def test_run_cut_by_max_duration_says_so(offline_cli, run_folder):
    folder = run_folder("http500_every_10th_c8")
    _edit_config(folder, "max_duration_ms: 0\n", "max_duration_ms: 1000\n")
    summary = folder / "performance" / "result_summary.json"
    data = json.loads(summary.read_text())
    data.update(n_samples_issued=120, n_samples_completed=100, duration_ns=1_050_000_000)
    summary.write_text(json.dumps(data))
    result = _create(offline_cli, folder, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "settings.runtime.max_duration_ms = 1000 ended the run after 1.1 s" in result.stderr
    assert "120 of n_samples_to_issue 150 issued" in result.stderr
    assert "(was the run cut short?)" not in result.stderr


def test_dataset_record_is_dated_like_the_config_so_packing_is_repeatable(run_folder, tmp_path):
    """The record is written fresh at each packing; dated by the clock, equal folders would give
    different archive bytes (and a different SHA-256) a second later."""
    from endpoints_submission_cli.registration import pack_run
    from endpoints_submission_cli.runfolder import read_run_folder

    folder = run_folder("llama2-70b_c1")
    archive = pack_run(read_run_folder(folder), tmp_path, ())
    with tarfile.open(archive.path) as tar:
        member = tar.getmember("llama2-70b_c1/dataset_file.json")
    assert member.mtime == int((folder / "config.yaml").stat().st_mtime)
