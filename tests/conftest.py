"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["prism_server.testing"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "tests" / "data"
SAMPLES_DIR = DATA_DIR / "samples" / "inference-endpoint"


@pytest.fixture
def samples_dir() -> Path:
    """The real inference-endpoint run folders vendored under ``tests/data`` (read-only)."""
    return SAMPLES_DIR


@pytest.fixture
def sample_copy(tmp_path: Path, samples_dir: Path):
    """Copy one real run folder into a writable temp dir: ``sample_copy("llama2-70b_c1")``."""

    def _copy(name: str) -> Path:
        dest = tmp_path / "samples" / name
        shutil.copytree(samples_dir / name, dest)
        for path in [dest, *dest.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return dest

    return _copy


# Skips that say nothing about the clone: the test cannot fail when run as root.
ALLOWED_SKIP_REASONS = ("root ",)


def _unexpected_skips(config) -> list:
    """Under CI, skips for any other reason (a missing file, tool or sample)."""
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return []
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    return [r for r in skipped if not _skip_reason(r).startswith(ALLOWED_SKIP_REASONS)]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """A clone must be self-contained: ``.ci/run`` sets ``CI=true``, and there a silent skip
    would hide a test that never ran, so it fails the run."""
    if _unexpected_skips(session.config) and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    unexpected = _unexpected_skips(config)
    if unexpected:
        terminalreporter.section("skips not allowed under CI", red=True)
        for report in unexpected:
            terminalreporter.write_line(f"{report.nodeid}: {_skip_reason(report)}")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")
