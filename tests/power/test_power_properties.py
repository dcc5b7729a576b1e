"""Properties of the power model: it never raises, and node-set order does not matter."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker.power import SystemFacts, assess_system_power
from submission_checker.power_data import load_power_defaults
from submission_checker.power_point import Parallelism, assess_point

DEFAULTS = load_power_defaults()
URL = "https://vendor.example/spec"

numbers = st.one_of(
    st.integers(min_value=0, max_value=5000),
    st.decimals(min_value=0, max_value=5000, places=3).map(float),
)


@st.composite
def sourced(draw, defaults=("D.2", "D.3", "D.4"), unit="value_w"):
    if draw(st.booleans()):
        return {
            unit: draw(numbers),
            "source_type": "mlc_default",
            "source": draw(st.sampled_from(defaults)),
        }
    kind = draw(st.sampled_from(["vendor_spec", "publication", "public_statement"]))
    return {unit: draw(numbers), "source_type": kind, "source": URL}


models = st.sampled_from(["GB300", "B200", "MI355X", "TPU v7", "H100", "Xeon", "SN5610", "x"])
counts = st.integers(min_value=0, max_value=16)


@st.composite
def part(draw, cpu=False):
    value = {"model": draw(models), "count_per_node": draw(counts), "tdp_per_unit": draw(sourced())}
    if cpu and draw(st.booleans()):
        value["architecture"] = draw(st.sampled_from(["x86", "arm"]))
        value["cores"] = draw(st.integers(min_value=1, max_value=256))
    return value


@st.composite
def scale_up(draw):
    method = draw(st.sampled_from(["none", "declared_tdp", "bandwidth_estimate"]))
    if method == "declared_tdp":
        return {"method": method, "switch_count": draw(counts), "tdp_per_switch": draw(sourced())}
    if method == "bandwidth_estimate":
        return {
            "method": method,
            "aggregate_bandwidth_tbps": draw(numbers),
            "energy_per_bit_pj": draw(sourced(unit="value_pj")),
        }
    return {"method": method}


@st.composite
def node_set(draw, index):
    nodes = draw(st.integers(min_value=1, max_value=64))
    method = draw(st.sampled_from(["component_sum", "published_system", "node_scaling"]))
    value = {
        "node_set_id": f"set-{index}",
        "system_node_ensemble_id": draw(st.integers(min_value=0, max_value=3)),
        "nodes_provisioned": nodes,
        "power_method": method,
    }
    if method == "component_sum":
        components = {"scale_up_network": draw(scale_up())}
        if draw(st.booleans()):
            components["combined_cpu_accelerator"] = draw(part())
        else:
            components["cpu"] = draw(part(cpu=True))
            if draw(st.booleans()):
                components["accelerator"] = draw(part())
        value["components"] = components
    else:
        value["published_power"] = draw(sourced(defaults=("D.1",)))
        if method == "node_scaling":
            value["nodes_in_published_rack"] = nodes + draw(st.integers(min_value=1, max_value=64))
    return value


@st.composite
def descriptors(draw):
    sets = [draw(node_set(i)) for i in range(draw(st.integers(min_value=1, max_value=4)))]
    scale_out = {"present": False}
    if draw(st.booleans()):
        scale_out = {
            "present": True,
            "cabling": draw(st.sampled_from(["passive", "active_optical"])),
            "required_bandwidth_tbps": draw(numbers),
            "nics": {
                "count_per_node": draw(counts),
                "bandwidth_per_nic_gbps": draw(numbers),
                "counted": draw(st.booleans()),
                "tdp_per_nic": draw(sourced()),
                "excluded_from_published_power": draw(st.booleans()),
            },
            "switches": [
                {
                    "model": draw(models),
                    "count": draw(counts),
                    "bandwidth_tbps": draw(numbers),
                    "power_per_switch": draw(sourced()),
                }
                for _ in range(draw(st.integers(min_value=1, max_value=3)))
            ],
        }
    return {
        "system_desc_id": "s",
        "cooling": draw(st.sampled_from(["liquid", "air"])),
        "node_sets": sets,
        "scale_out": scale_out,
        "provisioned_power_kw": draw(numbers),
        "mlc_estimated_power": draw(st.sampled_from([True, False, None])),
        "computed": {"total_system_power_w": draw(numbers)},
    }


def _summary(result):
    power = result.power
    totals = None
    if power is not None:
        totals = (power.major_w, power.other_w, power.published_w, power.switches_w, power.total_w)
    findings = sorted((f.severity, f.code) for f in result.findings)
    return totals, findings


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(descriptors(), st.randoms(use_true_random=False), st.data())
def test_valid_descriptors_never_raise_and_ignore_node_set_order(raw, random, data):
    facts = SystemFacts(cooling_texts=("air",), ensemble_ids=frozenset({0, 1}))
    result = assess_system_power(raw, DEFAULTS, facts)
    assert result.power is not None, result.findings  # the strategy only draws valid files
    shuffled = dict(raw, node_sets=random.sample(raw["node_sets"], len(raw["node_sets"])))
    again = assess_system_power(shuffled, DEFAULTS, facts)
    assert _summary(again) == _summary(result)

    nodes_used = data.draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "system_node_ensemble_id": st.integers(min_value=0, max_value=4),
                    "nodes": st.integers(min_value=-1, max_value=70),
                }
            ),
            max_size=4,
        )
    )
    parallelism = Parallelism(
        data=data.draw(st.integers(min_value=1, max_value=64)),
        tensor=data.draw(st.sampled_from([None, 1, 2, 8])),
    )
    points = [
        assess_point(
            r.power,
            DEFAULTS,
            nodes_used=nodes_used,
            parallelism=parallelism,
            system_tps=1234.5,
            stored_tps_per_kw=10.0,
            facts=facts,
        )
        for r in (result, again)
    ]
    assert points[0].power.watts == points[1].power.watts
    assert points[0].tps_per_kw == points[1].tps_per_kw
    for p in points:
        assert p.power.watts >= 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["node_sets", "cooling", "scale_out", "value_w", "source", "nodes", "x", "present"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_gives_findings_not_exceptions(raw):
    result = assess_system_power(raw, DEFAULTS, SystemFacts())
    assert result.power is None or result.descriptor is not None
    if result.power is None:
        assert result.findings


@settings(max_examples=200, deadline=None)
@given(descriptors(), json_values, json_values, json_values)
def test_any_point_fields_give_findings_not_exceptions(raw, nodes_used, shortfall, stored):
    power = assess_system_power(raw, DEFAULTS).power
    assessment = assess_point(
        power,
        DEFAULTS,
        nodes_used=nodes_used,
        parallelism=Parallelism(data=2, tensor=4),
        dp_shortfall=shortfall,
        system_tps=100.0,
        stored_tps_per_kw=stored,
    )
    assert assessment.power.watts >= 0
