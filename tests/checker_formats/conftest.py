"""Fixtures of the output-format tests: copies of the shipped example submission, the edits
that make it fail or warn, a CLI runner, and golden-file comparison.

Each test runs in its own temporary directory with the submission at ``./ExampleOrg``, so every
path in the output is relative and the golden files hold no machine-specific path. Set
``UPDATE_GOLDEN=1`` to rewrite the golden files from the current output (then review the diff).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from submission_checker.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "submission" / "ExampleOrg"
GOLDEN_DIR = Path(__file__).parent / "data" / "golden"
ORG = "ExampleOrg"
MODEL_DIR = f"{ORG}/pareto/example-system/llama2-70b"


def copy_example(workdir: Path) -> Path:
    """A writable copy of the shipped example submission at ``workdir/ExampleOrg``."""
    target = workdir / ORG
    shutil.copytree(EXAMPLE, target)
    return target


def edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def edit_yaml(path: Path, **changes) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def make_warnings_only(workdir: Path) -> None:
    """Two warnings, no error: a declared region that disagrees, and a stray .yml file."""
    edit_yaml(workdir / f"{MODEL_DIR}/points/point_40.yaml", region="low_throughput")
    (workdir / f"{MODEL_DIR}/points/notes.yml").write_text("draft: true\n", encoding="utf-8")


def make_failing(workdir: Path) -> None:
    """Errors at the point, model and system scope, plus warnings, with characters that need
    escaping in every format (``,``, ``:``, ``%``, ``<``, ``&``, ``|``) in messages and values."""
    make_warnings_only(workdir)
    summary = workdir / f"{MODEL_DIR}/results/point_64/mlperf_endpoints_log_summary.json"
    stored = json.loads(summary.read_text(encoding="utf-8"))["tps"]
    edit_json(summary, tps=stored * 1.25)  # stored throughput 25 % above the derived value
    edit_yaml(
        workdir / f"{MODEL_DIR}/points/point_1.yaml",
        dataset="open_orca, v2: 50% <sampled> & | trimmed",
    )
    (workdir / f"{MODEL_DIR}/accuracy/accuracy.txt").unlink()


VARIANTS = {"example": None, "warnings": make_warnings_only, "failing": make_failing}


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


@pytest.fixture
def submission(workdir: Path):
    """``submission("failing")`` → the variant's tree at ./ExampleOrg; returns its name."""

    def build(variant: str = "example") -> str:
        copy_example(workdir)
        mutate = VARIANTS[variant]
        if mutate is not None:
            mutate(workdir)
        return ORG

    return build


def run_cli(*args: str, env: dict[str, str] | None = None) -> Run:
    """Run ``submission-checker`` in-process with a fixed terminal width."""
    result = CliRunner().invoke(
        main, list(args), env={"COLUMNS": "120", **(env or {})}, catch_exceptions=False
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def normalise(text: str, workdir: Path) -> str:
    """Replace what differs between machines and releases: the version and temp paths."""
    from submission_checker.checker import checker_version

    text = text.replace(str(workdir.resolve()), "<WORKDIR>").replace(str(workdir), "<WORKDIR>")
    return re.sub(rf"(?<![\w.]){re.escape(checker_version())}(?![\w.])", "<VERSION>", text)


def assert_golden(name: str, actual: str) -> None:
    """Compare with ``data/golden/<name>``; rewrite it instead when UPDATE_GOLDEN=1."""
    golden = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.is_file(), f"no golden file {golden}; create it with UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, (
        f"output differs from {golden.relative_to(REPO)}; if the change is intended, "
        "regenerate with UPDATE_GOLDEN=1 and review the diff"
    )
