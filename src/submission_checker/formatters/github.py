"""GitHub Actions output: one workflow-command annotation per finding, plus a Markdown summary
for the job page.

Annotations follow GitHub's workflow-command syntax (`::error file=…,title=…::message`), escaped
the way the official actions toolkit escapes them, so a message with a newline, a percent sign or
a colon in a file name cannot end the command early or forge another one. GitHub shows only the
first ten annotations of each level per step; the step summary lists every finding, and its
verdict is computed exactly as the exit code is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from submission_checker.formatters.ci_common import (
    counts_phrase,
    findings,
    result_location,
    scope_label,
    submission_location,
    verdict_passed,
    verdict_word,
)

SUMMARY_ROW_LIMIT = 500  # GitHub caps a step summary at 1 MiB; the JSON report has the rest.


def render(report, *, strict: bool, quiet: bool) -> str:
    """Annotation lines for every error and warning, then a one-line verdict."""
    lines = [_annotation(report, result) for result in findings(report.results)]
    lines.append(_verdict_line(report, strict=strict))
    return "\n".join(lines) + "\n"


def append_step_summary(report, *, strict: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Append the Markdown summary to $GITHUB_STEP_SUMMARY when set; True if it was written."""
    summary_file = environ.get("GITHUB_STEP_SUMMARY")
    if not summary_file:
        return False
    with Path(summary_file).open("a", encoding="utf-8") as handle:
        handle.write(render_step_summary(report, strict=strict))
    return True


def render_step_summary(report, *, strict: bool) -> str:
    """A Markdown section: verdict heading, counts, and a table of every finding."""
    passed = verdict_passed(report, strict=strict)
    icon = "✅" if passed else "❌"
    word = verdict_word(report, strict=strict)
    lines = [
        f"### {icon} submission-checker: {word}",
        "",
        f"`{_md_code(submission_location(report))}`: {counts_phrase(report)}"
        f"{' (--strict: warnings fail)' if strict else ''}; "
        f"{report.counts['info']} checks passed; "
        f"checker {report.checker_version}"
        f"{f', rules round {report.rules_round}' if report.rules_round else ''}.",
        "",
    ]
    listed = findings(report.results)
    if listed:
        lines += [
            "| Severity | Rule | § | File | Scope | Message | Fix |",
            "|---|---|---|---|---|---|---|",
        ]
        for result in listed[:SUMMARY_ROW_LIMIT]:
            location = result_location(report, result)
            cells = [
                result.severity,
                f"`{_md_code(result.rule)}`",
                _md_cell(result.spec_ref or ""),
                f"`{_md_code(location)}`" if location else "",
                _md_cell(scope_label(result)),
                _md_cell(result.message),
                _md_cell(result.fix or ""),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        if len(listed) > SUMMARY_ROW_LIMIT:
            lines += [
                "",
                f"{len(listed) - SUMMARY_ROW_LIMIT} more findings are in the JSON "
                "report (`submission-checker check PATH -o report.json`).",
            ]
    lines.append("")
    return "\n".join(lines) + "\n"


def escape_data(text: str) -> str:
    """Escape a workflow-command message: `%`, CR and LF (as actions/toolkit does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value: the message escapes plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(report, result) -> str:
    properties = {}
    location = result_location(report, result)
    if location:
        properties["file"] = location
    title = result.rule + (f" ({result.spec_ref})" if result.spec_ref else "")
    properties["title"] = title
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = result.message
    scope = scope_label(result)
    if scope:
        message = f"[{scope}] {message}"
    if result.fix:
        message = f"{message}\nFix: {result.fix}"
    return f"::{result.severity} {rendered}::{escape_data(message)}"


def _verdict_line(report, *, strict: bool) -> str:
    word = verdict_word(report, strict=strict)
    strict_note = " (--strict: warnings fail)" if strict else ""
    return (
        f"submission-checker: {word} {submission_location(report)}"
        f"{f' (rules {report.rules_round})' if report.rules_round else ''}: "
        f"{counts_phrase(report)}{strict_note}"
    )


def _md_cell(text: str) -> str:
    """Table-cell text: HTML-escaped, pipes escaped, line breaks kept as <br>."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace("|", "\\|").replace("\r\n", "\n").replace("\r", "\n")
    return escaped.replace("\n", "<br>")


def _md_code(text: str) -> str:
    """Text for inside single backticks: no backticks, pipes or line breaks can break out."""
    return text.replace("`", "'").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
