"""``submission-checker``: check a submission tree, print the regions of an M."""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="endpoints-submission-cli", prog_name="submission-checker")
def main() -> None:
    """Check an MLPerf Endpoints submission tree before you submit it."""


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("-q", "--quiet", is_flag=True, help="Hide passing checks (terminal output only).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full JSON report (with its verdict) to FILE.",
)
def check(path: Path, strict: bool, quiet: bool, output: Path | None) -> None:
    """Check the organisation directory PATH (holding systems/ and pareto/).

    Exit status: 0 passed, 1 failed (errors, or warnings with --strict), 2 usage error.
    """
    from .checker import SubmissionChecker
    from .formatters import get_renderer

    report = SubmissionChecker(path).run()
    if output is not None:
        document = get_renderer("json")(report, strict=strict, quiet=quiet)
        try:
            output.write_text(document, encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"cannot write the JSON report to {output}: {exc}") from None
    color = sys.stdout.isatty()
    click.echo(get_renderer("text")(report, strict=strict, quiet=quiet, color=color))
    sys.exit(0 if report.verdict(strict=strict) == "PASSED" else 1)


@main.command()
@click.option(
    "--max-concurrency",
    "-m",
    "max_concurrency",
    type=int,
    required=True,
    metavar="M",
    help="The system's max_supported_concurrency.",
)
def regions(max_concurrency: int) -> None:
    """Print the concurrency regions (§5.5) and the margin (§5.4) for M."""
    from .regions import REGION_KEYS, REGION_LABELS, compute_regions

    try:
        table = compute_regions(max_concurrency)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    rows = [("Region", "Key", "Concurrency", "Points")]
    for key in REGION_KEYS:
        span = table[key]
        rows.append(
            (
                REGION_LABELS[key],
                key,
                str(span) if span else "(empty)",
                str(span.size) if span else "0",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    click.echo(f"Regions for max_supported_concurrency M = {max_concurrency}")
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
