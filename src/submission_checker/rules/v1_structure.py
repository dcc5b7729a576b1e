"""Round v1.0 layout rules (checker-v1.0.md Part B §1, §6 "Structure"; A2.8, A2.9).

The tree is ``<org>/<submission_id>/{src,docs,results}/`` with one ``r<N>/`` folder per point
under ``results/<system>/<model>/``. ``path-exists`` is shared with v0.7 (``structure``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..layout import DIR, FILE, UNSAFE
from ..layout_v1 import ModelV1, PointV1, SubmissionV1, SystemV1
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning

V1 = ("v1.0",)
#: characters a system directory name may hold (A2.9)
SYSTEM_NAME = re.compile(r"[A-Za-z0-9._-]+")

_PURPOSE = {
    "results": "results/<system>/<model>/r<N>/ per measurement point",
    "docs": "the calibration and disclosure documents (may be empty)",
}


@rule(
    "required-dir",
    spec="B§1",
    severity="error",
    scope="submission",
    summary="The submission root holds `results/` and `docs/` (one result each).",
    messages={
        "ok": info("results/ and docs/ are present"),
        "missing": error(
            "{name}/ is missing; it holds {purpose}{hint}",
            "Create {rel}/ in the submission root <org>/<submission_id>/.",
        ),
        "not-dir": error(
            "{rel} is a file, expected a directory holding {purpose}",
            "Replace the file {rel} with a directory {rel}/.",
        ),
        "wrong-level": error(
            "{where}",
            "Run the check again on that directory.",
        ),
    },
    rounds=V1,
)
def required_dir(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """A v1.0 submission root holds ``results/`` and ``docs/``.

    PATH may be ``<org>/`` (with one ``<submission_id>/`` child holding ``results/``) or the
    submission root itself. When PATH holds the v0.7 layout the error says so.
    Passing: ``Org/sub-1/results/`` and ``Org/sub-1/docs/``.
    Failing: ``Org/sub-1/`` without ``docs/`` → ``sub-1/docs/ is missing``; PATH
    ``Org/sub-1/results`` → ``PATH looks like a results/ folder: pass … Org/sub-1``.
    """
    if not sub.is_dir:
        return
    if sub.wrong_level:
        yield rule.result("wrong-level", sub, where=sub.wrong_level)
        return
    hint = (
        "; PATH holds the v0.7 layout (systems/, pareto/): check it with --round v0.7"
        if sub.looks_v07
        else "; expected the v1.0 layout <org>/<submission_id>/results/ (the v0.7 layout "
        "has systems/ and pareto/ instead: use --round v0.7)"
    )
    failed = False
    for name, purpose in _PURPOSE.items():
        rel = sub.rel(name)
        kind = sub.kind(rel)
        if kind in (DIR, UNSAFE):
            continue
        failed = True
        if kind is None:
            shown = hint if name == "results" else ""
            yield rule.result(
                "missing", sub, path=rel, rel=rel, name=name, purpose=purpose, hint=shown
            )
        else:
            yield rule.result("not-dir", sub, path=rel, rel=rel, purpose=purpose)
    if not failed:
        yield rule.result("ok", sub)


@rule(
    "src-dir",
    spec="B§1",
    severity="error",
    scope="submission",
    summary="`src/` exists and holds at least one implementation directory (any division).",
    messages={
        "ok": info("src/ holds {count} implementation(s): {names}"),
        "missing": error(
            "{rel}/ is missing; expected src/<implementation>/ with a README.md",
            "Add {rel}/<implementation>/ with the code used and a README.md.",
        ),
        "empty": error(
            "{rel}/ has no implementation directory (found {found})",
            "Put the code used in {rel}/<implementation>/ with a README.md.",
        ),
    },
    rounds=V1,
)
def src_dir(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """Every v1.0 submission publishes its implementation under ``src/<implementation>/``.

    Passing: ``src/vllm-runner/README.md``. Failing: no ``src/``, or ``src/run.sh`` only.
    """
    if not sub.is_dir or sub.tree is None or sub.kind(sub.rel("results")) is None:
        return
    rel = sub.rel("src")
    kind = sub.kind(rel)
    if kind == UNSAFE:
        return
    if kind != DIR:
        yield rule.result("missing", sub, path=rel, rel=rel)
        return
    listing = sub.tree.listing(rel)
    implementations = sorted(name for name, k in listing.items() if k == DIR)
    if implementations:
        yield rule.result(
            "ok", sub, path=rel, count=len(implementations), names=", ".join(implementations)
        )
    else:
        found = ", ".join(sorted(listing)) or "nothing"
        yield rule.result("empty", sub, path=rel, rel=rel, found=found)


@rule(
    "src-readme",
    spec="B§1",
    severity="error",
    scope="submission",
    summary="Each `src/<implementation>/` holds a README.md (any case).",
    messages={
        "ok": info("{rel}/ has {readme}"),
        "missing": error(
            "no README.md in this implementation directory (found {found})",
            "Add {rel}/README.md saying how to build and run this implementation.",
        ),
    },
    rounds=V1,
)
def src_readme(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """Each implementation explains itself in a README.md (``readme.md`` counts too).

    Passing: ``src/vllm-runner/README.md``. Failing: ``src/vllm-runner/run.sh`` only.
    """
    src = sub.rel("src")
    if sub.tree is None or sub.kind(src) != DIR:
        return
    for name, kind in sorted(sub.tree.listing(src).items()):
        if kind != DIR:
            continue
        rel = f"{src}/{name}"
        listing = sub.tree.listing(rel)
        readme = next(
            (n for n, k in sorted(listing.items()) if n.lower() == "readme.md" and k == FILE),
            None,
        )
        if readme:
            yield rule.result("ok", sub, path=rel, rel=rel, readme=readme)
        else:
            found = ", ".join(sorted(listing)[:5]) or "nothing"
            yield rule.result("missing", sub, path=rel, rel=rel, found=found)


@rule(
    "system-results-dir",
    spec="B§1, A2.9",
    severity="error",
    scope="submission",
    summary="`results/` holds at least one system directory, each named with "
    "`[A-Za-z0-9._-]` only.",
    messages={
        "ok": info("system directories: {names}"),
        "none": error(
            "{rel}/ holds no system directory",
            "Add {rel}/<system>/<model>/r<N>/ for each measured point.",
        ),
        "name": error(
            'system directory name "{name}" holds {chars}, expected only A-Z a-z 0-9 . _ -',
            'Rename it to "{fixed}" (every other character replaced by _).',
        ),
    },
    rounds=V1,
)
def system_results_dir(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """``results/`` holds one directory per system; names stay portable (A2.9).

    Passing: ``results/Example_System-8xH100/``.
    Failing: ``results/`` empty, or ``results/My System:v2/`` → rename to ``My_System_v2``.
    """
    rel = sub.rel("results")
    if sub.kind(rel) != DIR:
        return
    if not sub.systems:
        yield rule.result("none", sub, path=rel, rel=rel)
        return
    bad = False
    for system in sub.systems:
        if not SYSTEM_NAME.fullmatch(system.id):
            bad = True
            chars = sorted({c for c in system.id if not SYSTEM_NAME.fullmatch(c)})
            yield rule.result(
                "name",
                sub,
                path=system.rel,
                system=system.id,
                rel=system.rel,
                name=system.id,
                chars=", ".join(repr(c) for c in chars),
                fixed=re.sub(r"[^A-Za-z0-9._-]", "_", system.id),
            )
    if not bad:
        yield rule.result("ok", sub, path=rel, names=", ".join(s.id for s in sub.systems))


@rule(
    "benchmark-model-dir",
    spec="B§1",
    severity="error",
    scope="system",
    summary="`results/<system>/` holds at least one model directory.",
    messages={
        "ok": info("model(s): {models}"),
        "none": error(
            "{rel}/ holds no model directory",
            "Add {rel}/<model_name>/r<N>/ (model_name exactly as in point.yaml).",
        ),
    },
    rounds=V1,
)
def benchmark_model_dir(rule: Rule, system: SystemV1) -> Iterator[CheckResult]:
    """Every system submits at least one model: ``results/<system>/<model_name>/``.

    Passing: ``results/sys/llama3_1-8b/r8/``. Failing: ``results/sys/`` with only files.
    """
    if system.models:
        yield rule.result("ok", system, models=", ".join(m.name for m in system.models))
    else:
        yield rule.result("none", system, rel=system.rel)


@rule(
    "point-dirs",
    spec="B§1",
    severity="error",
    scope="model",
    summary="A model directory holds at least one `r<N>/` point directory.",
    messages={
        "ok": info("{count} point directories r<N>/"),
        "none": error(
            "{rel}/ holds no r<N>/ point directory (found {found}); the curve is not checked",
            "Put each point in {rel}/r<N>/ where N is its concurrency.",
        ),
    },
    rounds=V1,
)
def point_dirs(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Each point of a curve is a directory ``r<N>`` (N = concurrency, digits only).

    Passing: ``llama3_1-8b/r1/``, ``r64/``. Failing: only ``llama3_1-8b/c64/``.
    """
    if model.points:
        yield rule.result("ok", model, count=len(model.points))
    else:
        found = ", ".join(n.rsplit("/", 1)[-1] for n in model.unexpected[:5]) or "nothing"
        yield rule.result("none", model, rel=model.rel, found=found)


@rule(
    "measurement-points-present",
    spec="B§1, §8.3",
    severity="error",
    scope="point",
    summary="Each `r<N>/` holds a point.yaml (the §8.3 disclosure), and the curve has one "
    "that parses.",
    messages={
        "ok": info("point.yaml present"),
        "missing": error(
            "point.yaml is missing; expected the §8.3 point disclosure",
            "Write {rel} (endpoints-submission-cli init --path RUN derives it from the run).",
        ),
        "not-file": error("{rel} {error}", "Replace {rel} with the point's YAML disclosure file."),
        "none": error(
            "no point.yaml of this curve parses to a mapping ({count} point(s)); no point's "
            "region, metrics or settings can be checked",
            "Write each r<N>/point.yaml as a YAML mapping of the §4.1 fields "
            "(endpoints-submission-cli init --path RUN derives it from the run).",
        ),
    },
    rounds=V1,
)
def measurement_points_present(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Every point discloses itself in ``r<N>/point.yaml``; a curve of several points none of
    which parses is one more error, for the curve, after its last point (each file's own error
    says why).

    Passing: ``r8/point.yaml``. Failing: ``r8/`` with only ``result_summary.json``; every
    point.yaml of the curve unparsable YAML (or not a mapping) → ``no point.yaml of this curve
    parses to a mapping``.
    """
    document = point.config
    if document.state == "missing":
        yield rule.result("missing", point, path=document.rel, rel=document.rel)
    elif document.state == "not-a-file":
        yield rule.result(
            "not-file", point, path=document.rel, rel=document.rel, error=document.error
        )
    elif document.state != "unsafe":
        yield rule.result("ok", point, path=document.rel)
    model = point.model
    if point is model.points[-1] and _no_point_file_parses(model):
        yield rule.result("none", model, count=len(model.points))


def _no_point_file_parses(model: ModelV1) -> bool:
    """True when a curve of several points has point files but none is a YAML mapping.

    Like ``system-description-present``: a curve whose point.yaml files are all missing or
    unsafe has each point's error and no curve-level one. A one-point curve (and the single
    point ``runs create`` checks) has its point's own error only: it says the same.
    """
    if len(model.points) < 2:
        return False
    documents = [p.config for p in model.points]
    return all(d.mapping is None for d in documents) and any(
        d.state not in ("missing", "unsafe") for d in documents
    )


@rule(
    "config-file-present",
    spec="B§1",
    severity="error",
    scope="point",
    summary="`r<N>/config.yaml` (the benchmark config as run) exists and is a YAML mapping.",
    messages={
        "ok": info("config.yaml present"),
        "missing": error(
            "config.yaml is missing; expected the benchmark's configuration as run",
            "Copy config.yaml from the benchmark's output folder into the point.",
        ),
        "unreadable": error("config.yaml: {error}", "Copy the unmodified config.yaml of the run."),
        "not-mapping": error(
            "config.yaml: found {found}, expected a YAML mapping",
            "Copy the unmodified config.yaml of the run.",
        ),
    },
    rounds=V1,
)
def config_file_present(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The configuration the benchmark ran with is part of every point.

    Passing: ``r8/config.yaml`` with ``settings: {load_pattern: {...}}``.
    Failing: no ``config.yaml``, or one holding a list.
    """
    document = point.run_config
    rel = document.rel
    if document.state == "missing":
        yield rule.result("missing", point, path=rel, rel=rel)
    elif document.state in ("unreadable", "not-a-file"):
        yield rule.result("unreadable", point, path=rel, rel=rel, error=document.error)
    elif document.state == "valid" and document.mapping is None:
        found = type(document.data).__name__ if document.data is not None else "an empty file"
        yield rule.result("not-mapping", point, path=rel, rel=rel, found=found)
    elif document.state == "valid":
        yield rule.result("ok", point, path=rel)


@rule(
    "point-dirname-concurrency",
    spec="B§1",
    severity="warning",
    scope="point",
    summary="The directory `r<N>` matches point.yaml `concurrency`.",
    messages={
        "ok": info("r{n} matches concurrency {c}"),
        "differs": warning(
            "directory r{n} but point.yaml concurrency is {c}",
            "Rename the directory to r{c}, or correct concurrency in point.yaml.",
        ),
        "not-positive": warning(
            "directory r{n} but point.yaml concurrency is {c}, expected a positive integer",
            "Set concurrency: {n} in {rel}/point.yaml (the N of the directory name r<N>).",
        ),
    },
    rounds=V1,
)
def point_dirname_concurrency(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The directory name says the concurrency so people can browse the tree.

    Passing: ``r64/point.yaml`` with ``concurrency: 64``. Failing: ``r64/`` with ``32``; with
    ``-64`` the fix points at point.yaml (no directory can be named after it).
    """
    c = point.declared_concurrency
    if c is None:
        return
    if c == point.name_n:
        yield rule.result("ok", point, n=point.name_n, c=c)
    elif c < 1:
        yield rule.result("not-positive", point, rel=point.rel, n=point.name_n, c=c)
    else:
        yield rule.result("differs", point, rel=point.rel, n=point.name_n, c=c)


@rule(
    "result-summary-present",
    spec="B§1",
    severity="error",
    scope="point",
    summary="`r<N>/result_summary.json` exists.",
    messages={
        "ok": info("result_summary.json present"),
        "missing": error(
            "result_summary.json is missing; expected inference-endpoint's summary of the run",
            "Copy performance/result_summary.json of the run into {rel}.",
        ),
    },
    rounds=V1,
)
def result_summary_present(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Every point carries the benchmark's own summary.

    Passing: ``r8/result_summary.json``. Failing: ``r8/`` without it.
    """
    document = point.summary
    if document.state == "missing":
        yield rule.result("missing", point, path=document.rel, rel=document.rel)
    elif document.state != "unsafe":
        yield rule.result("ok", point, path=document.rel)


@rule(
    "point-rules-skipped",
    spec="B§6",
    severity="warning",
    scope="point",
    summary="A point whose point.yaml is missing or unreadable is named: the checks that read "
    "it are skipped and its concurrency is taken from r<N>.",
    messages={
        "skipped": warning(
            "point.yaml is {state}: the disclosure, seed, warm-up, steady-state and config "
            "checks of this point are skipped; regions use C = {n} from the directory name",
            "Fix point.yaml (see the point-config-valid / measurement-points-present findings).",
        ),
    },
    rounds=V1,
)
def point_rules_skipped(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Say which checks did not run, so a broken point.yaml cannot hide other problems.

    An invalid but readable point.yaml skips nothing: every rule reads the fields it needs
    when they are well-typed (point-config-valid names the others).
    Passing: a readable ``point.yaml`` (no result). Failing: ``point.yaml`` missing, or not
    YAML (``concurrency: [``).
    """
    document = point.config
    if document.state in ("missing", "unreadable", "not-a-file") or (
        document.state == "invalid" and document.mapping is None
    ):
        state = "missing" if document.state == "missing" else "unreadable"
        yield rule.result("skipped", point, path=document.rel, state=state, n=point.name_n)


@rule(
    "shared-path-resolution",
    spec="B§3.7",
    severity="error",
    scope="model",
    summary="point.yaml `shared_src`/`shared_docs` are relative paths to existing "
    "directories under the submission root.",
    messages={
        "ok": info('{field} "{value}" resolves to a directory'),
        "bad": error(
            '{field}: found "{value}" in {count} point(s) (e.g. {example}), {why}',
            "Set {field} to a relative path under the submission root, e.g. {default}.",
        ),
    },
    rounds=V1,
)
def shared_path_resolution(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Points name the shared code and documents by paths inside the submission.

    Checked once per distinct value in each curve. Passing: ``shared_src: src/vllm-runner``,
    ``shared_docs: docs``. Failing: ``shared_docs: /home/me/docs`` or ``../docs``.
    """
    sub = model.system.submission
    seen: dict[tuple[str, str], list[PointV1]] = {}
    for point in model.points:
        mapping = point.config.mapping
        if mapping is None:
            continue
        for field_name in ("shared_src", "shared_docs"):
            value = mapping.get(field_name)
            if isinstance(value, str) and value.strip():
                seen.setdefault((field_name, value), []).append(point)
    defaults = {"shared_src": "src/<implementation>", "shared_docs": "docs"}
    for (field_name, value), places in sorted(seen.items()):
        why = _path_problem(sub, value)
        values = {"field": field_name, "value": value}
        if why is None:
            yield rule.result("ok", model, path=sub.rel(value.strip("/")), **values)
        else:
            first = places[0]
            yield rule.result(
                "bad",
                first,
                path=first.config.rel,
                count=len(places),
                example=first.config.rel,
                why=why,
                default=defaults[field_name],
                **values,
            )


def _path_problem(sub: SubmissionV1, value: str) -> str | None:
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        return "expected a relative path, not an absolute one"
    if value.startswith("~"):
        return "expected a relative path, not one starting with ~"
    parts = [p for p in value.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        return 'expected a path inside the submission, without ".."'
    kind = sub.kind(sub.rel("/".join(parts))) if parts else DIR
    if kind not in (DIR, UNSAFE):
        return "expected an existing directory under the submission root"
    return None


@rule(
    "unexpected-entry",
    spec="A2.8",
    severity="warning",
    scope="submission",
    summary="Nothing unknown at the submission root or under `results/<system>/<model>/` "
    "(only `r<N>/` there); nor unreadable directories or non-UTF-8 names.",
    messages={
        "ok": info("no unexpected entries"),
        "entry": warning(
            "unexpected {what}; it is not checked",
            "{fix}",
        ),
        "unlistable": warning(
            "{rel}/ cannot be listed (permission denied or not a directory); its contents "
            "are not checked",
            "Make {rel}/ readable (e.g. chmod u+rx) and check again.",
        ),
        "undecodable": warning(
            "the name is not valid UTF-8; it is not checked",
            "Rename it using UTF-8 characters only.",
        ),
    },
    rounds=V1,
)
def unexpected_entry(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """Entries the checker would silently skip are pointed out (1.5.3.0 ignores them).

    Passing: ``results/sys/llama3_1-8b/`` holding only ``r1/`` … ``r1024/``.
    Failing: ``results/sys/llama3_1-8b/r64_old/`` or ``notes.txt`` at the submission root.
    """
    if sub.tree is None:
        return
    found = False
    for rel in sub.tree.unlistable:
        found = True
        yield rule.result("unlistable", sub, path=rel or None, rel=rel or ".")
    for rel in sub.tree.undecodable:
        found = True
        yield rule.result("undecodable", sub, path=rel, rel=rel)
    for rel in sub.unexpected:
        found = True
        yield rule.result(
            "entry",
            sub,
            path=rel,
            rel=rel,
            what="entry at the submission root (expected results/, src/, docs/)"
            if rel.count("/") <= (1 if sub.base else 0)
            else "entry",
            fix="Move it into docs/ or remove it.",
        )
    for system in sub.systems:
        for model in system.models:
            for rel in model.unexpected:
                found = True
                yield rule.result(
                    "entry",
                    sub,
                    path=rel,
                    system=system.id,
                    model=model.name,
                    rel=rel,
                    what="entry in a model directory (expected only r<N>/ point directories)",
                    fix="Rename it r<N>/ if it is a point (N = concurrency), else remove it.",
                )
    if not found:
        yield rule.result("ok", sub)
