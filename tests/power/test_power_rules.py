"""The five v1.0 power rules, run by the checker over a small v1.0 tree.

The tree has one system (``results/sys-a/``) with the air-cooled descriptor of
``power_examples`` (2 nodes × 8 accelerators; provisioned 40 072 W) and one point ``r8`` that
produced 40 072 tokens/s, i.e. exactly 1 000 tokens/s per kW when both nodes are used.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker import SubmissionChecker

from .power_examples import air_component_sum_with_scale_out

POWER_RULES = (
    "power-descriptor",
    "power-estimated",
    "nodes-used",
    "maximal-engagement",
    "metric-consistency-tps-per-kw",
)
SYSTEM = "results/sys-a"
POINT = f"{SYSTEM}/llama3_1-8b/r8"


def _write(path: Path, data, as_yaml=False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data) if as_yaml else json.dumps(data), encoding="utf-8")


class Tree:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.power = air_component_sum_with_scale_out()
        self.point = {"concurrency": 8}
        self.description = {
            "system_name": "sys-a",
            "division": "standardized",
            "data_parallel": 2,
            "tensor_parallel": 8,
            "node_types": [
                {
                    "system_node_ensemble_id": 1,
                    "cooling": "Air",
                    "accelerator_info": [{"accelerators_per_node": 8}],
                }
            ],
        }
        self.summary = {
            "n_samples_completed": 100,
            "n_samples_issued": 100,
            "duration_ns": 1_000_000_000,
            "output_sequence_lengths": {"total": 40072},
            "system_tps_per_kw": 1000,
        }

    def check(self) -> dict[str, list]:
        if self.power is not None:
            _write(self.root / SYSTEM / "system_power.json", self.power)
        _write(self.root / POINT / "point.yaml", self.point, as_yaml=True)
        _write(self.root / POINT / "system_desc.json", self.description)
        _write(self.root / POINT / "result_summary.json", self.summary)
        for name in ("docs", "src/impl"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        report = SubmissionChecker(self.root, round="v1.0").run()
        found: dict[str, list] = {rule: [] for rule in POWER_RULES}
        for result in report.results:
            if result.rule in found:
                found[result.rule].append(result)
        return found


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path / "org")


def severities(results) -> list[str]:
    return [r.severity for r in results]


def test_a_valid_descriptor_passes_every_power_rule(tree):
    found = tree.check()
    [ok] = found["power-descriptor"]
    assert ok.severity == "info" and ok.path == f"{SYSTEM}/system_power.json"
    assert "provisioned power 40.07 kW" in ok.message
    assert "total 40 072 W = major 25 328 W + overhead 0.5 × major" in ok.message
    [estimated] = found["power-estimated"]  # the example cites three Appendix D defaults
    assert estimated.severity == "warning" and "3 Appendix D default(s)" in estimated.message
    assert severities(found["nodes-used"]) == ["info"]
    assert "gpu 2/2" in found["nodes-used"][0].message
    [engaged] = found["maximal-engagement"]
    assert engaged.severity == "info"
    assert engaged.message == (
        "DP 2 engages every replica the nodes used can hold: "
        "floor(16 accelerators / 8 per replica (TP × PP × EP)) = 2"
    )
    [tps] = found["metric-consistency-tps-per-kw"]
    assert tps.severity == "info" and "agrees with 1 000" in tps.message
    assert tps.path == f"{POINT}/result_summary.json"


def test_missing_descriptor_is_an_error_for_standardized_only(tree):
    tree.power = None
    found = tree.check()
    [missing] = found["power-descriptor"]
    assert missing.severity == "error" and "Standardized" in missing.message
    assert missing.fix.startswith(f"Add {SYSTEM}/system_power.json")
    assert found["nodes-used"][0].message.endswith("the system has no system_power.json")
    [estimated] = found["power-estimated"]
    assert estimated.severity == "info" and "no system_power.json" in estimated.message
    tree.description["division"] = "rdi"
    assert severities(tree.check()["power-descriptor"]) == ["info"]


def test_a_wrong_provisioned_power_shows_the_working(tree):
    tree.power["provisioned_power_kw"] = 40.2
    [finding] = [r for r in tree.check()["power-descriptor"] if r.severity == "error"]
    assert finding.message.startswith("provisioned_power_kw: found 40.2 kW, expected 40.07 kW")
    assert "working: total 40 072 W = major 25 328 W" in finding.message
    assert finding.fix == "Set provisioned_power_kw to 40.07."


def test_computed_block_edges(tree):
    tree.power["computed"] = {"total_system_power_w": 40072.5}
    assert severities(tree.check()["power-descriptor"]) == ["info"]
    tree.power["computed"] = {"total_system_power_w": 40072.51}
    [finding] = tree.check()["power-descriptor"]
    assert finding.severity == "error"
    assert "computed.total_system_power_w: found 40 072.51 W, expected 40 072 W" in (
        finding.message
    )


def test_cooling_mismatch_and_unknown_ensemble(tree):
    tree.description["node_types"][0]["cooling"] = "Direct liquid cooling"
    tree.description["node_types"][0]["system_node_ensemble_id"] = 3
    found = tree.check()["power-descriptor"]
    assert [(r.severity, r.message.split(":")[0]) for r in found] == [
        ("error", "cooling"),
        ("warning", "node_sets[0].system_node_ensemble_id"),
    ]
    assert "found air, expected liquid" in found[0].message


def test_schema_errors_are_findings(tree):
    tree.power["node_sets"][0]["components"]["accelerator"]["tdp_per_unit"]["watts"] = 1
    found = tree.check()
    [problem] = found["power-descriptor"]
    assert problem.severity == "error" and "tdp_per_unit.watts" in problem.message
    assert "does not compute" in found["metric-consistency-tps-per-kw"][0].message


def test_unreadable_descriptor(tree):
    tree.check()
    (tree.root / SYSTEM / "system_power.json").write_text("{", encoding="utf-8")
    report = SubmissionChecker(tree.root, round="v1.0").run()
    [finding] = [r for r in report.results if r.rule == "power-descriptor"]
    assert finding.severity == "error"


def test_no_defaults_no_estimate(tree):
    power = tree.power
    power["node_sets"][0]["components"]["accelerator"]["tdp_per_unit"] = {
        "value_w": 1400,
        "source_type": "vendor_spec",
        "source": "https://amd.example/mi355x",
    }
    power["scale_out"]["nics"]["tdp_per_nic"]["source_type"] = "vendor_spec"
    power["scale_out"]["nics"]["tdp_per_nic"]["source"] = "https://nic.example"
    power["scale_out"]["switches"][0]["power_per_switch"]["source_type"] = "publication"
    power["scale_out"]["switches"][0]["power_per_switch"]["source"] = "https://sw.example"
    power["mlc_estimated_power"] = False
    assert severities(tree.check()["power-estimated"]) == ["info"]


def test_nodes_used_out_of_range(tree):
    tree.point["nodes_used"] = [{"system_node_ensemble_id": 1, "nodes": 3}]
    [finding] = tree.check()["nodes-used"]
    assert finding.severity == "error" and finding.path == f"{POINT}/point.yaml"
    assert "nodes_used[0].nodes: found 3, expected 1–2" in finding.message


def test_half_the_nodes_halves_the_point_power(tree):
    # point 20 036 W (see test_power_model); 40 072 tokens/s / 20.036 kW = 2 000
    tree.point["nodes_used"] = [{"system_node_ensemble_id": 1, "nodes": 1}]
    tree.description["data_parallel"] = 1
    tree.summary["system_tps_per_kw"] = 2000
    found = tree.check()
    assert severities(found["nodes-used"]) == ["info"]
    assert severities(found["maximal-engagement"]) == ["info"]
    assert severities(found["metric-consistency-tps-per-kw"]) == ["info"]


@pytest.mark.parametrize(("stored", "ok"), [(1010, True), (990, True), (1010.01, False)])
def test_tps_per_kw_edges(tree, stored, ok):
    tree.summary["system_tps_per_kw"] = stored
    [result] = tree.check()["metric-consistency-tps-per-kw"]
    assert (result.severity == "info") is ok
    if not ok:
        assert "system_tps_per_kw: found 1 010.01, expected 1 000 (± 1 %)" in result.message
        assert "working: 40 072 tokens/s / point 40.072 kW" in result.message


def test_tps_per_kw_not_stored(tree):
    del tree.summary["system_tps_per_kw"]
    [result] = tree.check()["metric-consistency-tps-per-kw"]
    assert result.severity == "info" and "not stored" in result.message


def test_dp_shortfall(tree):
    tree.description["data_parallel"] = 1
    [finding] = tree.check()["maximal-engagement"]
    assert finding.severity == "error" and finding.path == f"{POINT}/point.yaml"
    assert "found DP 1 below the maximal 2" in finding.message
    tree.point["dp_shortfall"] = {"dp_actual": 1, "dp_formula": 2, "reason": "KV cache"}
    found = tree.check()
    assert severities(found["maximal-engagement"]) == ["warning"]
    assert severities(found["nodes-used"]) == ["warning"]  # one node would have been enough


def test_dp_over_capacity(tree):
    tree.description["data_parallel"] = 3
    found = tree.check()
    [over] = found["maximal-engagement"]
    assert over.severity == "error" and over.path == f"{POINT}/system_desc.json"
    [capacity] = found["nodes-used"]
    assert "found 16 accelerators" in capacity.message and "at least 24" in capacity.message


def test_no_parallelism_is_a_warning(tree):
    del tree.description["data_parallel"], tree.description["tensor_parallel"]
    assert severities(tree.check()["maximal-engagement"]) == ["warning"]


def test_descriptor_that_is_a_directory(tree):
    tree.power = None
    (tree.root / SYSTEM / "system_power.json").mkdir(parents=True)
    [finding] = tree.check()["power-descriptor"]
    assert finding.severity == "error"
    assert finding.message == "is a directory, expected a file"
    assert finding.path == f"{SYSTEM}/system_power.json"


def test_huge_and_odd_numbers_are_findings(tree):
    tree.power["node_sets"][0]["nodes_provisioned"] = 10**30
    tree.power["provisioned_power_kw"] = 1e308
    found = tree.check()
    assert {r.severity for r in found["power-descriptor"]} == {"error"}
    assert any("nodes_provisioned" in r.message for r in found["power-descriptor"])


def test_a_run_folder_is_checked_against_its_own_system_power(tree, tmp_path):
    from submission_checker.run_folder_v1 import check_run_folder_v1

    run = tmp_path / "run"
    tree.point["nodes_used"] = [{"system_node_ensemble_id": 1, "nodes": 3}]
    _write(run / "point.yaml", tree.point, as_yaml=True)
    _write(run / "system_desc.json", tree.description)
    _write(run / "performance" / "result_summary.json", tree.summary)
    _write(run / "system_power.json", tree.power)
    report = check_run_folder_v1(run)
    [nodes] = [r for r in report.results if r.rule == "nodes-used"]
    assert nodes.severity == "error" and nodes.path == "point.yaml"
    assert "found 3, expected 1–2" in nodes.message
    [descriptor] = [r for r in report.results if r.rule == "power-descriptor"]
    assert descriptor.severity == "info" and descriptor.path == "system_power.json"
    tree.power["provisioned_power_kw"] = 1
    _write(run / "system_power.json", tree.power)
    [descriptor] = [r for r in check_run_folder_v1(run).results if r.rule == "power-descriptor"]
    assert descriptor.severity == "error" and "expected 40.07 kW" in descriptor.message
    (run / "system_power.json").unlink()
    report = check_run_folder_v1(run)
    [nodes] = [r for r in report.results if r.rule == "nodes-used"]
    assert nodes.severity == "info" and "no system_power.json" in nodes.message
    assert not [r for r in report.results if r.rule.startswith("power-")]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["node_sets", "cooling", "nodes", "value_w", "system_node_ensemble_id"]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(power=_json, nodes_used=_json, stored=_json, shortfall=_json)
def test_damaged_inputs_never_break_a_rule(tmp_path, power, nodes_used, stored, shortfall):
    tree = Tree(tmp_path / f"org{abs(hash((repr(power), repr(nodes_used))))}")
    tree.power = power
    tree.point.update(nodes_used=nodes_used, dp_shortfall=shortfall)
    tree.summary["system_tps_per_kw"] = stored
    found = tree.check()
    for results in found.values():
        assert not [r for r in results if "internal checker error" in r.message]
