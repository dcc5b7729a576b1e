"""Fixtures of the v1.0 checker tests: a valid v1.0 tree in tmp_path (see ``builder.py``).

``builder.py`` is loaded here under the module name ``checker_v1_builder`` (pytest runs with
``--import-mode=importlib``, so test directories are not on ``sys.path``); test modules in this
directory can therefore ``from checker_v1_builder import PointSpec, V1Tree`` at import time,
because pytest always imports a directory's conftest before its test modules. The same goes
for ``rules_v1_reference.py`` (``checker_v1_rules_reference``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

BUILDER_NAME = "checker_v1_builder"


def _load_sibling(name: str, file_name: str) -> Any:
    """The module in this directory's ``file_name``, importable as ``name`` from now on."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file_name))
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


builder = _load_sibling(BUILDER_NAME, "builder.py")
# the v1.0 rules as written before they were made cheaper (test_rules_v1_differential)
_load_sibling("checker_v1_rules_reference", "rules_v1_reference.py")


@pytest.fixture
def v1_tree(tmp_path: Path) -> Any:
    """The shipped example's valid v1.0 tree, written fresh under ``tmp_path``."""
    return builder.V1Tree.build(tmp_path / "v1")


@pytest.fixture
def v1_tree_factory(tmp_path: Path) -> Any:
    """``v1_tree_factory(**TreeSpec changes)`` → a valid tree of that shape (several per test
    are fine: each goes to its own directory)."""
    count = 0

    def build(**changes: Any) -> Any:
        nonlocal count
        count += 1
        return builder.V1Tree.build(tmp_path / f"v1-{count}", **changes)

    return build
