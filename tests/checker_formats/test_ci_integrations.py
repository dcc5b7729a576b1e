"""The composite GitHub Action and the pre-commit hook run the checker as documented.

The action's check step is executed with bash exactly as the runner would (inputs arrive as
environment variables); only `actions/setup-python` and the pip install are not exercised.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def _run_check_step(workdir: Path, **inputs: str) -> subprocess.CompletedProcess:
    step = next(s for s in ACTION["runs"]["steps"] if s.get("name") == "Check submission")
    env = {
        "INPUT_STRICT": "false",
        "INPUT_FORMAT": "github",
        "INPUT_OUTPUT_FILE": "",
        "INPUT_REPORT_FILE": "",
        **inputs,
    }
    return subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=_environment(**env),
        timeout=120,
    )


def test_action_declares_the_documented_inputs():
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert inputs["path"]["required"] is True
    assert inputs["strict"]["default"] == "false"
    assert inputs["format"]["default"] == "github"
    assert "python-version" in inputs
    steps = ACTION["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert steps[0]["with"]["python-version"] == "${{ inputs.python-version }}"
    install = steps[1]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$ACTION_PATH"' in install["run"]
    # No input is pasted into a script (script injection); they arrive via env only.
    for step in steps:
        assert "${{" not in step.get("run", "")


@pytest.mark.parametrize(("strict", "expected"), [("false", 0), ("true", 1)])
def test_action_step_fails_on_warnings_only_when_strict(submission, workdir, strict, expected):
    org = submission("warnings")
    done = _run_check_step(workdir, INPUT_PATH=org, INPUT_STRICT=strict)
    assert done.returncode == expected, done.stdout + done.stderr
    assert done.stdout.count("::warning ") == 2


def test_action_rejects_a_strict_value_it_does_not_understand(submission, workdir):
    done = _run_check_step(workdir, INPUT_PATH=submission("example"), INPUT_STRICT="maybe")
    assert done.returncode == 2
    assert "input strict must be true or false" in done.stdout


def test_action_writes_sarif_and_the_json_report_to_files(submission, workdir):
    org = submission("failing")
    done = _run_check_step(
        workdir,
        INPUT_PATH=org,
        INPUT_FORMAT="sarif",
        INPUT_OUTPUT_FILE="results.sarif",
        INPUT_REPORT_FILE="report.json",
    )
    assert done.returncode == 1
    assert '"version": "2.1.0"' in (workdir / "results.sarif").read_text(encoding="utf-8")
    assert '"verdict": "FAILED"' in (workdir / "report.json").read_text(encoding="utf-8")


def test_action_path_input_is_data_not_shell(submission, workdir):
    org = submission("example")
    odd = workdir / "sub $(touch pwned) 'x'"
    (workdir / org).rename(odd)
    done = _run_check_step(workdir, INPUT_PATH=odd.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (workdir / "pwned").exists()


def test_pre_commit_hook_runs_the_checker_on_the_path_in_args(submission, workdir):
    (hook,) = HOOKS
    assert hook["id"] == "submission-checker" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    org = submission("failing")
    command = shlex.split(hook["entry"]) + [org]
    done = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, env=_environment(), timeout=120
    )
    assert done.returncode == 1
    assert "accuracy.txt is missing" in done.stdout
    assert " ok " not in done.stdout  # --quiet: only the problems
