"""Tree hygiene: symlinks that leave the submission, orphaned entries (§1, §4.3)."""

from __future__ import annotations

from collections.abc import Iterator

from ..layout import Submission
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning


@rule(
    "unsafe-path",
    spec=None,
    severity="error",
    scope="submission",
    summary="No symlink under the submission resolves outside it.",
    rounds=("v0.7", "v1.0"),
    messages={
        "ok": info("no symlink leads outside the submission"),
        "outside": error(
            "{rel} is a symlink to {target}, outside the submission; not read",
            "Replace the link with a copy of the file, or make it point inside the submission.",
        ),
    },
)
def unsafe_path(rule: Rule, sub: Submission) -> Iterator[CheckResult]:
    """Everything published must be inside the submission; links out of it are not followed.

    Links that stay inside are followed silently. An unsafe entry is reported once and treated
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
        yield rule.result("outside", sub, path=rel, **_scope_of(rel), rel=rel, target=target)


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
    "point_<N>.yaml, .yml point files (nor unreadable directories or non-UTF-8 names).",
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
            "{rel}/ cannot be listed ({reason}); its contents are not checked",
            "Make {rel}/ readable (e.g. chmod u+rx) and check again.",
        ),
        "undecodable": warning(
            "{rel}: the name is not valid UTF-8; it is not checked",
            "Rename it using UTF-8 characters only.",
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
    Failing: ``pareto/old-system/`` left over from a renamed system; ``points/point_8.yml``.
    """
    if sub.tree is None:
        return
    found = False
    for rel in sub.tree.unlistable:
        found = True
        yield rule.result(
            "unlistable",
            sub,
            path=rel or None,
            **_scope_of(rel),
            rel=rel or ".",
            reason="permission denied or not a directory",
        )
    for rel in sub.tree.undecodable:
        found = True
        yield rule.result("undecodable", sub, path=rel, **_scope_of(rel), rel=rel)
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
            for rel in model.yml_files:
                found = True
                name = rel.rsplit("/", 1)[-1][: -len(".yml")]
                yield rule.result("yml", sub, path=rel, rel=rel, name=name, **scope)
    if not found:
        yield rule.result("ok", sub)
