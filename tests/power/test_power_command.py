"""``submission-checker power PATH``: the per-system power table, its JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from submission_checker.cli import main

from .test_power_rules import SYSTEM, Tree


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    tree = Tree(tmp_path / "org")
    tree.point["nodes_used"] = [{"system_node_ensemble_id": 1, "nodes": 1}]
    tree.summary["system_tps_per_kw"] = 2000
    return tree


def run(*args: str):
    return CliRunner().invoke(main, ["power", *args])


def test_table_shows_system_node_sets_defaults_and_points(tree):
    tree.check()
    result = run(str(tree.root))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"System sys-a  ({SYSTEM}/system_power.json)"
    assert "  provisioned power: 40.07 kW" in lines
    gpu = next(line for line in lines if line.strip().startswith("gpu"))
    assert "component_sum" in gpu and "37 992 W = (1 440 W CPUs + 22 400 W accelerators" in gpu
    assert "    scale_out.nics.tdp_per_nic: 75 W NIC (D.4)" in lines
    point = next(line for line in lines if line.strip().startswith("llama3_1-8b"))
    # C, nodes used, point kW (20 036 W), system tps, tps/kW, stored
    cells = ["llama3_1-8b", "8", "gpu", "1/2", "20.036", "40 072", "2 000", "2 000"]
    assert point.split() == " ".join(cells).split()


def test_json_has_the_same_numbers(tree):
    tree.check()
    result = run(str(tree.root), "--format", "json")
    assert result.exit_code == 0
    [system] = json.loads(result.output)
    assert system["provisioned_kw"] == 40.07
    assert system["node_sets"][0]["power_w"] == 37992
    assert system["points"][0]["point_kw"] == 20.036
    assert system["points"][0]["tps_per_kw"] == 2000


def test_a_wrong_file_exits_1_and_lists_the_findings(tree):
    tree.power["provisioned_power_kw"] = 41
    tree.check()
    result = run(str(tree.root))
    assert result.exit_code == 1
    assert "(the file has errors: see below)" in result.output
    assert "error: provisioned_power_kw: found 41 kW, expected 40.07 kW" in result.output


def test_invalid_and_missing_files(tree):
    tree.power["cooling"] = "water"
    tree.check()
    result = run(str(tree.root))
    assert result.exit_code == 1
    assert "provisioned power: not computed (invalid)" in result.output
    (tree.root / SYSTEM / "system_power.json").unlink()
    result = run(str(tree.root))
    assert result.exit_code == 0
    assert "provisioned power: not computed (missing)" in result.output


def test_not_a_v1_tree(tmp_path):
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert "no system under results/" in result.output
