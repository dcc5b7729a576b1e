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
from submission_checker.rules.values import dig, integer

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


# --- v1_config -------------------------------------------------------------------------------

DISCLOSURE_FIELDS = (
    "division",
    "max_supported_concurrency",
    "model_name",
    "model_precision",
    "link_to_model",
    "dataset_name",
    "dataset_type",
    "dataset_link",
    "shared_src",
    "shared_docs",
    "seed_set",
    "target_cohort",
)


@reference("point-disclosure-complete")
def point_disclosure_complete(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    from submission_checker.rules.v1_config import _fix

    mapping = point.config.mapping
    if mapping is None:
        return
    missing = [
        name
        for name in DISCLOSURE_FIELDS
        if mapping.get(name) is None
        or (isinstance(mapping.get(name), str) and not mapping[name].strip())
    ]
    if missing:
        yield rule.result(
            "missing", point, path=point.config.rel, fields=", ".join(missing), fix=_fix(missing)
        )
    else:
        yield rule.result("ok", point, path=point.config.rel, count=len(DISCLOSURE_FIELDS))


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)


_SEED_SOURCES = (
    (
        "scheduler_rng_seed",
        (
            ("settings", "runtime", "scheduler_rng_seed"),
            ("settings", "runtime", "scheduler_random_seed"),
        ),
    ),
    (
        "sample_index_rng_seed",
        (
            ("settings", "runtime", "sample_index_rng_seed"),
            ("settings", "runtime", "dataloader_random_seed"),
        ),
    ),
    ("model_seed", (("settings", "runtime", "model_seed"), ("model_params", "seed"))),
)
_LEGACY_POINT_SEEDS = {
    "scheduler_rng_seed": "scheduler_random_seed",
    "sample_index_rng_seed": "dataloader_random_seed",
}


def _point_seed(runtime: dict, name: str) -> Any:
    value = runtime.get(name)
    return runtime.get(_LEGACY_POINT_SEEDS.get(name, "")) if value is None else value


@reference("config-point-consistency")
def config_point_consistency(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    mapping, run = point.config.mapping, point.run_config.mapping
    if mapping is None or run is None:
        return
    compared = []
    failed = False
    path = point.config.rel
    target = integer(dig(run, "settings", "load_pattern", "target_concurrency"))
    declared = point.declared_concurrency
    if target is not None and declared is not None and not point.is_dedicated_offline:
        compared.append("concurrency")
        if target != declared:
            failed = True
            yield rule.result(
                "differs",
                point,
                path=path,
                field="concurrency",
                found=declared,
                expected=target,
                where="settings.load_pattern.target_concurrency",
            )
    runtime = dig(mapping, "runtime_settings", "runtime")
    if isinstance(runtime, dict):
        for name, sources in _SEED_SOURCES:
            ran, where = None, ""
            for source in sources:
                ran = dig(run, *source)
                if ran is not None:
                    where = ".".join(source)
                    break
            claimed = _point_seed(runtime, name)
            if ran is None or claimed is None:
                continue
            compared.append(name)
            if claimed != ran:
                failed = True
                yield rule.result(
                    "differs",
                    point,
                    path=path,
                    field=f"runtime_settings.runtime.{name}",
                    found=claimed,
                    expected=ran,
                    where=where,
                )
    streamed = dig(run, "settings", "client", "stream_all_chunks")
    settings = mapping.get("runtime_settings")
    if isinstance(streamed, bool) and isinstance(settings, dict):
        claimed = settings.get("stream_all_chunks", True)
        compared.append("stream_all_chunks")
        if claimed != streamed:
            failed = True
            yield rule.result(
                "differs",
                point,
                path=path,
                field="runtime_settings.stream_all_chunks",
                found=_show(claimed),
                expected=_show(streamed),
                where="settings.client.stream_all_chunks",
            )
    if compared and not failed:
        yield rule.result("ok", point, path=path, fields=", ".join(compared))
