"""The README's offline walkthroughs, run as written: they work, write nothing into the
repository (everything goes to a scratch directory) and stop their server at the end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIRST_LINE = "# 0. a scratch directory"
V1_FIRST_LINE = "# v1.0: init the example sweep"


def _block(first_line: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(first_line)
    return text[start : text.index("```", start)]


def walkthrough() -> str:
    return _block(FIRST_LINE)


def walkthrough_steps(*numbers: int) -> str:
    """Steps of the v0.7 walkthrough by their ``# N.`` comment, in README order."""
    steps = re.split(r"(?m)^(?=# \d\. )", walkthrough())
    wanted = [step for step in steps if step[2:3].isdigit() and int(step[2]) in numbers]
    assert len(wanted) == len(numbers), f"README walkthrough steps {numbers} not found"
    return "".join(wanted)


def _status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def _run_in_scratch(tmp_path: Path, body: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run a README block with bash from the repository root, as a user would; return the
    result and the facts it ended with (scratch dir, server pid, final directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLPERF_", "PRISM_"))}
    env.pop("XDG_STATE_HOME", None)
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        TMPDIR=str(tmp_path),  # where mktemp -d puts the scratch directory
        NO_COLOR="1",
        GIT_AUTHOR_NAME="Walk Through",
        GIT_AUTHOR_EMAIL="walk@example.org",
        GIT_COMMITTER_NAME="Walk Through",
        GIT_COMMITTER_EMAIL="walk@example.org",
    )
    script = (
        "set -euo pipefail\n" + body + 'echo "WORK=$WORK SERVER_PID=$SERVER_PID BACK_IN=$PWD"\n'
    )
    before = _status()
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    facts = dict(item.split("=", 1) for item in result.stdout.strip().splitlines()[-1].split())
    assert Path(facts["WORK"]).parent == tmp_path
    assert Path(facts["BACK_IN"]) == REPO
    assert _status() == before  # nothing new or changed in the repository
    try:
        os.kill(int(facts["SERVER_PID"]), 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"prism-server {facts['SERVER_PID']} is still running")
    return result, facts


def test_readme_walkthrough_runs_in_a_scratch_directory_and_stops_its_server(tmp_path):
    result, facts = _run_in_scratch(tmp_path, walkthrough())
    assert "PASSED: 0 errors, 0 warnings" in result.stdout
    assert (Path(facts["WORK"]) / "run-ids.txt").is_file()
    assert not (REPO / "run-ids.txt").exists() and not (REPO / "prism-data").exists()


def test_readme_v1_walkthrough_runs_from_init_to_a_checked_branch(tmp_path):
    result, facts = _run_in_scratch(tmp_path, walkthrough_steps(0, 1, 3) + _block(V1_FIRST_LINE))
    work = Path(facts["WORK"])
    ids = (work / "run-ids-v1.txt").read_text().split()
    assert len(ids) == 9
    # the placeholders listed before they were filled, then a passing v1.0 check of the branch
    assert "FILL IN" in result.stdout
    # the only warnings are the ones the README justifies: no steady_state block in real runs
    assert "PASSED: 0 errors, 9 warnings" in result.stdout
    warned = [line for line in result.stdout.splitlines() if line.lstrip().startswith("WARN")]
    assert len(warned) == 9 and all("steady-state-basis" in line for line in warned)
    assert "v1.0" in result.stdout
    [sid] = [p.name for p in (work / "review-v1" / "ExampleOrg").iterdir()]
    assert (work / "review-v1" / "ExampleOrg" / sid / "results").is_dir()
    assert (work / "bundle-v1").is_dir()
    assert not (REPO / "run-ids-v1.txt").exists()
