"""Layout rules (checker.md §1): the directories and files a submission must have."""

from __future__ import annotations

from collections.abc import Iterator

from ..layout import DIR, UNSAFE, Model, Submission, System
from ..report import CheckResult
from .registry import Rule, error, info, rule

SUBDIR_PURPOSE = {
    "points": "one point_<N>.yaml per measurement point",
    "results": "one results/point_<N>/ folder per point with the benchmark logs",
    "accuracy": "accuracy.txt and accuracy_result.json from the accuracy run",
}


@rule(
    "path-exists",
    spec="§1",
    severity="error",
    scope="submission",
    summary="The PATH given to `check` exists and is a directory.",
    messages={
        "ok": info("submission directory {root} found"),
        "missing": error(
            "{root} does not exist",
            "Pass the submission directory: <org>/ holding <submission_id>/results/ (v1.0), "
            "or the organisation directory holding systems/ and pareto/ (v0.7).",
        ),
        "not-dir": error(
            "{root} is not a directory",
            "Pass the submission directory (v1.0: holding results/; v0.7: holding systems/ "
            "and pareto/), not a file in it.",
        ),
    },
    rounds=("v0.7", "v1.0"),
)
def path_exists(rule: Rule, sub: Submission) -> Iterator[CheckResult]:
    """The PATH given to ``submission-checker check`` must be the organisation directory.

    Passing: ``submission-checker check submissions/ExampleOrg`` where ExampleOrg/ holds
    ``systems/`` and ``pareto/``.
    Failing: ``submission-checker check submissions/ExampleOrg/systems/sys.json`` (a file) or a
    misspelt path. Nothing else is checked when this fails.
    """
    root = str(sub.root)
    if sub.is_dir:
        yield rule.result("ok", sub, root=root)
    elif sub.exists:
        yield rule.result("not-dir", sub, root=root)
    else:
        yield rule.result("missing", sub, root=root)


@rule(
    "required-dir",
    spec="§1",
    severity="error",
    scope="submission",
    summary="`systems/` and `pareto/` exist and are directories (one result each).",
    messages={
        "ok": info("systems/ and pareto/ are present"),
        "missing": error(
            "{name}/ is missing; it holds {purpose}{hint}",
            "Create {name}/ in the organisation directory.",
        ),
        "not-dir": error(
            "{name} is a file, expected a directory holding {purpose}",
            "Replace the file {name} with a directory {name}/.",
        ),
    },
)
def required_dir(rule: Rule, sub: Submission) -> Iterator[CheckResult]:
    """The organisation directory needs ``systems/`` and ``pareto/``.

    Passing: ``ExampleOrg/systems/example-system.json`` and ``ExampleOrg/pareto/example-system/``.
    Failing: ``ExampleOrg/`` with only ``pareto/`` → ``systems/ is missing``.
    """
    if not sub.is_dir:
        return
    purposes = {
        "systems": "one <system_id>.json per system",
        "pareto": "pareto/<system_id>/<model>/ per system",
    }
    failed = False
    for name, purpose in purposes.items():
        kind = sub.kind(name)
        if kind in (DIR, UNSAFE):
            continue
        failed = True
        outcome = "missing" if kind is None else "not-dir"
        hint = (
            "; PATH holds the v1.0 layout (results/): check it with --round v1.0"
            if _holds_v1_layout(sub)
            else ""
        )
        yield rule.result(outcome, sub, path=name, name=name, purpose=purpose, hint=hint)
    if not failed:
        yield rule.result("ok", sub)


def _holds_v1_layout(sub: Submission) -> bool:
    """PATH, or one of its directories, holds ``results/`` (the round v1.0 layout)."""
    if sub.tree is None:
        return False
    return sub.kind("results") is not None or any(
        kind == DIR and sub.kind(f"{name}/results") is not None
        for name, kind in sub.tree.listing("").items()
    )


@rule(
    "system-description-present",
    spec="§1",
    severity="error",
    scope="submission",
    summary="At least one `*.json` system description in `systems/`.",
    messages={
        "ok": info("{count} system description(s) in systems/"),
        "none": error(
            "systems/ contains no *.json system description",
            "Add systems/<system_id>.json describing the system under test (§2.1).",
        ),
    },
)
def system_description_present(rule: Rule, sub: Submission) -> Iterator[CheckResult]:
    """``systems/`` must hold at least one ``<system_id>.json``; its stem is the system id.

    Passing: ``systems/example-system.json``.
    Failing: ``systems/`` empty, or holding only ``example-system.yaml``.
    """
    if sub.kind("systems") != DIR:
        return
    if sub.systems:
        yield rule.result("ok", sub, path="systems", count=len(sub.systems))
    else:
        yield rule.result("none", sub, path="systems")


@rule(
    "system-description-valid",
    spec="§1",
    severity="error",
    scope="system",
    summary="A system file is readable strict JSON and follows the §2.1 schema.",
    messages={
        "ok": info("system description is valid"),
        "unreadable": error("{error}", "Fix the file so that it is one UTF-8 JSON object (§2.1)."),
        "problem": error("{problem}", "{fix}"),
    },
)
def system_description_valid(rule: Rule, system: System) -> Iterator[CheckResult]:
    """Each ``systems/<id>.json`` is one JSON object matching §2.1, one error per problem.

    Strict types: ``"accelerators_per_node": 8`` passes, ``"8"`` or ``true`` fails.
    Passing: ``{"submitter_org_names": "Example Org", "system_name": "S", "system_category":
    "datacenter", "system_availability_status": "available", "division": "Serviced",
    "node_types": [{}], "max_supported_concurrency": 64}``.
    Failing: ``"division": "closed"`` → ``division: found "closed" (str), expected one of
    Standardized, Serviced, RDI (case-insensitive)``.
    """
    yield from rule.schema_results(system, system.description, ignore=("unsafe", "missing"))


@rule(
    "src-dir",
    spec="§1",
    severity="error",
    scope="submission",
    summary="`src/` holds at least one file when any system is in the Standardized division.",
    messages={
        "ok": info("src/ holds the source code required by Standardized system(s) {systems}"),
        "not-needed": info("no Standardized system; src/ is not required"),
        "missing": error(
            "src/ is missing but system(s) {systems} are in the Standardized division",
            "Add src/ with the code used to run the benchmark, or correct the division.",
        ),
        "empty": error(
            "src/ has no files but system(s) {systems} are in the Standardized division",
            "Put the code used to run the benchmark under src/.",
        ),
    },
)
def src_dir(rule: Rule, sub: Submission) -> Iterator[CheckResult]:
    """Standardized submissions must publish their code under ``src/`` (one result).

    Empty means no regular file anywhere below ``src/``.
    Passing: a Standardized system and ``src/run_benchmark.sh``; or only Serviced systems.
    Failing: ``"division": "Standardized"`` and no ``src/`` or an empty ``src/``.
    """
    if not sub.is_dir:
        return
    standardized = [s.id for s in sub.systems if s.division == "Standardized"]
    if not standardized:
        yield rule.result("not-needed", sub, path="src")
        return
    systems = ", ".join(standardized)
    kind = sub.kind("src")
    if kind == UNSAFE or (kind == DIR and sub.tree and sub.tree.has_content("src")):
        yield rule.result("ok", sub, path="src", systems=systems)
    elif kind == DIR:
        yield rule.result("empty", sub, path="src", systems=systems)
    else:
        yield rule.result("missing", sub, path="src", systems=systems)


@rule(
    "pareto-dir-exists",
    spec="§1",
    severity="error",
    scope="system",
    summary="Each system file has a `pareto/<system_id>/` directory.",
    messages={
        "ok": info("{rel}/ is present"),
        "missing": error(
            "{rel}/ is missing for system file {file}",
            "Create {rel}/ with one directory per benchmark model, or rename the system file.",
        ),
        "not-dir": error(
            "{rel} is a file, expected a directory", "Replace the file {rel} with a directory."
        ),
    },
)
def pareto_dir_exists(rule: Rule, system: System) -> Iterator[CheckResult]:
    """``systems/<id>.json`` needs results under ``pareto/<id>/`` (same id, case-sensitive).

    Passing: ``systems/sys-a.json`` and ``pareto/sys-a/llama2-70b/``.
    Failing: ``systems/sys-a.json`` and only ``pareto/Sys-A/``.
    """
    if system.submission.kind("pareto") != DIR or system.pareto_kind == UNSAFE:
        return
    rel = system.pareto_rel
    if system.pareto_kind == DIR:
        yield rule.result("ok", system, path=rel, rel=rel)
    elif system.pareto_kind is None:
        yield rule.result("missing", system, path=rel, rel=rel, file=system.rel)
    else:
        yield rule.result("not-dir", system, path=rel, rel=rel)


@rule(
    "benchmark-model-dir",
    spec="§1",
    severity="error",
    scope="system",
    summary="`pareto/<system_id>/` holds at least one benchmark model directory.",
    messages={
        "ok": info("benchmark model(s): {models}"),
        "none": error(
            "{rel}/ holds no benchmark model directory",
            "Add {rel}/<model>/ (e.g. llama2-70b) with points/, results/ and accuracy/.",
        ),
    },
)
def benchmark_model_dir(rule: Rule, system: System) -> Iterator[CheckResult]:
    """Every system submits at least one model: ``pareto/<system_id>/<model>/``.

    Passing: ``pareto/sys-a/llama2-70b/``.
    Failing: ``pareto/sys-a/`` empty or holding only files.
    """
    if system.pareto_kind != DIR or system.submission.kind("pareto") != DIR:
        return
    rel = system.pareto_rel
    if system.models:
        models = ", ".join(m.name for m in system.models)
        yield rule.result("ok", system, path=rel, models=models)
    else:
        yield rule.result("none", system, path=rel, rel=rel)


@rule(
    "pareto-subdir",
    spec="§1",
    severity="error",
    scope="model",
    summary="`points/`, `results/` and `accuracy/` exist in each model directory (one each).",
    messages={
        "ok": info("points/, results/ and accuracy/ are present"),
        "missing": error("{name}/ is missing; it holds {purpose}", "Create {rel}/ ({purpose})."),
        "not-dir": error(
            "{name} is a file, expected a directory holding {purpose}",
            "Replace the file {rel} with a directory.",
        ),
    },
)
def pareto_subdir(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """A model directory holds ``points/``, ``results/`` and ``accuracy/``.

    Passing: ``pareto/sys-a/llama2-70b/{points,results,accuracy}/``.
    Failing: no ``accuracy/`` → one error naming ``accuracy/``.
    """
    failed = False
    for name, purpose in SUBDIR_PURPOSE.items():
        kind = model.subdirs.get(name)
        rel = f"{model.rel}/{name}"
        if kind is None:
            failed = True
            yield rule.result("missing", model, path=rel, name=name, rel=rel, purpose=purpose)
        elif kind not in (DIR, UNSAFE):
            failed = True
            yield rule.result("not-dir", model, path=rel, name=name, rel=rel, purpose=purpose)
    if not failed:
        yield rule.result("ok", model)


@rule(
    "measurement-points-present",
    spec="§1",
    severity="error",
    scope="model",
    summary="`points/` holds at least one `point_*.yaml`.",
    messages={
        "ok": info("{count} point file(s) in points/"),
        "none": error(
            "points/ holds no point_<N>.yaml",
            "Add one points/point_<N>.yaml per measured concurrency N.",
        ),
    },
)
def measurement_points_present(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """Each model has measurement points: ``points/point_<N>.yaml``.

    Passing: ``points/point_1.yaml``. Failing: ``points/`` empty or holding only ``point_1.yml``.
    """
    if not model.subdir_ok("points"):
        return
    rel = f"{model.rel}/points"
    if model.points:
        yield rule.result("ok", model, path=rel, count=len(model.points))
    else:
        yield rule.result("none", model, path=rel)
