"""The v1.0 point rules as they were written before they were made cheaper per point.

``test_rules_v1_differential`` runs each of these and the registered rule of the same id on
the same (mutated) point and asserts identical results: these are the plain statements of what
each rule decides, kept verbatim as the reference of the faster code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from submission_checker.layout_v1 import PointV1
from submission_checker.registries import RegistryUnreadable, parse_cohort
from submission_checker.report import CheckResult
from submission_checker.rules.registry import Rule
from submission_checker.rules.values import dig

#: rule id → the reference check function
REFERENCE: dict[str, Callable[[Rule, PointV1], Iterator[CheckResult]]] = {}


def reference(rule_id: str):
    def register(check):
        REFERENCE[rule_id] = check
        return check

    return register


# --- v1_seeds --------------------------------------------------------------------------------

_LEGACY = {"scheduler_rng_seed": "scheduler_random_seed",
           "sample_index_rng_seed": "dataloader_random_seed"}  # fmt: skip


def _declared(point: PointV1, key: str) -> Any:
    return point.config.mapping.get(key) if point.config.mapping else None


def _seed_set(point: PointV1):
    registry = point.model.system.submission.seed_sets
    declared = _declared(point, "seed_set")
    if isinstance(registry, RegistryUnreadable) or not isinstance(declared, str):
        return None
    seed_set = registry.seed_sets.get(declared)
    return (registry, seed_set) if seed_set is not None else None


@reference("seed-runtime-match")
def seed_runtime_match(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    found_set = _seed_set(point)
    runtime = dig(point.config.mapping, "runtime_settings", "runtime")
    if found_set is None or not isinstance(runtime, dict):
        return
    seed_set = found_set[1]
    path = point.config.rel
    legacy = [old for new, old in _LEGACY.items() if old in runtime and new not in runtime]
    if legacy:
        yield rule.result("legacy", point, path=path, names=", ".join(legacy))
    failed = False
    for key, expected in seed_set.seeds.items():
        found = runtime.get(key, runtime.get(_LEGACY.get(key, ""), None))
        if found != expected:
            failed = True
            yield rule.result(
                "differs",
                point,
                path=path,
                key=key,
                found="nothing" if found is None else found,
                expected=expected,
                seed_set=seed_set.id,
            )
    if not failed:
        yield rule.result("ok", point, path=path, seed_set=seed_set.id)


@reference("seed-set-adoption")
def seed_set_adoption(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    found_set = _seed_set(point)
    target = parse_cohort(_declared(point, "target_cohort"))
    if found_set is None or target is None:
        return
    registry, seed_set = found_set
    path = point.config.rel
    window = registry.adoption_window(seed_set.id)
    if window is None:
        yield rule.result("skipped", point, path=path)
        return
    shown = ", ".join(str(c) for c in window)
    values = {"cohort": str(target), "window": shown, "seed_set": seed_set.id}
    yield rule.result("ok" if target in window else "outside", point, path=path, **values)


@reference("target-cohort")
def target_cohort(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    value = _declared(point, "target_cohort")
    if value is None:
        return
    cohort = parse_cohort(value)
    if cohort is None:
        yield rule.result("bad", point, path=point.config.rel, found=repr(value))
    else:
        yield rule.result("ok", point, path=point.config.rel, cohort=str(cohort))
