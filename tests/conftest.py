"""Fixtures shared by every test package."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["prism_server.testing"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "samples" / "inference-endpoint"


@pytest.fixture
def samples_dir() -> Path:
    """The real inference-endpoint run folders shipped beside the repository (read-only)."""
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"real benchmark samples not found at {SAMPLES_DIR}")
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
