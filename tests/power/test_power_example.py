"""The shipped v1.0 example's Standardized system carries a valid system_power.json."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from submission_checker import SubmissionChecker
from submission_checker.cli import main

REPO = Path(__file__).resolve().parents[2]
ORG = REPO / "examples" / "submission-v1.0" / "ExampleOrg"
SYSTEM = "example-submission/results/Example_Standardized_Cluster"


def test_the_standardized_system_passes_every_power_rule():
    report = SubmissionChecker(ORG, round="v1.0").run()
    assert report.passed and not report.warnings
    [descriptor] = [
        r
        for r in report.results
        if r.rule == "power-descriptor" and r.system == "Example_Standardized_Cluster"
    ]
    assert descriptor.path == f"{SYSTEM}/system_power.json"
    # 2 × 350 + 8 × 700 + 4 × 100 + 2 × 25 = 6 750 W; × 1.5 = 10 125; + 900 W switch = 11 025 W
    assert descriptor.message.startswith("provisioned power 11.03 kW: total 11 025 W")
    tps_per_kw = [
        r
        for r in report.results
        if r.rule == "metric-consistency-tps-per-kw" and r.system == "Example_Standardized_Cluster"
    ]
    assert len(tps_per_kw) == 9 and all("agrees with" in r.message for r in tps_per_kw)


def test_power_command_on_the_example():
    result = CliRunner().invoke(main, ["power", str(ORG)])
    assert result.exit_code == 0, result.output
    assert "  provisioned power: 11.03 kW" in result.output
    # the Serviced system needs no power file: said so, not "not computed (missing)"
    assert "provisioned power: no system_power.json (not required for serviced)" in result.output
    assert "not computed" not in result.output
