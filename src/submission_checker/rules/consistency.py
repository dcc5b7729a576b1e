"""Configuration consistency across a model's points (§16)."""

from __future__ import annotations

from collections.abc import Iterator

from ..layout import Model
from ..naming import normalise_model_name
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning
from .values import text


@rule(
    "config-consistency-dataset",
    spec="§16",
    severity="error",
    scope="model",
    summary="All points of a model were measured on the same dataset (its file when recorded).",
    messages={
        "ok": info("all points use dataset {dataset}"),
        "mixed": error(
            "points declare {count} different datasets: {listing}",
            "Measure every point of the model on the same dataset.",
        ),
    },
)
def config_consistency_dataset(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """One Pareto curve, one dataset.

    A point's dataset is its ``dataset_file`` when the point records one (compared by SHA-256
    when every recorded file has one, else by path: the label is free text, two runs may name
    one file differently); otherwise its ``dataset`` label (exact, case-sensitive, suffix
    included).
    Passing: every point has ``dataset: open_orca``; or ``dataset: perf`` and
    ``dataset: dummy_1k`` with the same ``dataset_file: {path: /data/dummy_1k.jsonl}``.
    Failing: ``point_1.yaml`` has ``open_orca``, ``point_64.yaml`` has ``cnn_dailymail``.
    """
    files = {p.file_name: _dataset_file(p.config.mapping or {}) for p in model.points}
    by_hash = all(found[1] is not None for found in files.values() if found is not None)
    by_dataset: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for point in model.points:
        recorded = files[point.file_name]
        if recorded is not None:
            path, digest = recorded
            key = f"sha256:{digest}" if by_hash else f"path:{path}"
            label = f"file {path}" + (f" (sha256 {digest[:12]}…)" if by_hash else "")
        else:
            label = text(point.config.mapping.get("dataset")) if point.config.mapping else None
            if label is None:
                continue
            key = f"label:{label}"
        by_dataset.setdefault(key, []).append(point.file_name)
        shown.setdefault(key, label)
    if len(by_dataset) == 1:
        yield rule.result("ok", model, dataset=shown[next(iter(by_dataset))])
    elif by_dataset:
        listing = "; ".join(
            f"{shown[key]} ({', '.join(names)})" for key, names in by_dataset.items()
        )
        yield rule.result("mixed", model, count=len(by_dataset), listing=listing)


def _dataset_file(point: dict) -> tuple[str, str | None] | None:
    """(path, SHA-256 or None) of the point's recorded dataset file, None when not recorded."""
    recorded = point.get("dataset_file")
    if not isinstance(recorded, dict) or text(recorded.get("path")) is None:
        return None
    return recorded["path"], text(recorded.get("sha256"))


@rule(
    "config-consistency-model",
    spec="§16",
    severity="error",
    scope="model",
    summary="The declared model matches the model directory name (after normalisation).",
    messages={
        "ok": info('declared model "{declared}" ({source}) matches the directory'),
        "mismatch": error(
            'declared model "{declared}" ({source}) normalises to "{normalised}", '
            'but the directory is "{directory}"',
            "Rename the directory to {normalised} or correct {source}.",
        ),
        "nameless": error(
            'declared model "{declared}" ({source}) normalises to nothing, so it names no '
            "model directory",
            "Declare the model by its name, e.g. benchmark_model: {directory}.",
        ),
        "disagree": error(
            "points declare different models: {listing}",
            "Declare the same benchmark_model in every point of the model.",
        ),
        "undeclared": warning(
            "no model declared (benchmark_model in the points, or benchmark_model/model_id/"
            "model_name in {system_file})",
            "Add benchmark_model: {directory} to the point files.",
        ),
    },
)
def config_consistency_model(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """The results must sit under the model they claim to be.

    The declared model is the points' ``benchmark_model``, else the system's
    ``benchmark_model``/``model_id``/``model_name``; normalised (text after the last ``/``,
    trimmed, characters outside [A-Za-z0-9_-] → ``_``, runs of ``_`` collapsed, outer ``_``
    removed) and compared with the normalised directory name.
    Passing: directory ``llama2-70b``, points with ``benchmark_model: llama2-70b``.
    Failing: directory ``llama2-70b``, ``benchmark_model: mixtral-8x7b``; a declared model that
    normalises to nothing (``"___"``).
    """
    by_model: dict[str, list[str]] = {}
    for point in model.points:
        declared = (
            text(point.config.mapping.get("benchmark_model")) if point.config.mapping else None
        )
        if declared is not None:
            by_model.setdefault(declared, []).append(point.file_name)
    normalised_names = {normalise_model_name(name) for name in by_model}
    if len(normalised_names) > 1:
        listing = "; ".join(f"{name} ({', '.join(files)})" for name, files in by_model.items())
        yield rule.result("disagree", model, listing=listing)
        return
    if by_model:
        declared = next(iter(by_model))
        source = "benchmark_model in the points"
    else:
        data = model.system.description.mapping or {}
        declared, source = None, ""
        for key in ("benchmark_model", "model_id", "model_name"):
            if text(data.get(key)) is not None:
                declared, source = data[key], f"{key} in {model.system.rel}"
                break
        if declared is None:
            yield rule.result(
                "undeclared", model, system_file=model.system.rel, directory=model.name
            )
            return
    normalised = normalise_model_name(declared)
    directory = normalise_model_name(model.name)
    values = {"declared": declared, "source": source}
    if not normalised:  # "___" and the like never match, not even a directory named so (§4.4)
        yield rule.result("nameless", model, directory=model.name, **values)
    elif normalised == directory:
        yield rule.result("ok", model, **values)
    else:
        yield rule.result("mismatch", model, normalised=normalised, directory=model.name, **values)
