"""Tree hygiene: symlinks that leave the submission, orphaned entries (§1, §4.3)."""

from __future__ import annotations

from collections.abc import Iterator

from ..layout import UNRESOLVED_LINKS, Submission
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning


@rule(
    "unsafe-path",
    spec=None,
    severity="error",
    scope="submission",
    summary="No symlink under the submission resolves outside it, loops or dangles.",
    rounds=("v0.7", "v1.0"),
    messages={
        "ok": info("no symlink leads outside the submission"),
        "outside": error(
            "{rel} is a symlink to {target}, outside the submission; not read",
            "Replace the link with a copy of the file, or make it point inside the submission.",
        ),
        "unresolved": error(
            "{rel} is a symlink that leads to {target}, so it cannot be shown to stay inside "
            "the submission; not read",
            "Replace the link with the file or directory it should lead to, or remove it.",
        ),
    },
)
def unsafe_path(rule: Rule, sub: Submission) -> Iterator[CheckResult]:
    """Everything published must be inside the submission; links out of it are not followed.

    Links that stay inside are followed silently. A link loop or a dangling link cannot be
    shown to stay inside and is unsafe too (§4.4). An unsafe entry is reported once and treated
    as present but unread (no "missing" error follows from it).
    Passing: ``results/point_8/mlperf_endpoints_log_detail.json`` → ``../../logs/d8.json``
    inside the organisation directory. Failing: a link to ``/home/me/run/detail.json``.
    """
    if sub.tree is None:
        return
    if not sub.tree.unsafe:
        yield rule.result("ok", sub)
        return
    for rel, target in sorted(sub.tree.unsafe.items()):
        outcome = "unresolved" if target in UNRESOLVED_LINKS else "outside"
        yield rule.result(outcome, sub, path=rel, **_scope_of(rel), rel=rel, target=target)


def _scope_of(rel: str) -> dict[str, str | None]:
    parts = rel.split("/")
    if parts[0] == "pareto" and len(parts) > 1:
        return {"system": parts[1], "model": parts[2] if len(parts) > 3 else None}
    if parts[0] == "systems" and len(parts) == 2 and parts[1].endswith(".json"):
        return {"system": parts[1][: -len(".json")], "model": None}
    return {"system": None, "model": None}


@rule(
    "unexpected-entry",
    spec=None,
    severity="warning",
    scope="submission",
    summary="No orphans: pareto/<X>/ without systems/X.json, results/point_<N>/ without "
    "point_<N>.yaml or that is a file, .yml point files, directories that cannot be listed "
    "(nothing under documentation/).",
    messages={
        "ok": info("no unexpected entries"),
        "orphan-system": warning(
            "{rel}/ has no system description systems/{name}.json; it is not checked",
            "Add systems/{name}.json or remove {rel}/.",
        ),
        "orphan-results": warning(
            "{rel}/ has no points/{name}.yaml; it is not checked",
            "Add points/{name}.yaml for it, or remove {rel}/.",
        ),
        "unlistable": warning(
            "{rel}/ cannot be listed ({reason}); only the files the rules need are opened by "
            "name, nothing else in it is checked",
            "Make {rel}/ readable (e.g. chmod u+rx) and check again.",
        ),
        "results-file": warning(
            "{rel} is a file, expected the folder of a point's logs; it is not checked",
            "Replace it with the folder {rel}/ holding the point's logs.",
        ),
        "yml": warning(
            "{rel}: point files must end in .yaml; this one is not checked",
            "Rename it to {name}.yaml.",
        ),
    },
)
def unexpected_entry(rule: Rule, sub: Submission) -> Iterator[CheckResult]:
    """Entries the checker would silently skip are pointed out.

    Passing: every ``pareto/<X>/`` has ``systems/X.json`` and every ``results/point_<N>/``
    its ``points/point_<N>.yaml``.
    Failing: ``pareto/old-system/`` left over from a renamed system; ``points/point_8.yml``;
    ``results/point_8`` that is a file. Nothing under ``documentation/`` is inspected.
    """
    if sub.tree is None:
        return
    found = False
    for rel in sub.tree.unlistable:
        if rel == "documentation" or rel.startswith("documentation/"):
            continue  # documentation/ is not inspected (§4.4)
        found = True
        yield rule.result(
            "unlistable",
            sub,
            path=rel or None,
            **_scope_of(rel),
            rel=rel or ".",
            reason="permission denied or not a directory",
        )
    for rel in sub.orphan_pareto:
        found = True
        name = rel.rsplit("/", 1)[-1]
        yield rule.result("orphan-system", sub, path=rel, system=name, rel=rel, name=name)
    for system in sub.systems:
        for model in system.models:
            scope = {"system": system.id, "model": model.name}
            for rel in model.orphan_results:
                found = True
                name = rel.rsplit("/", 1)[-1]
                yield rule.result("orphan-results", sub, path=rel, rel=rel, name=name, **scope)
            for rel in model.results_files:
                found = True
                yield rule.result("results-file", sub, path=rel, rel=rel, **scope)
            for rel in model.yml_files:
                found = True
                name = rel.rsplit("/", 1)[-1][: -len(".yml")]
                yield rule.result("yml", sub, path=rel, rel=rel, name=name, **scope)
    if not found:
        yield rule.result("ok", sub)
