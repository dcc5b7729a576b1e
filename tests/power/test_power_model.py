"""The pure power model (submission_checker.power) against hand-computed values.

Every expected number below is worked out by hand in the comment next to it, from the
policy's formulas (checker-v1.0.md Part B §4.5): major components × (1 + overhead) +
published power + scale-out switches; point power Σ P_s·Y_s/N_s + S·ΣY/ΣN.
"""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest

from submission_checker.power import (
    SystemFacts,
    classify_cooling,
    system_facts_from_description,
)
from submission_checker.power_point import (
    Parallelism,
    assess_point,
    parallelism_from_description,
)

from .power_examples import (
    DEFAULTS,
    air_component_sum_with_scale_out,
    assess,
    codes,
    component_set,
    descriptor,
    liquid_component_sum,
    mlc,
    node_scaling_air,
    published_liquid_with_scale_out,
    vendor,
)

# ---------------------------------------------------------------------------------------------
# Worked examples, one per method


def test_component_sum_liquid_without_scale_out():
    result = assess(liquid_component_sum())
    assert result.findings == ()
    power = result.power
    assert power.major_w == 49200
    assert power.other_w == 14760
    assert power.total_w == 63960
    assert power.provisioned_kw == Fraction("63.96")
    assert [(d.section, d.watts) for d in power.defaults] == [("D.2", 350), ("D.3", 1400)]
    working = power.major_working()
    assert "4 nodes × 8 × 1 400 W accelerators (NVIDIA GB300, D.3 default)" in working
    assert working.startswith("major 49 200 W = 4 nodes × 2 × 350 W CPUs (Xeon 6960P, D.2 default)")


def test_component_sum_air_with_scale_out():
    result = assess(air_component_sum_with_scale_out())
    assert result.findings == ()
    power = result.power
    assert power.major_w == 25328
    assert power.other_w == 12664
    assert power.switches_w == 2080
    assert power.total_w == 40072
    assert power.provisioned_kw == Fraction("40.07")
    assert {d.part for d in power.defaults} == {
        "AMD Instinct MI355X",
        "NIC",
        "NVIDIA Spectrum SN5610",
    }


def test_published_system_liquid_with_scale_out():
    result = assess(published_liquid_with_scale_out())
    assert result.findings == ()
    power = result.power
    assert power.published_w == 135000
    assert power.major_w == 2160
    assert power.other_w == 648
    assert power.switches_w == 1340
    assert power.total_w == 139148
    assert power.provisioned_kw == Fraction("139.15")


def test_published_system_nics_inside_the_published_figure_add_nothing():
    raw = published_liquid_with_scale_out()
    raw["scale_out"]["nics"]["excluded_from_published_power"] = False
    # 135 000 + 1 340 = 136 340 W
    raw["provisioned_power_kw"] = 136.34
    result = assess(raw)
    assert result.findings == ()
    assert result.power.total_w == 136340


def test_component_sum_nics_not_counted_add_nothing():
    raw = air_component_sum_with_scale_out()
    raw["scale_out"]["nics"]["counted"] = False
    # major 25 328 − 1 200 = 24 128; × 1.5 = 36 192; + 2 080 = 38 272 W
    raw["provisioned_power_kw"] = 38.27
    result = assess(raw)
    assert result.findings == ()
    assert result.power.total_w == 38272


def test_node_scaling_air_without_scale_out():
    raw = node_scaling_air()  # 120 000 W × 3/9 = 40 000 W → 40.00 kW
    raw["provisioned_power_kw"] = 40
    result = assess(raw)
    assert result.findings == ()
    assert result.power.published_w == 40000
    assert result.power.total_w == 40000


def test_node_scaling_keeps_exact_thirds():
    raw = node_scaling_air(nodes=3, rack=7, rack_kw=100)  # 300 000 / 7 = 42 857.142857… W
    raw["provisioned_power_kw"] = 42.86
    raw["computed"] = {"published_node_power_w": 42857.142857, "total_system_power_w": 42857.64}
    result = assess(raw)
    assert result.findings == ()
    assert result.power.total_w == Fraction(300000, 7)
    raw["computed"]["total_system_power_w"] = 42857.65  # 0.507… W off
    assert codes(assess(raw).findings) == [("error", "computed-mismatch")]


def test_combined_cpu_accelerator():
    # 2 nodes × 4 × 1 200 W (gb200, D.3) = 9 600; × 1.30 = 12 480 W → 12.48 kW
    raw = descriptor(
        [
            component_set(
                nodes=2,
                combined_cpu_accelerator={
                    "model": "GB200 Superchip",
                    "count_per_node": 4,
                    "tdp_per_unit": mlc(1200, "D.3"),
                },
            )
        ],
        kw=12.48,
    )
    result = assess(raw)
    assert result.power.total_w == 12480
    assert result.power.node_sets[0].accelerators_per_node == 4
    assert result.findings == ()  # mlc_estimated_power absent: no claim to contradict


def test_two_node_sets_and_mixed_methods_add_up():
    raw = liquid_component_sum()
    raw["node_sets"].append(
        {
            "node_set_id": "cpu-pool",
            "system_node_ensemble_id": 2,
            "nodes_provisioned": 2,
            "power_method": "published_system",
            "published_power": vendor(1000),
        }
    )
    # 63 960 + 2 × 1 000 = 65 960 W
    raw["computed"]["published_node_power_w"] = 2000
    raw["computed"]["total_system_power_w"] = 65960
    raw["provisioned_power_kw"] = 65.96
    result = assess(raw)
    assert result.findings == ()
    assert result.power.total_w == 65960


# ---------------------------------------------------------------------------------------------
# Appendix D: every default, and a wrong one


def accelerator_only(model: str, watts: float, section: str = "D.3") -> dict:
    return descriptor(
        [
            component_set(
                accelerator={
                    "model": model,
                    "count_per_node": 1,
                    "tdp_per_unit": mlc(watts, section),
                }
            )
        ]
    )


@pytest.mark.parametrize(
    ("model", "watts"),
    [
        ("GB300", 1400),
        ("NVIDIA GB200", 1200),
        ("B300", 1100),
        ("nvidia b200", 1000),
        ("MI455X", 2500),
        ("MI355X", 1400),
        ("AMD Instinct MI350X", 1000),
        ("TPU v7", 1000),
        ("TN3", 700),
    ],
)
def test_every_accelerator_default(model, watts):
    raw = accelerator_only(model, watts)
    raw["provisioned_power_kw"] = float(Fraction(watts * 13, 10) / 1000)  # × 1.30
    result = assess(raw)
    assert result.findings == ()
    assert result.power.major_w == watts
    assert [d.watts for d in result.power.defaults] == [watts]


def test_a_wrong_default_value_shows_the_table_value():
    result = assess(accelerator_only("B200", 1200))  # b200's default is 1 000 W
    [finding] = [f for f in result.findings if f.code == "default-value"]
    assert finding.field == "node_sets[0].components.accelerator.tdp_per_unit"
    assert "found 1 200 W" in finding.message and "expected 1 000 W" in finding.message
    assert "D.3 default for b200" in finding.message


def test_a_default_for_an_unlisted_part_or_the_wrong_section_is_an_error():
    assert "no-default" in [f.code for f in assess(accelerator_only("H100", 700)).findings]
    assert "default-section" in [
        f.code for f in assess(accelerator_only("GB300", 1400, "D.4")).findings
    ]
    # D.1 holds no figures (the policy's numbers are in D.2–D.4): citing it is the wrong section
    finding = _only(assess(accelerator_only("GB300", 1400, "D.1")).findings, "default-section")
    assert "found D.1, expected D.3 (the Appendix D section of accelerator" in finding.message


@pytest.mark.parametrize(
    ("architecture", "cores", "watts"),
    [("x86", 64, 350), ("x86", 65, 500), ("x86", 128, 500), ("arm", 72, 300), ("arm", 128, 300)],
)
def test_every_cpu_default(architecture, cores, watts):
    raw = descriptor(
        [
            component_set(
                cpu={
                    "model": "cpu",
                    "count_per_node": 1,
                    "architecture": architecture,
                    "cores": cores,
                    "tdp_per_unit": mlc(watts, "D.2"),
                }
            )
        ],
        kw=float(Fraction(watts * 13, 10) / 1000),
    )
    result = assess(raw)
    assert result.findings == ()
    assert result.power.major_w == watts


def test_cpu_default_needs_a_matching_row():
    raw = descriptor(
        [
            component_set(
                cpu={
                    "model": "big arm",
                    "count_per_node": 1,
                    "architecture": "arm",
                    "cores": 129,  # D.2 has no ARM row above 128 cores
                    "tdp_per_unit": mlc(300, "D.2"),
                }
            )
        ],
        kw=0.39,
    )
    [finding] = assess(raw).findings
    assert finding.code == "no-default" and "arm and 129 cores" in finding.message


def switch_descriptor(model: str, watts: float, cabling: str = "passive") -> dict:
    # 1 node, one 1 W vendor accelerator, 1 NIC of 100 Gb/s (not counted), one switch
    return descriptor(
        [component_set(accelerator={"model": "x", "count_per_node": 1, "tdp_per_unit": vendor(1)})],
        scale_out={
            "present": True,
            "cabling": cabling,
            "required_bandwidth_tbps": 0.1,
            "nics": {"count_per_node": 1, "bandwidth_per_nic_gbps": 100, "counted": False},
            "switches": [
                {
                    "model": model,
                    "count": 1,
                    "bandwidth_tbps": 1,
                    "power_per_switch": mlc(watts, "D.4"),
                }
            ],
        },
    )


@pytest.mark.parametrize(
    ("model", "cabling", "watts"),
    [
        ("SN6810LD", "passive", 1960),
        ("SN5610", "passive", 900),
        ("SN5610", "active_optical", 2080),
        ("SN5400", "active_optical", 670),
        ("SN4700", "passive", 630),
    ],
)
def test_every_switch_default(model, cabling, watts):
    raw = switch_descriptor(model, watts, cabling)
    raw["provisioned_power_kw"] = float(_kw(Fraction(13, 10) + watts))
    result = assess(raw)
    assert result.findings == ()
    assert result.power.switches_w == watts


def test_sn5610_default_depends_on_cabling():
    raw = switch_descriptor("SN5610", 2080, "passive")
    [finding] = [f for f in assess(raw).findings if f.code == "default-value"]
    assert "expected 900 W" in finding.message


def test_nic_default_and_scale_up_has_none():
    raw = air_component_sum_with_scale_out()
    raw["scale_out"]["nics"]["tdp_per_nic"] = mlc(80, "D.4")
    assert "expected 75 W" in _only(assess(raw).findings, "default-value").message
    raw = liquid_component_sum()
    raw["node_sets"][0]["components"]["scale_up_network"]["tdp_per_switch"] = mlc(800, "D.4")
    assert "no default for a scale-up network" in _only(assess(raw).findings, "no-default").message


def _kw(watts: Fraction) -> Fraction:
    return round(watts / 1000, 2)


def _only(findings, code):
    [finding] = [f for f in findings if f.code == code]
    return finding


# ---------------------------------------------------------------------------------------------
# The submitter's own numbers: tolerances and working


@pytest.mark.parametrize(("offset", "ok"), [(0.5, True), (-0.5, True), (0.51, False)])
def test_computed_watts_tolerance_edges(offset, ok):
    raw = liquid_component_sum()
    raw["computed"]["total_system_power_w"] = 63960 + offset
    raw["computed"]["major_components_w"] = 49200 + offset
    findings = assess(raw).findings
    assert (findings == ()) is ok
    if not ok:
        assert codes(findings) == [("error", "computed-mismatch")] * 2
        major = findings[0]
        assert major.field == "computed.major_components_w"
        assert "found 49 200.51 W, expected 49 200 W" in major.message
        assert "4 nodes × 8 × 1 400 W accelerators (NVIDIA GB300, D.3 default)" in major.working


@pytest.mark.parametrize(
    ("declared", "ok"), [(63.965, True), (63.955, True), (63.9651, False), (63.9549, False)]
)
def test_provisioned_kw_tolerance_edges(declared, ok):
    raw = liquid_component_sum()
    raw["provisioned_power_kw"] = declared
    findings = assess(raw).findings
    assert (findings == ()) is ok
    if not ok:
        [finding] = findings
        assert finding.field == "provisioned_power_kw"
        assert "expected 63.96 kW" in finding.message
        assert "total 63 960 W = major 49 200 W + overhead 0.3 × major" in finding.working


def test_provisioned_kw_is_rounded_half_up():
    raw = published_liquid_with_scale_out()  # 139.148 kW
    raw["provisioned_power_kw"] = 139.14  # 0.01 below 139.15
    assert codes(assess(raw).findings) == [("error", "provisioned-mismatch")]


def test_overhead_fraction_must_match_cooling():
    raw = liquid_component_sum()
    raw["computed"]["overhead_fraction"] = 0.5
    finding = _only(assess(raw).findings, "computed-mismatch")
    assert finding.field == "computed.overhead_fraction"
    assert "expected 0.3 (liquid cooling)" in finding.message


def test_estimated_flag_against_defaults():
    raw = liquid_component_sum()
    raw["mlc_estimated_power"] = False
    finding = _only(assess(raw).findings, "estimated-flag")
    assert finding.severity == "error" and "2 Appendix D default(s)" in finding.message
    raw = published_liquid_with_scale_out()
    raw["scale_out"]["switches"][0]["power_per_switch"] = vendor(670)
    assert codes(assess(raw).findings) == [("warning", "estimated-flag")]


def test_declared_provisioned_power_that_differs_is_a_warning():
    raw = liquid_component_sum()
    raw["declared_provisioned_power"] = vendor(60, "value_kw")
    assert codes(assess(raw).findings) == [("warning", "declared-differs")]


def test_scale_out_bandwidth():
    raw = air_component_sum_with_scale_out()
    raw["scale_out"]["required_bandwidth_tbps"] = 6.3
    finding = _only(assess(raw).findings, "bandwidth-low")
    assert finding.severity == "error" and "expected at least 6.4 Tb/s" in finding.message
    assert "2 nodes × 8 NICs × 400 Gb/s / 1000 = 6.4 Tb/s" in finding.working
    raw["scale_out"]["required_bandwidth_tbps"] = 7
    assert codes(assess(raw).findings) == [("warning", "bandwidth-high")]
    raw["scale_out"]["required_bandwidth_tbps"] = 6.4
    raw["scale_out"]["switches"][0]["bandwidth_tbps"] = 6.3
    assert codes(assess(raw).findings) == [("error", "switch-bandwidth")]


# ---------------------------------------------------------------------------------------------
# Schema problems are findings, never exceptions


def _broken(mutate) -> list[str]:
    raw = copy.deepcopy(air_component_sum_with_scale_out())
    mutate(raw)
    result = assess(raw)
    assert result.power is None
    assert all(f.severity == "error" and f.code == "schema" for f in result.findings)
    return [f"{f.field}: {f.message}" for f in result.findings]


def _accelerator_tdp(raw):
    return raw["node_sets"][0]["components"]["accelerator"]["tdp_per_unit"]


def test_schema_problems():
    assert any("extra" in p.lower() for p in _broken(lambda r: _accelerator_tdp(r).update(w=1)))
    assert any(
        "exactly one of value_w/value_kw" in p
        for p in _broken(lambda r: _accelerator_tdp(r).update(value_kw=1.4))
    )
    assert any(
        "http(s) URL" in p
        for p in _broken(
            lambda r: _accelerator_tdp(r).update(source_type="vendor_spec", source="datasheet")
        )
    )
    assert any(
        "D.1, D.2, D.3, D.4" in p
        for p in _broken(lambda r: _accelerator_tdp(r).update(source="D.9"))
    )
    assert any(
        "expected one of value_w/value_kw, found value_pj" in p
        for p in _broken(lambda r: _accelerator_tdp(r).update(value_w=None, value_pj=3))
    )
    assert any("a number" in p for p in _broken(lambda r: _accelerator_tdp(r).update(value_w=True)))
    assert any(
        "found both" in p
        for p in _broken(
            lambda r: r["node_sets"][0]["components"].update(
                combined_cpu_accelerator={
                    "model": "gb",
                    "count_per_node": 1,
                    "tdp_per_unit": vendor(1),
                }
            )
        )
    )
    assert any("needs switches" in p for p in _broken(lambda r: r["scale_out"].update(switches=[])))
    assert any("node_sets" in p for p in _broken(lambda r: r.update(node_sets=[])))
    assert any("cooling" in p for p in _broken(lambda r: r.update(cooling="water")))


def test_schema_node_set_rules():
    node_scaling = node_scaling_air(nodes=9, rack=9)
    node_scaling["provisioned_power_kw"] = 1
    result = assess(node_scaling)
    assert "nodes_in_published_rack > nodes_provisioned (9)" in result.findings[0].message
    duplicate = liquid_component_sum()
    duplicate["node_sets"].append(copy.deepcopy(duplicate["node_sets"][0]))
    assert "'gpu' twice" in assess(duplicate).findings[0].message
    no_components = liquid_component_sum()
    del no_components["node_sets"][0]["components"]
    assert "needs components" in assess(no_components).findings[0].message


@pytest.mark.parametrize("raw", [None, [], "x", 3, {"cooling": "air"}, {"node_sets": [None]}])
def test_not_a_descriptor(raw):
    result = assess(raw)
    assert result.power is None and result.findings


# ---------------------------------------------------------------------------------------------
# Facts from the system description: cooling and ensemble ids


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Direct liquid cooling", "liquid"),
        ("water-cooled cold plates", "liquid"),
        ("Immersion", "liquid"),
        ("Air", "air"),
        ("air-assisted liquid", "mixed"),
        ("N/A", None),
    ],
)
def test_classify_cooling(text, kind):
    assert classify_cooling(text) == kind


@pytest.mark.parametrize(
    ("texts", "cooling", "code"),
    [
        (("Liquid (DLC)",), "liquid", None),
        (("Liquid (DLC)",), "air", "cooling-mismatch"),
        (("air",), "liquid", "cooling-mismatch"),
        (("hybrid air/liquid",), "air", None),
        (("liquid", "air"), "liquid", "cooling-mismatch"),
        ((), "liquid", "cooling-unknown"),
    ],
)
def test_cooling_agreement(texts, cooling, code):
    raw = liquid_component_sum()
    raw["cooling"] = cooling
    if cooling == "air":  # × 1.5: 49 200 × 1.5 = 73 800
        raw["computed"] = {}
        raw["provisioned_power_kw"] = 73.8
    found = [f.code for f in assess(raw, SystemFacts(cooling_texts=texts)).findings]
    assert found == ([code] if code else [])


def test_unknown_ensemble_is_a_warning():
    facts = SystemFacts(cooling_texts=("liquid",), ensemble_ids=frozenset({7}))
    [finding] = assess(liquid_component_sum(), facts).findings
    assert (finding.severity, finding.code) == ("warning", "unknown-ensemble")
    assert "found 1" in finding.message and "(7)" in finding.message


def test_system_facts_from_description():
    facts = system_facts_from_description(
        {
            "node_types": [
                {
                    "system_node_ensemble_id": "1",
                    "cooling": "Liquid",
                    "accelerator_info": [{"accelerators_per_node": "8"}],
                },
                {"system_node_ensemble_id": 2, "cooling": " "},
                "junk",
            ]
        }
    )
    assert facts.cooling_texts == ("Liquid",)
    assert facts.ensemble_ids == {1, 2}
    assert dict(facts.accelerators_per_node) == {1: 8}
    assert system_facts_from_description([]) == SystemFacts()


# ---------------------------------------------------------------------------------------------
# Per point: nodes used, point power, tokens/s per kW, maximal engagement


def point(raw, **kwargs):
    power = assess(raw).power
    assert power is not None
    return assess_point(power, DEFAULTS, **kwargs)


def test_point_power_half_the_nodes():
    # set P = 25 328 × 1.5 = 37 992 W; 1 of 2 nodes: 18 996; switches 2 080 × 1/2 = 1 040
    # point 20 036 W = 20.036 kW; 20 036 tokens/s → exactly 1 000 tokens/s per kW
    result = point(
        air_component_sum_with_scale_out(),
        nodes_used=[{"system_node_ensemble_id": 1, "nodes": 1}],
        system_tps=20036.0,
        stored_tps_per_kw=1000,
    )
    assert result.power.watts == 20036
    assert result.tps_per_kw == 1000
    assert result.nodes_used == () and result.tps_per_kw_findings == ()
    assert "point 20.036 kW = (gpu 37 992 W × 1/2 + switches 2 080 W × 1/2)" in (
        result.power.working()
    )


def test_point_power_defaults_to_every_node():
    result = point(air_component_sum_with_scale_out())
    assert result.power.watts == 37992 + 2080  # 40 072 W, the whole system


def test_point_power_over_two_sets():
    raw = liquid_component_sum()  # gpu: P = 63 960 W, 4 nodes, ensemble 1
    raw["node_sets"].append(
        {
            "node_set_id": "pool",
            "system_node_ensemble_id": 2,
            "nodes_provisioned": 2,
            "power_method": "published_system",
            "published_power": vendor(1000),
        }
    )
    raw["scale_out"] = {
        "present": True,
        "cabling": "passive",
        "required_bandwidth_tbps": 2.4,  # 6 nodes × 1 × 400 / 1000
        "nics": {"count_per_node": 1, "bandwidth_per_nic_gbps": 400, "counted": False},
        "switches": [
            {"model": "SN4700", "count": 1, "bandwidth_tbps": 12.8, "power_per_switch": vendor(600)}
        ],
    }
    # gpu 63 960 × 2/4 = 31 980; pool 2 000 × 1/2 = 1 000; switches 600 × 3/6 = 300 → 33 280 W
    result = point(
        raw,
        nodes_used=[
            {"system_node_ensemble_id": 2, "nodes": 1},
            {"system_node_ensemble_id": 1, "nodes": 2},
        ],
    )
    assert result.power.watts == 33280


@pytest.mark.parametrize(("stored", "ok"), [(1010, True), (990, True), (1010.01, False)])
def test_tps_per_kw_one_percent_edges(stored, ok):
    result = point(air_component_sum_with_scale_out(), system_tps=40072.0, stored_tps_per_kw=stored)
    assert result.tps_per_kw == 1000  # 40 072 tokens/s / 40.072 kW
    assert (result.tps_per_kw_findings == ()) is ok
    if not ok:
        [finding] = result.tps_per_kw_findings
        assert "found 1 010.01, expected 1 000" in finding.message
        assert "40 072 tokens/s / point 40.072 kW" in finding.working


def test_tps_per_kw_not_stored_is_derived_only():
    result = point(air_component_sum_with_scale_out(), system_tps=40072.0)
    assert result.tps_per_kw == 1000 and result.tps_per_kw_findings == ()


@pytest.mark.parametrize(
    ("nodes_used", "code"),
    [
        ("all", "nodes-used-invalid"),
        ([{"system_node_ensemble_id": 1, "nodes": 0}], "nodes-used-range"),
        ([{"system_node_ensemble_id": 1, "nodes": 3}], "nodes-used-range"),
        ([{"system_node_ensemble_id": 9, "nodes": 1}], "nodes-used-ensemble"),
        (
            [
                {"system_node_ensemble_id": 1, "nodes": 1},
                {"system_node_ensemble_id": 1, "nodes": 1},
            ],
            "nodes-used-duplicate",
        ),
        ([{"system_node_ensemble_id": 1, "nodes": "2"}], "nodes-used-invalid"),
    ],
)
def test_nodes_used_errors(nodes_used, code):
    result = point(air_component_sum_with_scale_out(), nodes_used=nodes_used)
    assert [f.code for f in result.nodes_used] == [code]


def test_two_sets_on_one_ensemble_cannot_be_told_apart():
    raw = node_scaling_air()
    raw["node_sets"].append({**raw["node_sets"][0], "node_set_id": "other"})
    result = point(raw, nodes_used=[{"system_node_ensemble_id": 2, "nodes": 1}])
    [finding] = result.nodes_used
    assert "matches 2 node sets" in finding.message


def engaged(dp=None, tp=None, nodes=2, shortfall=None):
    # 2 nodes × 8 mi355x = 16 accelerators provisioned for the point
    return point(
        air_component_sum_with_scale_out(),
        nodes_used=[{"system_node_ensemble_id": 1, "nodes": nodes}],
        parallelism=Parallelism(data=dp, tensor=tp),
        dp_shortfall=shortfall,
    )


def test_maximal_engagement_met():
    result = engaged(dp=2, tp=8)  # 16 // 8 = 2
    assert result.engagement == () and result.nodes_used == ()


def test_dp_above_what_the_nodes_hold():
    result = engaged(dp=3, tp=8)
    assert [f.code for f in result.engagement] == ["engagement-over"]
    assert "floor(16 accelerators / 8 per replica (TP × PP × EP)) = 2" in (
        result.engagement[0].working
    )
    [capacity] = result.nodes_used
    assert capacity.code == "nodes-used-capacity"
    assert "found 16 accelerators" in capacity.message and "at least 24" in capacity.message


def test_dp_shortfall():
    assert [f.code for f in engaged(dp=1, tp=8).engagement] == ["engagement-shortfall-undeclared"]
    matching = {"dp_actual": 1, "dp_formula": 2, "reason": "KV cache limit"}
    [finding] = engaged(dp=1, tp=8, shortfall=matching).engagement
    assert (finding.severity, finding.code) == ("warning", "engagement-shortfall")
    wrong = {**matching, "dp_formula": 3}
    [finding] = engaged(dp=1, tp=8, shortfall=wrong).engagement
    assert (finding.severity, finding.code) == ("error", "engagement-shortfall-mismatch")
    assert "expected dp_actual 1, dp_formula 2" in finding.message


def test_more_nodes_than_needed_is_a_warning():
    result = engaged(dp=1, tp=8, shortfall={"dp_actual": 1, "dp_formula": 2, "reason": "r"})
    assert [(f.severity, f.code) for f in result.nodes_used] == [("warning", "nodes-used-spare")]


def test_engagement_skipped_with_a_warning():
    assert [f.code for f in engaged().engagement] == ["engagement-no-parallelism"]
    result = point(
        air_component_sum_with_scale_out(), parallelism=Parallelism(data=2, disaggregated=True)
    )
    assert [f.code for f in result.engagement] == ["engagement-disaggregated"]
    published = point(published_liquid_with_scale_out(), parallelism=Parallelism(data=4))
    assert [f.code for f in published.engagement] == ["engagement-unknown-accelerators"]
    facts = SystemFacts(accelerators_per_node={1: 4})  # 18 nodes × 4 = 72 → DP 72 with TP 1
    known = assess_point(
        assess(published_liquid_with_scale_out()).power,
        DEFAULTS,
        parallelism=Parallelism(data=72),
        facts=facts,
    )
    assert known.engagement == ()


def test_parallelism_from_description():
    parallelism = parallelism_from_description(
        {"tensor_parallel": 8, "config_summary": {"data_parallel": "2", "tensor_parallel": 4}}
    )
    assert (parallelism.data, parallelism.tensor, parallelism.pipeline) == (2, 8, None)
    assert parallelism.accelerators_needed == 16
    broken = parallelism_from_description({"data_parallel": 0, "disaggregated": True})
    assert broken.unreadable == ("data_parallel=0",) and broken.disaggregated
