"""Round v1.0 system description rules (checker-v1.0.md Part B §4.2, §6 "System
description"; A2.10). In v1.0 every point carries its own ``system_desc.json``; a curve's copies
must agree, and C_max is the first copy's ``max_supported_concurrency``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..layout_v1 import ModelV1, PointV1
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning
from .values import dig, integer, number

V1 = ("v1.0",)
#: keys that legitimately differ between the points of a curve (per-point configuration)
PER_POINT_KEYS = frozenset(
    {
        "tps_utilization",
        "tensor_parallel",
        "pipeline_parallel",
        "expert_parallel",
        "data_parallel",
        "disaggregated",
        "batch",
        "config_summary",
        "config_summary_notes",
    }
)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@rule(
    "system-description-present",
    spec="B§1, §8.2",
    severity="error",
    scope="model",
    summary="Every `r<N>/` holds a system_desc.json, and the curve has a readable one.",
    messages={
        "ok": info("system_desc.json present in all {count} point(s)"),
        "missing": error(
            "system_desc.json is missing; every point carries its own copy of the §8.2 "
            "system description",
            "Copy the system's system_desc.json into {rel}/.",
        ),
        "none": error(
            "no point of this curve has a readable system_desc.json; C_max and the regions "
            "cannot be computed",
            "Add a valid system_desc.json (one JSON object, §8.2) to every r<N>/ of the curve.",
        ),
    },
    rounds=V1,
)
def system_description_present(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Each point states the system it ran on (``r<N>/system_desc.json``).

    Passing: ``r8/system_desc.json`` and ``r64/system_desc.json``.
    Failing: ``r64/`` without it → an error at ``r64/system_desc.json``.
    """
    if not model.points:
        return
    failed = False
    for point in model.points:
        if point.description.state == "missing":
            failed = True
            yield rule.result("missing", point, path=point.description.rel, rel=point.rel)
    if model.first_description is None and any(
        p.description.state not in ("missing", "unsafe") for p in model.points
    ):
        failed = True
        yield rule.result("none", model)
    elif model.first_description is None and not failed:
        return
    if not failed:
        yield rule.result("ok", model, count=len(model.points))


@rule(
    "system-description-valid",
    spec="B§4.2",
    severity="error",
    scope="model",
    summary="The curve's first system_desc.json is one JSON object following the §4.2 schema.",
    messages={
        "ok": info("system description is valid"),
        "unreadable": error("{error}", "Fix the file so that it is one UTF-8 JSON object (§8.2)."),
        "not-object": error(
            "found {found}, expected one JSON object (§8.2)",
            "Write the system description as a JSON object.",
        ),
        "problem": error("{problem}", "{fix}"),
    },
    rounds=V1,
)
def system_description_valid(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """The system description follows §4.2; the other copies must equal it (consistency).

    Passing: ``{"system_name": "S", "system_availability_status": "Available",
    "availability_url": "https://…", "max_supported_concurrency": 1024, "system_size": "1
    node", "system_node_ensemble_count": 1, "system_node_ensemble_total": 1,
    "shortened_system_name": "S", "node_types": [...], "division": "serviced"}``.
    Failing: ``"division": "closed"`` → ``division: found "closed" (str), expected one of
    standardized, serviced, rdi``.
    """
    first = next(
        (p for p in model.points if p.description.state not in ("missing", "unsafe")), None
    )
    if first is None:
        return
    document = first.description
    if document.state == "invalid" and document.mapping is None:
        found = type(document.data).__name__
        yield rule.result("not-object", first, path=document.rel, found=found)
        return
    yield from rule.schema_results(first, document, ignore=("missing", "unsafe"), path=document.rel)


@rule(
    "system-description-consistency",
    spec="B§6, A2.10",
    severity="error",
    scope="point",
    summary="A point's system_desc.json equals the curve's first copy (per-point keys aside), "
    "and point.yaml `max_supported_concurrency` equals system_desc.json's.",
    messages={
        "ok": info("system description agrees with {first}"),
        "differs": error(
            'system_desc.json "{key}": found {found}, expected {expected} as in {first}',
            "Use one system description for every point of the curve (only the per-point "
            "parallelism, batch and tps_utilization may differ).",
        ),
        "c-max": error(
            "point.yaml max_supported_concurrency: found {found}, expected {expected} as in "
            "system_desc.json",
            "Set max_supported_concurrency in point.yaml to the system description's value.",
        ),
    },
    rounds=V1,
)
def system_description_consistency(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The points of a curve ran on one system, so their descriptions agree.

    Per-point keys (parallelism, ``batch``, ``disaggregated``, ``config_summary*``,
    ``tps_utilization``) may differ. point.yaml's ``max_supported_concurrency`` must equal the
    system description's (1.5.3.0 never compares them).
    Passing: ``r64/system_desc.json`` equal to ``r1/``'s but for ``batch``.
    Failing: ``r64`` says ``"system_size": "2 nodes"`` while ``r1`` says ``"1 node"``.
    """
    mine = point.description.mapping
    first = point.model.first_description
    if mine is None or first is None:
        return
    failed = False
    reference = first.description.mapping
    if first is not point and not _agree(reference, mine):
        for key in sorted(set(reference) | set(mine)):
            if key in PER_POINT_KEYS or reference.get(key) == mine.get(key):
                continue
            failed = True
            yield rule.result(
                "differs",
                point,
                path=point.description.rel,
                key=key,
                found=_short(mine.get(key, "nothing")),
                expected=_short(reference.get(key, "nothing")),
                first=first.description.rel,
            )
            break  # the first mismatch names the problem; the rest usually follow from it
    declared = (
        integer(point.config.mapping.get("max_supported_concurrency"))
        if (point.config.mapping)
        else None
    )
    expected = integer(mine.get("max_supported_concurrency"))
    if declared is not None and expected is not None and declared != expected:
        failed = True
        yield rule.result("c-max", point, path=point.config.rel, found=declared, expected=expected)
    if not failed:
        yield rule.result("ok", point, path=point.description.rel, first=first.description.rel)


def _agree(reference: dict, mine: dict) -> bool:
    """True when the keys compared below all agree (the common case, found without sorting)."""
    if reference.keys() != mine.keys():
        return False
    for key, value in reference.items():
        if key not in PER_POINT_KEYS and value != mine[key]:
            return False
    return True


@rule(
    "max-concurrency-declared",
    spec="B§5",
    severity="info",
    scope="model",
    summary="Reports C_max as read from the curve's system description.",
    messages={"ok": info("C_max = {c_max} (max_supported_concurrency of {rel})")},
    rounds=V1,
)
def max_concurrency_declared(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Informational: the C_max the regions use (its absence is reported by region-basis).

    Passing: ``"max_supported_concurrency": 1024`` → ``C_max = 1024``.
    Failing: never (a missing or unreadable C_max is region-basis's warning).
    """
    if model.max_concurrency is not None and model.first_description is not None:
        rel = model.first_description.description.rel
        yield rule.result("ok", model, path=rel, c_max=model.max_concurrency, rel=rel)


def _run_tps(point: PointV1) -> float | None:
    summary = point.summary.mapping
    if summary is None:
        return None
    tokens = number(dig(summary, "output_sequence_lengths", "total"))
    ns = number(summary.get("duration_ns"))
    if tokens is None or ns is None or ns <= 0:
        return None
    return tokens / (ns / 1e9)


@rule(
    "tps-utilization",
    spec="B§3.8",
    severity="error",
    scope="model",
    summary="Stored `tps_utilization` is within 0.1 of the point's throughput / the curve's "
    "highest throughput.",
    messages={
        "ok": info("tps_utilization agrees at {count} point(s)"),
        "differs": error(
            "tps_utilization: found {found:.4g}, expected {expected:.4g} (throughput "
            "{tps:.6g} / curve maximum {best:.6g} tokens/s) within ±{tolerance}",
            "Set tps_utilization to {expected:.4g} (the builder computes it).",
        ),
    },
    rounds=V1,
)
def tps_utilization(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """``tps_utilization`` = run throughput / the curve's best throughput.

    Passing: tps 500 at a point and 1000 at the best point with ``"tps_utilization": 0.5``.
    Failing: the same with ``0.8``.
    """
    tolerance = model.rules_round.tps_utilization_tolerance
    throughputs = {id(p): _run_tps(p) for p in model.points}
    known = [t for t in throughputs.values() if t is not None]
    if not known or max(known) <= 0:
        return
    best = max(known)
    checked = 0
    for point in model.points:
        tps = throughputs[id(point)]
        stored = (
            number(point.description.mapping.get("tps_utilization"))
            if (point.description.mapping)
            else None
        )
        if tps is None or stored is None:
            continue
        checked += 1
        expected = tps / best
        if abs(stored - expected) > tolerance:
            yield rule.result(
                "differs",
                point,
                path=point.description.rel,
                found=stored,
                expected=expected,
                tps=tps,
                best=best,
                tolerance=tolerance,
            )
    if checked:
        yield rule.result("ok", model, count=checked)


def _declared_model_names(model: ModelV1) -> list[tuple[PointV1, str]]:
    found = []
    for point in model.points:
        value = point.config.mapping.get("model_name") if point.config.mapping else None
        if isinstance(value, str) and value.strip():
            found.append((point, value))
    return found


def _canonical_model(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.rsplit("/", 1)[-1].lower())


@rule(
    "model-name-valid",
    spec="B§6",
    severity="error",
    scope="model",
    summary="point.yaml `model_name` is exactly one of the round's allowed models.",
    messages={
        "ok": info('model_name "{name}" is a v1.0 benchmark model'),
        "unknown": error(
            'model_name: found "{name}", expected one of {allowed}{hint}',
            "Set model_name to the benchmark's exact name{fix_hint}.",
        ),
    },
    rounds=V1,
)
def model_name_valid(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Round v1.0 benchmarks a fixed list of models (llama2-70b is not one of them).

    Passing: ``model_name: llama3_1-8b``. Failing: ``model_name: llama2-70b``; or
    ``Llama3.1-8B`` (hint: the allowed spelling is ``llama3_1-8b``).
    """
    declared = _declared_model_names(model)
    if not declared:
        return
    point, name = declared[0]
    allowed = model.rules_round.allowed_models
    if name in allowed:
        yield rule.result("ok", model, path=point.config.rel, name=name)
        return
    canonical = next((a for a in allowed if _canonical_model(a) == _canonical_model(name)), None)
    yield rule.result(
        "unknown",
        model,
        path=point.config.rel,
        name=name,
        allowed=", ".join(allowed),
        hint=f' (did you mean "{canonical}"?)' if canonical else "",
        fix_hint=f' "{canonical}"' if canonical else "",
    )


@rule(
    "model-name-consistency",
    spec="B§1",
    severity="error",
    scope="model",
    summary="The model directory is named exactly as point.yaml `model_name` "
    "(warning when no point declares one).",
    messages={
        "ok": info('directory name matches model_name "{name}"'),
        "differs": error(
            'model directory "{dir}" but point.yaml model_name is "{name}"',
            'Rename the directory to "{name}" (or correct model_name).',
        ),
        "undeclared": warning(
            "no point.yaml of this curve declares model_name; the directory name "
            '"{dir}" is not confirmed',
            "Add model_name: {dir} to every point.yaml.",
        ),
    },
    rounds=V1,
)
def model_name_consistency(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """``results/<system>/<model_name>/`` uses point.yaml's ``model_name`` exactly.

    Passing: ``results/sys/llama3_1-8b/`` and ``model_name: llama3_1-8b``.
    Failing: ``results/sys/llama3-8b/`` with ``model_name: llama3_1-8b``.
    """
    if not model.points:
        return
    declared = _declared_model_names(model)
    if not declared:
        if any(p.config.mapping is not None for p in model.points):
            yield rule.result("undeclared", model, dir=model.name)
        return
    point, name = declared[0]
    if name == model.name:
        yield rule.result("ok", model, name=name)
    else:
        yield rule.result("differs", model, path=point.config.rel, dir=model.name, name=name)


@rule(
    "config-consistency-model",
    spec="B§6",
    severity="error",
    scope="model",
    summary="All points of a curve declare the same `model_name`.",
    messages={
        "ok": info('every point declares model_name "{name}"'),
        "mixed": error(
            'model_name: found "{found}" here, expected "{expected}" as in {first}',
            "One curve measures one model: correct model_name or move the point.",
        ),
    },
    rounds=V1,
)
def config_consistency_model(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """One curve, one model. Passing: all ``model_name: llama3_1-8b``.
    Failing: ``r64/point.yaml`` says ``gpt-oss-120b``.
    """
    declared = _declared_model_names(model)
    if not declared:
        return
    first_point, expected = declared[0]
    failed = False
    for point, name in declared[1:]:
        if name != expected:
            failed = True
            yield rule.result(
                "mixed",
                point,
                path=point.config.rel,
                found=name,
                expected=expected,
                first=first_point.config.rel,
            )
    if not failed:
        yield rule.result("ok", model, name=expected)
