"""`submissions create` and later changes for round v1.0 runs, against a real prism-server, a
bare git repository (and the `gh` stand-in where a PR is involved)."""

from __future__ import annotations

import importlib.util
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from submission_checker import SubmissionChecker

REPO_ROOT = Path(__file__).resolve().parents[2]
CREATE = ("submissions", "create", "--division", "serviced", "--availability", "available")
SYSTEM_DIR = "Example_Cloud_Endpoint"
MODEL_DIR = "llama3_1-8b"
CONCURRENCIES = (1, 4, 16, 32, 64, 128, 256, 272, 512)


@pytest.fixture(scope="session")
def runs_v1_generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_runs_v1", REPO_ROOT / "examples" / "make_example_runs_v1.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sweep(tmp_path, runs_v1_generator) -> list[Path]:
    """The v1.0 example sweep as complete run folders (point.yaml and system_desc.json)."""
    return runs_v1_generator.make_runs_v1(tmp_path / "sweep", with_point_yaml=True)


@pytest.fixture
def sweep_ids(sweep, register) -> dict[int, str]:
    ids = register(sweep)
    return dict(zip(CONCURRENCIES, ids, strict=True))


def run_cli(prism, *args) -> tuple[int, str, str]:
    """The CLI as a real process (so the `gh` stand-in can SIGKILL it)."""
    env = dict(os.environ, MLPERF_API_BASE_URL=prism.url, PRISM_USER_API_TOKEN=prism.token)
    done = subprocess.run(
        [sys.executable, "-m", "endpoints_submission_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def _ids(sweep_ids: dict[int, str]) -> str:
    return ",".join(sweep_ids.values())


def test_v1_sweep_lands_on_a_checked_branch_and_review_pending(
    cli, api, sweep_ids, bare_repo, git, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    result = cli(*CREATE, "--run-ids", _ids(sweep_ids), "--test", "--json")
    assert result.exit_code == 0, result.output
    sid = json.loads(result.stdout)["id"]

    submission = api.submission(sid)
    assert submission["status"] == "REVIEW_PENDING"  # the server's own checker passed it
    assert submission["compliance_report"]["rules_round"] == "v1.0"  # the bundle's own round
    assert submission["is_test"] is True
    assert sorted(submission["run_ids"]) == sorted(sweep_ids.values())

    review = tmp_path / "review"
    git("clone", "--quiet", "--branch", f"submission-{sid}", str(bare_repo), str(review))
    root = review / "ExampleOrg" / sid  # Part B §1: <org>/<submission_id>/
    assert (root / "src" / "vllm-llama3_1-8b" / "README.md").is_file()
    assert (root / "docs" / "warmup-logs.md").is_file()
    metadata = json.loads((root / "cli_metadata.json").read_text())
    assert metadata["cli_version"] and metadata["command"] == "submissions create"
    curve = root / "results" / SYSTEM_DIR / MODEL_DIR
    assert sorted(int(p.name[1:]) for p in curve.iterdir()) == sorted(CONCURRENCIES)
    for concurrency in CONCURRENCIES:
        point = curve / f"r{concurrency}"
        for name in ("point.yaml", "system_desc.json", "config.yaml", "result_summary.json"):
            assert (point / name).is_file(), point / name
    # accuracy at one point per band and at the Offline point, from the runs' accuracy/
    assert sorted(int(p.parent.name[1:]) for p in curve.glob("r*/accuracy_results.json")) == [
        1,
        4,
        32,
        256,
        512,
    ]
    # tps_utilization computed over the curve: the best point has 1
    shares = {
        int(p.name[1:]): json.loads((p / "system_desc.json").read_text())["tps_utilization"]
        for p in curve.iterdir()
    }
    assert max(shares.values()) == 1.0
    report = SubmissionChecker(review / "ExampleOrg", round="v1.0").run()
    assert report.passed, [e.message for e in report.errors]
    # only <org>/<submission_id>/ is in the commit, the rest of the repository is untouched
    changed = git("show", "--name-only", "--format=", "HEAD", cwd=review).split()
    assert all(name.startswith(f"ExampleOrg/{sid}/") for name in changed)


def test_dry_run_keeps_the_pending_tree_and_sends_nothing(cli, api, sweep_ids, tmp_path):
    out = tmp_path / "out"
    result = cli(*CREATE, "--run-ids", _ids(sweep_ids), "--dry-run", "--output", out, "--no-pr")
    assert result.exit_code == 0, result.output
    assert (out / "ExampleOrg" / "pending-submission-id" / "results" / SYSTEM_DIR).is_dir()
    assert api.submissions() == []


def test_missing_shared_paths_are_added_to_point_yaml(cli, sweep, register, tmp_path):
    for run in sweep:
        point = (run / "point.yaml").read_text()
        lines = [
            line
            for line in point.splitlines()
            if not line.startswith(("shared_src", "shared_docs"))
        ]
        (run / "point.yaml").write_text("\n".join(lines) + "\n")
    ids = register(sweep)
    out = tmp_path / "out"
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", out)
    assert result.exit_code == 0, result.output
    written = out / "ExampleOrg" / "pending-submission-id" / "results" / SYSTEM_DIR / MODEL_DIR
    text = (written / "r4" / "point.yaml").read_text()
    original = (sweep[1] / "point.yaml").read_text()
    assert text.startswith(original)  # byte for byte, then the block
    added = yaml.safe_load(text)
    assert added["shared_src"] == "src/vllm-llama3_1-8b" and added["shared_docs"] == "docs"
    assert "added by endpoints-submission-cli" in text[len(original) :]


def test_audit_verdicts_are_appended_to_point_yaml_and_reported(cli, sweep, register, tmp_path):
    audit = sweep[1] / "audit"  # the run at concurrency 4
    audit.mkdir()
    (audit / "tokens.json").write_text(json.dumps({"passed": False, "mismatches": 3}))
    (audit / "schema.json").write_text(json.dumps({"passed": True}))
    ids = register(sweep)
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", tmp_path / "out")
    assert result.exit_code == 0, result.output
    org = tmp_path / "out" / "ExampleOrg"
    curve = org / "pending-submission-id" / "results" / SYSTEM_DIR / MODEL_DIR
    original = (sweep[1] / "point.yaml").read_text()
    text = (curve / "r4" / "point.yaml").read_text()
    assert text.startswith(original)  # byte for byte, then the block
    assert yaml.safe_load(text)["audits"] == [
        {"file": "audit/schema.json", "passed": True, "run_id": ids[1]},
        {"file": "audit/tokens.json", "passed": False, "run_id": ids[1]},
    ]
    assert "audits" not in yaml.safe_load((curve / "r1" / "point.yaml").read_text())
    report = SubmissionChecker(org, round="v1.0").run()
    [warning] = [r for r in report.warnings if r.rule == "audit-passed"]
    assert warning.path.endswith("r4/point.yaml")
    assert f"audit audit/tokens.json of run {ids[1]}: passed is false" in warning.message
    assert report.passed  # a warning: the submission still goes


def test_point_yaml_declaring_audits_cannot_hide_the_runs_verdicts(cli, sweep, register, tmp_path):
    (sweep[1] / "audit").mkdir()
    (sweep[1] / "audit" / "tokens.json").write_text(json.dumps({"passed": False}))
    with (sweep[1] / "point.yaml").open("a") as point:
        point.write('audits: [{"file": "audit/tokens.json", "passed": true}]\n')
    ids = register(sweep)
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert f"run {ids[1]}" in result.stderr and "declares audits" in result.stderr
    assert not any((tmp_path / "out").iterdir())  # refused before the first write


def test_mixed_rounds_are_refused_naming_the_runs(cli, api, sweep, register, example_runs):
    v1_ids = register(sweep[:2])
    v07_ids = register(
        [example_runs / "llama2-70b_c1"], system_desc=example_runs / "system_desc.json"
    )
    result = cli(*CREATE, "--run-ids", ",".join(v1_ids + v07_ids), "--no-pr")
    assert result.exit_code == 1
    assert "mix rounds" in result.stderr and "--round" in result.stderr
    for run_id in v1_ids + v07_ids:
        assert run_id in result.stderr
    assert "downloading" not in result.stderr  # refused before any archive was fetched
    assert api.submissions() == []

    forced = cli(*CREATE, "--run-ids", ",".join(v1_ids + v07_ids), "--round", "v1.0", "--no-pr")
    assert forced.exit_code == 1 and v07_ids[0] in forced.stderr
    assert "point.yaml" in forced.stderr
    assert api.submissions() == []


def test_forced_round_other_than_the_runs_is_refused_before_building(
    cli, api, sweep, register, example_runs, tmp_path
):
    v1_ids = register(sweep[:2])
    v07_ids = register(
        [example_runs / "llama2-70b_c1"], system_desc=example_runs / "system_desc.json"
    )
    out = tmp_path / "out"
    as_v07 = cli(
        *CREATE, "--run-ids", ",".join(v1_ids), "--round", "v0.7", "--dry-run", "--output", out
    )
    assert as_v07.exit_code == 1
    flat = " ".join(as_v07.stderr.split())
    assert f"--round v0.7, but runs {', '.join(v1_ids)} were registered with a point.yaml" in flat
    assert "downloading" not in as_v07.stderr and "Traceback" not in as_v07.stderr
    as_v10 = cli(*CREATE, "--run-ids", v07_ids[0], "--round", "v1.0", "--dry-run", "--output", out)
    assert as_v10.exit_code == 1
    flat = " ".join(as_v10.stderr.split())
    assert f"--round v1.0, but run {v07_ids[0]} was registered without a point.yaml" in flat
    assert not out.exists() or not any(out.iterdir())
    assert api.submissions() == []


def test_src_collision_between_runs_is_an_error_naming_both(cli, sweep, register, tmp_path):
    clash = sweep[1] / "src" / "vllm-llama3_1-8b"
    clash.mkdir(parents=True)
    (clash / "README.md").write_text("a different README\n")
    ids = register(sweep)
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", tmp_path / "o")
    assert result.exit_code == 1
    assert "src/vllm-llama3_1-8b/README.md" in result.stderr
    assert f"run {ids[0]}" in result.stderr and f"run {ids[1]}" in result.stderr


def test_shared_src_and_docs_flags_are_added(cli, sweep, register, tmp_path):
    extra_src = tmp_path / "extra-src"
    (extra_src / "vllm-llama3_1-8b").mkdir(parents=True)
    (extra_src / "vllm-llama3_1-8b" / "launch.sh").write_text("vllm serve ...\n")
    extra_docs = tmp_path / "extra-docs"
    extra_docs.mkdir()
    (extra_docs / "calibration.md").write_text("# calibration\n")
    ids = register(sweep)
    out = tmp_path / "out"
    result = cli(
        *CREATE,
        "--run-ids",
        ",".join(ids),
        "--shared-src",
        extra_src,
        "--shared-docs",
        extra_docs,
        "--dry-run",
        "--output",
        out,
    )
    assert result.exit_code == 0, result.output
    root = out / "ExampleOrg" / "pending-submission-id"
    assert (root / "src" / "vllm-llama3_1-8b" / "launch.sh").read_text() == "vllm serve ...\n"
    assert (root / "docs" / "calibration.md").is_file()
    assert (root / "docs" / "warmup-logs.md").is_file()


def test_unsafe_system_name_becomes_a_safe_directory(cli, sweep, register, tmp_path):
    for run in sweep:
        desc = json.loads((run / "system_desc.json").read_text())
        desc["system_name"] = "Cloud/Endpoint: v2"
        (run / "system_desc.json").write_text(json.dumps(desc))
    ids = register(sweep)
    out = tmp_path / "out"
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", out)
    results = out / "ExampleOrg" / "pending-submission-id" / "results"
    assert [p.name for p in results.iterdir()] == ["Cloud_Endpoint__v2"], result.output


def test_provisional_needs_confirmation(cli, api, sweep_ids, bare_repo, monkeypatch):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    refused = cli(*CREATE, "--run-ids", _ids(sweep_ids), "--provisional")
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert api.submissions() == []
    accepted = cli(*CREATE, "--run-ids", _ids(sweep_ids), "--provisional", "--yes", "--json")
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.stdout)["early_publish"] is True


def test_remove_run_add_run_and_withdraw_a_v1_submission(
    cli, api, sweep_ids, bare_repo, git, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    extra = tmp_path / "extra-src" / "vllm-llama3_1-8b"
    extra.mkdir(parents=True)
    (extra / "launch.sh").write_text("vllm serve ...\n")
    created = cli(*CREATE, "--run-ids", _ids(sweep_ids), "--shared-src", extra.parent)
    assert created.exit_code == 0, created.output
    sid = created.stdout.split()[0]
    removed = cli("submissions", "remove-run", "--submission-id", sid, "--run-id", sweep_ids[272])
    assert removed.exit_code == 0, removed.output
    assert sweep_ids[272] not in api.submission(sid)["run_ids"]
    review = tmp_path / "review"
    git("clone", "--quiet", "--branch", f"submission-{sid}", str(bare_repo), str(review))
    curve = review / "ExampleOrg" / sid / "results" / SYSTEM_DIR / MODEL_DIR
    assert not (curve / "r272").exists() and (curve / "r256").is_dir()
    assert len(list((review / "ExampleOrg").iterdir())) == 1  # still one submission dir
    # what --shared-src brought at create survives the rebuild
    assert (review / "ExampleOrg" / sid / "src" / "vllm-llama3_1-8b" / "launch.sh").is_file()
    added = cli("submissions", "add-run", "--submission-id", sid, "--run-id", sweep_ids[272])
    assert added.exit_code == 0, added.output
    git("pull", "--quiet", cwd=review)
    assert (curve / "r272" / "point.yaml").is_file()
    assert api.submission(sid)["status"] == "REVIEW_PENDING"
    withdrawn = cli("submissions", "withdraw", "--submission-id", sid)
    assert withdrawn.exit_code == 0, withdrawn.output
    assert api.submission(sid)["status"] == "WITHDRAWN"


def test_killed_between_upload_and_pr_resumes_to_one_submission_one_pr(
    prism, api, sweep_ids, fake_gh, bare_repo, git, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", "octo/subs")
    fake_gh.set(kill_parent_on="pr create")
    args = (*CREATE, "--run-ids", _ids(sweep_ids))
    code, _, _ = run_cli(prism, *args)
    assert code == -signal.SIGKILL
    (sub,) = api.submissions()
    assert sub["status"] == "REVIEW_PENDING" and sub["pr_url"] is None

    fake_gh.set(kill_parent_on=None)
    code, out, err = run_cli(prism, *args)
    assert code == 0, err
    assert "resuming an interrupted" in err
    (after,) = api.submissions()
    assert after["id"] == sub["id"] and after["pr_number"] == 7
    assert len(fake_gh.prs) == 1
    body = fake_gh.prs[0]["body"]  # the table names the v1.0 regions of the curve
    assert "Ultra Low Concurrency" in body and "Offline" in body
    assert f"| {SYSTEM_DIR} | {MODEL_DIR} | 1 (1) | 1 (4) | 2 (16, 32) |" in body
    files = git("ls-tree", "-r", "--name-only", f"submission-{sub['id']}", cwd=bare_repo)
    assert f"ExampleOrg/{sub['id']}/results/{SYSTEM_DIR}/{MODEL_DIR}/r1/point.yaml" in files
    assert "pending-submission-id" not in files


def test_from_init_to_a_passing_bundle_with_only_the_placeholders_filled(
    cli, register, runs_v1_generator, tmp_path
):
    """Issue 11's "done when": init on the example sweep, fill the placeholders (nothing
    else), register, build: the checker passes the v1.0 tree."""
    runs = runs_v1_generator.make_runs_v1(tmp_path / "sweep")
    desc = tmp_path / "sweep" / "system_desc.json"
    assert cli("init", "--path", tmp_path / "sweep", "--system-desc", desc).exit_code == 0
    answers = {
        "dataset_link": '"https://huggingface.co/datasets/abisee/cnn_dailymail"',
        "seed_set": '"A"',
        "target_cohort": '"2026-11-C0"',
        "    model_seed": "9315206023656308754",
    }
    for run in runs:
        lines = (run / "point.yaml").read_text().splitlines()
        for key, value in answers.items():
            lines = [f"{key}: {value}" if line.startswith(f"{key}: ") else line for line in lines]
        text = "\n".join(lines) + "\n"
        assert "<FILL IN" not in text.split("\n", 4)[-1]  # only the header mentions it now
        (run / "point.yaml").write_text(text)
    ids = register(runs)
    out = tmp_path / "out"
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", out, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["verdict"].startswith("PASSED — 0 errors")
    report = SubmissionChecker(out / "ExampleOrg", round="v1.0").run()
    assert report.passed


def test_options_of_the_other_round_are_refused(cli, api, sweep, register, example_runs, tmp_path):
    v1_ids = register(sweep[:1])
    v07_ids = register(
        [example_runs / "llama2-70b_c1"], system_desc=example_runs / "system_desc.json"
    )
    v1 = cli(*CREATE, "--run-ids", v1_ids[0], "--accuracy-run", v1_ids[0], "--dry-run")
    assert v1.exit_code == 2 and "--accuracy-run" in v1.stderr and "v0.7" in v1.stderr
    v07 = cli(*CREATE, "--run-ids", v07_ids[0], "--shared-src", tmp_path, "--dry-run")
    assert v07.exit_code == 2 and "--shared-src" in v07.stderr and "v1.0" in v07.stderr
    assert api.submissions() == []


def test_system_names_that_become_one_directory_are_an_error(cli, sweep, register, tmp_path):
    for index, run in enumerate(sweep[:2]):
        desc = json.loads((run / "system_desc.json").read_text())
        desc["system_name"] = ["Cloud/Endpoint", "Cloud:Endpoint"][index]
        (run / "system_desc.json").write_text(json.dumps(desc))
    ids = register(sweep[:2])
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", tmp_path / "o")
    assert result.exit_code == 1
    assert "'Cloud_Endpoint'" in result.stderr and ids[0] in result.stderr
    assert ids[1] in result.stderr


def test_accuracy_run_gets_the_performance_runs_inline_score(cli, sweep, register, tmp_path):
    """§3.3: at C=4 a performance run with only its inline score and a separate accuracy
    run: the point's accuracy_results.json has the accuracy results plus the inline entry."""
    perf = next(run for run in sweep if run.name.endswith("_c4"))
    accuracy_run = perf.with_name(perf.name + "_accuracy")
    shutil.copytree(perf, accuracy_run)
    inline = {"dataset_name": "cnn_dailymail_inline", "dataset_type": "performance"}
    inline.update(score={"rougel": 24.6}, unit_samples=13368)
    (perf / "accuracy" / "accuracy_results.json").write_text(
        json.dumps({"accuracy_scores": [inline]})
    )
    config = yaml.safe_load((accuracy_run / "config.yaml").read_text())
    config["datasets"].reverse()  # the accuracy dataset first: an accuracy run
    (accuracy_run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    point = (accuracy_run / "point.yaml").read_text()
    (accuracy_run / "point.yaml").write_text(
        point.replace("dataset_type: Performance", "dataset_type: Accuracy")
    )
    ids = register([*sweep, accuracy_run])
    out = tmp_path / "out"
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--dry-run", "--output", out)
    assert result.exit_code == 0, result.stderr
    written = json.loads(
        (out / "ExampleOrg" / "pending-submission-id" / "results" / SYSTEM_DIR / MODEL_DIR)
        .joinpath("r4", "accuracy_results.json")
        .read_text()
    )
    names = [entry["dataset_name"] for entry in written["accuracy_scores"]]
    assert names == ["cnn_dailymail", "cnn_dailymail_inline"]
    assert written["accuracy_scores"][1] == inline


def _on_terminal(prism, answer: bytes, stdout_file: Path, *args) -> tuple[int, str, str]:
    """The CLI as a real process whose stdin and stderr are a terminal (a pty): wait for the
    question, type ``answer``, and return (exit code, stdout, what the terminal showed).
    stdout goes to ``stdout_file``: a --json answer can outgrow a pipe nobody reads yet."""
    master, slave = pty.openpty()
    env = dict(
        os.environ, MLPERF_API_BASE_URL=prism.url, PRISM_USER_API_TOKEN=prism.token, NO_COLOR="1"
    )
    with stdout_file.open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "endpoints_submission_cli", *args],
            stdin=slave,
            stderr=slave,
            stdout=stdout,
            env=env,
        )
    os.close(slave)
    shown = b""
    answered = False
    deadline = time.monotonic() + 120  # a guard against a hang, not a measurement
    try:
        while process.poll() is None or select.select([master], [], [], 0)[0]:
            if time.monotonic() > deadline:
                pytest.fail(f"the CLI neither asked nor ended; the terminal shows: {shown!r}")
            if not select.select([master], [], [], 0.2)[0]:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every process holding the terminal has ended
                break
            if not chunk:
                break
            shown += chunk
            if not answered and b"Continue?" in shown:
                os.write(master, answer + b"\n")
                answered = True
        code = process.wait(timeout=120)
        return code, stdout_file.read_text(), shown.decode(errors="replace")
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()


def test_provisional_on_a_terminal_asks_and_n_creates_nothing(
    prism, api, sweep_ids, bare_repo, git, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    code, stdout, terminal = _on_terminal(
        prism, b"n", tmp_path / "out", *CREATE, "--run-ids", _ids(sweep_ids), "--provisional"
    )
    assert "results public before the review ends" in terminal
    assert code == 1 and stdout == "", terminal
    assert "Traceback" not in terminal
    assert api.submissions() == []
    assert git("branch", "--list", "submission-*", cwd=bare_repo) == ""


def test_provisional_on_a_terminal_answered_y_is_created(
    prism, api, sweep_ids, bare_repo, git, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    code, stdout, terminal = _on_terminal(
        prism,
        b"y",
        tmp_path / "out",
        *CREATE,
        "--run-ids",
        _ids(sweep_ids),
        "--provisional",
        "--json",
    )
    assert code == 0, terminal
    created = json.loads(stdout)
    assert created["early_publish"] is True
    [submission] = api.submissions()
    assert submission["id"] == created["id"] and submission["status"] == "REVIEW_PENDING"
    assert git("branch", "--list", f"submission-{created['id']}", cwd=bare_repo).strip()


def test_update_run_ids_rebuilds_a_v1_submission(
    cli, api, sweep_ids, bare_repo, git, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    created = cli(*CREATE, "--run-ids", _ids(sweep_ids), "--json")
    assert created.exit_code == 0, created.output
    sid = json.loads(created.stdout)["id"]
    fewer = [rid for c, rid in sweep_ids.items() if c != 272]
    result = cli("submissions", "update", "--submission-id", sid, "--run-ids", ",".join(fewer))
    assert result.exit_code == 0, result.output
    submission = api.submission(sid)
    assert sorted(submission["run_ids"]) == sorted(fewer)
    assert submission["status"] == "REVIEW_PENDING"
    review = tmp_path / "review"
    git("clone", "--quiet", "--branch", f"submission-{sid}", str(bare_repo), str(review))
    curve = review / "ExampleOrg" / sid / "results" / SYSTEM_DIR / MODEL_DIR
    assert sorted(int(p.name[1:]) for p in curve.iterdir()) == [
        c for c in CONCURRENCIES if c != 272
    ]
    assert SubmissionChecker(review / "ExampleOrg", round="v1.0").run().passed
    # the whole list again: the point comes back, in the same submission directory
    again = cli("submissions", "update", "--submission-id", sid, "--run-ids", _ids(sweep_ids))
    assert again.exit_code == 0, again.output
    git("pull", "--quiet", cwd=review)
    assert (curve / "r272" / "point.yaml").is_file()
    assert [p.name for p in (review / "ExampleOrg").iterdir()] == [sid]
    assert sorted(api.submission(sid)["run_ids"]) == sorted(sweep_ids.values())
