"""Hand-computed system_power.json examples shared by the power tests.

Each example's comment works out its power by hand from the policy's formulas.
"""

from __future__ import annotations

from submission_checker.power import assess_system_power
from submission_checker.power_data import load_power_defaults

DEFAULTS = load_power_defaults()
URL = "https://vendor.example/spec.pdf"


def vendor(watts: float, key: str = "value_w") -> dict:
    return {key: watts, "source_type": "vendor_spec", "source": URL}


def mlc(watts: float, section: str) -> dict:
    return {"value_w": watts, "source_type": "mlc_default", "source": section}


NO_SCALE_OUT = {"present": False}
NO_SCALE_UP = {"method": "none"}


def component_set(node_set_id="gpu", ensemble=1, nodes=1, **components) -> dict:
    components.setdefault("scale_up_network", NO_SCALE_UP)
    return {
        "node_set_id": node_set_id,
        "system_node_ensemble_id": ensemble,
        "nodes_provisioned": nodes,
        "power_method": "component_sum",
        "components": components,
    }


def descriptor(node_sets, *, cooling="liquid", scale_out=NO_SCALE_OUT, kw=0.0, **extra) -> dict:
    return {
        "system_desc_id": "sys",
        "cooling": cooling,
        "node_sets": node_sets,
        "scale_out": scale_out,
        "provisioned_power_kw": kw,
        **extra,
    }


def assess(raw, facts=None):
    return assess_system_power(raw, DEFAULTS, facts)


def codes(findings) -> list[tuple[str, str]]:
    return [(f.severity, f.code) for f in findings]


def liquid_component_sum() -> dict:
    # 4 nodes × (2 × 350 W x86 CPUs (D.2) + 8 × 1 400 W gb300 (D.3)) + 2 × 800 W scale-up
    # = 2 800 + 44 800 + 1 600 = 49 200 W major; overhead 0.30 → 14 760 W; total 63 960 W
    return descriptor(
        [
            component_set(
                nodes=4,
                cpu={
                    "model": "Xeon 6960P",
                    "count_per_node": 2,
                    "architecture": "x86",
                    "cores": 56,
                    "tdp_per_unit": mlc(350, "D.2"),
                },
                accelerator={
                    "model": "NVIDIA GB300",
                    "count_per_node": 8,
                    "tdp_per_unit": mlc(1400, "D.3"),
                },
                scale_up_network={
                    "method": "declared_tdp",
                    "switch_count": 2,
                    "tdp_per_switch": vendor(800),
                },
            )
        ],
        kw=63.96,
        mlc_estimated_power=True,
        computed={
            "major_components_w": 49200,
            "overhead_fraction": 0.30,
            "other_components_w": 14760,
            "published_node_power_w": 0,
            "scale_out_switch_power_w": 0,
            "total_system_power_w": 63960,
        },
    )


def air_component_sum_with_scale_out() -> dict:
    # 2 nodes × 8 × 1 400 W mi355x (D.3) = 22 400; 2 × 2 × 360 W CPUs = 1 440;
    # scale-up 7.2 TB/s × 8 × 5 pJ/bit = 288; NICs 2 × 8 × 75 W (D.4) = 1 200
    # major 25 328; air overhead 0.50 → 12 664; switches 1 × 2 080 W (sn5610 active optical)
    # total 25 328 + 12 664 + 2 080 = 40 072 W → 40.07 kW
    return descriptor(
        [
            component_set(
                nodes=2,
                cpu={"model": "EPYC 9575F", "count_per_node": 2, "tdp_per_unit": vendor(360)},
                accelerator={
                    "model": "AMD Instinct MI355X",
                    "count_per_node": 8,
                    "tdp_per_unit": mlc(1400, "D.3"),
                },
                scale_up_network={
                    "method": "bandwidth_estimate",
                    "aggregate_bandwidth_tbps": 7.2,
                    "energy_per_bit_pj": {
                        "value_pj": 5,
                        "source_type": "publication",
                        "source": URL,
                    },
                },
            )
        ],
        cooling="air",
        scale_out={
            "present": True,
            "cabling": "active_optical",
            "required_bandwidth_tbps": 6.4,  # 2 nodes × 8 NICs × 400 Gb/s / 1000
            "nics": {
                "count_per_node": 8,
                "bandwidth_per_nic_gbps": 400,
                "counted": True,
                "tdp_per_nic": mlc(75, "D.4"),
            },
            "switches": [
                {
                    "model": "NVIDIA Spectrum SN5610",
                    "count": 1,
                    "bandwidth_tbps": 51.2,
                    "power_per_switch": mlc(2080, "D.4"),
                }
            ],
        },
        kw=40.07,
        mlc_estimated_power=True,
    )


def published_liquid_with_scale_out() -> dict:
    # 18 nodes × 7.5 kW published = 135 000 W; NICs excluded from the published figure:
    # 18 × 4 × 30 W = 2 160 W major, × 0.30 = 648; switches 2 × 670 W (sn5400) = 1 340
    # total 2 160 + 648 + 135 000 + 1 340 = 139 148 W → 139.148 kW → 139.15 (half up)
    return descriptor(
        [
            {
                "node_set_id": "nvl",
                "system_node_ensemble_id": "1",
                "nodes_provisioned": 18,
                "power_method": "published_system",
                "published_power": vendor(7.5, "value_kw"),
            }
        ],
        scale_out={
            "present": True,
            "cabling": "passive",
            "required_bandwidth_tbps": 57.6,  # 18 × 4 × 800 / 1000
            "nics": {
                "count_per_node": 4,
                "bandwidth_per_nic_gbps": 800,
                "counted": True,
                "tdp_per_nic": vendor(30),
                "excluded_from_published_power": True,
            },
            "switches": [
                {
                    "model": "SN5400",
                    "count": 2,
                    "bandwidth_tbps": 51.2,
                    "power_per_switch": mlc(670, "D.4"),
                }
            ],
        },
        kw=139.15,
        mlc_estimated_power=True,
    )


def node_scaling_air(nodes=3, rack=9, rack_kw=120) -> dict:
    return descriptor(
        [
            {
                "node_set_id": "partial",
                "system_node_ensemble_id": 2,
                "nodes_provisioned": nodes,
                "power_method": "node_scaling",
                "published_power": vendor(rack_kw, "value_kw"),
                "nodes_in_published_rack": rack,
            }
        ],
        cooling="air",
    )
