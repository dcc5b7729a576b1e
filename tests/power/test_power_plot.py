"""``plot`` on a v1.0 tree (A3.6) and its tokens/s per kW view (issue 12)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from submission_checker.cli import main
from submission_checker.plot import PlotError, plot_submission

REPO = Path(__file__).resolve().parents[2]
V1_ORG = REPO / "examples" / "submission-v1.0" / "ExampleOrg"
V07_ORG = REPO / "examples" / "submission" / "ExampleOrg"
STANDARDIZED = "example-submission/results/Example_Standardized_Cluster"

pytest.importorskip("matplotlib")


def _rows(page: str, curve: str) -> str:
    start = page.index(f"<h2>{curve}")
    return page[start : page.index("</section>", start)]


def test_v1_curves_with_regions_and_the_offline_point_apart(tmp_path):
    outcome = plot_submission(V1_ORG, tmp_path / "p.html")
    assert (outcome.curves, outcome.points, outcome.failing_points) == (2, 18, 0)
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    section = _rows(page, "Example_Cloud_Endpoint / llama3_1-8b")
    assert "<td>Ultra Low Concurrency (1)</td>" in section
    assert "<td>High Concurrency (42–256)</td>" in section
    offline = section[section.index("<td class=num>512</td>") :].split("</tr>")[0]
    assert "Offline (dedicated)" in offline
    assert "system throughput vs throughput per user" in page


def test_tps_per_kw_view_draws_only_systems_with_power(tmp_path):
    outcome = plot_submission(V1_ORG, tmp_path / "k.html", view="tps-per-kw")
    assert outcome.curves == 1
    page = (tmp_path / "k.html").read_text(encoding="utf-8")
    assert "Example_Cloud_Endpoint" not in page  # Serviced, no system_power.json
    section = _rows(page, "Example_Standardized_Cluster / llama3_1-8b")
    assert "<th>Tokens/s per kW of point power</th>" in section
    # r1: 237.061… tokens/s on the whole 11.025 kW system → 21.50 tokens/s per kW
    first = section[section.index("<td class=num>1</td>") :].split("</tr>")[0]
    assert "<td class=num>21.50</td>" in first
    assert "tps/kW = derived tps / 11.025 kW" in first


def test_tps_per_kw_view_needs_power(tmp_path):
    org = tmp_path / "ExampleOrg"
    shutil.copytree(V1_ORG, org)
    (org / STANDARDIZED / "system_power.json").unlink()
    with pytest.raises(PlotError, match="no system has a system_power.json that computes"):
        plot_submission(org, tmp_path / "k.png", view="tps-per-kw")


def test_tps_per_kw_view_of_a_v07_tree_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        main, ["plot", str(V07_ORG), "-o", str(tmp_path / "k.png"), "--view", "tps-per-kw"]
    )
    assert result.exit_code == 1
    assert "the tps-per-kw view needs a round v1.0 submission" in result.output
    assert not (tmp_path / "k.png").exists()
