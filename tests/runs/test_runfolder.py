"""Reading real inference-endpoint report folders (cli.md §2) and what is refused or warned."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from endpoints_submission_cli.errors import RunFolderError
from endpoints_submission_cli.runfolder import build_run_create, read_run_folder


def _edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_real_sample_is_read_with_the_facts_the_spec_names(run_folder) -> None:
    run = read_run_folder(run_folder("llama2-70b_c1"))
    assert run.model_name == "meta-llama/Llama-2-70b-chat-hf"
    assert (run.concurrency, run.load_pattern, run.dataset) == (1, "concurrency", "perf")
    assert run.stream_all_chunks is True
    assert (run.min_duration_ms, run.n_samples_to_issue) == (10000, 20)
    assert run.has_performance and run.accuracy is None
    assert run.metrics_snapshot_path.name == "final_snapshot.json"
    assert run.events_path.name == "events.jsonl"
    # RNG seeds above 2**63 stay exact in the config and in the summary
    assert run.config["settings"]["runtime"]["scheduler_random_seed"] == 16159082839903944936
    assert run.summary["run_config"]["scheduler_random_seed"] == 16159082839903944936


def test_accuracy_results_are_read(run_folder) -> None:
    run = read_run_folder(run_folder("accuracy_both_c4"))
    assert run.concurrency == 4
    assert run.accuracy["accuracy_scores"][0]["score"] == 0.9


def test_failed_samples_counted_in_completed_are_not_reported_as_dropped(run_folder) -> None:
    run = read_run_folder(run_folder("http500_every_10th_c8"))
    warnings = " ".join(run.warnings())
    assert "15 of 150 samples failed" in warnings
    assert "not accounted for" not in warnings


def test_warnings_for_what_the_checker_rejects_later(run_folder) -> None:
    folder = run_folder("llama2-70b_c1")
    config = folder / "config.yaml"
    config.write_text(
        config.read_text().replace("stream_all_chunks: true", "stream_all_chunks: false")
    )
    _edit_json(folder / "performance/result_summary.json", n_samples_completed=17)

    warnings = read_run_folder(folder).warnings()

    assert any("stream_all_chunks is False" in w and "streaming-config" in w for w in warnings)
    assert any(
        "20 samples issued, 17 completed" in w and "3 not accounted for" in w for w in warnings
    )
    assert any("lasted 11.7 s, under the 600 s minimum" in w for w in warnings)


def test_legacy_top_level_summary_is_accepted(run_folder) -> None:
    folder = run_folder("llama2-70b_c1")
    shutil.move(folder / "performance/result_summary.json", folder / "result_summary.json")
    run = read_run_folder(folder)
    assert run.summary_name == "result_summary.json"
    assert run.has_performance


def test_system_desc_from_a_separate_file(sample_copy, samples_dir: Path) -> None:
    folder = sample_copy("llama2-70b_c1")  # no system_desc.json in the folder
    run = read_run_folder(folder, samples_dir / "system_desc.example.json")
    assert run.system_desc["system_name"] == "Example H200x8 Sim"
    assert run.system_desc_path == samples_dir / "system_desc.example.json"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda f: (f / "config.yaml").unlink(), r"config\.yaml is missing"),
        (
            lambda f: (f / "config.yaml").write_text("name: [unclosed\n"),
            r"config\.yaml: not valid YAML.*line",
        ),
        (
            lambda f: (f / "config.yaml").write_text("a: 1\na: 2\n"),
            r"config\.yaml: .*duplicate key",
        ),
        (lambda f: (f / "config.yaml").write_text("- just\n- a list\n"), "mapping"),
        (
            lambda f: (f / "performance/result_summary.json").write_text('{"n_samples_issued": 2,'),
            r"performance/result_summary\.json: not valid JSON",
        ),
        (
            lambda f: (f / "performance/result_summary.json").write_text('{"duration_ns": NaN}'),
            r"result_summary\.json: NaN is not a number",
        ),
        (
            lambda f: shutil.rmtree(f / "performance"),
            r"no result summary \(performance/result_summary\.json",
        ),
        (lambda f: (f / "system_desc.json").unlink(), r"(?s)no system_desc\.json .*--system-desc"),
        (
            lambda f: (f / "system_desc.json").write_text("{nope"),
            r"system_desc\.json: not valid JSON",
        ),
        (
            lambda f: _edit_json(f / "system_desc.json", division="Closed", node_types="one"),
            r"(?s)system description is not valid.*division.*node_types",
        ),
        (
            lambda f: _edit_json(f / "performance/result_summary.json", duration_ns=None),
            r"duration_ns is missing, expected a positive number",
        ),
    ],
)
def test_bad_folders_are_refused_with_file_and_field(run_folder, mutate, expected: str) -> None:
    folder = run_folder("llama2-70b_c1")
    mutate(folder)
    with pytest.raises(RunFolderError) as caught:
        read_run_folder(folder)
    assert re.search(expected, f"{caught.value}\nhint: {caught.value.hint}"), caught.value


def test_config_missing_concurrency_names_the_field(run_folder) -> None:
    folder = run_folder("llama2-70b_c1")
    config = folder / "config.yaml"
    config.write_text(
        config.read_text().replace("target_concurrency: 1", "target_concurrency: null")
    )
    _edit_json(folder / "performance/result_summary.json", run_config={})
    with pytest.raises(
        RunFolderError, match=r"settings\.load_pattern\.target_concurrency is missing"
    ):
        read_run_folder(folder)


def test_summary_of_a_run_without_tokenizer_is_refused_with_the_reason(run_folder) -> None:
    folder = run_folder("llama2-70b_c1")
    _edit_json(folder / "performance/result_summary.json", tps=None, output_sequence_lengths={})
    with pytest.raises(RunFolderError, match="without a tokenizer") as caught:
        read_run_folder(folder)
    assert "output_sequence_lengths is empty" in str(caught.value)
    assert "tokenizer_name" in caught.value.hint


def test_run_create_payload(run_folder) -> None:
    folder = run_folder("llama2-70b_c1")
    summary = folder / "performance/result_summary.json"
    end = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.timezone.utc).timestamp()
    os.utime(summary, (end, end))
    run = read_run_folder(folder)

    payload = build_run_create(run, cli_version="9.9", pinned=True)

    assert payload["cli_version"] == "9.9" and payload["benchmark_version"] == "0.1.0"
    # test_started_at is 0 in real summaries: start = summary mtime - duration (11.74 s)
    assert payload["finished_at"] == "2026-03-01T12:00:00+00:00"
    assert payload["started_at"].startswith("2026-03-01T11:59:48.2")
    assert payload["system_info"]["system_name"] == "Example H200x8 Sim"
    assert payload["config"] == run.config and payload["result_summary"] == run.summary
    assert payload["pinned"] is True and "expires_at" not in payload
    assert "16159082839903944936" in json.dumps(payload)


def test_plausible_test_started_at_is_used(run_folder) -> None:
    folder = run_folder("llama2-70b_c1")
    start_ns = int(dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc).timestamp() * 1e9)
    _edit_json(folder / "performance/result_summary.json", test_started_at=start_ns)
    payload = build_run_create(read_run_folder(folder), cli_version="x")
    assert payload["started_at"] == "2026-02-01T00:00:00+00:00"
    assert payload["finished_at"].startswith("2026-02-01T00:00:11.74")


def test_an_invalid_system_description_points_at_both_rounds_schemas(run_folder) -> None:
    """The same reader serves v1.0 folders: the hint must not send them to the v0.7 schema only."""
    folder = run_folder("llama2-70b_c1")
    _edit_json(folder / "system_desc.json", division="Closed")
    with pytest.raises(RunFolderError) as caught:
        read_run_folder(folder)
    assert "checker.md §2.1 for v0.7" in caught.value.hint
    assert "checker-v1.0.md §4.2 for a v1.0 folder" in caught.value.hint
