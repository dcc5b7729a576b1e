"""Per-round rules data: dataset minimums, accuracy targets and duration minima.

The numbers live in ``data/<round>.yaml`` (one file per MLPerf Endpoints rules round) so that a
new round is a new data file, not a code change.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .loading import LoadError, parse_yaml

__all__ = [
    "DEFAULT_ROUND",
    "ROUNDS",
    "Bound",
    "OfficialTarget",
    "RulesRound",
    "available_rounds",
    "detect_round",
    "load_round",
    "model_key",
    "normalise_metric",
    "resolve_round",
]

DEFAULT_ROUND = "v0.7"
#: The rules rounds the checker implements (each has its rules data and its rule set).
ROUNDS: tuple[str, ...] = ("v0.7", "v1.0")
#: former names of rounds (the v0.7 data file was called v6.1 before round v1.0 existed)
ROUND_ALIASES = MappingProxyType({"v6.1": "v0.7"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def normalise_metric(name: str) -> str:
    """Metric name as compared everywhere: lower case, ``-``/``_`` removed (ROUGE-L → rougel).

    Nothing else: whitespace is kept, so ``"rougel "`` is not ``rougel`` (§4.4).
    """
    return name.lower().replace("-", "").replace("_", "")


def model_key(model_dir_name: str) -> str:
    """Model directory name as matched against target fragments: lower case, only ``[a-z0-9]``."""
    return _NOT_ALNUM.sub("", model_dir_name.lower())


@dataclass(frozen=True)
class Bound:
    """Accepted range of one accuracy metric; ``upper`` is ``None`` when there is none."""

    lower: float
    upper: float | None = None

    def admits(self, value: float) -> bool:
        return value >= self.lower and (self.upper is None or value <= self.upper)

    def __str__(self) -> str:
        return f"≥ {self.lower}" if self.upper is None else f"{self.lower} … {self.upper}"


@dataclass(frozen=True)
class OfficialTarget:
    """One row of the official accuracy table.

    ``metrics`` maps the metric name as written in the data file to its ``Bound``, in row order.
    """

    fragments: tuple[str, ...]
    metrics: MappingProxyType[str, Bound]

    @property
    def name(self) -> str:
        return "+".join(self.fragments)

    def bound_for(self, metric: str) -> Bound | None:
        wanted = normalise_metric(metric)
        for name, bound in self.metrics.items():
            if normalise_metric(name) == wanted:
                return bound
        return None


@dataclass(frozen=True)
class RulesRound:
    """The data tables of one rules round."""

    name: str
    dataset_minimums: MappingProxyType[str, int]
    duration_minimums_ms: MappingProxyType[str, int]
    accuracy_targets: tuple[OfficialTarget, ...]

    normalise_metric = staticmethod(normalise_metric)

    def dataset_minimum(self, dataset: str) -> int | None:
        """Minimum completed queries; ``cnn_dailymail::llama3_8b`` matches ``cnn_dailymail``."""
        return self.dataset_minimums.get(dataset.split("::", 1)[0])

    def official_target(self, model_dir_name: str) -> OfficialTarget | None:
        """The first target row whose fragments all occur in the normalised model name."""
        key = model_key(model_dir_name)
        for row in self.accuracy_targets:
            if all(fragment in key for fragment in row.fragments):
                return row
        return None

    def minimum_duration_ms(self, concurrency: int) -> int:
        """600 000 ms for Low Latency (1 ≤ C ≤ 32), else the longer minimum."""
        if 1 <= concurrency <= 32:
            return self.duration_minimums_ms["low_latency"]
        return self.duration_minimums_ms["other"]


def available_rounds() -> list[str]:
    """Names of the rules-data files shipped in ``data/`` (``v0.7``, ``v1.0``)."""
    data = resources.files("submission_checker") / "data"
    return sorted(p.name[: -len(".yaml")] for p in data.iterdir() if p.name.endswith(".yaml"))


@functools.cache
def load_round(name: str | None = None) -> RulesRound:
    """Load the rules data of round ``name`` (default ``DEFAULT_ROUND``).

    Raises ``ValueError`` for an unknown round.
    """
    name = ROUND_ALIASES.get(name or DEFAULT_ROUND, name or DEFAULT_ROUND)
    raw = round_table(name)
    try:
        return _build_round(name, raw)
    except (KeyError, TypeError, ValueError) as exc:  # a packaging bug, not user input
        raise ValueError(f"rules data for round {name!r} is malformed: {exc}") from exc


@functools.cache
def round_table(name: str) -> dict[str, Any]:
    """The parsed data file of round ``name`` (``data/<name>.yaml``), read once per process:
    ``load_round`` and round v1.0's own tables (``rounds_v1``) are both built from it, and
    neither changes it. Raises ``ValueError`` for an unknown round or a malformed file."""
    resource = resources.files("submission_checker") / "data" / f"{name}.yaml"
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or not resource.is_file():
        known = ", ".join(available_rounds())
        raise ValueError(f"unknown rules round {name!r}; known rounds: {known}")
    try:
        raw = parse_yaml(resource.read_text(encoding="utf-8"))
    except LoadError as exc:  # a packaging bug, not user input
        raise ValueError(f"rules data for round {name!r} is malformed: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"rules data for round {name!r} is malformed: not a mapping")
    return raw


def _build_round(name: str, raw: dict[str, Any]) -> RulesRound:
    targets = tuple(
        OfficialTarget(
            fragments=tuple(str(f) for f in row["fragments"]),
            metrics=MappingProxyType(
                {
                    str(metric): Bound(float(spec["lower"]), _optional_float(spec.get("upper")))
                    for metric, spec in row["metrics"].items()
                }
            ),
        )
        for row in raw["accuracy_targets"]
    )
    return RulesRound(
        name=str(raw.get("round", name)),
        dataset_minimums=MappingProxyType(
            {str(k): int(v) for k, v in raw["dataset_minimums"].items()}
        ),
        duration_minimums_ms=MappingProxyType(
            {str(k): int(v) for k, v in raw["duration_minimums_ms"].items()}
        ),
        accuracy_targets=targets,
    )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def detect_round(path: str | os.PathLike[str]) -> str:
    """The rules round of the tree at ``path``, as ``check --round auto`` decides it.

    v1.0 when ``path`` or its single child directory holds ``results/``; v0.7 when ``path``
    holds ``systems/`` or ``pareto/``; otherwise v1.0 (whose ``required-dir`` error then names
    both layouts). Never raises: an unreadable path is simply "otherwise".
    """
    root = Path(path)
    try:
        if (root / "results").is_dir():
            return "v1.0"
        children = [child for child in root.iterdir() if child.is_dir()]
    except OSError:
        return "v1.0"
    if len(children) == 1 and (children[0] / "results").is_dir():
        return "v1.0"
    try:
        if (root / "systems").is_dir() or (root / "pareto").is_dir():
            return "v0.7"
    except OSError:
        pass
    return "v1.0"


def resolve_round(path: str | os.PathLike[str], requested: str | None) -> str:
    """``requested`` when it names a round, the detected round for ``auto``/``None``.

    Raises ``ValueError`` naming the known rounds for anything else.
    """
    if requested in (None, "auto"):
        return detect_round(path)
    requested = ROUND_ALIASES.get(requested, requested)
    if requested not in ROUNDS:
        raise ValueError(
            f"unknown rules round {requested!r}; expected auto or one of {', '.join(ROUNDS)}"
        )
    return requested
