"""The development commands of the package page: `pytest` measures coverage, `--no-cov` skips it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL_TEST = "tests/checker/test_api.py"


def _pytest(*args: str, cwd: Path, data: Path) -> subprocess.CompletedProcess:
    """pytest in a subprocess; its coverage data goes to ``data``, not beside the outer run's."""
    env = {**os.environ, "COVERAGE_FILE": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_no_cov_is_accepted_and_measures_nothing(tmp_path):
    result = _pytest("--no-cov", SMALL_TEST, cwd=REPO, data=tmp_path / ".coverage")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "coverage:" not in result.stdout
    assert not (tmp_path / ".coverage").exists()


def test_coverage_is_measured_by_default(tmp_path):
    # A partial run cannot reach the suite's floor: lift it, write the data outside the repo.
    result = _pytest(
        "--cov-fail-under=0",
        f"--cov-report=json:{tmp_path / 'cov.json'}",
        SMALL_TEST,
        cwd=REPO,
        data=tmp_path / ".coverage",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "cov.json").is_file()
    assert "submission_checker" in (tmp_path / "cov.json").read_text()
