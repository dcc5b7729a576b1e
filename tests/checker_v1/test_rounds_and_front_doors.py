"""Rounds (A1): auto-detection, the round in every format, the same verdict from the console
script, ``python -m`` and the library in both rounds, real inference-endpoint output in a v1.0
tree, and no traceback on randomly damaged v1.0 trees."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from checker_v1_builder import PointSpec, V1Tree
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker import SubmissionChecker
from submission_checker.cli import main
from submission_checker.rounds import detect_round
from submission_checker.run_folder_v1 import check_run_folder_v1

from ..damage import (
    ENTRY_DAMAGE,
    FILE_DAMAGE_DRAWS,
    assert_checks_soundly,
    assert_sound,
    damage_entry,
    damaged_file,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "inference-endpoint"
CONSOLE_SCRIPT = Path(sys.executable).parent / "submission-checker"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generator():
    """The v0.7 example generator (``examples/make_example_submission.py``)."""
    name = "make_example_submission"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "examples" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def v07_org(tmp_path, generator) -> Path:
    return generator.write_submission(tmp_path / "v07")


def test_auto_detection_follows_the_layout(tmp_path, v1_tree):
    assert detect_round(v1_tree.org) == "v1.0"  # <org>/ with one <submission_id>/results/
    assert detect_round(v1_tree.root) == "v1.0"  # the submission root itself
    old = tmp_path / "old"
    (old / "systems").mkdir(parents=True)
    assert detect_round(old) == "v0.7"
    (tmp_path / "pareto-only" / "pareto").mkdir(parents=True)
    assert detect_round(tmp_path / "pareto-only") == "v0.7"
    (tmp_path / "empty").mkdir()
    assert detect_round(tmp_path / "empty") == "v1.0"
    assert detect_round(tmp_path / "missing") == "v1.0"
    # an empty directory is checked as v1.0, and the error names both layouts
    report = SubmissionChecker(tmp_path / "empty").run()
    assert report.rules_round == "v1.0"
    missing = [r for r in report.errors if r.rule == "required-dir"]
    assert any("systems/ and pareto/" in r.message and "--round v0.7" in r.message for r in missing)


def test_v07_tree_checked_as_v10_gets_the_hint(v07_org):
    org = v07_org
    report = SubmissionChecker(org, round="v1.0").run()
    assert any("--round v0.7" in r.message for r in report.errors if r.rule == "required-dir")
    assert SubmissionChecker(org).run().rules_round == "v0.7"
    assert SubmissionChecker(org, rules_round="v0.7").run().passed


def test_unknown_round_is_refused(v1_tree):
    with pytest.raises(ValueError, match="unknown rules round"):
        SubmissionChecker(v1_tree.org, round="v2.0")
    result = CliRunner().invoke(main, ["check", str(v1_tree.org), "--round", "v2.0"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "fmt, marker",
    [
        ("text", "rules v1.0"),
        ("json", '"rules_round": "v1.0"'),
        ("sarif", '"rulesRound": "v1.0"'),
        ("junit", 'name="rules_round" value="v1.0"'),
        ("github", "(rules v1.0)"),
    ],
)
def test_every_format_names_the_round(v1_tree, fmt, marker):
    result = CliRunner().invoke(main, ["check", str(v1_tree.org), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert marker in result.output


def findings(results):
    return sorted(
        (r["rule"], r["severity"], r["path"] or "", r["message"], r["concurrency"] or 0)
        for r in results
    )


def _damage_v1(tree: V1Tree) -> None:
    """One error (a seed the set does not have) and one warning (a misplaced region)."""
    tree.edit_point_yaml(64, lambda d: d["runtime_settings"]["runtime"].update(model_seed=1))
    tree.edit_point_yaml(128, lambda d: d.update(region="med_concurrency"))


def _damage_v07(org: Path) -> None:
    """Streaming off at C = 8: an error in v0.7."""
    point = org / "pareto" / "example-system" / "llama2-70b" / "points" / "point_8.yaml"
    data = yaml.safe_load(point.read_text())
    data["runtime_settings"]["stream_all_chunks"] = False
    point.write_text(yaml.safe_dump(data))


@pytest.mark.parametrize("round_name", ["v0.7", "v1.0"])
def test_console_script_module_and_library_agree(round_name, v1_tree, v07_org, tmp_path):
    if round_name == "v1.0":
        _damage_v1(v1_tree)
        org = v1_tree.org
    else:
        _damage_v07(v07_org)
        org = v07_org
    library = SubmissionChecker(org).run()
    assert library.rules_round == round_name and not library.passed
    command = (
        [str(CONSOLE_SCRIPT)]
        if CONSOLE_SCRIPT.exists()
        else [sys.executable, "-m", "submission_checker"]
    )
    outputs = []
    for runner in (command, [sys.executable, "-m", "submission_checker"]):
        out = tmp_path / f"{len(outputs)}.json"
        done = subprocess.run(
            [*runner, "check", str(org), "-q", "-o", str(out)], capture_output=True, text=True
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert f"rules {round_name}" in done.stdout
        outputs.append(json.loads(out.read_text()))
    expected = findings(library.model_dump(mode="json")["results"])
    assert findings(outputs[0]["results"]) == findings(outputs[1]["results"]) == expected
    assert outputs[0]["verdict"] == outputs[1]["verdict"] == "FAILED"
    assert outputs[0]["rules_round"] == outputs[1]["rules_round"] == round_name
    forced = CliRunner().invoke(main, ["check", str(org), "-q", "--round", round_name])
    assert forced.exit_code == 1


def test_rules_and_explain_per_round():
    v1 = CliRunner().invoke(main, ["rules", "--round", "v1.0"]).output
    v07 = CliRunner().invoke(main, ["rules"]).output
    assert "seed-set-membership" in v1 and "seed-set-membership" not in v07
    assert "pareto-subdir" in v07 and "pareto-subdir" not in v1
    assert "failed-samples" in v1 and "failed-samples" in v07
    explained = CliRunner().invoke(main, ["explain", "concurrency-in-range", "--round", "v1.0"])
    assert explained.exit_code == 0 and "111" in explained.output and "110" in explained.output
    streaming = CliRunner().invoke(main, ["explain", "streaming-config", "--round", "v1.0"])
    assert "Severity: info" in streaming.output
    assert "Severity: error" in CliRunner().invoke(main, ["explain", "streaming-config"]).output
    only_v1 = CliRunner().invoke(main, ["explain", "warmup-salt"])
    assert only_v1.exit_code == 0 and "Rounds:   v1.0" in only_v1.output


@pytest.mark.parametrize(
    "c_max, c_min, rows",
    [
        (33, 32, ["1–32", "33", "(empty)", "(empty)", "34–37"]),
        (64, 32, ["1–32", "33–35", "36–42", "43–64", "65–71"]),
        (100, 32, ["1–32", "33–36", "37–49", "50–100", "101–110"]),
        (1024, 32, ["1–32", "33–42", "43–131", "132–1024", "1025–1127"]),
        (1024, 16, ["1–16", "17–26", "27–117", "118–1024", "1025–1127"]),
        (5000, 32, ["1–32", "33–49", "50–323", "324–5000", "5001–5500"]),
        (128, 1, ["1", "2–6", "7–26", "27–128", "129–141"]),
    ],
)
def test_regions_command_v1(c_max, c_min, rows):
    result = CliRunner().invoke(
        main,
        ["regions", "-m", str(c_max), "--round", "v1.0", "--min-concurrency", str(c_min)],
    )
    assert result.exit_code == 0, result.output
    table = result.output.splitlines()[2:7]
    assert [line.split()[-2] for line in table] == rows
    assert "Margin" in table[-1]


def test_regions_command_v1_refuses_bad_bounds():
    result = CliRunner().invoke(main, ["regions", "-m", "32", "--round", "v1.0"])
    assert result.exit_code == 1 and "C_max must be greater than 32" in result.output
    result = CliRunner().invoke(main, ["regions", "-m", "64", "--min-concurrency", "8"])
    assert result.exit_code == 2


# ---------------------------------------------------------------------------------------------
# Real inference-endpoint output in a v1.0 tree


def test_real_http500_run_in_a_v1_tree(v1_tree):
    """150 issued, 150 completed (15 of them failed), "90.0" keys, ``tps`` not system_tps."""
    v1_tree.add_point(PointSpec(8))
    run = SAMPLES / "http500_every_10th_c8"
    shutil.copyfile(
        run / "performance" / "result_summary.json", v1_tree.path(8, "result_summary.json")
    )
    shutil.copyfile(run / "config.yaml", v1_tree.path(8, "config.yaml"))
    report = SubmissionChecker(v1_tree.org).run()
    at_8 = {}
    for r in report.results:
        if r.concurrency == 8:
            at_8.setdefault(r.rule, []).append(r)
    assert [r.severity for r in at_8["result-file-valid"]] == ["info"]
    assert [r.severity for r in at_8["metric-consistency-accounting"]] == ["info"]
    assert [r.severity for r in at_8["metric-consistency-tpot-p90"]] == ["info"]
    system_tps = at_8["metric-consistency-system-tps"]
    assert [r.severity for r in system_tps] == ["info"]
    assert "tps = 1527.89" in system_tps[0].message
    failed = at_8["failed-samples"]
    assert [r.severity for r in failed] == ["warning"]
    assert "found 15, expected 0 (10.00 % of 150 issued" in failed[0].message
    assert "135 successful samples" in at_8["min-query-count"][0].message
    # the real run used its own seeds and concurrency 8: point.yaml (typed by hand) disagrees
    mismatches = {r.message for r in at_8["config-point-consistency"]}
    assert any("16159082839903944936" in m for m in mismatches)
    assert all(r.path == v1_tree.rel(8, "point.yaml") for r in at_8["config-point-consistency"])


def test_no_tokenizer_run_is_one_clear_error(v1_tree):
    def no_tokenizer(d):
        d.update(output_sequence_lengths={}, tps=None, tpot={})
        d.pop("tps_per_user", None)

    v1_tree.edit_summary(64, no_tokenizer)
    report = SubmissionChecker(v1_tree.org).run()
    at_64 = [r for r in report.results if r.concurrency == 64 and r.severity == "error"]
    assert [(r.rule, r.path) for r in at_64] == [
        ("result-file-valid", v1_tree.rel(64, "result_summary.json"))
    ]
    assert "without a tokenizer" in at_64[0].message and "tokenizer" in at_64[0].fix
    assert not [
        r
        for r in report.results
        if r.concurrency == 64 and r.rule == "metric-consistency-system-tps"
    ]


def test_run_folder_check_for_runs_create(tmp_path, v1_tree):
    """The point-level v1.0 rules on one run folder (performance/ and accuracy/ sub-folders)."""
    run = tmp_path / "run"
    shutil.copytree(v1_tree.path(4), run)
    (run / "performance").mkdir()
    (run / "result_summary.json").rename(run / "performance" / "result_summary.json")
    (run / "accuracy").mkdir()
    (run / "accuracy_results.json").rename(run / "accuracy" / "accuracy_results.json")
    report = check_run_folder_v1(run)
    assert report.passed and report.rules_round == "v1.0", [
        (r.rule, r.message) for r in report.errors
    ]
    assert {"accuracy-gate", "result-file-valid", "config-point-consistency"} <= {
        r.rule for r in report.results
    }
    # a typed point.yaml claiming other seeds than the run used is caught before upload
    data = yaml.safe_load((run / "point.yaml").read_text())
    data["runtime_settings"]["runtime"]["scheduler_rng_seed"] = 5
    (run / "point.yaml").write_text(yaml.safe_dump(data))
    errors = {(r.rule, r.path) for r in check_run_folder_v1(run).errors}
    assert ("config-point-consistency", "point.yaml") in errors
    assert ("seed-runtime-match", "point.yaml") in errors
    missing = check_run_folder_v1(tmp_path / "nope")
    assert [(r.rule, r.severity) for r in missing.results] == [("path-exists", "error")]


# ---------------------------------------------------------------------------------------------
# Random damage: never a traceback

FILES = [
    (64, "point.yaml"),
    (64, "system_desc.json"),
    (1, "system_desc.json"),
    (64, "result_summary.json"),
    (64, "config.yaml"),
    (1, "accuracy_results.json"),
]


@pytest.fixture(scope="module")
def base_v1_tree(tmp_path_factory):
    return V1Tree.build(tmp_path_factory.mktemp("v1-base"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    file_index=st.integers(0, len(FILES) - 1),
    position=st.integers(0, 100_000),
    **FILE_DAMAGE_DRAWS,
)
def test_random_damage_never_raises(
    base_v1_tree, file_index, how, path_choices, value, raw, position
):
    c, name = FILES[file_index]
    with damaged_file(base_v1_tree.path(c, name), how, path_choices, value, raw, position):
        assert_checks_soundly(base_v1_tree.org)


@settings(max_examples=40, deadline=None)
@given(pick=st.integers(0, 10_000), how=ENTRY_DAMAGE)
def test_random_structural_damage_never_raises(tmp_path_factory, pick, how):
    tree = V1Tree.build(tmp_path_factory.mktemp("v1-damaged"))
    damage_entry(tree.org, pick, how)
    assert_sound(SubmissionChecker(tree.org, round="v1.0").run())


def test_v1_check_in_two_processes_equals_one(v1_tree, monkeypatch):
    from submission_checker import checker as checker_module

    _damage_v1(v1_tree)
    serial = SubmissionChecker(v1_tree.org).run().model_dump_json()
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    forks = []
    real_fork = os.fork

    def counting_fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    assert SubmissionChecker(v1_tree.org).run().model_dump_json() == serial
    assert forks == [1]


def test_v1_tree_checked_as_v07_gets_the_hint(v1_tree):
    report = SubmissionChecker(v1_tree.org, round="v0.7").run()
    assert report.rules_round == "v0.7"
    missing = [r for r in report.errors if r.rule == "required-dir"]
    assert missing and all("--round v1.0" in r.message for r in missing)


def test_plot_draws_a_v1_curve(v1_tree, tmp_path):
    pytest.importorskip("matplotlib")
    from submission_checker.plot import plot_submission

    v1_tree.edit_point_yaml(64, lambda d: d["runtime_settings"]["runtime"].update(model_seed=1))
    outcome = plot_submission(v1_tree.org, tmp_path / "curve.html")
    assert (outcome.curves, outcome.points, outcome.failing_points) == (1, 9, 1)
    page = outcome.path.read_text()
    assert "Ultra Low Concurrency (1)" in page and "Offline (dedicated)" in page
    assert "Medium Concurrency (8–41)" in page


def test_no_tokenizer_run_is_one_error_in_v07_too(v07_org):
    summary = (
        v07_org
        / "pareto"
        / "example-system"
        / "llama2-70b"
        / "results"
        / "point_8"
        / "mlperf_endpoints_log_summary.json"
    )
    data = json.loads(summary.read_text())
    data.update(output_sequence_lengths={}, tps=None, system_tps=None)
    data.pop("tps_per_user", None)
    summary.write_text(json.dumps(data))
    report = SubmissionChecker(v07_org).run()
    assert report.rules_round == "v0.7"
    errors = [(r.rule, r.concurrency) for r in report.errors]
    assert errors == [("result-file-valid", 8)]
    assert "without a tokenizer" in report.errors[0].message
