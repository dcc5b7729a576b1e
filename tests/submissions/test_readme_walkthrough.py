"""The README's offline walkthrough, run as written: it works, writes nothing into the repository
(everything goes to a scratch directory) and stops its server at the end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIRST_LINE = "# 0. a scratch directory"


def walkthrough() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(FIRST_LINE)
    return text[start : text.index("```", start)]


def _status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def test_readme_walkthrough_runs_in_a_scratch_directory_and_stops_its_server(tmp_path):
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
        "set -euo pipefail\n"
        + walkthrough()
        + 'echo "WORK=$WORK SERVER_PID=$SERVER_PID BACK_IN=$PWD"\n'
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
    assert "PASSED: 0 errors, 0 warnings" in result.stdout
    facts = dict(item.split("=", 1) for item in result.stdout.strip().splitlines()[-1].split())
    assert Path(facts["WORK"]).parent == tmp_path
    assert Path(facts["BACK_IN"]) == REPO
    assert (Path(facts["WORK"]) / "run-ids.txt").is_file()
    assert _status() == before  # nothing new or changed in the repository
    assert not (REPO / "run-ids.txt").exists() and not (REPO / "prism-data").exists()
    try:
        os.kill(int(facts["SERVER_PID"]), 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"prism-server {facts['SERVER_PID']} is still running")


V1_FIRST_LINE = 'cp -r "$EXAMPLES/runs-v1.0"'


def v1_walkthrough() -> str:
    """The round v1.0 block, run where the README says: after steps 0–3, before step 6."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(V1_FIRST_LINE)
    v1_block = text[start : text.index("```", start)]
    steps = walkthrough()
    return steps[: steps.index("# 4.")] + v1_block + steps[steps.index("# 6.") :]


def test_readme_v1_walkthrough_lands_a_checked_branch_with_only_the_justified_warnings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLPERF_", "PRISM_"))}
    env.pop("XDG_STATE_HOME", None)
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        TMPDIR=str(tmp_path),
        NO_COLOR="1",
        GIT_AUTHOR_NAME="Walk Through",
        GIT_AUTHOR_EMAIL="walk@example.org",
        GIT_COMMITTER_NAME="Walk Through",
        GIT_COMMITTER_EMAIL="walk@example.org",
    )
    script = "set -euo pipefail\n" + v1_walkthrough() + 'echo "WORK=$WORK"\n'
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
    assert "PASSED: 0 errors, 9 warnings" in result.stdout
    warned = [line for line in result.stdout.splitlines() if line.lstrip().startswith("WARN")]
    assert len(warned) == 9
    assert all("steady-state-basis" in line for line in warned)
    work = Path(result.stdout.strip().splitlines()[-1].split("=", 1)[1])
    assert work.parent == tmp_path
    assert len((work / "run-ids-v1.txt").read_text().split()) == 9
    assert (work / "review-v1" / "ExampleOrg").is_dir()
    assert _status() == before
