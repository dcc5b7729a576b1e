"""Round v1.0 seed-set, cohort and drafter rules (checker-v1.0.md Part B §6 "Seeds and
cohorts", "Speculative decoding"; A2.14). The registries are data (``registries``): the packaged
files, or ``--seed-sets`` / ``--approved-drafters`` and their environment variables.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from ..layout_v1 import ModelV1, PointV1, SubmissionV1
from ..registries import SEED_KEYS, RegistryUnreadable, drafter_lead_time, parse_cohort
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning
from .values import dig

V1 = ("v1.0",)
_LEGACY = {"scheduler_rng_seed": "scheduler_random_seed",
           "sample_index_rng_seed": "dataloader_random_seed"}  # fmt: skip


def _declared(point: PointV1, key: str) -> Any:
    return point.config.mapping.get(key) if point.config.mapping else None


def _cohort_text(value: Any) -> str | None:
    """The cohort ``value`` names, as shown (``str(parse_cohort(value))``); ``None`` when it
    names none. Two cohorts are equal exactly when their texts are."""
    return _shown_cohort(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=256)  # every point of a submission names the same few cohorts
def _shown_cohort(value: str) -> str | None:
    cohort = parse_cohort(value)
    return None if cohort is None else str(cohort)


@rule(
    "seed-set-registry",
    spec="A2.14",
    severity="warning",
    scope="submission",
    summary="The seed-set registry is readable (else every seed rule is skipped).",
    messages={
        "ok": info("seed-set registry {source}: sets {sets}"),
        "unreadable": warning(
            "seed-set registry unreadable ({reason}); seed-set rules skipped",
            "Fix or remove the file given by --seed-sets / $MLPERF_ENDPOINTS_SEED_SETS.",
        ),
    },
    rounds=V1,
)
def seed_set_registry(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """Passing: the packaged registry (set A). Failing (warning): ``--seed-sets missing.yaml``."""
    if not sub.points:
        return
    registry = sub.seed_sets
    if isinstance(registry, RegistryUnreadable):
        yield rule.result("unreadable", sub, reason=str(registry))
    else:
        yield rule.result(
            "ok", sub, source=registry.source, sets=", ".join(registry.seed_sets) or "none"
        )


@rule(
    "seed-set-consistency",
    spec="B§6",
    severity="error",
    scope="model",
    summary="All points of the submission declare the same `seed_set`.",
    messages={
        "ok": info('every point declares seed_set "{seed_set}"'),
        "mixed": error(
            'seed_set: found "{found}", expected "{expected}" as in {first}',
            "A submission uses one seed set: set seed_set: {expected} (and its seeds).",
        ),
    },
    rounds=V1,
)
def seed_set_consistency(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """One submission, one seed set: every point is compared with the submission's first
    point that declares one (so each curve is checked on its own, in parallel).

    Passing: every point ``seed_set: A``. Failing: one point ``seed_set: B``.
    """
    reference = model.system.submission.first_seed_set
    if reference is None:
        return
    first, expected = reference
    failed = False
    for point in model.points:
        value = _declared(point, "seed_set")
        if isinstance(value, str) and value != expected:
            failed = True
            yield rule.result(
                "mixed",
                point,
                path=point.config.rel,
                found=value,
                expected=expected,
                first=first,
            )
    if not failed and any(isinstance(_declared(p, "seed_set"), str) for p in model.points):
        yield rule.result("ok", model, seed_set=expected)


def _seed_set(point: PointV1):
    """(registry, the declared set) when both are usable, else ``None``."""
    registry = point.model.system.submission.seed_sets
    declared = _declared(point, "seed_set")
    if isinstance(registry, RegistryUnreadable) or not isinstance(declared, str):
        return None
    seed_set = registry.seed_sets.get(declared)
    return (registry, seed_set) if seed_set is not None else None


@rule(
    "seed-set-membership",
    spec="B§6",
    severity="error",
    scope="point",
    summary="`seed_set` names a set of the registry.",
    messages={
        "ok": info('seed_set "{seed_set}" is in the registry'),
        "unknown": error(
            'seed_set: found "{seed_set}", expected one of {known} ({source})',
            "Declare a published seed set (and run with its seeds).",
        ),
    },
    rounds=V1,
)
def seed_set_membership(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``seed_set: A``. Failing: ``seed_set: Z``."""
    registry = point.model.system.submission.seed_sets
    declared = _declared(point, "seed_set")
    if isinstance(registry, RegistryUnreadable) or declared is None:
        return
    if isinstance(declared, str) and declared in registry.seed_sets:
        yield rule.result("ok", point, path=point.config.rel, seed_set=declared)
    else:
        yield rule.result(
            "unknown",
            point,
            path=point.config.rel,
            seed_set=declared,
            known=", ".join(registry.seed_sets) or "none",
            source=registry.source,
        )


@rule(
    "seed-runtime-match",
    spec="B§6",
    severity="error",
    scope="point",
    summary="point.yaml runtime seeds equal the declared set's three seeds (warning when "
    "only the v0.7 seed names are used).",
    messages={
        "ok": info("runtime seeds match seed set {seed_set}"),
        "differs": error(
            "runtime_settings.runtime.{key}: found {found}, expected {expected} (seed set "
            "{seed_set})",
            "Re-run with the seed set's seeds ({key}: {expected}).",
        ),
        "legacy": warning(
            "runtime_settings.runtime uses the v0.7 seed names ({names})",
            "Write scheduler_rng_seed and sample_index_rng_seed (and model_seed).",
        ),
    },
    rounds=V1,
)
def seed_runtime_match(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The run used the seeds of the set it declares.

    Passing: seed set A and ``scheduler_rng_seed: 10487924139932647040``,
    ``sample_index_rng_seed: 586478644936801402``, ``model_seed: 9315206023656308754``.
    Failing: the real inference-endpoint seeds ``16159082839903944936``.
    """
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
    for key in SEED_KEYS:
        expected = getattr(seed_set, key)
        found = runtime[key] if key in runtime else runtime.get(_LEGACY.get(key, ""))
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


@rule(
    "seed-set-adoption",
    spec="B§6",
    severity="error",
    scope="point",
    summary="`target_cohort` lies in the seed set's adoption window (SKIPPED when the "
    "registry names no cohort).",
    messages={
        "ok": info("target_cohort {cohort} is in seed set {seed_set}'s window {window}"),
        "skipped": info("SKIPPED: the seed-set registry names no cohort"),
        "outside": error(
            "target_cohort: found {cohort}, expected one of {window} (seed set {seed_set})",
            "Target a cohort of the seed set's adoption window, or use the current seed set.",
        ),
    },
    rounds=V1,
)
def seed_set_adoption(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """A seed set is used for its publication cohort and the next three.

    Passing: set A (cohort 2026-10-C1) and ``target_cohort: 2026-11-C0``.
    Failing: ``target_cohort: 2027-03-C0``.
    """
    found_set = _seed_set(point)
    target = _cohort_text(_declared(point, "target_cohort"))
    if found_set is None or target is None:
        return
    registry, seed_set = found_set
    path = point.config.rel
    windows = point.model.system.submission.adoption_windows
    known = windows.get(seed_set.id)
    if known is None:  # the same few sets at every point: each window once
        window = registry.adoption_window(seed_set.id)
        texts = None if window is None else tuple(str(c) for c in window)
        known = windows[seed_set.id] = (texts, None if texts is None else ", ".join(texts))
    texts, shown = known
    if texts is None:
        yield rule.result("skipped", point, path=path)
        return
    outcome = "ok" if target in texts else "outside"
    yield rule.result(outcome, point, path=path, cohort=target, window=shown, seed_set=seed_set.id)


@rule(
    "seed-config-legacy",
    spec="B§6",
    severity="error",
    scope="point",
    summary="Without a `seed_set`, the scheduler and sample-index seeds are the legacy "
    "default 42 (warning), else an error.",
    messages={
        "default": warning(
            "no seed_set declared; legacy default seeds 42 used",
            "Declare seed_set (e.g. A) and run with its seeds.",
        ),
        "custom": error(
            "no seed_set declared and {key}: found {found}, expected {default} (the legacy "
            "default) or a declared seed set",
            "Declare seed_set and run with its seeds.",
        ),
    },
    rounds=V1,
)
def seed_config_legacy(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``seed_set: A``. Failing: no ``seed_set`` and ``scheduler_rng_seed: 7``;
    warning with the defaults 42.
    """
    mapping = point.config.mapping
    runtime = dig(mapping, "runtime_settings", "runtime")
    if mapping is None or mapping.get("seed_set") is not None or not isinstance(runtime, dict):
        return
    default = point.model.rules_round.legacy_default_seed
    path = point.config.rel
    failed = False
    for key in ("scheduler_rng_seed", "sample_index_rng_seed"):
        found = runtime.get(key, runtime.get(_LEGACY[key]))
        if found is not None and found != default:
            failed = True
            yield rule.result("custom", point, path=path, key=key, found=found, default=default)
    if not failed:
        yield rule.result("default", point, path=path)


@rule(
    "target-cohort",
    spec="B§6",
    severity="error",
    scope="point",
    summary="`target_cohort` is written YYYY-MM-C0 or YYYY-MM-C1.",
    messages={
        "ok": info("target_cohort {cohort}"),
        "bad": error(
            "target_cohort: found {found}, expected YYYY-MM-C0 or YYYY-MM-C1",
            "Write the cohort as e.g. 2026-11-C0.",
        ),
    },
    rounds=V1,
)
def target_cohort(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``target_cohort: 2026-11-C0``. Failing: ``2026-11`` or ``2026-13-C0``."""
    value = _declared(point, "target_cohort")
    if value is None:
        return
    cohort = _cohort_text(value)
    if cohort is None:
        yield rule.result("bad", point, path=point.config.rel, found=repr(value))
    else:
        yield rule.result("ok", point, path=point.config.rel, cohort=cohort)


@rule(
    "drafter-list-registry",
    spec="A2.14",
    severity="warning",
    scope="submission",
    summary="The approved-drafter list is readable (else the drafter rules are skipped).",
    messages={
        "ok": info("approved-drafter list {source}: {count} drafter(s)"),
        "unreadable": warning(
            "approved-drafter list unreadable ({reason}); drafter rules skipped",
            "Fix or remove the file given by --approved-drafters / "
            "$MLPERF_ENDPOINTS_APPROVED_DRAFTERS.",
        ),
    },
    rounds=V1,
)
def drafter_list_registry(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """Passing: the packaged list. Failing (warning): ``--approved-drafters broken.yaml``."""
    if not sub.systems:
        return
    registry = sub.approved_drafters
    if isinstance(registry, RegistryUnreadable):
        yield rule.result("unreadable", sub, reason=str(registry))
    else:
        yield rule.result("ok", sub, source=registry.source, count=len(registry.drafters))


def _drafter_context(point: PointV1):
    declared = _declared(point, "speculative_decoding")
    registry = point.model.system.submission.approved_drafters
    if not isinstance(declared, dict) or isinstance(registry, RegistryUnreadable):
        return None
    model_name = _declared(point, "model_name")
    return declared, registry, model_name if isinstance(model_name, str) else point.model.name


@rule(
    "approved-drafter",
    spec="B§6",
    severity="error",
    scope="point",
    summary="A declared `speculative_decoding` drafter is on the approved list for the benchmark.",
    messages={
        "ok": info("drafter {model_id} is approved for {benchmark}"),
        "none-for-model": error(
            "speculative_decoding declared, but {benchmark} has no approved drafter",
            "Remove speculative_decoding, or apply for the drafter's approval.",
        ),
        "unlisted": error(
            "speculative_decoding: found {found}, expected one of the approved drafters of "
            "{benchmark} ({known})",
            "Use an approved drafter (matching weight_checksum, or target_checksum and "
            "configuration).",
        ),
    },
    rounds=V1,
)
def approved_drafter(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: kimi-k3 with ``weight_checksum: git-sha1:3c5bac30…`` (RadixArk/Kimi-K3-DSpark).
    Failing: an unknown checksum, or any drafter on llama3_1-8b.
    """
    context = _drafter_context(point)
    if context is None:
        return
    declared, registry, benchmark = context
    path = point.config.rel
    known = registry.for_benchmark(benchmark)
    if not known:
        yield rule.result("none-for-model", point, path=path, benchmark=benchmark)
        return
    drafter = registry.match(benchmark, declared)
    if drafter is None:
        shown = declared.get("weight_checksum") or declared.get("model_id") or declared
        yield rule.result(
            "unlisted",
            point,
            path=path,
            found=repr(shown),
            benchmark=benchmark,
            known=", ".join(d.model_id for d in known),
        )
    else:
        yield rule.result("ok", point, path=path, model_id=drafter.model_id, benchmark=benchmark)


@rule(
    "drafter-approval-lead-time",
    spec="B§6",
    severity="error",
    scope="point",
    summary="target_cohort is at least the drafter's approved_cohort + 2 cohorts (warning "
    "when a cohort is unparsable).",
    messages={
        "ok": info("{reason}"),
        "early": error(
            "{reason}",
            "Target {earliest} or later, or use a drafter approved earlier.",
        ),
        "unparsable": warning("{reason}", "Write cohorts as YYYY-MM-C0 or YYYY-MM-C1."),
    },
    rounds=V1,
)
def drafter_approval_lead_time(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: drafter approved 2026-09-C1, ``target_cohort: 2026-10-C1``.
    Failing: ``target_cohort: 2026-10-C0`` (before 2026-10-C1).
    """
    context = _drafter_context(point)
    if context is None:
        return
    declared, registry, benchmark = context
    drafter = registry.match(benchmark, declared)
    if drafter is None:
        return
    outcome = drafter_lead_time(_declared(point, "target_cohort"), drafter)
    path = point.config.rel
    if outcome.ok is None:
        yield rule.result("unparsable", point, path=path, reason=outcome.reason)
    elif outcome.ok:
        yield rule.result("ok", point, path=path, reason=outcome.reason)
    else:
        yield rule.result(
            "early", point, path=path, reason=outcome.reason, earliest=str(outcome.earliest)
        )
