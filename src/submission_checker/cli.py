"""``submission-checker``: check a submission tree, print the regions of an M, document the
rules, draw the Pareto curves. Commands stay thin: the work is in the modules they call."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from .formatters import FORMATS

if TYPE_CHECKING:
    from .regions import Range

__all__ = ["main"]

_ROUND_CHOICE = click.Choice(["v0.7", "v1.0"])


def _round_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--round`` of the commands that default to round v0.7 (``regions``, ``rules``)."""
    return click.option(
        "--round",
        "round_name",
        type=_ROUND_CHOICE,
        default="v0.7",
        show_default=True,
        help=help_text,
    )


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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="Output on stdout: text table, json report, sarif (code scanning), junit (test "
    "reports) or github (annotations, plus a job summary when GITHUB_STEP_SUMMARY is set).",
)
@click.option(
    "--round",
    "round_name",
    type=click.Choice(["auto", "v0.7", "v1.0"]),
    default="auto",
    show_default=True,
    help="Rules round. auto: v1.0 when PATH (or its single sub-directory) holds results/, "
    "v0.7 when PATH holds systems/ or pareto/, otherwise v1.0.",
)
@click.option(
    "--seed-sets",
    type=click.Path(dir_okay=False, path_type=Path),
    help="v1.0: seed-set registry file to use instead of the packaged one "
    "(default: $MLPERF_ENDPOINTS_SEED_SETS, else the packaged registry).",
)
@click.option(
    "--approved-drafters",
    type=click.Path(dir_okay=False, path_type=Path),
    help="v1.0: approved-drafter list to use instead of the packaged one "
    "(default: $MLPERF_ENDPOINTS_APPROVED_DRAFTERS, else the packaged list).",
)
def check(
    path: Path,
    strict: bool,
    quiet: bool,
    output: Path | None,
    output_format: str,
    round_name: str,
    seed_sets: Path | None,
    approved_drafters: Path | None,
) -> None:
    """Check the submission at PATH: a v1.0 <org>/ or <org>/<submission_id>/ (holding
    results/), or a v0.7 organisation directory (holding systems/ and pareto/).

    Exit status: 0 passed, 1 failed (errors, or warnings with --strict), 2 usage error.
    """
    _lean_process()
    from .checker import SubmissionChecker
    from .formatters import get_renderer

    checker = SubmissionChecker(
        path, round=round_name, seed_sets=seed_sets, approved_drafters=approved_drafters
    )
    # quiet text, SARIF and GitHub annotations print no passing check (and no -o file asks for
    # them): they are counted, not kept
    counted = output is None and (
        output_format in ("sarif", "github") or (quiet and output_format == "text")
    )
    report = checker.run_quiet() if counted else checker.run()
    if output is not None:
        document = get_renderer("json")(report, strict=strict, quiet=quiet)
        try:
            output.write_text(document, encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"cannot write the JSON report to {output}: {exc}") from None
    render = get_renderer(output_format)
    if output_format == "text":
        color = use_color(sys.stdout)
        click.echo(render(report, strict=strict, quiet=quiet, color=color), color=color)
    else:
        click.echo(render(report, strict=strict, quiet=quiet), nl=False)
    if output_format == "github":
        _append_github_summary(report, strict=strict)
    passed = report.verdict(strict=strict) == "PASSED"
    _keep_until_exit(report)
    sys.exit(0 if passed else 1)


def _keep_until_exit(report: object) -> None:
    """Let the process end without freeing the report object by object (~0.07 s of CPU for the
    300,000 results of 16,384 points).

    The report is put in a reference cycle. In this process the collector is frozen at exit
    (``_lean_process``), so the cycle is never traced and its memory goes back with the
    process; inside another program (click's test runner) it is ordinary garbage, collected in
    due course.
    """
    cycle: list[object] = [report]
    cycle.append(cycle)


def use_color(stream: TextIO) -> bool:
    """Colour exactly when rich would colour for the other two tools (they print through rich).

    ``NO_COLOR`` (non-empty) wins; ``TERM=dumb``/``unknown`` has no colours; ``FORCE_COLOR``
    (non-empty) colours even a pipe; otherwise colour only on a terminal.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _lean_process() -> None:
    """No cyclic garbage collection while the command runs, nor at exit: ~0.1 s on a large check.

    Importing pydantic and checking leave almost no garbage cycles, yet the collector would
    trace the young objects again and again, and at exit trace everything still alive (mostly
    the imported modules') only for the process to end. Collection is back on when the command
    returns (it may run inside another program, e.g. click's test runner), without tracing what
    the command allocated (``checker.enable_gc``).
    """
    import atexit
    import gc

    from .checker import enable_gc

    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(enable_gc)
    atexit.unregister(gc.freeze)  # once, however often the command runs in one process
    atexit.register(gc.freeze)


def _append_github_summary(report, *, strict: bool) -> None:
    from .formatters.github import append_step_summary

    try:
        append_step_summary(report, strict=strict)
    except OSError as exc:
        click.echo(f"warning: cannot append to GITHUB_STEP_SUMMARY: {exc}", err=True)


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
@_round_option("Rules round: v0.7 (regions from 32) or v1.0 (regions from C_min).")
@click.option(
    "--min-concurrency",
    "min_concurrency",
    type=int,
    default=None,
    metavar="C",
    help="v1.0 only: C_min (the curve's lowest point capped at 32, or c_min_override). Default 32.",
)
def regions(max_concurrency: int, round_name: str, min_concurrency: int | None) -> None:
    """Print the concurrency regions and the margin for M (v1.0: for M and C_min)."""
    if round_name == "v1.0":
        _regions_v1(max_concurrency, 32 if min_concurrency is None else min_concurrency)
        return
    if min_concurrency is not None:
        raise click.UsageError("--min-concurrency applies to --round v1.0 only")
    from .regions import REGION_KEYS, REGION_LABELS, compute_regions

    try:
        table = compute_regions(max_concurrency)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Regions for max_supported_concurrency M = {max_concurrency}")
    _echo_region_table(table.ranges, REGION_KEYS, REGION_LABELS)


def _echo_region_table(
    ranges: Mapping[str, Range | None], order: Iterable[str], labels: Mapping[str, str]
) -> None:
    """The ``regions`` table of either round: label, key, concurrency range and point count."""
    rows = [("Region", "Key", "Concurrency", "Points")]
    for key in order:
        span = ranges[key]
        rows.append(
            (labels[key], key, str(span) if span else "(empty)", str(span.size) if span else "0")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _regions_v1(max_concurrency: int, min_concurrency: int) -> None:
    from .regions_v1 import REGION_LABELS, REGION_NAMES, compute_regions_v1

    try:
        table = compute_regions_v1(max_concurrency, min_concurrency)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Regions (round v1.0) for C_max = {max_concurrency}, C_min = {min_concurrency}")
    _echo_region_table(table.ranges, REGION_NAMES, REGION_LABELS)
    click.echo(table.working())


@main.command("rules")
@_round_option("Rules round whose rules to list.")
def rules_command(round_name: str) -> None:
    """List every rule of a round: id, spec section, severity and what it checks."""
    from rich.console import Console

    from .explain import plain_rules_text, rules_table

    console = Console()
    if console.is_terminal:
        console.print(rules_table(round_name=round_name))
    else:
        click.echo(plain_rules_text(round_name), nl=False)


@main.command()
@click.argument("rule_id", metavar="RULE")
@click.option(
    "--round",
    "round_name",
    type=_ROUND_CHOICE,
    default=None,
    help="Rules round (default: the v0.7 rule, else the v1.0 one).",
)
def explain(rule_id: str, round_name: str | None) -> None:
    """Show the documentation of RULE, with a passing and a failing example."""
    from .explain import UnknownRuleError, explanation, find_rule

    try:
        rule = find_rule(rule_id, round_name)
    except UnknownRuleError as exc:
        raise click.BadParameter(str(exc), param_hint="RULE") from None
    click.echo(explanation(rule), nl=False)


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text tables, or the same numbers as JSON.",
)
def power(path: Path, output_format: str) -> None:
    """Show the power of each system of a v1.0 submission at PATH, with its working.

    Per system: provisioned power (§4.5, Appendix E), each node set's contribution and the
    Appendix D defaults used; per point: nodes used, point kW, system tokens/s and tokens/s
    per kW. Exits 1 when a system's system_power.json is unreadable or has errors (whether
    a system needs one is for `check` to say).
    """
    import json

    from .power_report import as_json, power_overview, render_text

    views = power_overview(path)
    if not views:
        click.echo(
            f"error: no system under results/ in {path}; expected a v1.0 submission "
            "(<org>/<submission_id>/results/<system>/system_power.json)",
            err=True,
        )
        sys.exit(1)
    if output_format == "json":
        click.echo(json.dumps(as_json(views), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(views), nl=False)
    if any(view.state not in ("ok", "missing") for view in views):
        sys.exit(1)


def _plot_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    from .plot import PlotError, output_kind

    if value is not None:
        try:
            output_kind(value)
        except PlotError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_plot_output,
    help="Image to write: FILE.png, FILE.svg, or FILE.html (one page, no network). "
    "Default: <org>-pareto.png in the current directory.",
)
@click.option(
    "--view",
    type=click.Choice(["throughput", "tps-per-kw"]),
    default="throughput",
    show_default=True,
    help="y axis: system throughput, or (v1.0, systems with system_power.json) tokens/s per "
    "kW of point power.",
)
def plot(path: Path, output: Path | None, view: str) -> None:
    """Draw the Pareto curve of each system/model of PATH (needs matplotlib).

    x = throughput per user, y = system throughput; marker colour = concurrency region,
    black line = Pareto frontier of points without errors, X = a point with errors.
    Prints the file written.
    """
    from .plot import PlotError, default_output, plot_submission

    try:
        outcome = plot_submission(path, output or default_output(path), view=view)
    except PlotError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(str(outcome.path))
    notes = [f"{outcome.curves} curve(s), {outcome.points} point(s)"]
    if outcome.failing_points:
        notes.append(
            f"{outcome.failing_points} with errors (marked X; run: submission-checker check {path})"
        )
    if outcome.unplaced_points:
        notes.append(f"{outcome.unplaced_points} could not be placed (listed under the plot)")
    click.echo("; ".join(notes), err=True)
