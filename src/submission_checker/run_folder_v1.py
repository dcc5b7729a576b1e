"""Check one round v1.0 run folder before it is uploaded (checker-v1.0.md A3.1).

A run folder is inference-endpoint's output plus the submitter's ``point.yaml`` and
``system_desc.json``: ``<run>/point.yaml``, ``<run>/system_desc.json``, ``<run>/config.yaml``,
``<run>/performance/result_summary.json`` and optionally
``<run>/accuracy/accuracy_results.json`` and ``<run>/system_power.json`` (checked by the power
rules when present; point power is computed from it). ``check_run_folder_v1`` runs the v1.0
rules that judge one point on its own (schemas, disclosure, config agreement, metrics, seeds,
accuracy of the point, power) on it, as if it were ``r<N>/`` of a one-point curve; rules that
need the whole curve (regions, coverage, point counts) wait for the submission.

    report = check_run_folder_v1("runs/c64")
    if not report.passed: ...

Paths in the report are relative to the run folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .layout import Tree
from .layout_v1 import ModelV1, PointV1, SubmissionV1, SystemV1
from .report import CheckResult, Report
from .rounds_v1 import load_round_v1

__all__ = [
    "RUN_FOLDER_FILES",
    "RunFolderAssessment",
    "RunFolderPower",
    "assess_run_folder_v1",
    "check_run_folder_v1",
    "is_run_folder_v1",
]

#: file name in a submission point → where it is in a run folder (when not at the top)
RUN_FOLDER_FILES = {
    "result_summary.json": "performance/result_summary.json",
    "accuracy_results.json": "accuracy/accuracy_results.json",
}
#: point rules that only make sense inside a curve
_CURVE_ONLY = frozenset({"point-dirname-concurrency", "region-placement"})
#: curve rules that judge a single point's own files
_MODEL_RULES = frozenset({"system-description-present", "system-description-valid"})
#: system rules that judge the run's own system_power.json, when it carries one
_POWER_RULES = frozenset({"power-descriptor", "power-estimated"})


def is_run_folder_v1(folder: str | os.PathLike[str]) -> bool:
    """A v1.0 run folder has a ``point.yaml`` (a v0.7 run folder has none)."""
    return (Path(folder) / "point.yaml").is_file()


def check_run_folder_v1(
    folder: str | os.PathLike[str],
    *,
    seed_sets: str | os.PathLike[str] | None = None,
    approved_drafters: str | os.PathLike[str] | None = None,
) -> Report:
    """The point-level v1.0 findings on one run folder. Never raises for bad input."""
    return assess_run_folder_v1(
        folder, seed_sets=seed_sets, approved_drafters=approved_drafters
    ).report


def assess_run_folder_v1(
    folder: str | os.PathLike[str],
    *,
    seed_sets: str | os.PathLike[str] | None = None,
    approved_drafters: str | os.PathLike[str] | None = None,
) -> RunFolderAssessment:
    """The point-level findings and the power numbers of one run folder, from one reading of
    its files (``runs create`` needs both). Never raises for bad input."""
    from .checker import checker_version
    from .rules import by_scope

    root = Path(folder)
    results: list[CheckResult] = []
    power = None
    if not root.is_dir():
        path_rule = next(r for r in by_scope("submission", "v1.0") if r.id == "path-exists")
        submission = SubmissionV1(
            root=root,
            rules_round=load_round_v1(),
            exists=root.exists(),
            is_dir=False,
        )
        results.extend(path_rule.run(submission))
    else:
        point = _one_point(
            root,
            Path(seed_sets) if seed_sets is not None else None,
            Path(approved_drafters) if approved_drafters is not None else None,
        )
        model = point.model
        if model.system.power_document.state != "missing":
            for rule in by_scope("system", "v1.0"):
                if rule.id in _POWER_RULES:
                    results.extend(rule.run(model.system))
        for rule in by_scope("model", "v1.0"):
            if rule.id in _MODEL_RULES:
                results.extend(rule.run(model))
        for rule in by_scope("point", "v1.0"):
            if rule.id not in _CURVE_ONLY:
                results.extend(rule.run(point))
        power = _power_numbers(point)
    report = Report(
        submission_path=str(root),
        checker_version=checker_version(),
        rules_round="v1.0",
        results=results,
    )
    return RunFolderAssessment(report, power)


@dataclass(frozen=True)
class RunFolderPower:
    """The power numbers the checker derives for one run folder (Part B §2 ``derived``)."""

    provisioned_kw: Fraction  # the system's provisioned power, rounded to 2 decimals (E.7)
    point_kw: Fraction  # what this point is charged for the nodes it used (§4.5.3)
    tps_per_kw: Fraction | None  # None when the summary gives no throughput
    estimated: bool  # an Appendix D default reaches provisioned power ("MLC Estimated Power")


@dataclass(frozen=True)
class RunFolderAssessment:
    """What ``assess_run_folder_v1`` found in one run folder."""

    report: Report
    #: ``None`` when there is no descriptor, or when the checker finds an error in it
    #: (power-descriptor) or in the point's ``nodes_used`` (nodes-used): numbers the checker
    #: itself would reject are not worth recording
    power: RunFolderPower | None


def _power_numbers(point: PointV1) -> RunFolderPower | None:
    """The checker's power numbers for the run folder's ``system_power.json`` (see
    ``RunFolderAssessment.power``)."""
    system = point.model.system.power
    if system is None or system.power is None:
        return None
    if any(finding.severity == "error" for finding in system.findings):
        return None
    assessment = point.power
    if assessment is None or any(f.severity == "error" for f in assessment.nodes_used):
        return None
    return RunFolderPower(
        provisioned_kw=system.power.provisioned_kw,
        point_kw=assessment.power.kw,
        tps_per_kw=assessment.tps_per_kw,
        estimated=bool(system.power.defaults),
    )


def _one_point(root: Path, seed_sets: Path | None, approved_drafters: Path | None) -> PointV1:
    submission = SubmissionV1(
        root=root,
        rules_round=load_round_v1(),
        exists=True,
        is_dir=True,
        seed_sets_file=seed_sets,
        approved_drafters_file=approved_drafters,
    )
    tree = submission.tree = Tree(root)
    system = SystemV1(submission, id=root.name, rel="")
    submission.systems.append(system)
    model = ModelV1(system=system, name="run", rel="")
    system.models.append(model)
    moved = {
        name: rel
        for name, rel in RUN_FOLDER_FILES.items()
        if tree.kind(name) is None and tree.kind(rel) is not None
    }
    point = PointV1(model, root.name, "", 0, moved=moved)
    model.points.append(point)
    mapping = point.config.mapping
    name = mapping.get("model_name") if mapping else None
    if isinstance(name, str) and name.strip():
        model.name = name
    return point
