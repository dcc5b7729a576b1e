"""`submissions create` end to end: real prism-server, real git, `gh` stand-in, injected faults."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from submission_checker import SubmissionChecker

CREATE = ("submissions", "create", "--division", "standardized", "--availability", "available")


def run_ids_arg(ids) -> str:
    return ",".join(ids.values() if isinstance(ids, dict) else ids)


def journals(tmp_path: Path) -> list[dict]:
    folder = tmp_path / "state" / "endpoints-submission-cli" / "journal"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_create_pushes_checked_bundle_to_local_repo(
    cli, api, example_ids, bare_repo, git, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    result = cli(*CREATE, "--run-ids", run_ids_arg(example_ids))
    assert result.exit_code == 0, result.stderr
    sid = result.stdout.strip()
    assert f"pushed branch submission-{sid}" in result.stderr

    sub = api.submission(sid)
    assert sub["status"] == "REVIEW_PENDING"  # the server's own checker passed the upload
    assert sorted(sub["run_ids"]) == sorted(example_ids.values())
    assert sub["pr_url"] is None

    branch = f"submission-{sid}"
    assert git("log", "-1", "--format=%s", branch, cwd=bare_repo).strip() == (
        f"submission {sid}: Example_Org, 8 runs"
    )
    checkout = tmp_path / "checkout"
    git("clone", "--quiet", "--branch", branch, str(bare_repo), str(checkout))
    report = SubmissionChecker(checkout / "Example_Org").run()
    assert report.passed and not report.warnings
    point = yaml.safe_load(
        (checkout / "Example_Org/pareto/Example_H200x8/llama2-70b/points/point_48.yaml").read_text()
    )
    assert point["region"] == "med_throughput" and point["run_id"] == example_ids[48]

    # The same command again does not create a second submission.
    again = cli(*CREATE, "--run-ids", run_ids_arg(example_ids))
    assert again.exit_code == 0 and again.stdout.strip() == sid
    assert "already created" in again.stderr
    assert [s["id"] for s in api.submissions()] == [sid]


def test_create_opens_pr_through_gh_and_records_it(
    cli, api, prism, example_ids, fake_gh, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", "octo/subs")
    result = cli(*CREATE, "--run-ids", run_ids_arg(example_ids), "--json")
    assert result.exit_code == 0, result.stderr
    created = json.loads(result.stdout)
    sid = created["id"]
    assert created["pr_url"] == "https://github.com/octo/subs/pull/7"
    sub = api.submission(sid)
    assert (sub["pr_url"], sub["pr_number"]) == ("https://github.com/octo/subs/pull/7", 7)
    assert fake_gh.calls[:2] == [["--version"], ["auth", "status"]]
    pr = fake_gh.prs[0]
    assert pr["head"] == f"submission-{sid}"
    assert pr["title"] == f"MLPerf Endpoints submission {sid} (Example_Org)"
    assert (
        "| Example_H200x8 | llama2-70b | 3 (1, 8, 32) | 1 (36) | 1 (48) | "
        "3 (64, 96, 128) | 0 |" in pr["body"]
    )
    assert "Checker: PASSED" in pr["body"]
    assert not any(c["token_in_env"] for c in fake_gh.state["calls"])
    assert prism.token not in json.dumps(fake_gh.state)

    plain = cli(*CREATE, "--run-ids", run_ids_arg(example_ids))
    assert plain.stdout.split() == [sid, "https://github.com/octo/subs/pull/7"]


def test_dry_run_keeps_bundle_and_sends_nothing(cli, api, example_ids, tmp_path):
    out = tmp_path / "bundle-out"
    result = cli(
        *CREATE, "--run-ids", run_ids_arg(example_ids), "--dry-run", "--output", out, "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["bundle"] == str(out / "Example_Org") and data["org"] == "Example_Org"
    assert sorted(p["concurrency"] for p in data["points"]) == sorted(example_ids)
    assert json.loads((out / "checker-report.json").read_text())["results"]
    assert SubmissionChecker(out / "Example_Org").run().passed
    assert api.submissions() == []
    assert journals(tmp_path) == []


def test_unknown_and_duplicate_run_ids_are_refused(cli, api, example_runs, register):
    ids = register([example_runs / "llama2-70b_c1"], example_runs / "system_desc.json")
    unknown = cli(*CREATE, "--run-ids", ",".join([*ids, "no-such-run"]), "--no-pr")
    assert unknown.exit_code == 1
    assert "unknown run id: no-such-run" in unknown.stderr and "Traceback" not in unknown.stderr
    duplicate = cli(*CREATE, "--run-ids", ",".join(ids), "--run-ids", ids[0], "--no-pr")
    assert duplicate.exit_code == 1
    assert f"run id {ids[0]} is given more than once" in duplicate.stderr
    assert api.submissions() == []


def test_two_runs_at_one_concurrency_name_both_ids(cli, api, example_runs, example_ids, register):
    twin = register([example_runs / "llama2-70b_c48"], example_runs / "system_desc.json")[0]
    result = cli(*CREATE, "--run-ids", run_ids_arg(example_ids), "--run-ids", twin, "--no-pr")
    assert result.exit_code == 1
    assert example_ids[48] in result.stderr and twin in result.stderr
    assert "concurrency 48" in result.stderr
    assert api.submissions() == []


def test_disagreeing_system_descriptions_name_the_fields(
    cli, api, example_runs, example_ids, register, tmp_path
):
    desc = json.loads((example_runs / "system_desc.json").read_text())
    desc["node_types"][0]["accelerator_memory_capacity"] = "80 GB"
    other_desc = tmp_path / "other_desc.json"
    other_desc.write_text(json.dumps(desc))
    folder = example_runs / "llama2-70b_c16"
    shutil.copytree(example_runs / "llama2-70b_c8", folder)
    config = folder / "config.yaml"
    config.write_text(config.read_text().replace("target_concurrency: 8", "target_concurrency: 16"))
    shutil.rmtree(folder / "accuracy")
    odd = register([folder], other_desc)[0]
    usual = register([example_runs / "llama2-70b_c8"], example_runs / "system_desc.json")[0]
    result = cli(*CREATE, "--run-ids", f"{usual},{odd}", "--no-pr")
    assert result.exit_code == 1
    assert odd in result.stderr
    assert 'node_types[0].accelerator_memory_capacity: "141 GB" vs "80 GB"' in result.stderr
    assert api.submissions() == []


def sample_points(sample_copy, samples_dir, tmp_path, model: str | None = None) -> list[Path]:
    """The real runs, copied to 8 concurrencies over all regions of M = 128."""
    plan = {
        1: "llama2-70b_c1",
        4: "accuracy_both_c4",
        8: "http500_every_10th_c8",
        16: "llama2-70b_c1",
        34: "http500_every_10th_c8",
        40: "llama2-70b_c1",
        64: "http500_every_10th_c8",
        100: "llama2-70b_c1",
    }
    folders = []
    for concurrency, name in plan.items():
        folder = tmp_path / "sample-runs" / f"c{concurrency}"
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(sample_copy(name), folder)
        shutil.copy(samples_dir / "system_desc.example.json", folder / "system_desc.json")
        (folder / "src").mkdir()  # what the submitter adds: the serving code (Standardized)
        (folder / "src" / "serve.sh").write_text("exec simulated-endpoint --port 18765\n")
        config = folder / "config.yaml"
        text = config.read_text()
        for original in (
            "target_concurrency: 1\n",
            "target_concurrency: 4\n",
            "target_concurrency: 8\n",
        ):
            text = text.replace(original, f"target_concurrency: {concurrency}\n")
        if model:  # submission_ref.model names the model directory
            text = text.replace("  model: llama2-70b\n", f"  model: {model}\n")
        config.write_text(text)
        summary = folder / "performance" / "result_summary.json"
        data = json.loads(summary.read_text())
        data["run_config"]["load_pattern"]["target_concurrency"] = concurrency
        summary.write_text(json.dumps(data))
        folders.append(folder)
    return folders


def test_real_runs_failing_the_checker_stop_before_anything_is_created(
    cli, api, register, sample_copy, samples_dir, tmp_path
):
    ids = register(sample_points(sample_copy, samples_dir, tmp_path))
    out = tmp_path / "out"
    result = cli(*CREATE, "--run-ids", ",".join(ids), "--no-pr", "--output", out)
    assert result.exit_code == 1
    # The echo test's string_match score is no official llama2-70b metric.
    assert "the checker found" in result.stderr and "accuracy-gate" in result.stderr
    assert "full report:" in result.stderr
    report_path = Path(result.stderr.split("full report: ")[1].split(";")[0])
    report = json.loads(report_path.read_text())
    assert any(r["rule"] == "accuracy-gate" and r["severity"] == "error" for r in report["results"])
    assert api.submissions() == []
    assert journals(tmp_path) == []


def test_real_runs_of_an_unofficial_model_pass_with_a_quality_target(
    cli, api, register, sample_copy, samples_dir, tmp_path, bare_repo, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    ids = register(sample_points(sample_copy, samples_dir, tmp_path, model="example/echo-7b"))
    base = [*CREATE, "--division", "serviced", "--run-ids", ",".join(ids)]
    refused = cli(*base)
    assert refused.exit_code == 1 and "--quality-target" in refused.stderr
    result = cli(*base, "--quality-target", "0.8")
    assert result.exit_code == 0, result.stderr
    assert "checker warning: min-query-count" in result.stderr  # dataset "perf": no minimum
    assert api.submission(result.stdout.strip())["status"] == "REVIEW_PENDING"


def test_flags_are_validated_before_any_network_call(cli, api):
    ids = "run-a,run-b"
    preview = cli(
        "submissions",
        "create",
        "--run-ids",
        ids,
        "--division",
        "serviced",
        "--availability",
        "preview",
        "--target-availability-date",
        "2099-01-01",
    )
    assert preview.exit_code == 2 and "at most 180 days ahead" in preview.stderr
    embargo = cli(*CREATE, "--run-ids", ids, "--embargo-date", "2030-01-01T00:00:00")
    assert embargo.exit_code == 2 and "has no timezone" in embargo.stderr
    assert api.submissions() == []


def test_gh_missing_or_logged_out_stops_before_any_api_call(
    cli, api, prism, example_ids, fake_gh, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", "octo/subs")
    fake_gh.set(auth=False)
    result = cli(*CREATE, "--run-ids", run_ids_arg(example_ids))
    assert result.exit_code == 1
    assert "gh is not logged in" in result.stderr and "gh auth login" in result.stderr
    (fake_gh.bin_dir / "gh").unlink()
    missing = cli(*CREATE, "--run-ids", run_ids_arg(example_ids))
    assert missing.exit_code == 1 and "`gh` is not installed" in missing.stderr
    assert api.submissions() == []


def test_rejected_push_is_finished_by_rerunning(
    cli, api, example_ids, bare_repo, git, reject_pushes, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    reject_pushes(bare_repo, "submissions are frozen until Monday")
    result = cli(*CREATE, "--run-ids", run_ids_arg(example_ids))
    assert result.exit_code == 1
    assert "submissions are frozen until Monday" in result.stderr
    (sub,) = api.submissions()
    assert f"already done: submission {sub['id']} created; bundle uploaded" in result.stderr
    assert "to finish, run the same command again: endpoints-submission-cli --api-url" in (
        result.stderr
    )
    assert sub["status"] == "REVIEW_PENDING" and api.bundle_sha256(sub["id"])
    assert f"submission-{sub['id']}" not in git("branch", "--list", cwd=bare_repo)

    (bare_repo / "hooks" / "pre-receive").unlink()
    again = cli(*CREATE, "--run-ids", run_ids_arg(example_ids))
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == sub["id"] and "resuming" in again.stderr
    assert [s["id"] for s in api.submissions()] == [sub["id"]]
    assert git("branch", "--list", f"submission-{sub['id']}", cwd=bare_repo).strip()


def test_server_failing_before_the_upload_is_finished_by_rerunning(
    cli, api, prism, example_ids, monkeypatch
):
    prism.add_fault(
        method="GET",
        path=r"^/submissions/[^/]+/archive/upload-url$",
        action="status",
        status=503,
        times=None,
    )
    result = cli(*CREATE, "--run-ids", run_ids_arg(example_ids), "--no-pr")
    assert result.exit_code == 1
    (sub,) = api.submissions()
    assert f"uploading the bundle of submission {sub['id']} failed" in result.stderr
    assert "to finish, run the same command again" in result.stderr
    assert sub["status"] == "COMPLIANCE_CHECKING" and api.bundle_sha256(sub["id"]) is None

    prism.clear_faults()
    again = cli(*CREATE, "--run-ids", run_ids_arg(example_ids), "--no-pr")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == sub["id"]
    assert api.submission(sub["id"])["status"] == "REVIEW_PENDING"
    assert len(api.submissions()) == 1


def test_lost_answer_to_the_create_post_makes_no_duplicate(cli, api, prism, example_ids):
    prism.add_fault(method="POST", path=r"^/submissions$", action="drop", times=1)
    result = cli(*CREATE, "--run-ids", run_ids_arg(example_ids), "--no-pr")
    assert result.exit_code == 0, result.stderr
    assert "checking whether it was created" in result.stderr
    assert [s["id"] for s in api.submissions()] == [result.stdout.strip()]


def test_answer_lost_after_the_server_created_it_is_adopted(prism, api, example_ids, tmp_path):
    """POST /submissions reached PRISM, but the answer never came back (connection reset)."""
    from endpoints_submission_cli.errors import NetworkError
    from endpoints_submission_cli.pipeline import CreateRequest, Pipeline
    from endpoints_submission_cli.prism import PrismClient

    class AnswerLost(PrismClient):
        def create_submission(self, payload, **kwargs):
            super().create_submission(payload, **kwargs)
            raise NetworkError("POST /submissions: connection reset by peer", outcome_unknown=True)

    said = []
    request = CreateRequest(
        run_ids=tuple(example_ids.values()),
        division="standardized",
        availability="available",
        no_pr=True,
    )
    with AnswerLost(prism.url, prism.token) as client:
        outcome = Pipeline(client, api_url=prism.url, say=said.append).create(request)
    (sub,) = api.submissions()
    assert outcome.submission["id"] == sub["id"] and sub["status"] == "REVIEW_PENDING"
    assert f"found submission {sub['id']}, created by the interrupted attempt" in said
