"""Measurement points: their files, their logs, how many (checker.md §1, §2, §8)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..layout import DIR, FILE, UNSAFE, Model, Point
from ..report import CheckResult
from .registry import Rule, error, info, rule, warning

if TYPE_CHECKING:
    from ..layout_v1 import PointV1

MIN_POINTS = 7
MAX_POINTS = 32


@rule(
    "point-config-valid",
    spec="§1",
    severity="error",
    scope="point",
    summary="A point file is readable YAML, a mapping, and follows the §2.2 schema.",
    messages={
        "ok": info("point configuration is valid"),
        "unreadable": error("{error}", "Fix the YAML so that it is one mapping of settings."),
        "problem": error("{problem}", "{fix}"),
    },
)
def point_config_valid(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """``points/point_<N>.yaml`` must match §2.2, one error per problem.

    Passing::

        concurrency: 8
        dataset: open_orca
        runtime_settings: {load_pattern: concurrency, stream_all_chunks: true}

    Failing: ``concurrency: "8"`` → ``concurrency: found "8" (str), expected an integer``;
    a key given twice → duplicate key error.
    """
    yield from rule.schema_results(point, point.config, ignore=("unsafe",))


@rule(
    "point-filename-concurrency",
    spec="§1",
    severity="error",
    scope="point",
    summary="N in `point_<N>.yaml` is a plain integer equal to `concurrency`, unique per model.",
    messages={
        "ok": info("file name matches concurrency {n}"),
        "name-only": info("file name N = {n} is a plain integer"),
        "not-integer": error(
            '{file}: N = "{name_n}" is not a plain integer (no sign, no leading zeros)',
            "Rename the file to point_<concurrency>.yaml, e.g. point_{suggest}.yaml.",
        ),
        "mismatch": error(
            "{file}: file name says concurrency {n}, the file declares concurrency: {declared}",
            "Rename the file to point_{declared}.yaml or correct concurrency (and its results/).",
        ),
        "duplicate": error(
            "{file} declares concurrency {declared}, as do {others}",
            "Keep one point per concurrency; remove or correct the duplicate.",
        ),
    },
)
def point_filename_concurrency(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """The file name carries the concurrency: ``point_8.yaml`` holds ``concurrency: 8``.

    Results are looked up by the file name's N, so a mismatch would pair a point with another
    point's logs. Passing: ``point_8.yaml`` with ``concurrency: 8``.
    Failing: ``point_08.yaml`` (leading zero), ``point_8.yaml`` with ``concurrency: 16``, or
    two files both declaring ``concurrency: 8``.
    """
    n = point.file_n
    declared = point.declared_concurrency
    failed = False
    if n is None:
        failed = True
        suggest = declared if declared is not None else "<N>"
        yield rule.result(
            "not-integer", point, file=point.file_name, name_n=point.name_n, suggest=suggest
        )
    elif declared is not None and declared != n:
        failed = True
        yield rule.result("mismatch", point, file=point.file_name, n=n, declared=declared)
    if declared is not None:
        others = [
            name for name in point.model.files_by_concurrency[declared] if name != point.file_name
        ]
        if others:
            failed = True
            yield rule.result(
                "duplicate",
                point,
                file=point.file_name,
                declared=declared,
                others=", ".join(others),
            )
    if not failed:
        yield rule.result("ok" if declared is not None else "name-only", point, n=n)


@rule(
    "result-file-present",
    spec="§1",
    severity="error",
    scope="point",
    summary="Each point has `results/point_<N>/mlperf_endpoints_log_summary.json`.",
    messages={
        "ok": info("summary log present"),
        "missing": error(
            "summary log missing for {point}",
            "Copy the benchmark's result_summary.json for concurrency {n} to {rel}.",
        ),
        "results-not-dir": error(
            "{rel} is a file, expected the directory of {point}'s logs",
            "Replace {rel} with a directory holding the point's logs.",
        ),
        "not-file": error(
            "{rel} is a directory, expected the summary JSON file",
            "Replace {rel} with the benchmark's summary JSON file.",
        ),
    },
)
def result_file_present(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """Results are looked up by the file name's N: ``point_8.yaml`` → ``results/point_8/``.

    Passing: ``results/point_8/mlperf_endpoints_log_summary.json`` beside ``points/point_8.yaml``.
    Failing: ``results/point_8/`` missing, or holding only the detail log.
    """
    summary = point.summary
    if summary is None or summary.state == "unsafe" or point.results_kind == UNSAFE:
        return
    if point.results_kind not in (None, DIR):
        rel = point.results_rel
        yield rule.result("results-not-dir", point, path=rel, rel=rel, point=point.file_name)
    elif summary.state == "missing":
        rel = summary.rel
        yield rule.result(
            "missing", point, path=rel, rel=rel, point=point.file_name, n=point.name_n
        )
    elif summary.state == "not-a-file":
        yield rule.result("not-file", point, path=summary.rel, rel=summary.rel)
    else:
        yield rule.result("ok", point, path=summary.rel)


@rule(
    "result-detail-present",
    spec="§1",
    severity="error",
    scope="point",
    summary="Each point has a non-empty `mlperf_endpoints_log_detail.json` (never read).",
    messages={
        "ok": info("detail log present ({size} bytes)"),
        "missing": error(
            "detail log missing for {point}",
            "Copy the benchmark's detail log for concurrency {n} to {rel}.",
        ),
        "empty": error(
            "detail log is empty (0 bytes)",
            "Copy the complete detail log written by the benchmark to {rel}.",
        ),
    },
)
def result_detail_present(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """The detail log must be there and non-empty; its content is never read (it may be GBs).

    Passing: ``results/point_8/mlperf_endpoints_log_detail.json`` of 2 GB.
    Failing: the file is missing or has 0 bytes, or ``results/point_8/`` is missing altogether.
    """
    if point.results_kind not in (None, DIR) or point.detail_rel is None:
        return  # results/point_<N> unsafe or a file: result-file-present says so
    if point.detail_kind == UNSAFE:
        return
    rel = point.detail_rel
    if point.results_kind is None or point.detail_kind is None or point.detail_kind == DIR:
        yield rule.result(
            "missing", point, path=rel, rel=rel, point=point.file_name, n=point.name_n
        )
    elif point.detail_kind == FILE and point.detail_size > 0:
        yield rule.result("ok", point, path=rel, size=point.detail_size)
    else:
        yield rule.result("empty", point, path=rel, rel=rel)


@rule(
    "result-file-valid",
    spec="§1",
    severity="error",
    scope="point",
    summary="The summary log is readable strict JSON and follows the §2.3 schema.",
    messages={
        "ok": info("summary log is valid"),
        "unreadable": error(
            "{error}", "Copy the benchmark's summary JSON again; it must be one UTF-8 JSON object."
        ),
        "problem": error("{problem}", "{fix}"),
    },
)
def result_file_valid(rule: Rule, point: Point) -> Iterator[CheckResult]:
    """The summary must match §2.3; one error per problem, naming field, value and expectation.

    Passing: inference-endpoint's ``result_summary.json`` copied unchanged.
    Failing: ``"output_sequence_lengths": {}`` → no output token counts — was the benchmark run
    without a tokenizer?; ``"n_samples_completed": "150"`` → expected an integer.
    """
    summary = point.summary
    if summary is not None:  # result-file-present reports a missing file or one that is not a file
        yield from rule.schema_results(
            point, summary, ignore=("missing", "unsafe", "not-a-file"), path=summary.rel
        )


@rule(
    "audit-passed",
    spec=None,
    severity="warning",
    scope="point",
    summary="Audit results recorded for the point's runs (`audits` in the point file) passed.",
    messages={
        "ok": info("{count} audit result(s) passed"),
        "none": info("no audit results recorded"),
        "failed": warning(
            "audit {file} of run {run_id}: passed is {passed}",
            "Look into the audit (in the run's PRISM archive) and re-run the point if it "
            "shows a real fault.",
        ),
    },
    rounds=("v0.7", "v1.0"),
)
def audit_passed(rule: Rule, point: Point | PointV1) -> Iterator[CheckResult]:
    """An audit that did not pass is reported (issue 15; the spec tables have no audit rule).

    ``endpoints-submission-cli`` copies each ``audit/*.json`` verdict of the point's runs into
    the point file (v0.7 ``point_<C>.yaml``, v1.0 ``r<C>/point.yaml``, appended) as
    ``audits: [{file, passed, run_id}]``; anything but ``passed: true`` is a warning.
    Passing: ``audits: [{file: audit/tokens.json, passed: true}]``, or no ``audits``.
    Failing: ``audits: [{file: audit/tokens.json, passed: false}]``.
    """
    mapping = point.config.mapping
    if mapping is None:
        return  # point-config-valid reports an unreadable point file
    audits = mapping.get("audits")
    if not isinstance(audits, list) or not audits:
        yield rule.result("none", point, path=point.config.rel)
        return
    failed = False
    for entry in audits:
        audit = entry if isinstance(entry, dict) else {}
        if audit.get("passed") is not True:
            failed = True
            yield rule.result(
                "failed",
                point,
                path=point.config.rel,  # v0.7: the point file; v1.0: r<C>/point.yaml
                file=audit.get("file", "?"),
                run_id=audit.get("run_id") or mapping.get("run_id", "?"),
                passed=json.dumps(audit.get("passed")),
            )
    if not failed:
        yield rule.result("ok", point, path=point.config.rel, count=len(audits))


@rule(
    "point-count",
    spec="§2, §8",
    severity="error",
    scope="model",
    summary=f"At least {MIN_POINTS} point files per model.",
    messages={
        "ok": info("{count} measurement points (at least {minimum} required)"),
        "too-few": error(
            "{count} measurement point file(s); at least {minimum} are required",
            "Measure {missing} more concurrencies so that the model has {minimum} points or more.",
        ),
    },
)
def point_count(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """A Pareto curve needs at least 7 points (fires with zero points too).

    Passing: 8 files ``point_1.yaml`` … ``point_70.yaml``. Failing: 6 point files.
    """
    if not model.subdir_ok("points"):
        return
    count = len(model.points)
    rel = f"{model.rel}/points"
    if count >= MIN_POINTS:
        yield rule.result("ok", model, path=rel, count=count, minimum=MIN_POINTS)
    else:
        yield rule.result(
            "too-few", model, path=rel, count=count, minimum=MIN_POINTS, missing=MIN_POINTS - count
        )


@rule(
    "point-cap",
    spec="§2, §8",
    severity="error",
    scope="model",
    summary=f"At most {MAX_POINTS} point files per model.",
    messages={
        "ok": info("{count} measurement points (at most {maximum} allowed)"),
        "too-many": error(
            "{count} measurement point files; at most {maximum} are allowed",
            "Remove {extra} point(s) (and their results/) to keep at most {maximum}.",
        ),
    },
)
def point_cap(rule: Rule, model: Model) -> Iterator[CheckResult]:
    """At most 32 points per model.

    Passing: 32 point files. Failing: 33 point files.
    """
    if not model.subdir_ok("points"):
        return
    count = len(model.points)
    rel = f"{model.rel}/points"
    if count <= MAX_POINTS:
        yield rule.result("ok", model, path=rel, count=count, maximum=MAX_POINTS)
    else:
        yield rule.result(
            "too-many", model, path=rel, count=count, maximum=MAX_POINTS, extra=count - MAX_POINTS
        )
