"""Round v1.0 point configuration rules (checker-v1.0.md Part B §4.1, §6 "Point config";
A2.11, A2.12): the §8.3 disclosure in ``point.yaml``, warm-up and steady-state disclosure,
duration, and agreement of ``point.yaml`` with the ``config.yaml`` the run executed.
``min-query-count`` is shared with v0.7 (``settings``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..layout_v1 import PointV1
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning
from .values import integer, number

V1 = ("v1.0",)
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


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)


@rule(
    "point-config-valid",
    spec="B§4.1",
    severity="error",
    scope="point",
    summary="point.yaml is a readable YAML mapping following the §4.1 schema "
    "(warm-up counts consistent).",
    messages={
        "ok": info("point.yaml is valid"),
        "unreadable": error("{error}", "Fix point.yaml so that it is one YAML mapping (§8.3)."),
        "problem": error("{problem}", "{fix}"),
    },
    rounds=V1,
)
def point_config_valid(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """``point.yaml`` follows §4.1: ``concurrency`` and ``runtime_settings.runtime`` are
    required, types are strict, warm-up completed ≤ issued.

    Passing: ``concurrency: 8`` and ``runtime_settings: {runtime: {scheduler_rng_seed: 1,
    sample_index_rng_seed: 2, model_seed: 3}}``.
    Failing: ``concurrency: "8"`` → ``concurrency: found "8" (str), expected an integer``.
    """
    document = point.config
    if document.state == "invalid" and document.mapping is None:
        yield rule.result(
            "problem",
            point,
            path=document.rel,
            problem="(whole file): expected a YAML mapping",
            fix="Write point.yaml as key: value pairs (§8.3).",
        )
        return
    yield from rule.schema_results(point, document, ignore=("missing", "unsafe"), path=document.rel)


@rule(
    "point-disclosure-complete",
    spec="B§4.1, §8.3",
    severity="error",
    scope="point",
    summary="point.yaml discloses division, max_supported_concurrency, model, dataset, "
    "shared_src/shared_docs, seed_set and target_cohort (none empty).",
    messages={
        "ok": info("all {count} disclosure fields present"),
        "missing": error(
            "{fields} missing or empty; expected every §8.3 disclosure field",
            "{fix}",
        ),
    },
    rounds=V1,
)
def point_disclosure_complete(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The published point must say what was run: the §8.3 disclosure fields.

    Passing: every field of the list set (``seed_set: A``, ``target_cohort: 2026-10-C1``, …).
    Failing: no ``dataset_link`` → ``dataset_link missing or empty``.
    """
    mapping = point.config.mapping
    if mapping is None:
        return
    missing = []
    for name in DISCLOSURE_FIELDS:
        value = mapping.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    if missing:
        yield rule.result(
            "missing", point, path=point.config.rel, fields=", ".join(missing), fix=_fix(missing)
        )
    else:
        yield rule.result("ok", point, path=point.config.rel, count=len(DISCLOSURE_FIELDS))


#: disclosure fields ``submissions create`` writes into each point.yaml (``init`` does not)
ADDED_BY_CREATE = {"shared_src": "src/<implementation>", "shared_docs": "docs"}


def _fix(missing: list[str]) -> str:
    """The fix of ``point-disclosure-complete``, worded per field: ``init``'s template holds
    the run's own fields, ``submissions create`` adds the shared paths of the tree."""
    own = [name for name in missing if name not in ADDED_BY_CREATE]
    shared = [name for name in missing if name in ADDED_BY_CREATE]
    parts = []
    if own:
        parts.append(
            f"Add {', '.join(own)} to point.yaml "
            "(endpoints-submission-cli init writes a template with them)."
        )
    if shared:
        values = ", ".join(f"{name}: {ADDED_BY_CREATE[name]}" for name in shared)
        parts.append(
            f"Add {values} to point.yaml "
            "(endpoints-submission-cli submissions create adds them when it builds the tree)."
        )
    return " ".join(parts)


@rule(
    "load-pattern",
    spec="B§6",
    severity="error",
    scope="point",
    summary="`runtime_settings.load_pattern` is concurrency or agentic_inference (dedicated "
    "Offline exempt) and C > 0.",
    messages={
        "ok": info('load_pattern "{pattern}" at C = {c}'),
        "pattern": error(
            'runtime_settings.load_pattern: found "{found}", expected one of {patterns}',
            "Measure the point with the concurrency (or agentic_inference) load pattern.",
        ),
        "non-positive": error(
            "concurrency: found {c}, expected a positive number of concurrent requests",
            "Set concurrency to the number of concurrent requests (≥ 1) of this point.",
        ),
    },
    rounds=V1,
)
def load_pattern(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Points are measured at a fixed concurrency; a dedicated Offline point may use
    ``max_throughput``.

    Passing: ``load_pattern: concurrency``, ``concurrency: 8``.
    Failing: ``load_pattern: poisson`` or ``concurrency: 0``.
    """
    mapping = point.config.mapping
    if mapping is None:
        return
    settings = mapping.get("runtime_settings")
    pattern = settings.get("load_pattern", "concurrency") if isinstance(settings, dict) else None
    patterns = point.model.rules_round.load_patterns
    failed = False
    if isinstance(pattern, str) and pattern not in patterns and not point.is_dedicated_offline:
        failed = True
        yield rule.result(
            "pattern", point, path=point.config.rel, found=pattern, patterns=", ".join(patterns)
        )
    c = point.declared_concurrency
    if c is not None and c <= 0:
        failed = True
        yield rule.result("non-positive", point, path=point.config.rel, c=c)
    if not failed and isinstance(pattern, str) and c is not None:
        yield rule.result("ok", point, path=point.config.rel, pattern=pattern, c=c)


@rule(
    "streaming-config",
    spec="B§6, A2.12",
    severity="info",
    scope="point",
    summary="Reports `runtime_settings.stream_all_chunks` (either value passes in v1.0).",
    messages={"ok": info("stream_all_chunks: {value} (informational, policy issue #91)")},
    rounds=V1,
)
def streaming_config(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """In v1.0 ``stream_all_chunks`` is client IPC forwarding, not server streaming, so either
    value passes (it stays an error in v0.7).

    Passing: ``stream_all_chunks: false`` → info. Failing: never.
    """
    mapping = point.config.mapping
    settings = mapping.get("runtime_settings") if mapping is not None else None
    if isinstance(settings, dict):
        value = settings.get("stream_all_chunks", True)
        yield rule.result("ok", point, path=point.config.rel, value=_show(value))


def _basis_ms(point: PointV1) -> tuple[float, str] | None:
    steady = _steady(point)
    window = steady.get("window") if steady is not None else None
    window_s = number(window.get("duration_s")) if isinstance(window, dict) else None
    if window_s is not None:
        return window_s * 1000, "steady-state window"
    summary = point.summary.mapping
    ns = number(summary.get("duration_ns")) if summary else None
    return (ns / 1e6, "whole run") if ns is not None else None


@rule(
    "point-duration",
    spec="B§5, §6.2",
    severity="warning",
    scope="point",
    summary="Measured duration ≥ 600 000 ms (C ≤ 32) or 1 200 000 ms (2 400 000 ms "
    "agentic); basis = steady-state window, else the whole run.",
    messages={
        "ok": info("ran {ms:,.0f} ms ({basis}; minimum {minimum:,} ms)"),
        "short": warning(
            "duration ({basis}) {ms:,.0f} ms is shorter than the {minimum:,} ms minimum for "
            "C = {c}",
            "Re-run the point for at least {minimum:,} ms.",
        ),
    },
    rounds=V1,
)
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


def _steady(point: PointV1) -> dict | None:
    value = point.config.mapping.get("steady_state") if point.config.mapping else None
    return value if isinstance(value, dict) else None


@rule(
    "steady-state-valid",
    spec="B§4.1",
    severity="error",
    scope="point",
    summary="`steady_state` status, verdict and per-metric states use the vocabulary.",
    messages={
        "ok": info("steady_state block uses the vocabulary"),
        "bad": error(
            "steady_state.{field}: found {found}, expected one of {allowed}",
            "Copy the steady-state analysis output unchanged.",
        ),
    },
    rounds=V1,
)
def steady_state_valid(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``steady_state: {status: windowable, verdict: STEADY STATE, state: {tps:
    Plateau}}``. Failing: ``status: great``.
    """
    block = _steady(point)
    if block is None:
        return
    data = point.model.rules_round
    status, verdict, states = block.get("status"), block.get("verdict"), block.get("state")
    if (
        (status is None or status in data.steady_statuses)
        and (verdict is None or verdict in data.steady_verdicts)
        and (not isinstance(states, dict) or _all_known(states, data.steady_states))
    ):  # the usual block: nothing outside the vocabulary, so no list of checks to walk
        yield rule.result("ok", point, path=point.config.rel)
        return
    checks: list[tuple[str, Any, tuple[str, ...]]] = [
        ("status", status, data.steady_statuses),
        ("verdict", verdict, data.steady_verdicts),
    ]
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


def _all_known(states: dict, allowed: tuple[str, ...]) -> bool:
    """Whether every per-metric state is absent or in ``allowed`` (a loop: ``all`` over a
    generator costs more than the check itself, once per point)."""
    for value in states.values():  # noqa: SIM110
        if value is not None and value not in allowed:
            return False
    return True


def _super_passes(block: dict) -> int | None:
    window = block.get("window")
    if not isinstance(window, dict):
        return None
    start, end = integer(window.get("super_pass_start")), integer(window.get("super_pass_end"))
    return end - start + 1 if start is not None and end is not None else None


@rule(
    "steady-state-consistency",
    spec="B§4.1",
    severity="error",
    scope="point",
    summary="A windowable status has ≥ 4 super-passes and no drifting metric; "
    "insufficient_passes has < 4.",
    messages={
        "ok": info("steady_state status {status} is consistent"),
        "few": error(
            "steady_state.status windowable with {passes} super-passes, expected ≥ {minimum}",
            "Set status: insufficient_passes, or run long enough for {minimum} super-passes.",
        ),
        "drifting": error(
            'steady_state.status windowable but state.{metric} is "{state}"',
            "A drifting metric has no steady window: correct the status or re-run.",
        ),
        "enough": error(
            "steady_state.status insufficient_passes with {passes} super-passes (≥ {minimum})",
            "Set status: windowable when the window has {minimum} or more super-passes.",
        ),
    },
    rounds=V1,
)
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


@rule(
    "steady-state-basis",
    spec="B§4.1",
    severity="warning",
    scope="point",
    summary="The point discloses a windowable, non-drifting steady state (else the whole run "
    "is the basis).",
    messages={
        "ok": info("steady-state window is the measurement basis"),
        "none": warning(
            "no steady_state block; the whole run ({seconds:,.0f} s) is the basis",
            "Run the steady-state analysis and add its steady_state block to point.yaml.",
        ),
        "status": warning(
            "steady_state.status: found {found}, expected windowable; the whole run is the basis",
            "Run long enough for a windowable steady state.",
        ),
        "verdict": warning(
            "steady_state.verdict: found {found}; the system was still drifting",
            "Warm the system up longer and re-run the point.",
        ),
    },
    rounds=V1,
)
def steady_state_basis(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Results are meant to come from a steady state.

    Passing: ``steady_state: {status: windowable, verdict: STEADY STATE, …}``.
    Failing (warning): no block (every real run today), or ``verdict: drifting_up``.
    """
    if point.config.mapping is None:
        return
    block = _steady(point)
    path = point.config.rel
    if block is None:
        ns = number(point.summary.mapping.get("duration_ns")) if point.summary.mapping else None
        yield rule.result("none", point, path=path, seconds=(ns or 0) / 1e9)
        return
    status, verdict = block.get("status"), block.get("verdict")
    if status != "windowable":
        yield rule.result("status", point, path=path, found=_show(status))
    elif verdict in ("drifting_up", "drifting_down"):
        yield rule.result("verdict", point, path=path, found=_show(verdict))
    else:
        yield rule.result("ok", point, path=path)


@rule(
    "warmup-present",
    spec="B§4.1",
    severity="error",
    scope="point",
    summary="point.yaml discloses the warm-up (`warmup` block).",
    messages={
        "ok": info("warm-up disclosed ({duration} s, {issued} requests)"),
        "missing": error(
            "warmup missing; expected the warm-up disclosure (duration_s, requests_issued, "
            "requests_completed, data_source, concurrency)",
            "Add a warmup block; for no warm-up write duration_s: 0, requests 0, concurrency 0.",
        ),
    },
    rounds=V1,
)
def warmup_present(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``warmup: {duration_s: 60, requests_issued: 500, requests_completed: 500,
    data_source: perf, concurrency: 64}``. Failing: no ``warmup``.
    """
    mapping = point.config.mapping
    if mapping is None:
        return
    block = mapping.get("warmup")
    if not isinstance(block, dict):
        if block is None:
            yield rule.result("missing", point, path=point.config.rel)
        return
    yield rule.result(
        "ok",
        point,
        path=point.config.rel,
        duration=_show(block.get("duration_s")),
        issued=_show(block.get("requests_issued")),
    )


@rule(
    "warmup-logs-retained",
    spec="B§4.1",
    severity="warning",
    scope="point",
    summary="An active warm-up keeps its logs (`warmup.logs_retained: true`).",
    messages={
        "ok": info("warm-up logs retained"),
        "not-kept": warning(
            "warmup.logs_retained: found {found}, expected true for a warm-up that ran",
            "Keep the warm-up logs and set logs_retained: true (and link_logs).",
        ),
    },
    rounds=V1,
)
def warmup_logs_retained(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``warmup: {duration_s: 60, …, logs_retained: true}``.
    Failing (warning): ``logs_retained: false`` on a warm-up of 60 s.
    """
    mapping = point.config.mapping
    block = mapping.get("warmup") if mapping is not None else None
    if not isinstance(block, dict):
        return
    if not (number(block.get("duration_s")) or number(block.get("requests_issued"))):
        return  # no warm-up ran
    value = block.get("logs_retained")
    if value is True:
        yield rule.result("ok", point, path=point.config.rel)
    else:
        yield rule.result("not-kept", point, path=point.config.rel, found=_show(value))


@rule(
    "warmup-salt",
    spec="B§4.1",
    severity="warning",
    scope="point",
    summary="`runtime_settings.warmup.salt` is not true.",
    messages={
        "ok": info("warm-up prompts are not salted"),
        "salted": warning(
            "runtime_settings.warmup.salt: found true, expected false",
            "Run the warm-up without salted prompts (salt: false).",
        ),
    },
    rounds=V1,
)
def warmup_salt(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: ``runtime_settings: {warmup: {salt: false}}``. Failing: ``salt: true``."""
    mapping = point.config.mapping
    settings = mapping.get("runtime_settings") if mapping is not None else None
    if not isinstance(settings, dict):
        return
    warmup = settings.get("warmup")
    if isinstance(warmup, dict) and warmup.get("salt") is True:
        yield rule.result("salted", point, path=point.config.rel)
    else:
        yield rule.result("ok", point, path=point.config.rel)


#: (point.yaml runtime seed, its v0.7 name in point.yaml ("" for none), where config.yaml may
#: carry it, in order: (section, key, as shown), the section "runtime" being config.yaml's
#: ``settings.runtime`` and "model_params" its ``model_params``, each looked up once per point)
_SEED_SOURCES = (
    (
        "scheduler_rng_seed",
        "scheduler_random_seed",
        (
            ("runtime", "scheduler_rng_seed", "settings.runtime.scheduler_rng_seed"),
            ("runtime", "scheduler_random_seed", "settings.runtime.scheduler_random_seed"),
        ),
    ),
    (
        "sample_index_rng_seed",
        "dataloader_random_seed",
        (
            ("runtime", "sample_index_rng_seed", "settings.runtime.sample_index_rng_seed"),
            ("runtime", "dataloader_random_seed", "settings.runtime.dataloader_random_seed"),
        ),
    ),
    (
        "model_seed",
        "",
        (
            ("runtime", "model_seed", "settings.runtime.model_seed"),
            ("model_params", "seed", "model_params.seed"),
        ),
    ),
)


def _mapping(value: Any) -> dict | None:
    return value if isinstance(value, dict) else None


@rule(
    "config-point-consistency",
    spec="A2.11",
    severity="error",
    scope="point",
    summary="point.yaml agrees with config.yaml (the run as executed) on concurrency, the "
    "seeds config.yaml carries, and stream_all_chunks.",
    messages={
        "ok": info("point.yaml agrees with config.yaml on {fields}"),
        "differs": error(
            "point.yaml {field}: found {found}, expected {expected} as run (config.yaml {where})",
            "Set {field} in point.yaml to {expected}, the value the run used "
            "(endpoints-submission-cli init derives it).",
        ),
    },
    rounds=V1,
)
def config_point_consistency(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """A typed point.yaml must not claim settings the run never used (1.5.3.0 issue #72).

    Compared: ``concurrency`` with ``settings.load_pattern.target_concurrency``; the seeds
    config.yaml carries (scheduler, sample-index, model); ``stream_all_chunks`` with
    ``settings.client.stream_all_chunks``.
    Passing: point.yaml ``concurrency: 8``, config.yaml ``target_concurrency: 8``.
    Failing: point.yaml ``scheduler_rng_seed: 10487924139932647040`` while config.yaml ran
    ``scheduler_random_seed: 16159082839903944936``.
    """
    mapping, run = point.config.mapping, point.run_config.mapping
    if mapping is None or run is None:
        return
    compared = []
    failed = False
    path = point.config.rel
    run_settings = _mapping(run.get("settings"))
    load = _mapping(run_settings.get("load_pattern")) if run_settings is not None else None
    target = integer(load.get("target_concurrency")) if load is not None else None
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
    settings = mapping.get("runtime_settings")
    runtime = _mapping(settings.get("runtime")) if isinstance(settings, dict) else None
    if runtime is not None:
        sections = {
            "runtime": _mapping(run_settings.get("runtime")) if run_settings is not None else None,
            "model_params": _mapping(run.get("model_params")),
        }
        for name, legacy_name, sources in _SEED_SOURCES:
            ran, where = None, ""
            for section, key, shown in sources:
                block = sections[section]
                ran = block.get(key) if block is not None else None
                if ran is not None:
                    where = shown
                    break
            claimed = runtime.get(name)
            if claimed is None:
                claimed = runtime.get(legacy_name)
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
    client = _mapping(run_settings.get("client")) if run_settings is not None else None
    streamed = client.get("stream_all_chunks") if client is not None else None
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
