"""Fixture builder of the v1.0 checker tests: a valid v1.0 tree in a temp dir, plus edits.

The tree is written by ``examples/make_example_submission_v1.py`` (the generator of the shipped
v1.0 example), so every test starts from a tree that passes and applies one mutation:

    tree = V1Tree.build(tmp_path)                       # the shipped example's tree
    tree = V1Tree.build(tmp_path, max_concurrency=1024, points=(PointSpec(1), ...))
    tree.edit_point_yaml(64, lambda p: p.update(seed_set="B"))
    tree.edit_summary(64, lambda s: s.update(tps=1.0))
    tree.edit_system_desc(lambda d: d.pop("system_size"))          # every point's copy
    tree.remove_point(272); tree.add_point(PointSpec(48))
    report = SubmissionChecker(tree.org, round="v1.0").run()
    assert finding.path == tree.rel(64, "point.yaml")

Paths: ``tree.org`` is the organisation dir (what a user passes to ``check``), ``tree.root`` the
submission root (``<org>/<submission_id>``); ``tree.rel(...)`` is a path relative to ``tree.org``
as findings print it, and ``tree.path(...)`` the absolute ``Path``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
GENERATOR_NAME = "make_example_submission_v1"


def load_generator() -> Any:
    """The example generator module (loaded once from ``examples/``)."""
    if GENERATOR_NAME in sys.modules:
        return sys.modules[GENERATOR_NAME]
    spec = importlib.util.spec_from_file_location(
        GENERATOR_NAME, REPO / "examples" / f"{GENERATOR_NAME}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[GENERATOR_NAME] = module
    spec.loader.exec_module(module)
    return module


generator = load_generator()
PointSpec = generator.PointSpec
TreeSpec = generator.TreeSpec


class V1Tree:
    """A generated valid v1.0 submission and the edits tests apply to it."""

    def __init__(self, out_dir: Path, spec: Any) -> None:
        self.spec = spec
        self.org = generator.write_submission_v1(out_dir, spec)
        self.root = self.org / spec.submission_id

    @classmethod
    def build(cls, out_dir: Path, **changes: Any) -> V1Tree:
        """Write the tree of ``TreeSpec(**changes)`` under ``out_dir``."""
        return cls(out_dir, replace(TreeSpec(), **changes))

    # --- where things are --------------------------------------------------------------------

    @property
    def concurrencies(self) -> list[int]:
        return sorted(p.concurrency for p in self.spec.points)

    @property
    def accuracy_points(self) -> list[int]:
        return sorted(p.concurrency for p in self.spec.points if p.accuracy)

    @property
    def offline_point(self) -> int | None:
        return next((p.concurrency for p in self.spec.points if p.offline != "none"), None)

    @property
    def curve_rel(self) -> str:
        """``<submission_id>/results/<system>/<model>`` relative to ``org``."""
        return f"{self.spec.submission_id}/results/{self.spec.system_dir}/{self.spec.model}"

    def rel(self, concurrency: int | str | None = None, filename: str | None = None) -> str:
        """Path relative to ``org``: the curve, ``r<N>/`` or a file in it."""
        parts = [self.curve_rel]
        if concurrency is not None:
            parts.append(f"r{concurrency}")
        if filename is not None:
            parts.append(filename)
        return "/".join(parts)

    def path(self, *parts: str | int) -> Path:
        """``path(64, "point.yaml")`` → the point's file; ``path("docs")`` → under the root."""
        if parts and isinstance(parts[0], int):
            return self.org / self.rel(parts[0], *[str(p) for p in parts[1:2]])
        return self.root.joinpath(*[str(p) for p in parts])

    # --- reading and editing -----------------------------------------------------------------

    def read(self, concurrency: int, filename: str) -> Any:
        text = self.path(concurrency, filename).read_text(encoding="utf-8")
        return json.loads(text) if filename.endswith(".json") else yaml.safe_load(text)

    def _edit(self, concurrency: int, filename: str, change: Callable[[Any], Any]) -> None:
        """Apply ``change`` to the parsed file in place; a non-None return value replaces it."""
        data = self.read(concurrency, filename)
        result = change(data)
        if result is not None:
            data = result
        target = self.path(concurrency, filename)
        if filename.endswith(".json"):
            generator.write_json(target, data)
        else:
            generator.write_yaml(target, data)

    def edit_point_yaml(self, concurrency: int, change: Callable[[Any], Any]) -> None:
        self._edit(concurrency, "point.yaml", change)

    def edit_summary(self, concurrency: int, change: Callable[[Any], Any]) -> None:
        self._edit(concurrency, "result_summary.json", change)

    def edit_config(self, concurrency: int, change: Callable[[Any], Any]) -> None:
        self._edit(concurrency, "config.yaml", change)

    def edit_accuracy(self, concurrency: int, change: Callable[[Any], Any]) -> None:
        self._edit(concurrency, "accuracy_results.json", change)

    def edit_system_desc(
        self, change: Callable[[Any], Any], concurrency: int | None = None
    ) -> None:
        """Edit one point's ``system_desc.json``, or every point's copy when ``concurrency``
        is None (the copies must agree, so most edits go to all of them)."""
        for c in self.concurrencies if concurrency is None else [concurrency]:
            self._edit(c, "system_desc.json", change)

    def edit_all_points(self, change: Callable[[Any], Any]) -> None:
        """Apply ``change`` to every point.yaml."""
        for c in self.concurrencies:
            self.edit_point_yaml(c, change)

    def write(self, rel: str, content: str | bytes) -> Path:
        """Write a file at ``rel`` (relative to ``org``), creating its directories."""
        target = self.org / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def use_real_run(self, concurrency: int, run_dir: Path, *, config: bool = False) -> None:
        """Put a real inference-endpoint run's summary (``performance/result_summary.json``,
        byte for byte) into ``r<N>/``, and its ``config.yaml`` too when ``config`` is true."""
        shutil.copyfile(
            run_dir / "performance" / "result_summary.json",
            self.path(concurrency, "result_summary.json"),
        )
        if config:
            shutil.copyfile(run_dir / "config.yaml", self.path(concurrency, "config.yaml"))

    def remove(self, concurrency: int, filename: str) -> None:
        self.path(concurrency, filename).unlink()

    def remove_point(self, concurrency: int) -> None:
        """Delete ``r<N>/`` (the other points keep their numbers and tps_utilization)."""
        shutil.rmtree(self.org / self.rel(concurrency))
        self.spec = replace(
            self.spec, points=tuple(p for p in self.spec.points if p.concurrency != concurrency)
        )

    def add_point(self, point: Any) -> Path:
        """Write a new ``r<N>/`` consistent with the tree (its tps_utilization is taken against
        the tree's highest tps, so add points slower than the Offline point)."""
        self.spec = replace(self.spec, points=(*self.spec.points, point))
        max_tps = max(n.tps for n in generator.curve_numbers(self.spec).values())
        return generator.write_point(self.spec, point, self.org / self.rel(), max_tps)
