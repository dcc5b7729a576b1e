"""MLPerf Endpoints submission checker.

Public API::

    from submission_checker import SubmissionChecker, Report, CheckResult
    report = SubmissionChecker(Path("ExampleOrg")).run()
    report.passed, report.errors, report.warnings
    quiet = SubmissionChecker(Path("ExampleOrg")).run_quiet()  # passes counted, not kept

Names are resolved lazily so that light modules (``regions``, ``loading``, ``naming``) can be
imported without paying for pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .checker import SubmissionChecker
    from .report import CheckResult, QuietReport, Report

__all__ = ["CheckResult", "QuietReport", "Report", "SubmissionChecker"]

_EXPORTS = {
    "SubmissionChecker": "submission_checker.checker",
    "Report": "submission_checker.report",
    "CheckResult": "submission_checker.report",
    "QuietReport": "submission_checker.report",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'submission_checker' has no attribute {name!r}")
