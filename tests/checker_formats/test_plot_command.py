"""`submission-checker plot` on the example submission and on a failing variant."""

from __future__ import annotations

import re

import pytest

from .conftest import run_cli
from .test_plot_module import png_size


def test_png_of_the_example(submission, workdir):
    org = submission("example")
    run = run_cli("plot", org, "-o", "curve.png")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == "curve.png"
    assert "1 curve(s), 8 point(s)" in run.stderr
    width, height = png_size((workdir / "curve.png").read_bytes())
    assert (width, height) == (968, 572)  # FIGURE_SIZE (8.8 × 4.8 in) + title, at 110 dpi


def test_default_output_name(submission, workdir):
    run = run_cli("plot", submission("example"))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == "ExampleOrg-pareto.png"
    png_size((workdir / "ExampleOrg-pareto.png").read_bytes())


def test_html_is_self_contained_and_marks_the_failing_point(submission, workdir):
    org = submission("failing")
    run = run_cli("plot", org, "-o", "out/curve.html")
    assert run.exit_code == 0, run.stderr
    assert "1 with errors" in run.stderr
    page = (workdir / "out" / "curve.html").read_text(encoding="utf-8")
    # No resource is fetched: no src/href/url() that is not an in-page #reference ...
    assert not re.search(r"""\b(?:src|href)\s*=\s*(?!["']?#)""", page)
    assert not re.search(r"""url\(\s*(?!["']?#)""", page)
    assert "href=" in page  # the check above did look at real references
    # ... and no URL of any kind, not even SVG namespace URIs (they are stripped).
    assert "http://" not in page and "https://" not in page
    assert page.count("<svg") == 1 and "<table>" in page
    row_64 = next(row for row in page.split("<tr>") if row.startswith("<td class=num>64<"))
    assert "errors: metric-consistency-system-tps" in row_64
    # c=64 is failing, so it is not on the frontier; c=70 (same region, passing) is.
    assert "<td>yes</td>" not in row_64
    row_70 = next(row for row in page.split("<tr>") if row.startswith("<td class=num>70<"))
    assert "<td>yes</td>" in row_70


def test_svg_output(submission, workdir):
    run = run_cli("plot", submission("example"), "-o", "curve.svg")
    assert run.exit_code == 0
    assert "<svg" in (workdir / "curve.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["curve.pdf", "curve"])
def test_unknown_image_format_is_a_usage_error(submission, workdir, name):
    run = run_cli("plot", submission("example"), "-o", name)
    assert run.exit_code == 2
    assert "*.png, *.svg or *.html" in run.stderr
    assert not (workdir / name).exists()


def test_missing_submission_is_a_clear_error(workdir):
    run = run_cli("plot", "NoSuchOrg", "-o", "curve.png")
    assert run.exit_code == 1
    assert "NoSuchOrg is not a directory" in run.stderr
    assert "results/ (v1.0)" in run.stderr and "systems/ and pareto/ (v0.7)" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_point_without_summary_is_listed_not_dropped(submission, workdir):
    org = submission("example")
    (
        workdir
        / org
        / "pareto/example-system/llama2-70b/results/point_8"
        / "mlperf_endpoints_log_summary.json"
    ).unlink()
    run = run_cli("plot", org, "-o", "curve.html")
    assert run.exit_code == 0
    assert "1 could not be placed" in run.stderr
    page = (workdir / "curve.html").read_text(encoding="utf-8")
    row_8 = next(row for row in page.split("<tr>") if row.startswith("<td class=num>8<"))
    assert "summary missing" in row_8


def test_a_point_file_without_concurrency_is_named_under_the_plot(submission, workdir):
    org = submission("example")
    points = workdir / org / "pareto/example-system/llama2-70b/points"
    (points / "point_8.yaml").rename(points / "point_eight.yaml")
    text = (points / "point_eight.yaml").read_text(encoding="utf-8")
    (points / "point_eight.yaml").write_text(
        text.replace("concurrency: 8", "concurrency: eight"), encoding="utf-8"
    )
    run = run_cli("plot", org, "-o", "curve.html")
    assert run.exit_code == 0
    assert "7 point(s)" in run.stderr and "1 could not be placed" in run.stderr
    page = (workdir / "curve.html").read_text(encoding="utf-8")
    assert "not plotted (no integer concurrency): point_eight.yaml" in page


def test_unwritable_output_is_a_clear_error(submission, workdir):
    org = submission("example")
    (workdir / "taken").write_text("a file, not a folder", encoding="utf-8")
    run = run_cli("plot", org, "-o", "taken/curve.png")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: cannot write taken/curve.png")
    assert "Traceback" not in run.stderr
