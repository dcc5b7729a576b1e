"""Fixtures for the submissions tests: git identity, local bare repositories, a `gh` stand-in."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

FAKE_GH_SOURCE = Path(__file__).with_name("fake_gh.py")


@pytest.fixture(autouse=True)
def isolated_user_env(tmp_path, monkeypatch):
    """A git identity (CI may have none), a private state dir for journals, no global git config."""
    for var, value in {
        "GIT_AUTHOR_NAME": "Sub Mitter",
        "GIT_AUTHOR_EMAIL": "submitter@example.org",
        "GIT_COMMITTER_NAME": "Sub Mitter",
        "GIT_COMMITTER_EMAIL": "submitter@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("MLPERF_SUBMISSION_REPO", raising=False)
    monkeypatch.delenv("PRISM_USER_API_TOKEN", raising=False)
    # Work dirs the CLI keeps for the user (a failed check) or loses to SIGKILL land in tmp_path.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))


def _git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def git():
    """Run real git in the tests: ``git("log", "-1", cwd=repo)`` → stdout."""
    return _git


@pytest.fixture
def bare_repo(tmp_path, git) -> Path:
    """A bare repository with one commit on main, like a fresh submission repository."""
    bare = tmp_path / "submissions.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = tmp_path / "seed"
    git("init", "--quiet", "--initial-branch=main", str(seed))
    (seed / "README.md").write_text("MLPerf Endpoints submissions\n")
    git("add", "README.md", cwd=seed)
    git("commit", "--quiet", "-m", "initial commit", cwd=seed)
    git("push", "--quiet", str(bare), "main", cwd=seed)
    return bare


@pytest.fixture
def reject_pushes():
    """Install a pre-receive hook that refuses every push: ``reject_pushes(bare, message)``."""

    def install(bare: Path, message: str = "pushes are frozen for the review") -> None:
        hook = bare / "hooks" / "pre-receive"
        hook.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
        hook.chmod(0o755)

    return install


@dataclass
class FakeGh:
    """Handle on the `gh` stand-in: its state file (calls, PRs) and switches."""

    bin_dir: Path
    state_path: Path

    @property
    def state(self) -> dict:
        return json.loads(self.state_path.read_text())

    def set(self, **values) -> None:
        state = self.state
        state.update(values)
        self.state_path.write_text(json.dumps(state, indent=2))

    @property
    def calls(self) -> list[list[str]]:
        return [call["args"] for call in self.state["calls"]]

    @property
    def prs(self) -> list[dict]:
        return self.state["prs"]


@pytest.fixture
def fake_gh(tmp_path, bare_repo, monkeypatch) -> FakeGh:
    """`gh` on PATH, cloning from ``bare_repo`` as if it were the GitHub repository."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    script = bin_dir / "gh"
    script.write_text(f"#!{sys.executable}\n" + FAKE_GH_SOURCE.read_text())
    script.chmod(0o755)
    state_path = bin_dir / "gh_state.json"
    state_path.write_text(
        json.dumps(
            {"remote": str(bare_repo), "auth": True, "prs": [], "calls": [], "kill_parent_on": None}
        )
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return FakeGh(bin_dir, state_path)


REPO_ROOT = Path(__file__).resolve().parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_runs", REPO_ROOT / "examples" / "make_example_runs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def example_generator():
    """examples/make_example_runs.py as a module (make_runs, make_run, SYSTEM_DESC, ...)."""
    return _load_generator()


@pytest.fixture
def example_runs(tmp_path, example_generator) -> Path:
    """A fresh copy of the example runs (8 points over all regions, one with accuracy)."""
    out = tmp_path / "example-runs"
    example_generator.make_runs(out)
    return out


@pytest.fixture
def cli(prism, monkeypatch):
    """Run the CLI in-process against the test server as the test's fresh user."""
    from click.testing import CliRunner

    from endpoints_submission_cli.cli import main

    monkeypatch.setenv("MLPERF_API_BASE_URL", prism.url)
    monkeypatch.setenv("PRISM_USER_API_TOKEN", prism.token)

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args])

    return invoke


class Api:
    """Direct HTTP access to the test server, to verify state independently of the client."""

    def __init__(self, prism):
        self.prism = prism

    def get(self, path: str):
        response = httpx.get(f"{self.prism.url}{path}", headers=self.prism.headers(), timeout=30)
        response.raise_for_status()
        return response.json()

    def submissions(self) -> list[dict]:
        return self.get("/submissions")["items"]

    def submission(self, sid: str) -> dict:
        return self.get(f"/submissions/{sid}?include_runs=true")

    def bundle_sha256(self, sid: str) -> str | None:
        response = httpx.get(
            f"{self.prism.url}/submissions/{sid}/archive", headers=self.prism.headers(), timeout=30
        )
        if response.status_code == 404:
            return None
        url = response.raise_for_status().json()["download_url"]
        return hashlib.sha256(httpx.get(url, timeout=30).raise_for_status().content).hexdigest()


@pytest.fixture
def api(prism) -> Api:
    return Api(prism)


@pytest.fixture
def register(cli):
    """Register run folders with `runs create`; returns their ids in order."""

    def run(folders, system_desc: Path | None = None) -> list[str]:
        ids = []
        for folder in folders:
            args = ["runs", "create", "--path", folder]
            if system_desc is not None:
                args += ["--system-desc", system_desc]
            result = cli(*args)
            assert result.exit_code == 0, result.output + result.stderr
            ids.append(result.stdout.strip().splitlines()[-1])
        return ids

    return run


@pytest.fixture(scope="session")
def example_archives(tmp_path_factory, example_generator):
    """The example runs packed once per session: (concurrency, RunCreate payload, archive)."""
    from endpoints_submission_cli import __version__
    from endpoints_submission_cli.registration import pack_run
    from endpoints_submission_cli.runfolder import build_run_create, read_run_folder

    root = tmp_path_factory.mktemp("example-archives")
    example_generator.make_runs(root / "runs")
    packed = []
    for folder in sorted((root / "runs").glob("llama2-70b_c*")):
        run = read_run_folder(folder, root / "runs" / "system_desc.json")
        archive = pack_run(run, root, ())
        packed.append((run.concurrency, build_run_create(run, cli_version=__version__), archive))
    return packed


@pytest.fixture
def example_ids(prism, example_archives) -> dict[int, str]:
    """The example runs registered on the test server for this test's user: concurrency → id.

    Registered through the client library rather than the CLI (tests/runs covers `runs create`;
    here it is set-up, and it runs before most tests).
    """
    from endpoints_submission_cli.prism import PrismClient
    from endpoints_submission_cli.registration import register_run

    with PrismClient(prism.url, prism.token) as client:
        return {
            concurrency: register_run(client, payload, archive)["id"]
            for concurrency, payload, archive in example_archives
        }
