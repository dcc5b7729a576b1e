"""Fixtures of the checker tests: a valid submission tree in tmp_path, and edit helpers.

The tree comes from ``examples/make_example_submission.py`` (the same generator as the shipped
example), so every test starts from a tree that passes and applies one mutation.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def _load_generator():
    name = "make_example_submission"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "examples" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class SubmissionTree:
    """A generated valid submission plus the edits tests apply to it."""

    system = "example-system"
    model = "llama2-70b"
    model_dir = f"pareto/{system}/{model}"
    system_file = f"systems/{system}.json"
    accuracy_json = f"{model_dir}/accuracy/accuracy_result.json"
    accuracy_txt = f"{model_dir}/accuracy/accuracy.txt"
    concurrencies = (1, 8, 32, 34, 40, 48, 64, 70)

    def __init__(self, root: Path, generator: Any) -> None:
        self.generator = generator
        self.org = generator.write_submission(root)

    def point_yaml(self, c: int | str) -> str:
        return f"{self.model_dir}/points/point_{c}.yaml"

    def results_dir(self, c: int | str) -> str:
        return f"{self.model_dir}/results/point_{c}"

    def summary_json(self, c: int | str) -> str:
        return f"{self.results_dir(c)}/mlperf_endpoints_log_summary.json"

    def detail_json(self, c: int | str) -> str:
        return f"{self.results_dir(c)}/mlperf_endpoints_log_detail.json"

    def path(self, rel: str) -> Path:
        return self.org / rel

    def edit_json(self, rel: str, change: Callable[[Any], Any]) -> None:
        """Apply ``change`` to the parsed file in place (its return value is ignored)."""
        data = json.loads(self.path(rel).read_text())
        change(data)
        self.path(rel).write_text(json.dumps(data, indent=2))

    def edit_yaml(self, rel: str, change: Callable[[Any], Any]) -> None:
        """Apply ``change`` to the parsed YAML mapping in place (its return value is ignored)."""
        data = yaml.safe_load(self.path(rel).read_text())
        change(data)
        self.path(rel).write_text(yaml.safe_dump(data, sort_keys=False))

    def write(self, rel: str, content: str | bytes) -> None:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)

    def remove(self, rel: str) -> None:
        target = self.path(rel)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()

    def remove_point(self, c: int) -> None:
        self.remove(self.point_yaml(c))
        self.remove(self.results_dir(c))

    def add_point(self, c: int) -> None:
        """A further valid point at concurrency ``c`` (same generator as the rest)."""
        gen = self.generator
        config = gen.point_config(c, self.model, 64)
        self.write(self.point_yaml(c), yaml.safe_dump(config, sort_keys=False))
        self.write(self.summary_json(c), json.dumps(gen.point_summary(c, self.model)))
        self.write(self.detail_json(c), "{}\n")

    def check(self):
        from submission_checker import SubmissionChecker

        return SubmissionChecker(self.org).run()


@pytest.fixture(scope="session")
def generator():
    return _load_generator()


@pytest.fixture
def tree(tmp_path: Path, generator: Any) -> SubmissionTree:
    """A valid organisation directory (one system, M = 64, llama2-70b, 8 points)."""
    return SubmissionTree(tmp_path / "tree", generator)
