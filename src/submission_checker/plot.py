"""Draw a submission's Pareto curves offline: PNG, SVG, or one self-contained HTML page.

For every system/model: x = throughput per user (tokens/s/user), y = system throughput
(tokens/s), one marker per measurement point.

Design (chosen to stay honest about what was measured):
- Concurrency is not an axis, so regions cannot be shaded as bands of x or y; instead each
  marker is coloured by the §5.5 region its concurrency falls in (legend shows the region's
  range for the system's M), and labelled with its concurrency. Points outside every region,
  or of a system whose M is unusable, are grey.
- The Pareto frontier joins, in order of x, the points that no other *passing* point beats on
  both axes. Points with an error in the report are drawn as ✕ and never join the frontier:
  they are not valid results.
- Stored values are used when present (``tps_per_user``; ``system_tps``, else ``tps`` as
  inference-endpoint writes it); otherwise they are derived from the summary as the checker
  derives them (output tokens / elapsed s, and that / concurrency). The table in the HTML says
  which.
- An axis whose positive values span more than a factor of 20 is drawn on a log scale (labelled
  so); points that cannot be placed (no readable summary, a value ≤ 0 on a log axis) are listed
  under the plot instead of silently dropped.

matplotlib is an optional dependency (``pip install "endpoints-submission-cli[plot]"``); it is
imported only when drawing, with the Agg backend (no display needed).
"""

from __future__ import annotations

import html
import io
import math
import re
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from pathlib import Path

REGION_COLOURS = {  # Okabe–Ito, readable for the common colour-vision deficiencies
    "low_latency": "#0072B2",
    "low_throughput": "#009E73",
    "med_throughput": "#E69F00",
    "high_throughput": "#D55E00",
    # round v1.0: the same colours for the corresponding regions, the Offline point apart
    "low_concurrency": "#009E73",
    "med_concurrency": "#E69F00",
    "high_concurrency": "#D55E00",
    "margin": "#CC79A7",
    "offline": "#000000",
    None: "#8C8C8C",
}
#: ``plot --view``: what the y axis shows
VIEWS = ("throughput", "tps-per-kw")
THROUGHPUT_AXIS = "System throughput (tokens/s)"
TPS_PER_KW_AXIS = "Tokens/s per kW of point power"
LOG_SPAN = 20.0
FIGURE_SIZE = (8.8, 4.8)  # inches per curve: plot plus the legend on its right
OUTPUT_SUFFIXES = (".png", ".svg", ".html")


class PlotError(Exception):
    """A plot cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class CurvePoint:
    """One measurement point as drawn."""

    concurrency: int
    tps_per_user: float | None
    #: the y value: system tokens/s, or tokens/s per kW in the ``tps-per-kw`` view
    system_tps: float | None
    region: str | None = None
    error_rules: tuple[str, ...] = ()
    source: str = ""  # which values were stored and which derived, e.g. "tps stored, ..."
    problem: str | None = None  # why the point cannot be placed, when it cannot

    @property
    def failing(self) -> bool:
        return bool(self.error_rules)

    @property
    def placeable(self) -> bool:
        return (
            self.problem is None and self.tps_per_user is not None and self.system_tps is not None
        )


@dataclass
class Curve:
    """The points of one system/model, with the region ranges used to colour them."""

    system: str
    model: str
    points: list[CurvePoint]
    region_ranges: dict[str, str] = field(default_factory=dict)  # key -> "33–42"
    region_note: str | None = None  # why regions are unknown, when they are
    unnumbered: list[str] = field(default_factory=list)  # point files with no usable concurrency
    round_name: str = "v0.7"  # whose region names label the legend
    y_label: str = THROUGHPUT_AXIS

    @property
    def title(self) -> str:
        return f"{self.system} / {self.model}"


@dataclass(frozen=True)
class PlotOutcome:
    """What ``plot_submission`` drew, for the command's one-line summary."""

    path: Path
    curves: int
    points: int
    failing_points: int
    unplaced_points: int


def default_output(submission_path: Path) -> Path:
    """``<org>-pareto.png`` in the current directory."""
    name = Path(submission_path).resolve().name or "submission"
    return Path(f"{name}-pareto.png")


def plot_submission(
    submission_path: Path, output: Path, *, view: str = "throughput"
) -> PlotOutcome:
    """Check the submission (for failing points), read its summaries, draw, write ``output``.

    ``view`` ``tps-per-kw`` (v1.0 only) draws tokens/s per kW of point power instead of system
    throughput, for the systems whose ``system_power.json`` computes.
    """
    from submission_checker.checker import SubmissionChecker
    from submission_checker.layout import read_submission
    from submission_checker.rounds import load_round

    output_kind(output)  # a bad file name fails before any work
    if view not in VIEWS:
        raise PlotError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    if not Path(submission_path).is_dir():
        raise PlotError(
            f"{submission_path} is not a directory; give the submission directory: <org>/ "
            "holding <submission_id>/results/ (v1.0), or the organisation directory holding "
            "systems/ and pareto/ (v0.7)"
        )
    report = SubmissionChecker(submission_path).run()
    if report.rules_round == "v1.0":
        from submission_checker.layout_v1 import read_submission_v1
        from submission_checker.rounds_v1 import load_round_v1

        submission_v1 = read_submission_v1(Path(submission_path), load_round_v1())
        curves = curves_from_submission_v1(submission_v1, report, view=view)
    elif view == "tps-per-kw":
        raise PlotError(
            "the tps-per-kw view needs a round v1.0 submission with system_power.json; "
            f"{submission_path} is a {report.rules_round} tree"
        )
    else:
        submission = read_submission(Path(submission_path), load_round(report.rules_round))
        curves = curves_from_submission(submission, report)
    measure = "tokens/s per kW" if view == "tps-per-kw" else "system throughput"
    title = f"{Path(submission_path).resolve().name}: {measure} vs throughput per user"
    written = write_plot(curves, output, title=title)
    points = [point for curve in curves for point in curve.points]
    return PlotOutcome(
        path=written,
        curves=len(curves),
        points=len(points),
        failing_points=sum(1 for point in points if point.failing),
        unplaced_points=sum(1 for point in points if not point.placeable)
        + sum(len(curve.unnumbered) for curve in curves),
    )


def _failing_rules(report) -> dict[tuple, list[str]]:
    """The rules with an error at each (system, model, concurrency) of ``report``, in report
    order (a rule repeats when it failed more than once there)."""
    failing_rules: dict[tuple, list[str]] = {}
    for result in report.errors:
        if result.concurrency is not None:
            key = (result.system, result.model, result.concurrency)
            failing_rules.setdefault(key, []).append(result.rule)
    return failing_rules


def curves_from_submission(submission, report) -> list[Curve]:
    """One Curve per system/model of a read submission (``layout.read_submission``).

    A point is failing when the report holds an error for the same system, model and
    concurrency; values come from its summary as described in the module docstring.
    """
    failing_rules = _failing_rules(report)
    curves = []
    for system in submission.systems:
        regions = system.regions
        note = None
        ranges: dict[str, str] = {}
        if regions is None:
            note = (
                "regions unknown: max_supported_concurrency is missing, not an integer, "
                "or ≤ 32 in " + system.rel
            )
        else:
            ranges = {key: str(span) for key, span in regions.ranges.items() if span}
        for model in system.models:
            points, unnumbered = [], []
            for point in model.points:
                concurrency = point.concurrency
                if concurrency is None:
                    unnumbered.append(point.file_name)
                    continue
                rules = failing_rules.get((system.id, model.name, concurrency), [])
                points.append(
                    _curve_point(
                        point,
                        concurrency,
                        region=regions.classify(concurrency) if regions else None,
                        error_rules=tuple(dict.fromkeys(rules)),
                    )
                )
            if points or unnumbered:
                curves.append(Curve(system.id, model.name, points, ranges, note, unnumbered))
    return curves


def curves_from_submission_v1(submission, report, *, view: str = "throughput") -> list[Curve]:
    """One Curve per ``results/<system>/<model>/`` of a v1.0 tree (``layout_v1``).

    Regions are the curve's own (from C_min); a dedicated Offline point is drawn apart
    (region ``offline``). Per-user throughput is the stored ``tps_per_user``, else
    1000 / TPOT p90 in ms (the v1.0 definition). In the ``tps-per-kw`` view y is the point's
    tokens/s per kW (§4.5.3) and only systems whose system_power.json computes are drawn.
    """
    failing_rules = _failing_rules(report)
    curves = []
    for system in submission.systems:
        if view == "tps-per-kw" and (system.power is None or system.power.power is None):
            continue
        for model in system.models:
            regions = model.regions
            note = (
                None
                if regions is not None
                else ("regions unknown: C_max or C_min unreadable or out of range in " + model.rel)
            )
            ranges = (
                {key: str(span) for key, span in regions.ranges.items() if span}
                if regions is not None
                else {}
            )
            points = []
            for point in model.points:
                c = point.concurrency
                rules = failing_rules.get((system.id, model.name, c), [])
                if point.is_dedicated_offline:
                    region = "offline"
                else:
                    region = regions.classify(c) if regions is not None else None
                curve_point = _curve_point(
                    point, c, region=region, error_rules=tuple(dict.fromkeys(rules))
                )
                p90 = _tpot_p90_ms(point)
                if (
                    curve_point.tps_per_user is not None
                    and p90
                    and "per-user derived" in (curve_point.source)
                ):
                    curve_point = _replace(
                        curve_point,
                        tps_per_user=1000 / p90,
                        source=curve_point.source.replace(
                            "per-user derived", "per-user 1000/TPOT p90"
                        ),
                    )
                if view == "tps-per-kw":
                    curve_point = _with_tps_per_kw(curve_point, point)
                points.append(curve_point)
            if points:
                y_label = TPS_PER_KW_AXIS if view == "tps-per-kw" else THROUGHPUT_AXIS
                curves.append(
                    Curve(system.id, model.name, points, ranges, note, [], "v1.0", y_label)
                )
    if view == "tps-per-kw" and not curves:
        raise PlotError(
            "nothing to plot in the tps-per-kw view: no system has a system_power.json that "
            "computes; run submission-checker power PATH to see why"
        )
    return curves


def _with_tps_per_kw(drawn: CurvePoint, point) -> CurvePoint:
    """``drawn`` with y = the point's tokens/s per kW, or a reason it has none."""
    assessed = point.power
    value = assessed.tps_per_kw if assessed is not None else None
    if value is None:
        problem = drawn.problem or "no tokens/s per kW (no throughput or no point power)"
        return _replace(drawn, system_tps=None, problem=problem)
    kw = float(assessed.power.kw)
    source = f"{drawn.source}, tps/kW = derived tps / {kw:,.3f} kW (§4.5.3)"
    return _replace(drawn, system_tps=float(value), source=source)


def _tpot_p90_ms(point) -> float | None:
    data = point.summary.mapping if point.summary is not None else None
    tpot = data.get("tpot") if data else None
    percentiles = tpot.get("percentiles") if isinstance(tpot, dict) else None
    value = _number(percentiles.get("90")) if isinstance(percentiles, dict) else None
    return value / 1e6 if value is not None and value > 0 else None


def _curve_point(point, concurrency: int, *, region, error_rules) -> CurvePoint:
    summary = point.summary
    data = summary.mapping if summary is not None else None
    if data is None:
        if summary is None:
            problem = "no results folder"
        elif summary.state == "invalid":
            problem = "summary is not a JSON object"
        else:
            problem = {"missing": "summary missing", "unsafe": "summary is an unsafe link"}.get(
                summary.state, f"summary unreadable: {summary.error or summary.state}"
            )
        return CurvePoint(concurrency, None, None, region, error_rules, "—", problem)

    stored_system, system_key = _number(data.get("system_tps")), "system_tps"
    if stored_system is None:
        stored_system, system_key = _number(data.get("tps")), "tps"
    tokens = data.get("output_sequence_lengths")
    total = _number(tokens.get("total")) if isinstance(tokens, dict) else None
    duration_ns = _number(data.get("duration_ns"))
    derived_system = (
        total / (duration_ns / 1e9)
        if total is not None and duration_ns is not None and duration_ns > 0
        else None
    )
    system_tps = stored_system if stored_system is not None else derived_system
    stored_user = _number(data.get("tps_per_user"))
    derived_user = system_tps / concurrency if system_tps is not None and concurrency > 0 else None
    tps_per_user = stored_user if stored_user is not None else derived_user

    sources = [
        f"{system_key} stored" if stored_system is not None else "system derived",
        "per-user stored" if stored_user is not None else "per-user derived",
    ]
    problem = None
    if system_tps is None:
        problem = "no system throughput: no system_tps/tps and no output tokens and duration"
    elif tps_per_user is None:
        problem = "no tps_per_user and concurrency ≤ 0"
    return CurvePoint(
        concurrency, tps_per_user, system_tps, region, error_rules, ", ".join(sources), problem
    )


def _number(value) -> float | None:
    """A finite JSON number (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def pareto_frontier(points: list[CurvePoint]) -> list[CurvePoint]:
    """Passing points that no other passing point matches or beats on both axes, by x.

    A point is dominated when another has x ≥ and y ≥ with at least one strictly greater; equal
    duplicates keep the lower concurrency only.
    """
    candidates = [p for p in points if p.placeable and not p.failing]
    frontier = []
    for point in candidates:
        dominated = any(
            other is not point
            and other.tps_per_user >= point.tps_per_user
            and other.system_tps >= point.system_tps
            and (
                other.tps_per_user > point.tps_per_user
                or other.system_tps > point.system_tps
                or other.concurrency < point.concurrency
            )
            for other in candidates
        )
        if not dominated:
            frontier.append(point)
    return sorted(frontier, key=lambda p: (p.tps_per_user, p.system_tps))


def output_kind(output: Path) -> str:
    """'png', 'svg' or 'html' from the file name; PlotError for anything else."""
    suffix = output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise PlotError(
            f"cannot tell the image format from {output.name!r}; "
            "name the output file *.png, *.svg or *.html"
        )
    return suffix[1:]


def write_plot(curves: list[Curve], output: Path, *, title: str) -> Path:
    """Draw ``curves`` to ``output`` (format from its suffix) and return the path written."""
    kind = output_kind(output)
    if not curves:
        raise PlotError(
            "nothing to plot: no system/model of the submission has a point file; "
            "run submission-checker check to see what is missing"
        )
    pyplot = _pyplot()
    if kind == "html":
        content = render_html(curves, title=title, pyplot=pyplot).encode("utf-8")
    else:
        figure = _grid_figure(pyplot, curves, title=title)
        content = _figure_bytes(pyplot, figure, kind, salt="grid")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
    except OSError as exc:
        raise PlotError(f"cannot write {output}: {exc.strerror or exc}") from None
    return output


def render_html(curves: list[Curve], *, title: str, pyplot=None) -> str:
    """One page, no external resources: a heading, an inline SVG and a table per curve."""
    pyplot = pyplot or _pyplot()
    sections = []
    for index, curve in enumerate(curves):
        figure = pyplot.figure(figsize=FIGURE_SIZE, layout="constrained")
        axes = figure.add_subplot(1, 1, 1)
        _draw_curve(axes, curve)
        svg = _inline_svg(
            _figure_bytes(pyplot, figure, "svg", salt=f"curve{index}"), id_prefix=f"c{index}-"
        )
        sections.append(
            f"<section>\n<h2>{html.escape(curve.title)}</h2>\n"
            f"<figure>{svg}</figure>\n{_points_table(curve)}\n</section>"
        )
    return _HTML_PAGE.format(
        title=html.escape(title), legend=html.escape(_LEGEND_TEXT), body="\n".join(sections)
    )


# ---------------------------------------------------------------------------------------------
# Drawing


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise PlotError(
            "plotting needs matplotlib, which is not installed; install it with "
            'pip install "endpoints-submission-cli[plot]"'
        ) from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _grid_figure(pyplot, curves: list[Curve], *, title: str):
    columns = 1 if len(curves) == 1 else 2
    rows = math.ceil(len(curves) / columns)
    width, height = FIGURE_SIZE
    figure, axes_grid = pyplot.subplots(
        rows,
        columns,
        figsize=(width * columns, height * rows + 0.4),
        squeeze=False,
        layout="constrained",
    )
    flat = [axes for row in axes_grid for axes in row]
    for axes, curve in zip(flat, curves, strict=False):
        _draw_curve(axes, curve)
    for axes in flat[len(curves) :]:
        axes.set_visible(False)
    figure.suptitle(title, fontsize=12)
    return figure


def _draw_curve(axes, curve: Curve) -> None:
    placed = [p for p in curve.points if p.placeable]
    log_x = _wants_log([p.tps_per_user for p in placed])
    log_y = _wants_log([p.system_tps for p in placed])
    unplaced = [p for p in curve.points if not p.placeable]
    if log_x or log_y:
        for point in placed:
            if (log_x and point.tps_per_user <= 0) or (log_y and point.system_tps <= 0):
                unplaced.append(point)
        placed = [p for p in placed if p not in unplaced]

    frontier = pareto_frontier(placed)
    if len(frontier) > 1:
        axes.plot(
            [p.tps_per_user for p in frontier],
            [p.system_tps for p in frontier],
            color="#222222",
            linewidth=1.4,
            zorder=2,
            label="Pareto frontier",
        )
    elif frontier:
        axes.plot([], [], color="#222222", linewidth=1.4, label="Pareto frontier")

    for region in REGION_COLOURS:
        members = [p for p in placed if p.region == region]
        if not members:
            continue
        label = _region_label(curve, region)
        passing = [p for p in members if not p.failing]
        failing = [p for p in members if p.failing]
        colour = REGION_COLOURS[region]
        if passing:
            axes.scatter(
                [p.tps_per_user for p in passing],
                [p.system_tps for p in passing],
                s=46,
                color=colour,
                edgecolors="white",
                linewidths=0.8,
                zorder=3,
                label=label,
            )
        if failing:
            axes.scatter(
                [p.tps_per_user for p in failing],
                [p.system_tps for p in failing],
                s=90,
                marker="X",
                color=colour,
                edgecolors="black",
                linewidths=0.9,
                zorder=4,
                label=None if passing else label,
            )
    if any(p.failing for p in placed):
        axes.scatter(
            [],
            [],
            s=90,
            marker="X",
            color="white",
            edgecolors="black",
            linewidths=0.9,
            label="point with errors (not on frontier)",
        )

    # Neighbours along the curve get labels on alternate sides so close points stay legible.
    for index, point in enumerate(sorted(placed, key=lambda p: p.tps_per_user)):
        axes.annotate(
            f"c={point.concurrency}",
            (point.tps_per_user, point.system_tps),
            textcoords="offset points",
            xytext=(5, 4) if index % 2 else (5, -11),
            fontsize=7,
            color="#333333",
        )

    if log_x:
        _log_axis(axes.xaxis, axes.set_xscale)
    if log_y:
        _log_axis(axes.yaxis, axes.set_yscale)
    axes.set_xlabel("Throughput per user (tokens/s/user)" + (", log scale" if log_x else ""))
    axes.set_ylabel(curve.y_label + (", log scale" if log_y else ""))
    axes.set_title(curve.title, fontsize=11)
    axes.grid(True, which="major", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    if placed:
        # Outside the axes: never hides a point, and costs nothing to place (loc="best"
        # searched every artist and dominated the drawing time).
        axes.legend(
            fontsize=7,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            frameon=False,
        )
    notes = []
    if curve.region_note:
        notes.append(curve.region_note)
    if unplaced or curve.unnumbered:
        notes.append(
            "not plotted: "
            + "; ".join(
                [f"c={p.concurrency} ({p.problem or 'value ≤ 0 on a log axis'})" for p in unplaced]
                + [f"{name} (no integer concurrency)" for name in curve.unnumbered]
            )
        )
    if not placed:
        axes.text(
            0.5,
            0.5,
            "no point could be placed",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="#555555",
        )
    if notes:
        axes.text(
            0.0,
            -0.2,
            "\n".join(_wrap(note, 110) for note in notes),
            transform=axes.transAxes,
            fontsize=7,
            color="#555555",
            va="top",
        )


def _log_axis(axis, set_scale) -> None:
    """Log scale with plain-number ticks at 1, 2, 5 × 10^k (not bare powers of ten)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    set_scale("log")
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{value:,.0f}" if value >= 1 else f"{value:g}")
    )
    axis.set_minor_formatter(NullFormatter())


def _region_label(curve: Curve, region: str | None) -> str:
    from submission_checker.regions import REGION_LABELS
    from submission_checker.regions_v1 import REGION_LABELS as V1_LABELS

    if region is None:
        return "no region" if curve.region_note else "outside every region"
    if region == "offline":
        return "Offline (dedicated)"
    labels = (
        (V1_LABELS, REGION_LABELS) if curve.round_name == "v1.0" else (REGION_LABELS, V1_LABELS)
    )
    name = labels[0].get(region) or labels[1].get(region, region)
    span = curve.region_ranges.get(region)
    return f"{name} ({span})" if span else name


def _wants_log(values: list[float]) -> bool:
    positive = [v for v in values if v > 0]
    return len(positive) >= 2 and max(positive) / min(positive) > LOG_SPAN


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _figure_bytes(pyplot, figure, kind: str, *, salt: str) -> bytes:
    """Render reproducibly: fixed SVG id salt, no dates or software stamps in the file."""
    import matplotlib

    buffer = io.BytesIO()
    metadata = {"Date": None, "Creator": None} if kind == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        figure.savefig(buffer, format=kind, dpi=110, metadata=metadata)
    pyplot.close(figure)
    return buffer.getvalue()


_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SVG_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_SVG_IDS = re.compile(r'(\bid="|href="#|url\(#)')


def _inline_svg(svg: bytes, *, id_prefix: str) -> str:
    """matplotlib's SVG made fit to sit inside HTML: no XML prologue/DOCTYPE, no RDF metadata,
    no namespace declarations (the HTML parser puts inline <svg> and xlink:href in the right
    namespaces itself), so the page holds no URL at all; ids (and references to them) get a
    per-figure prefix, since ids are page-wide and figures would otherwise share them."""
    text = svg.decode("utf-8")
    text = _SVG_PROLOGUE.sub("", text, count=1)
    text = _SVG_METADATA.sub("", text)
    text = _SVG_NAMESPACES.sub("", text)
    return _SVG_IDS.sub(lambda match: match.group(1) + id_prefix, text)


# ---------------------------------------------------------------------------------------------
# HTML


def _points_table(curve: Curve) -> str:
    frontier = {p.concurrency for p in pareto_frontier([p for p in curve.points if p.placeable])}
    rows = []
    for point in sorted(curve.points, key=lambda p: p.concurrency):
        status = ("errors: " + ", ".join(point.error_rules)) if point.failing else "ok"
        rows.append(
            "<tr>"
            f"<td class=num>{point.concurrency}</td>"
            f"<td>{html.escape(_region_label(curve, point.region))}</td>"
            f"<td class=num>{_show_number(point.tps_per_user)}</td>"
            f"<td class=num>{_show_number(point.system_tps)}</td>"
            f"<td>{html.escape(point.source)}</td>"
            f"<td>{'yes' if point.concurrency in frontier else ''}</td>"
            f"<td class={'bad' if point.failing else 'ok'}>{html.escape(status)}</td>"
            f"<td>{html.escape(point.problem or '')}</td>"
            "</tr>"
        )
    notes = [curve.region_note] if curve.region_note else []
    if curve.unnumbered:
        notes.append("not plotted (no integer concurrency): " + ", ".join(curve.unnumbered))
    note = "".join(f"<p class=note>{html.escape(text)}</p>\n" for text in notes)
    return (
        f"{note}<table>\n<thead><tr><th>concurrency</th><th>region</th>"
        f"<th>tokens/s/user</th><th>{html.escape(curve.y_label)}</th><th>values</th>"
        "<th>Pareto</th>"
        "<th>check</th><th>not plotted because</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _show_number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


_LEGEND_TEXT = (
    "x: throughput per user; y: system throughput. Marker colour = the concurrency region "
    "(§5.5) of the point; label = its concurrency. Black line = Pareto frontier of the points "
    "without errors. ✕ = a point with at least one error in the checker report."
)

_HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
figure {{ margin: 0.5em 0; }}
figure svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin-bottom: 2em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.bad {{ color: #a00; font-weight: bold; }}
p.note {{ color: #555; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{legend}</p>
{body}
</body>
</html>
"""
