"""What the CI formats (sarif, junit, github) share: which results are findings, where they
point, and the verdict.

CI tools resolve file names against the checkout root, which is where CI runs the checker, so
locations are given relative to the current directory when the submission lies below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

FINDING_SEVERITIES = ("error", "warning")


def findings(results: Iterable) -> list:
    """Errors and warnings, in report order; info results record passing checks only."""
    return [result for result in results if result.severity in FINDING_SEVERITIES]


def verdict_passed(report, *, strict: bool) -> bool:
    """The same verdict as the exit code: errors fail, and warnings fail under --strict."""
    return report.verdict(strict=strict) == "PASSED"


def verdict_word(report, *, strict: bool) -> str:
    return report.verdict(strict=strict)


def counts_phrase(report) -> str:
    """'2 errors, 1 warning' — the counts behind the verdict."""
    errors, warnings = len(report.errors), len(report.warnings)
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def submission_location(report) -> str:
    """The submission directory as a CI tool should see it (POSIX, relative to the cwd if below)."""
    return _relative_to_cwd(Path(report.submission_path))


def result_location(report, result) -> str | None:
    """The file a result names, as a CI tool should see it; None for results without a file."""
    if not result.path:
        return None
    return _relative_to_cwd(Path(report.submission_path) / PurePosixPath(result.path))


def scope_label(result) -> str:
    """'system/model concurrency=64' — which part of the submission a result is about."""
    parts = [part for part in (result.system, result.model) if part]
    label = "/".join(parts)
    if result.concurrency is not None:
        label = f"{label} concurrency={result.concurrency}".strip()
    return label


def _relative_to_cwd(path: Path) -> str:
    if not path.is_absolute():
        return _posix(path)
    cwd = Path.cwd()
    try:
        return _posix(path.relative_to(cwd))
    except ValueError:
        return _posix(path)


def _posix(path: Path) -> str:
    text = path.as_posix()
    return "." if text in ("", ".") else text.removeprefix("./")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
