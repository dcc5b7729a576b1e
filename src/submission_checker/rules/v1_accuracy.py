"""Round v1.0 accuracy rules (checker-v1.0.md Part B §4.4, §5, §6 "Accuracy"; A2.6).

Accuracy results sit in the points: ``r<N>/accuracy_results.json`` (or ``results.json``'s
``accuracy_scores``). A curve needs one result per mandatory band and one at the Offline point,
assigned by maximum bipartite matching (``accuracy_bands``); each result is gated against the
model's official metrics (round data), and a score that reports none of them is an error.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..accuracy_bands import BAND_LABELS, accuracy_point, assign_accuracy_bands
from ..layout_v1 import ModelV1, PointV1, SubmissionV1
from ..models_v1 import AccuracyEntry
from ..report import CheckResult
from ..rounds import Bound
from .registry import Rule, error, info, rule, warning
from .values import dig, number

V1 = ("v1.0",)


def _counted(point: PointV1) -> list[AccuracyEntry]:
    """The point's accuracy entries that are not the inline score of a performance run."""
    accuracy = point.accuracy
    return [e for e in accuracy.entries if not e.is_inline] if accuracy else []


@rule(
    "accuracy-present",
    spec="B§6",
    severity="error",
    scope="submission",
    summary="Some point under results/ has accuracy_results.json (or results.json with "
    "accuracy_scores).",
    messages={
        "ok": info("accuracy results at {count} point(s)"),
        "none": error(
            "no accuracy_results.json under {rel}/ (and no results.json with accuracy_scores)",
            "Add the accuracy run's accuracy_results.json to the band points and the Offline "
            "point.",
        ),
    },
    rounds=V1,
)
def accuracy_present(rule: Rule, sub: SubmissionV1) -> Iterator[CheckResult]:
    """A submission reports accuracy.

    Passing: ``r1/accuracy_results.json``. Failing: no accuracy file anywhere.
    """
    points = sub.points
    if not points:
        return
    # from the directory listing: reading every file here would serialise the check
    with_accuracy = [p for p in points if sub.kind(f"{p.rel}/accuracy_results.json") is not None]
    if not with_accuracy:  # results.json may carry the scores: read those
        with_accuracy = [p for p in points if p.accuracy is not None]
    rel = sub.rel("results")
    if with_accuracy:
        yield rule.result("ok", sub, path=rel, count=len(with_accuracy))
    else:
        yield rule.result("none", sub, path=rel, rel=rel)


@rule(
    "accuracy-valid",
    spec="B§4.4",
    severity="error",
    scope="point",
    summary="accuracy_results.json is readable and follows §4.4 (dataset names unique, "
    "scores numeric, at most one inline entry).",
    messages={
        "ok": info("{count} accuracy entr(y/ies): {names}"),
        "unreadable": error("{error}", "Copy the accuracy run's accuracy_results.json unchanged."),
        "problem": error("{problem}", "{fix}"),
    },
    rounds=V1,
)
def accuracy_valid(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Accepted shapes: ``{dataset: {...}}``, ``{"accuracy_scores": [...]}`` or a list.

    Passing: ``{"accuracy_scores": [{"dataset_name": "cnn_dailymail", "score": {"rouge1":
    38.9}, "unit_samples": 13368}]}``. Failing: an entry without ``dataset_name``, or
    ``"score": "high"``.
    """
    accuracy = point.accuracy
    if accuracy is None:
        return
    document = accuracy.document
    if document.state in ("unreadable", "not-a-file"):
        yield rule.result("unreadable", point, path=document.rel, error=document.error)
    elif document.problems:
        for problem in document.problems:
            yield rule.result("problem", point, path=document.rel, problem=problem, fix=problem.fix)
    elif document.state == "valid":
        names = ", ".join(e.dataset_name for e in accuracy.entries) or "none"
        yield rule.result("ok", point, path=document.rel, count=len(accuracy.entries), names=names)


@rule(
    "accuracy-coverage",
    spec="B§5, B§6",
    severity="error",
    scope="model",
    summary="One accuracy result per mandatory band (Ultra Low, Low, Medium, High) and at "
    "the Offline point (bands only for agentic), by maximum matching; no extras.",
    messages={
        "ok": info("accuracy results fill {filled}"),
        "unfilled": error(
            "no accuracy result for the {slot} slot (results at: {points}); expected one per "
            "band and at the Offline point",
            "Run the accuracy benchmark at a point of the {slot} band{offline_hint}.",
        ),
        "surplus": error(
            "extra accuracy result at {name}: {reason}",
            "Remove the extra accuracy_results.json from {name}, or move it to an unfilled band.",
        ),
    },
    rounds=V1,
)
def accuracy_coverage(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Accuracy is measured across the curve: each band once, and the Offline point.

    A point may lie in two bands' ranges (Ultra Low [1, 32] overlaps Low when C_min < 32), so
    the results are assigned by maximum bipartite matching; an elected Offline C_max point may
    fill High and Offline. Inline-only files (the performance run's own score) do not count.
    Passing: results at r1, r4, r32, r256 and the dedicated Offline r512 (C_max 256).
    Failing: no result in the Medium band → ``no accuracy result for the Medium slot``.
    """
    regions = model.regions
    if regions is None or not model.points:
        return
    candidates = [
        accuracy_point(
            regions,
            p.concurrency,
            offline=p.offline if p.offline in ("dedicated", "elected") else "none",
            has_accuracy=True,
            declared_region=p.declared_region,
            name=p.dir_name,
        )
        for p in model.points
        if _counted(p)
    ]
    assignment = assign_accuracy_bands(candidates, agentic=model.is_agentic)
    points = ", ".join(p.label for p in candidates) or "none"
    for slot in assignment.unfilled:
        yield rule.result(
            "unfilled",
            model,
            slot=BAND_LABELS[slot],
            points=points,
            offline_hint=" (the Offline point)" if slot == "offline" else "",
        )
    by_name = {p.dir_name: p for p in model.points}
    for extra in assignment.surplus:
        point = by_name.get(extra.label)
        yield rule.result(
            "surplus",
            point if point is not None else model,
            path=point.accuracy.rel if point is not None and point.accuracy else model.rel,
            name=extra.label,
            reason=assignment.surplus_reason(extra),
        )
    if assignment.complete:
        filled = ", ".join(
            f"{BAND_LABELS[slot]} ({p.label})" for slot, p in assignment.filled.items()
        )
        yield rule.result("ok", model, filled=filled)


def _model_name(model: ModelV1) -> str:
    for point in model.points:
        value = point.config.mapping.get("model_name") if point.config.mapping else None
        if isinstance(value, str) and value.strip():
            return value
    return model.name


@rule(
    "accuracy-sample-count",
    spec="B§6",
    severity="error",
    scope="point",
    summary="Σ num_samples × n_repeats of an accuracy result reaches the model's minimum.",
    messages={
        "ok": info("{samples:,} accuracy samples (minimum {minimum:,} for {model_name})"),
        "few": error(
            "accuracy samples: found {samples:,} (Σ num_samples × n_repeats), expected at "
            "least {minimum:,} for {model_name}",
            "Run the accuracy benchmark over the full accuracy dataset ({minimum:,} samples).",
        ),
    },
    rounds=V1,
)
def accuracy_sample_count(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """The accuracy run covers the whole accuracy dataset.

    Passing: llama3_1-8b with ``unit_samples: 13368``. Failing: ``unit_samples: 50``.
    """
    entries = _counted(point)
    if not entries:
        return
    model = _model_name(point.model)
    minimum = point.model.rules_round.sample_minimums.get(model)
    if minimum is None:
        return
    samples = sum(e.samples for e in entries)
    path = point.accuracy.rel
    if samples < minimum:
        yield rule.result(
            "few", point, path=path, samples=samples, minimum=minimum, model_name=model
        )
    else:
        yield rule.result(
            "ok", point, path=path, samples=samples, minimum=minimum, model_name=model
        )


def _scaled(value: float, bound: Bound) -> float:
    """Fractions are percentages when the bound is > 1 (0.905 ↔ 90.5)."""
    return value * 100 if bound.lower > 1 and 0 <= value <= 1 else value


def _weighted_means(entries: list[AccuracyEntry]) -> dict[str, float]:
    """Per metric, the sample-weighted mean across datasets (unweighted without counts)."""
    sums: dict[str, tuple[float, float]] = {}
    for entry in entries:
        weight = float(entry.samples) if entry.samples > 0 else 1.0
        for metric, value in entry.metrics.items():
            total, weights = sums.get(metric, (0.0, 0.0))
            sums[metric] = (total + value * weight, weights + weight)
    return {metric: total / weights for metric, (total, weights) in sums.items() if weights}


@rule(
    "accuracy-gate",
    spec="B§6, A2.6",
    severity="error",
    scope="point",
    summary="Each official metric of the model meets its threshold (sample-weighted across "
    "datasets); a score with none of them is an error; an unknown model a warning.",
    messages={
        "ok": info("{model_name}: {passed}"),
        "below": error(
            "{metric} = {value:.6g} does not meet {bound} ({model_name} official target)",
            "Fix the accuracy of the deployment and re-run the accuracy benchmark.",
        ),
        "no-metric": error(
            "no official metric reported: found {found}, expected {expected} for {model_name}",
            "Report the model's official metrics ({expected}) from the accuracy run.",
        ),
        "unnamed": warning(
            "an unnamed score {value:.6g} was gated as {model_name}'s only metric {metric} "
            "({bound})",
            'Name the metric in the score object, e.g. {{"{metric}": {value:.6g}}}.',
        ),
        "no-thresholds": warning(
            "no accuracy thresholds known for model {model_name}; {found} not gated",
            "Use a v1.0 model name (model-name-valid lists them).",
        ),
    },
    rounds=V1,
)
def accuracy_gate(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Scores meet the model's official targets (fractions ×100 when the bound is > 1).

    Passing: llama3_1-8b ``{"rouge1": 38.95, "rouge2": 16.02, "rougel": 24.61, "rougelsum":
    35.97, "gen_len": 8167644}``. Failing: ``rouge1: 30`` → ``rouge1 = 30 does not meet ≥
    38.391408``; ``{"echo-acc": 0.9}`` → ``no official metric reported`` (1.5.3.0 is silent).
    """
    entries = _counted(point)
    if not entries:
        return
    model_name = _model_name(point.model)
    if point.model.is_agentic:
        return  # agentic curves are gated by the agentic-accuracy rules
    path = point.accuracy.rel
    means = _weighted_means(entries)
    found = ", ".join(sorted(means)) or "no metric"
    target = point.model.rules_round.official_target(model_name)
    if target is None:
        yield rule.result("no-thresholds", point, path=path, model_name=model_name, found=found)
        return
    official = {name: bound for name, bound in target.metrics.items()}
    reported = {
        name: means[point.model.rules_round.shared.normalise_metric(name)]
        for name in official
        if point.model.rules_round.shared.normalise_metric(name) in means
    }
    unnamed = False
    if not reported and set(means) == {"score"} and len(official) == 1:
        (name,) = official
        reported = {name: means["score"]}
        unnamed = True
    if not reported:
        yield rule.result(
            "no-metric",
            point,
            path=path,
            found=found,
            expected=", ".join(official),
            model_name=model_name,
        )
        return
    failed = False
    for name, raw in reported.items():
        bound = official[name]
        value = _scaled(raw, bound)
        if unnamed:
            yield rule.result(
                "unnamed",
                point,
                path=path,
                value=raw,
                model_name=model_name,
                metric=name,
                bound=str(bound),
            )
        if not bound.admits(value):
            failed = True
            yield rule.result(
                "below",
                point,
                path=path,
                metric=name,
                value=value,
                bound=str(bound),
                model_name=model_name,
            )
    if not failed:
        passed = ", ".join(
            f"{name} {_scaled(v, official[name]):.6g} {official[name]}"
            for name, v in reported.items()
        )
        yield rule.result("ok", point, path=path, model_name=model_name, passed=passed)


@rule(
    "agentic-accuracy",
    spec="B§6",
    severity="warning",
    scope="model",
    summary="An agentic curve's model has agentic accuracy floors.",
    messages={
        "ok": info("agentic floors known for {model_name}"),
        "unknown": warning(
            "agentic curve for model {model_name}: no agentic accuracy floors known (known: "
            "{known}); its accuracy is not gated",
            "Use one of the agentic v1.0 models ({known}).",
        ),
    },
    rounds=V1,
)
def agentic_accuracy(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Passing: a kimi-k3 agentic curve. Failing (warning): an agentic_inference curve of a
    model without floors.
    """
    if not model.is_agentic or not model.points:
        return
    name = _model_name(model)
    known = ", ".join(model.rules_round.agentic)
    if name in model.rules_round.agentic:
        yield rule.result("ok", model, model_name=name)
    else:
        yield rule.result("unknown", model, model_name=name, known=known)


def _percent(value: float) -> float:
    return value * 100 if 0 <= value <= 1 else value


@rule(
    "agentic-accuracy-inline",
    spec="B§6",
    severity="error",
    scope="point",
    summary="Each agentic point carries its inline (`dataset_type: performance`) score, a "
    "fraction meeting the model's floor.",
    messages={
        "ok": info("inline score {score:.4g} % ≥ {floor} %"),
        "missing": error(
            "no inline accuracy score (dataset_type: performance) at this agentic point",
            "Run the agentic point with inline scoring and keep its accuracy_results.json.",
        ),
        "below": error(
            "inline score: found {score:.4g} %, expected ≥ {floor} % for {model_name}",
            "Fix the deployment's accuracy and re-run the point.",
        ),
        "not-fraction": error(
            "inline score: found {raw}, expected a fraction in [0, 1]",
            "Write the score as the fraction the benchmark reports (e.g. 0.61).",
        ),
    },
    rounds=V1,
)
def agentic_accuracy_inline(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Agentic points are scored while they run.

    Passing: kimi-k3, ``{"dataset_type": "performance", "score": 0.61}`` (61 % ≥ 58.32 %).
    Failing: no inline entry, or ``0.5``.
    """
    model = point.model
    if not model.is_agentic:
        return
    floors = model.rules_round.agentic.get(_model_name(model))
    if floors is None:
        return
    accuracy = point.accuracy
    inline = [e for e in accuracy.entries if e.is_inline] if accuracy else []
    path = accuracy.rel if accuracy else point.rel
    if not inline or not inline[0].metrics:
        yield rule.result("missing", point, path=path)
        return
    raw = next(iter(inline[0].metrics.values()))
    if not 0 <= raw <= 1:
        yield rule.result("not-fraction", point, path=path, raw=raw)
        return
    score = raw * 100
    if score < floors.inline_floor:
        yield rule.result(
            "below",
            point,
            path=path,
            score=score,
            floor=floors.inline_floor,
            model_name=_model_name(model),
        )
    else:
        yield rule.result("ok", point, path=path, score=score, floor=floors.inline_floor)


@rule(
    "agentic-accuracy-swebench",
    spec="B§6",
    severity="error",
    scope="model",
    summary="The mean swe_bench score over the four bands meets the model's floor (warning "
    "when absent, several in a band, or fewer than 4 bands).",
    messages={
        "ok": info("swe_bench mean {mean:.4g} % over {count} band(s) ≥ {floor} %"),
        "below": error(
            "swe_bench mean: found {mean:.4g} % over {count} band(s), expected ≥ {floor} % "
            "for {model_name}",
            "Fix the deployment's accuracy and re-run the swe_bench evaluation.",
        ),
        "absent": warning(
            "no swe_bench result on this agentic curve",
            "Run swe_bench at one point of each band.",
        ),
        "bands": warning(
            "swe_bench results cover {count} band(s) ({detail}), expected one in each of "
            "the 4 bands",
            "Run swe_bench once at a point of each band.",
        ),
    },
    rounds=V1,
)
def agentic_accuracy_swebench(rule: Rule, model: ModelV1) -> Iterator[CheckResult]:
    """Passing: swe_bench 0.948 at r1, r4, r16, r128 (kimi-k3 floor 93.5 %).
    Failing: mean 0.90 → ``found 90 %``; warning when a band has none.
    """
    if not model.is_agentic or model.regions is None:
        return
    name = _model_name(model)
    floors = model.rules_round.agentic.get(name)
    if floors is None:
        return
    scored = []
    for point in model.points:
        values = [
            _percent(next(iter(entry.metrics.values())))
            for entry in _counted(point)
            if entry.dataset_name.lower().replace("-", "_") == "swe_bench" and entry.metrics
        ]
        if values:
            scored.append((point, sum(values) / len(values)))
    if not scored:
        yield rule.result("absent", model)
        return
    # each result fills one band, as for accuracy-coverage (maximum matching)
    assignment = assign_accuracy_bands(
        [
            accuracy_point(
                model.regions, p.concurrency, declared_region=p.declared_region, name=p.dir_name
            )
            for p, _ in scored
        ],
        agentic=True,
    )
    value_of = {p.dir_name: value for p, value in scored}
    by_band = {slot: value_of[p.label] for slot, p in assignment.filled.items()}
    if not by_band:
        yield rule.result("absent", model)
        return
    mean = sum(by_band.values()) / len(by_band)
    if assignment.unfilled or assignment.surplus:
        detail = ", ".join(
            [f"{BAND_LABELS[b]}: {p.label}" for b, p in assignment.filled.items()]
            + [f"extra: {p.label}" for p in assignment.surplus]
        )
        yield rule.result("bands", model, count=len(by_band), detail=detail)
    if mean < floors.swe_bench_floor:
        yield rule.result(
            "below",
            model,
            mean=mean,
            count=len(by_band),
            floor=floors.swe_bench_floor,
            model_name=name,
        )
    else:
        yield rule.result("ok", model, mean=mean, count=len(by_band), floor=floors.swe_bench_floor)


@rule(
    "agentic-osl-range",
    spec="B§6",
    severity="error",
    scope="point",
    summary="An agentic point's full-run output-length mean lies in the model's range "
    "(warning when the field is missing).",
    messages={
        "ok": info("full-run OSL mean {mean:.6g} in {range}"),
        "out": error(
            "output_sequence_lengths_full_run mean: found {mean:.6g}, expected {range} for "
            "{model_name}",
            "Check the deployment's generation settings (max tokens, stop sequences) and re-run.",
        ),
        "missing": warning(
            "output_sequence_lengths_full_run.output_sequence_lengths.avg missing; the "
            "output length of the agentic run is not checked",
            "Use the unmodified result_summary.json of the agentic run.",
        ),
    },
    rounds=V1,
)
def agentic_osl_range(rule: Rule, point: PointV1) -> Iterator[CheckResult]:
    """Passing: kimi-k3 mean 472.5 in 425–520. Failing: 300."""
    model = point.model
    if not model.is_agentic or point.summary.mapping is None:
        return
    name = _model_name(model)
    floors = model.rules_round.agentic.get(name)
    if floors is None:
        return
    path = point.summary.rel
    mean = number(
        dig(
            point.summary.mapping,
            "output_sequence_lengths_full_run",
            "output_sequence_lengths",
            "avg",
        )
    )
    shown = f"{floors.osl_range.lower:g}–{floors.osl_range.upper:g}"
    if mean is None:
        yield rule.result("missing", point, path=path)
    elif floors.osl_range.admits(mean):
        yield rule.result("ok", point, path=path, mean=mean, range=shown)
    else:
        yield rule.result("out", point, path=path, mean=mean, range=shown, model_name=name)
