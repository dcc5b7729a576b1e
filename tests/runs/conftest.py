"""Fixtures for the runs tests: real run folders ready to register, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from endpoints_submission_cli.cli import main


@pytest.fixture
def run_folder(sample_copy, samples_dir: Path) -> Callable[..., Path]:
    """A writable copy of a real run folder with the example system_desc.json added.

    Asking twice for the same name in one test gives the same folder.
    """
    made: dict[str, Path] = {}

    def make(name: str = "llama2-70b_c1") -> Path:
        if name not in made:
            made[name] = sample_copy(name)
            shutil.copy(samples_dir / "system_desc.example.json", made[name] / "system_desc.json")
        return made[name]

    return make


@pytest.fixture
def cli(prism, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process against the test server, as the test's fresh user."""
    monkeypatch.setenv("MLPERF_API_BASE_URL", prism.url)
    monkeypatch.setenv("PRISM_USER_API_TOKEN", prism.token)

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], env=env)

    return invoke


@pytest.fixture
def offline_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """The CLI with a server URL where nothing listens (for commands that must not connect)."""
    monkeypatch.setenv("MLPERF_API_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("PRISM_USER_API_TOKEN", raising=False)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args])

    return invoke
