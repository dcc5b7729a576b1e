"""Accuracy of each submitted model (§15)."""

from __future__ import annotations

from collections.abc import Iterator

from ..layout import FILE, UNSAFE, Model
from ..report import CheckResult
from ..rounds import normalise_metric
from .registry import Rule, error, info, rule, warning


@rule(
    "accuracy-file",
    spec="§15",
    severity="error",
    scope="model",
    summary="`accuracy/accuracy.txt` (non-empty) and `accuracy/accuracy_result.json` exist.",
    messages={
        "ok": info("accuracy.txt and accuracy_result.json present"),
        "missing": error("{name} is missing", "Add accuracy/{name} from the model's accuracy run."),
        "empty": error(
            "accuracy.txt is empty", "Put the accuracy run's log into accuracy/accuracy.txt."
        ),
    },
)
def accuracy_file(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """Each model carries the log and the result of its accuracy run.

    Passing: ``accuracy/accuracy.txt`` (the run's log) and ``accuracy/accuracy_result.json``.
    Failing: no ``accuracy_result.json``, or an empty ``accuracy.txt``.
    """
    if not model.subdir_ok("accuracy") or model.accuracy is None:
        return
    failed = False
    txt_kind = model.accuracy_txt_kind
    if txt_kind is None or txt_kind not in (FILE, UNSAFE):
        failed = True
        yield rule.result("missing", model, path=model.accuracy_txt_rel, name="accuracy.txt")
    elif txt_kind == FILE and model.accuracy_txt_size == 0:
        failed = True
        yield rule.result("empty", model, path=model.accuracy_txt_rel)
    if model.accuracy.state in ("missing", "not-a-file"):
        failed = True
        yield rule.result("missing", model, path=model.accuracy.rel, name="accuracy_result.json")
    if not failed:
        yield rule.result("ok", model, path=f"{model.rel}/accuracy")


@rule(
    "accuracy-valid",
    spec="§15",
    severity="error",
    scope="model",
    summary="`accuracy_result.json` is readable strict JSON and follows the §2.4 schema.",
    messages={
        "ok": info("accuracy result is valid"),
        "unreadable": error("{error}", "Fix the file so that it is one UTF-8 JSON object."),
        "problem": error("{problem}", "{fix}"),
    },
)
def accuracy_valid(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """The accuracy result follows §2.4.

    Passing: ``{"metric": "rougel", "score": {"rouge1": 44.4, "rougel": 28.6},
    "quality_target": 28.330038, "passed": true}``.
    Failing: ``"passed": "yes"``, ``"score": NaN`` or a ``metric`` missing from the score
    object.
    """
    doc = model.accuracy
    if doc is not None:  # accuracy-file reports a missing file or one that is not a file
        yield from rule.schema_results(
            model, doc, ignore=("missing", "unsafe", "not-a-file"), path=doc.rel
        )


@rule(
    "accuracy-consistency",
    spec="§15",
    severity="error",
    scope="model",
    summary="`passed` equals (primary score ≥ `quality_target`).",
    messages={
        "ok": info("passed = {passed} agrees with {metric} {score} vs target {target}"),
        "contradicts": error(
            "passed: found {passed}, but {metric} = {score} is {relation} quality_target {target}",
            "Set passed to {expected}, or correct score/quality_target.",
        ),
    },
)
def accuracy_consistency(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """The file's own verdict must follow from its numbers.

    Passing: ``score 28.6, quality_target 28.33, passed true``.
    Failing: ``score 27.0, quality_target 28.33, passed true``.
    """
    result = model.accuracy.model if model.accuracy else None
    if result is None:
        return
    score = result.primary_score
    expected = score >= result.quality_target
    values = {
        "passed": str(result.passed).lower(),
        "metric": result.metric,
        "score": score,
        "target": result.quality_target,
    }
    if result.passed == expected:
        yield rule.result("ok", model, path=model.accuracy.rel, **values)
    else:
        relation = "at or above" if expected else "below"
        yield rule.result(
            "contradicts",
            model,
            path=model.accuracy.rel,
            relation=relation,
            expected=str(expected).lower(),
            **values,
        )


@rule(
    "accuracy-gate",
    spec="§15",
    severity="error",
    scope="model",
    summary="Scores meet the official target for the model (else the file's `quality_target`).",
    messages={
        "ok": info("meets the official targets for {row}: {scores}"),
        "below": error(
            "{metric} = {score} misses the official target {bound} for {row}",
            "Improve accuracy until {metric} is {bound}; the run cannot be submitted as is.",
        ),
        "missing-metric": warning(
            "score has no {metric}; the official target for {row} also gates it ({bound})",
            'Report "{metric}" in the score object of accuracy_result.json.',
        ),
        "no-official-metric": error(
            "no official metric reported: the score has none of {metrics} (official target "
            "for {row})",
            "Report the official metrics ({metrics}) in the score object.",
        ),
        "target-too-low": error(
            "quality_target: found {target}, below the official {metric} target {official}",
            "Set quality_target to the official target {official}.",
        ),
        "no-official": warning(
            'no official accuracy target is known for model "{directory}"; gated against the '
            "file's quality_target",
            "Check the model directory name (e.g. llama2-70b) so the official target applies.",
        ),
        "own-ok": info("{metric} = {score} meets the file's quality_target {target}"),
        "own-below": error(
            "{metric} = {score} is below the file's quality_target {target}",
            "Improve accuracy until {metric} ≥ {target}.",
        ),
    },
)
def accuracy_gate(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """Accuracy must meet the official target of the model (rules round data table).

    The target row is the first whose fragments all occur in the model directory name
    (lower-cased, only [a-z0-9]); every row metric present in the score is gated, a missing
    row metric is a warning, none present is an error, and a quality_target below the
    official one is an error. Unknown model: a warning, then the primary score is gated
    against the file's quality_target.
    Passing (llama2-70b): ``rouge1 44.4, rouge2 22.1, rougel 28.6, tokens_per_sample 294``.
    Failing: ``rougel 28.0`` (< 28.330038) or ``tokens_per_sample 330`` (> 323.895).
    """
    doc = model.accuracy
    result = doc.model if doc else None
    if result is None:
        return
    path = doc.rel
    row = model.system.submission.rules_round.official_target(model.name)
    if row is None:
        yield rule.result("no-official", model, path=path, directory=model.name)
        values = {
            "metric": result.metric,
            "score": result.primary_score,
            "target": result.quality_target,
        }
        if result.primary_score >= result.quality_target:
            yield rule.result("own-ok", model, path=path, **values)
        else:
            yield rule.result("own-below", model, path=path, **values)
        return
    scores = result.metric_scores()
    findings: list[CheckResult] = []
    passed: list[str] = []
    for metric, bound in row.metrics.items():
        value = scores.get(normalise_metric(metric))
        where = {"metric": metric, "bound": str(bound), "row": row.name}
        if value is None:
            findings.append(rule.result("missing-metric", model, path=path, **where))
        elif bound.admits(value):
            passed.append(f"{metric} = {value} ({bound})")
        else:
            findings.append(rule.result("below", model, path=path, score=value, **where))
    if not any(normalise_metric(metric) in scores for metric in row.metrics):
        metrics = ", ".join(row.metrics)
        findings = [
            rule.result("no-official-metric", model, path=path, row=row.name, metrics=metrics)
        ]
    primary = row.bound_for(result.metric)
    if primary is not None and result.quality_target < primary.lower:
        findings.append(
            rule.result(
                "target-too-low",
                model,
                path=path,
                target=result.quality_target,
                metric=result.metric,
                official=primary.lower,
            )
        )
    if findings:
        yield from findings
    else:
        yield rule.result("ok", model, path=path, scores="; ".join(passed), row=row.name)
