"""The CLI killed mid-way (SIGKILL, no clean-up) and run again: no duplicate, nothing orphaned.

The CLI runs as a real subprocess. The kill comes from where a real machine would die: the `gh`
stand-in SIGKILLs its parent (the CLI) when `gh pr create` is called — after the bundle was
uploaded and the branch pushed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

CREATE = ("submissions", "create", "--division", "standardized", "--availability", "available")


def cli_process(prism, *args, **popen):
    env = dict(os.environ, MLPERF_API_BASE_URL=prism.url, PRISM_USER_API_TOKEN=prism.token)
    return subprocess.Popen(
        [sys.executable, "-m", "endpoints_submission_cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def run_cli(prism, *args):
    proc = cli_process(prism, *args)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_killed_between_upload_and_pr_is_finished_by_rerunning(
    prism, api, example_ids, fake_gh, bare_repo, git, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", "octo/subs")
    fake_gh.set(kill_parent_on="pr create")
    args = (*CREATE, "--run-ids", ",".join(example_ids.values()))
    code, _, _ = run_cli(prism, *args)
    assert code == -signal.SIGKILL

    (sub,) = api.submissions()
    assert sub["status"] == "REVIEW_PENDING" and sub["pr_url"] is None  # uploaded, no PR yet
    assert git("branch", "--list", f"submission-{sub['id']}", cwd=bare_repo).strip()
    assert fake_gh.prs == []

    fake_gh.set(kill_parent_on=None)
    code, out, err = run_cli(prism, *args)
    assert code == 0, err
    assert out.split() == [sub["id"], "https://github.com/octo/subs/pull/7"]
    assert "resuming an interrupted" in err
    (after,) = api.submissions()
    assert (after["id"], after["pr_number"]) == (sub["id"], 7)
    assert len(fake_gh.prs) == 1
    # The resumed push found the branch already holding the bundle: no second commit.
    log = git("log", "--format=%s", f"submission-{sub['id']}", cwd=bare_repo).splitlines()
    assert log[0] == f"submission {sub['id']}: Example_Org, 8 runs" and len(log) == 2
