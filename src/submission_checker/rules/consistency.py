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
    summary="All points of a model declare the same dataset.",
    messages={
        "ok": info("all points use dataset {dataset}"),
        "mixed": error(
            "points declare {count} different datasets: {listing}",
            "Measure every point of the model on the same dataset.",
        ),
    },
)
def config_consistency_dataset(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """One Pareto curve, one dataset (exact, case-sensitive, suffix included).

    Passing: every point has ``dataset: open_orca``.
    Failing: ``point_1.yaml`` has ``open_orca``, ``point_64.yaml`` has ``cnn_dailymail``.
    """
    by_dataset: dict[str, list[str]] = {}
    for point in model.points:
        dataset = text(point.config.mapping.get("dataset")) if point.config.mapping else None
        if dataset is not None:
            by_dataset.setdefault(dataset, []).append(point.file_name)
    if len(by_dataset) == 1:
        yield rule.result("ok", model, dataset=next(iter(by_dataset)))
    elif by_dataset:
        listing = "; ".join(f"{name} ({', '.join(files)})" for name, files in by_dataset.items())
        yield rule.result("mixed", model, count=len(by_dataset), listing=listing)


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
