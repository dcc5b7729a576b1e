"""plot.py on hand-made curves: the Pareto frontier, file formats, a self-contained HTML page."""

from __future__ import annotations

import re
import struct
import sys

import pytest

from submission_checker import plot
from submission_checker.plot import Curve, CurvePoint, PlotError, pareto_frontier


def _p(c: int, per_user: float, system: float, *, errors=(), region="low_latency") -> CurvePoint:
    return CurvePoint(c, per_user, system, region, tuple(errors), "tps stored")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def test_frontier_keeps_points_no_passing_point_beats_on_both_axes():
    points = [
        _p(1, 50.0, 50.0),
        _p(8, 40.0, 300.0),
        _p(16, 30.0, 280.0),  # dominated by c=8 (less on both axes)
        _p(64, 10.0, 600.0),
        _p(128, 12.0, 900.0, errors=["metric-consistency-system-tps"]),  # failing: never on it
        _p(256, 10.0, 600.0),  # equal to c=64: the lower concurrency represents it
    ]
    assert [p.concurrency for p in pareto_frontier(points)] == [64, 8, 1]


def test_unplaceable_points_are_not_on_the_frontier():
    points = [_p(1, 5.0, 5.0), CurvePoint(2, None, None, None, (), "—", "summary missing")]
    assert [p.concurrency for p in pareto_frontier(points)] == [1]


def _curves() -> list[Curve]:
    points = [
        _p(1, 80.0, 80.0),
        _p(32, 40.0, 1280.0),
        _p(36, 35.0, 1260.0, region="low_throughput"),
        _p(64, 25.0, 1600.0, region="high_throughput", errors=["point-duration"]),
        CurvePoint(70, None, None, "margin", (), "—", "summary missing"),
    ]
    return [
        Curve("sys-a", "llama2-70b", points, {"low_latency": "1–32"}),
        Curve("sys-b", "llama2-70b", points[:3], {}, "regions unknown: no M"),
    ]


def test_png_and_svg_are_written_with_a_grid_of_subplots(tmp_path):
    png = plot.write_plot(_curves(), tmp_path / "out" / "curve.png", title="Org")
    width, height = png_size(png.read_bytes())
    assert width > height > 300  # two subplots side by side
    svg = plot.write_plot(_curves(), tmp_path / "curve.svg", title="Org").read_text()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg


def test_html_is_one_file_with_no_url_at_all(tmp_path):
    page = plot.write_plot(_curves(), tmp_path / "curve.html", title="Org & <co>").read_text()
    assert page.count("<svg") == 2
    assert "Org &amp; &lt;co&gt;" in page
    assert not re.search(r"https?:", page), "the page must not name any URL"
    assert not re.search(r"""\b(?:src|href)\s*=\s*(?!["']?#)""", page), (
        "only in-page references (#id) are allowed"
    )
    assert "errors: point-duration" in page
    assert "summary missing" in page
    assert "regions unknown: no M" in page


def test_svg_ids_differ_between_figures_so_inline_svgs_do_not_clash(tmp_path):
    page = plot.write_plot(_curves(), tmp_path / "curve.html", title="Org").read_text()
    first, second = page.split("<svg")[1:3]
    ids = lambda text: set(re.findall(r'\bid="([^"]+)"', text))  # noqa: E731
    assert ids(first) and not ids(first) & ids(second)
    # Every in-page reference points at an id of its own figure.
    for figure in (first, second):
        refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', figure))
        assert refs and refs <= ids(figure)


def test_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(PlotError, match=r"\*\.png, \*\.svg or \*\.html"):
        plot.write_plot(_curves(), tmp_path / "curve.pdf", title="Org")


def test_missing_matplotlib_gives_an_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotError, match=r"endpoints-submission-cli\[plot\]"):
        plot.write_plot(_curves(), tmp_path / "curve.png", title="Org")
