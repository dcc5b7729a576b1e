"""Human-readable report: results grouped by system and model, one verdict line last."""

from __future__ import annotations

from collections.abc import Iterable

from ..report import CheckResult, QuietReport, Report, Tally, counts_of, tally_of, verdict_of

__all__ = ["render", "verdict_line"]

_LABELS = {"error": "ERROR", "warning": "WARN", "info": "ok"}
_COLOURS = {"error": "red", "warning": "yellow", "info": "green"}


def render(
    report: Report | QuietReport,
    *,
    strict: bool = False,
    quiet: bool = False,
    color: bool = False,
) -> str:
    """The report as plain text (ANSI colours only when ``color``).

    ``quiet`` hides info rows, and groups left empty by that, so only what needs attention and
    the verdict remain: all a ``QuietReport`` has (it raises ``ValueError`` unless ``quiet``).
    """
    lines = [
        f"submission-checker {report.checker_version} · rules {report.rules_round} · "
        f"{report.submission_path}"
    ]
    tally = _tally(report, quiet=quiet)
    counts = counts_of(tally)
    # quiet shows errors and warnings only: none, no groups (and no pass over every result)
    hidden = quiet and counts["error"] == 0 and counts["warning"] == 0
    for title, base, rows in [] if hidden else _groups(report.results, quiet=quiet):
        lines.append("")
        lines.append(_style(title, color, bold=True))
        width = max(len(r.rule) for r in rows)
        for result in rows:
            lines.extend(_row(result, base, width, color))
    verdict = verdict_of(counts, strict=strict)
    lines.append("")
    lines.append(
        _style(
            _verdict_line(tally, counts, verdict),
            color,
            bold=True,
            fg="green" if verdict == "PASSED" else "red",
        )
    )
    return "\n".join(lines)


def verdict_line(report: Report | QuietReport, *, strict: bool = False) -> str:
    """``PASSED: 0 errors, 0 warnings, 243 checks passed (1 system, 1 model, 8 points)``."""
    tally = _tally(report, quiet=True)
    counts = counts_of(tally)
    return _verdict_line(tally, counts, verdict_of(counts, strict=strict))


def _tally(report: Report | QuietReport, *, quiet: bool) -> Tally:
    """The results counted by severity and scope: one pass gives both the verdict's counts and
    the scopes the verdict line names (a ``QuietReport`` has counted them as it went)."""
    if isinstance(report, QuietReport):
        if not quiet:
            raise ValueError("a QuietReport has no passing checks to list: render it quiet")
        return report.tally
    return tally_of(report.results)


def _verdict_line(tally: Tally, counts: dict[str, int], verdict: str) -> str:
    scopes = {key[1:] for key in tally}
    systems = {scope[0] for scope in scopes if scope[0] is not None}
    models = {scope[:2] for scope in scopes if scope[1] is not None}
    points = {scope for scope in scopes if scope[2] is not None}
    scope = (
        f"{_plural(len(systems), 'system')}, {_plural(len(models), 'model')}, "
        f"{_plural(len(points), 'point')}"
    )
    why = ""
    if verdict == "FAILED" and counts["error"] == 0:
        why = " (--strict: warnings fail)"
    return (
        f"{verdict}{why}: {_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')}, "
        f"{_plural(counts['info'], 'check')} passed ({scope})"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _groups(
    results: Iterable[CheckResult], *, quiet: bool
) -> list[tuple[str, str, list[CheckResult]]]:
    """Results bucketed by (system, model) in order of first appearance."""
    buckets: dict[tuple[str | None, str | None], list[CheckResult]] = {}
    for result in results:
        if quiet and result.severity == "info":
            continue
        buckets.setdefault((result.system, result.model), []).append(result)
    groups = []
    for (system, model), rows in buckets.items():
        if system is None:
            title, base = "Submission", ""
        elif model is None:
            title, base = f"System {system}", ""
        else:
            title, base = f"{system} / {model}", f"pareto/{system}/{model}/"
        groups.append((title, base, rows))
    return groups


def _row(result: CheckResult, base: str, width: int, color: bool) -> list[str]:
    label = _LABELS[result.severity]
    mark = _style(f"{label:<5}", color, fg=_COLOURS[result.severity])
    where = result.path or ""
    if base and (where + "/").startswith(base):
        where = where[len(base) :]
    if result.concurrency is not None:
        where = f"C={result.concurrency} {where}"
    text = (
        f"  {mark}  {result.rule:<{width}}  {where}: {result.message}"
        if where
        else (f"  {mark}  {result.rule:<{width}}  {result.message}")
    )
    rows = [text]
    if result.fix and result.severity != "info":
        rows.append(f"  {'':<5}  {'':<{width}}  fix: {result.fix}")
    return rows


def _style(text: str, color: bool, *, fg: str | None = None, bold: bool = False) -> str:
    if not color:
        return text
    import click

    return click.style(text, fg=fg, bold=bold)
