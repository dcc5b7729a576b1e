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
from submission_checker.rules.values import dig, integer, number

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


def _basis_ms(point: PointV1) -> tuple[float, str] | None:
    window_s = number(dig(point.config.mapping, "steady_state", "window", "duration_s"))
    if window_s is not None:
        return window_s * 1000, "steady-state window"
    summary = point.summary.mapping
    ns = number(summary.get("duration_ns")) if summary else None
    return (ns / 1e6, "whole run") if ns is not None else None


def _steady(point: PointV1) -> dict | None:
    value = point.config.mapping.get("steady_state") if point.config.mapping else None
    return value if isinstance(value, dict) else None


def _super_passes(block: dict) -> int | None:
    window = block.get("window")
    if not isinstance(window, dict):
        return None
    start, end = integer(window.get("super_pass_start")), integer(window.get("super_pass_end"))
    return end - start + 1 if start is not None and end is not None else None


@reference("streaming-config")
def streaming_config(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """In v1.0 ``stream_all_chunks`` is client IPC forwarding, not server streaming, so either
    value passes (it stays an error in v0.7).

    Passing: ``stream_all_chunks: false`` → info. Failing: never.
    """
    settings = dig(point.config.mapping, "runtime_settings")
    if isinstance(settings, dict):
        value = settings.get("stream_all_chunks", True)
        yield rule.result("ok", point, path=point.config.rel, value=_show(value))


@reference("point-duration")
def point_duration(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Points must run long enough; margin points included, dedicated Offline too.

    Passing: C = 8, whole run ``duration_ns: 600000000000``.
    Failing: C = 64, steady-state window ``duration_s: 900`` (900 000 ms < 1 200 000 ms).
    """
    basis = _basis_ms(point)
    if basis is None:
        return
    ms, how = basis
    c = point.concurrency
    minimum = point.model.rules_round.minimum_duration_ms(c, agentic=point.model.is_agentic)
    path = point.config.rel if how == "steady-state window" else point.summary.rel
    if ms < minimum:
        yield rule.result("short", point, path=path, ms=ms, basis=how, minimum=minimum, c=c)
    else:
        yield rule.result("ok", point, path=path, ms=ms, basis=how, minimum=minimum)


@reference("steady-state-valid")
def steady_state_valid(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``steady_state: {status: windowable, verdict: STEADY STATE, state: {tps:
    Plateau}}``. Failing: ``status: great``.
    """
    block = _steady(point)
    if block is None:
        return
    data = point.model.rules_round
    checks: list[tuple[str, Any, tuple[str, ...]]] = [
        ("status", block.get("status"), data.steady_statuses),
        ("verdict", block.get("verdict"), data.steady_verdicts),
    ]
    states = block.get("state")
    if isinstance(states, dict):
        checks += [(f"state.{k}", v, data.steady_states) for k, v in states.items()]
    failed = False
    for field_name, value, allowed in checks:
        if value is not None and value not in allowed:
            failed = True
            yield rule.result(
                "bad",
                point,
                path=point.config.rel,
                field=field_name,
                found=_show(value),
                allowed=", ".join(allowed),
            )
    if not failed:
        yield rule.result("ok", point, path=point.config.rel)


@reference("steady-state-consistency")
def steady_state_consistency(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The status agrees with the window it describes.

    Passing: ``status: windowable`` with ``window: {super_pass_start: 2, super_pass_end: 6}``.
    Failing: ``windowable`` with super-passes 2–3.
    """
    block = _steady(point)
    if block is None:
        return
    status = block.get("status")
    minimum = point.model.rules_round.minimum_super_passes
    passes = _super_passes(block)
    path = point.config.rel
    if status == "windowable":
        if passes is not None and passes < minimum:
            yield rule.result("few", point, path=path, passes=passes, minimum=minimum)
            return
        states = block.get("state")
        for metric, state in states.items() if isinstance(states, dict) else ():
            if isinstance(state, str) and state.startswith("Drifting"):
                yield rule.result("drifting", point, path=path, metric=metric, state=state)
                return
    elif status == "insufficient_passes" and passes is not None and passes >= minimum:
        yield rule.result("enough", point, path=path, passes=passes, minimum=minimum)
        return
    if isinstance(status, str):
        yield rule.result("ok", point, path=path, status=status)


@reference("warmup-logs-retained")
def warmup_logs_retained(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``warmup: {duration_s: 60, …, logs_retained: true}``.
    Failing (warning): ``logs_retained: false`` on a warm-up of 60 s.
    """
    block = dig(point.config.mapping, "warmup")
    if not isinstance(block, dict):
        return
    active = any(number(block.get(k)) for k in ("duration_s", "requests_issued"))
    if not active:
        return
    value = block.get("logs_retained")
    if value is True:
        yield rule.result("ok", point, path=point.config.rel)
    else:
        yield rule.result("not-kept", point, path=point.config.rel, found=_show(value))


@reference("warmup-salt")
def warmup_salt(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``runtime_settings: {warmup: {salt: false}}``. Failing: ``salt: true``."""
    settings = dig(point.config.mapping, "runtime_settings")
    if not isinstance(settings, dict):
        return
    if dig(settings, "warmup", "salt") is True:
        yield rule.result("salted", point, path=point.config.rel)
    else:
        yield rule.result("ok", point, path=point.config.rel)
