#!/usr/bin/env python3
"""Generate the example round v1.0 submission under examples/submission-v1.0/.

    python examples/make_example_submission_v1.py        # rewrite examples/submission-v1.0/
    submission-checker check examples/submission-v1.0/ExampleOrg --round v1.0

The tree (spec checker-v1.0.md, Part B §1) is one organisation (ExampleOrg), one submission
(``example-submission``), one Serviced system (so no ``system_power.json`` is needed) and one
allowed model, ``llama3_1-8b``, measured at nine points: C = 1 (Ultra Low), 4 (Low), 16, 32
(Medium), 64, 128, 256 = C_max (High), 272 (margin) and a dedicated Offline point (r512). The
lowest point makes C_min = 1, so with C_max = 256 the regions are 1 | 2–7 | 8–41 | 42–256 |
margin 257–282. Accuracy results sit at one point per mandatory band (1, 4, 32, 256) and at the
Offline point. Every point uses seed set A, targets cohort 2026-11-C0, has warm-up and
steady-state blocks, and runs longer than its minimum duration.

The numbers are synthetic but self-consistent: tps = output tokens / duration, tps_per_user =
1000 / TPOT p90 in ms, completed = issued with no failures, successful samples ≥ the dataset
minimum, tps_utilization = tps / the curve's highest tps. The output is deterministic, so the
committed tree can be compared byte for byte with a fresh run.

``write_submission_v1`` is also the fixture builder of the v1.0 checker tests
(``tests/checker_v1/builder.py`` loads this file, as the v0.7 tests load
``make_example_submission.py``): one place writes valid v1.0 trees, for the shipped example and
for every test that starts from a valid tree and applies one mutation. It lives here rather
than in the package because it is example/fixture code that users' installs do not need.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from submission_checker.regions_v1 import compute_regions_v1, derive_c_min

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "submission-v1.0"

#: Seed set A of the packaged registry (data/v1.0/seed_sets.yaml).
SEED_SET_A = {
    "scheduler_rng_seed": 10487924139932647040,
    "sample_index_rng_seed": 586478644936801402,
    "model_seed": 9315206023656308754,
}

#: Per model: dataset and its minimum successful samples (data/v1.0.yaml), the model card, and
#: an accuracy result that meets the official targets.
MODELS: dict[str, dict[str, Any]] = {
    "llama3_1-8b": {
        "hf_id": "meta-llama/Llama-3.1-8B-Instruct",
        "link_to_model": "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
        "dataset": "cnn_dailymail",
        "dataset_link": "https://huggingface.co/datasets/abisee/cnn_dailymail",
        "min_samples": 13368,
        "accuracy_samples": 13368,
        "score": {
            "rouge1": 38.9512,
            "rouge2": 16.0217,
            "rougel": 24.6105,
            "rougelsum": 35.9733,
            "gen_len": 8167644,
        },
        "output_tokens_per_sample": 130,
        "single_user_tps": 220.0,
        "agentic": False,
    },
    "gpt-oss-120b": {
        "hf_id": "openai/gpt-oss-120b",
        "link_to_model": "https://huggingface.co/openai/gpt-oss-120b",
        "dataset": "mlperf_gpt_oss_performance",
        "dataset_link": "https://github.com/mlcommons/inference/tree/master/language/gpt-oss-120b",
        "min_samples": 6396,
        "accuracy_dataset": "mlperf_gpt_oss_accuracy",
        "accuracy_samples": 4395,
        "score": {"exact_match": 83.1042},
        "output_tokens_per_sample": 1100,
        "single_user_tps": 180.0,
        "agentic": False,
    },
    "deepseek-r1": {
        "hf_id": "deepseek-ai/DeepSeek-R1",
        "link_to_model": "https://huggingface.co/deepseek-ai/DeepSeek-R1",
        "dataset": "math500",
        "dataset_link": "https://github.com/mlcommons/inference/tree/master/language/deepseek-r1",
        "min_samples": 500,
        "accuracy_dataset": "deepseek_r1_accuracy_mix",
        "accuracy_samples": 4388,
        "score": {"exact_match": 81.3582},
        "output_tokens_per_sample": 3800,
        "single_user_tps": 120.0,
        "agentic": False,
    },
    # An agentic model (load pattern agentic_inference): its accuracy is the inline score of
    # every point plus a swe_bench result per band, against the floors of data/v1.0.yaml
    # (agentic_accuracy: inline 58.32, swe_bench 93.5, full-run OSL mean 425-520). The agentic
    # dataset has no minimum in the round data (min-query-count warns about it).
    "kimi-k3": {
        "hf_id": "moonshotai/Kimi-K3",
        "link_to_model": "https://huggingface.co/moonshotai/Kimi-K3",
        "dataset": "swe_bench",
        "dataset_link": "https://huggingface.co/datasets/princeton-nlp/SWE-bench_Verified",
        "min_samples": 500,
        "inline_score": 0.6125,
        "swe_bench_score": 0.948,
        "full_run_osl_avg": 472.5,
        "output_tokens_per_sample": 470,
        "single_user_tps": 90.0,
        "agentic": True,
    },
}

PERCENTILE_KEYS = ("99.9", "99.0", "97.0", "95.0", "90.0", "80.0", "75.0", "50.0")
PERCENTILE_KEYS += ("25.0", "10.0", "5.0", "1.0")
_NOT_DIR_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class PointSpec:
    """One measurement point: its concurrency, ``offline`` declaration and accuracy result."""

    concurrency: int
    offline: str = "none"
    accuracy: bool = False


DEFAULT_POINTS = (
    PointSpec(1, accuracy=True),
    PointSpec(4, accuracy=True),
    PointSpec(16),
    PointSpec(32, accuracy=True),
    PointSpec(64),
    PointSpec(128),
    PointSpec(256, accuracy=True),
    PointSpec(272),
    PointSpec(512, offline="dedicated", accuracy=True),
)


#: An agentic curve (use with ``model="kimi-k3", max_concurrency=128``): 7 points, no Offline
#: point, band results at 1, 4, 16 and 128; regions 1 | 2–6 | 7–26 | 27–128 | margin 129–141.
AGENTIC_POINTS = (
    PointSpec(1, accuracy=True),
    PointSpec(4, accuracy=True),
    PointSpec(16, accuracy=True),
    PointSpec(32),
    PointSpec(64),
    PointSpec(128, accuracy=True),
    PointSpec(140),
)


#: 32 points (the cap) for C_max = 1024, for benchmark trees: C_min = 1 gives the regions
#: 1 | 2–11 | 12–103 | 104–1024 | margin 1025–1127; accuracy at 1, 8, 64, 1024 and the Offline
#: point r2048.
BENCH_POINTS = (
    PointSpec(1, accuracy=True),
    *(PointSpec(c) for c in (2, 4)),
    PointSpec(8, accuracy=True),
    *(PointSpec(c) for c in (10, 11, 12, 16, 24, 32, 40, 48, 56)),
    PointSpec(64, accuracy=True),
    *(PointSpec(c) for c in (80, 96, 103, 104, 128, 160, 192, 256, 320, 384, 512, 640, 768, 896)),
    PointSpec(1024, accuracy=True),
    *(PointSpec(c) for c in (1056, 1100)),
    PointSpec(2048, offline="dedicated", accuracy=True),
)


@dataclass(frozen=True)
class TreeSpec:
    """Everything ``write_submission_v1`` varies; the defaults are the shipped example.

    ``division="Standardized"`` writes no ``system_power.json`` (for ``power-descriptor``
    tests); ``model="kimi-k3", max_concurrency=128, points=AGENTIC_POINTS`` is an agentic curve.
    """

    org: str = "ExampleOrg"
    submission_id: str = "example-submission"
    implementation: str = "vllm-llama3_1-8b"
    system_name: str = "Example Cloud Endpoint"
    division: str = "Serviced"
    model: str = "llama3_1-8b"
    max_concurrency: int = 256
    points: tuple[PointSpec, ...] = DEFAULT_POINTS
    seed_set: str = "A"
    target_cohort: str = "2026-11-C0"
    extra_system_desc: dict[str, Any] = field(default_factory=dict)

    @property
    def agentic(self) -> bool:
        """An agentic curve: its model's load pattern is agentic_inference."""
        return MODELS[self.model]["agentic"]

    @property
    def system_dir(self) -> str:
        """``system_name`` as a directory name (A2.9: every char outside [A-Za-z0-9._-] → _)."""
        return _NOT_DIR_SAFE.sub("_", self.system_name)

    def point(self, concurrency: int) -> PointSpec:
        return next(p for p in self.points if p.concurrency == concurrency)


# ---------------------------------------------------------------------------------------------
# Numbers of a point (pure)


@dataclass(frozen=True)
class PointNumbers:
    """The measured numbers of one point, consistent with each other."""

    samples: int
    output_tokens: int
    duration_ns: int
    tpot_p90_ns: float

    @property
    def duration_s(self) -> float:
        return self.duration_ns / 1e9

    @property
    def tps(self) -> float:
        return self.output_tokens / self.duration_s

    @property
    def tps_per_user(self) -> float:
        return 1000 / (self.tpot_p90_ns / 1e6)


def minimum_duration_s(concurrency: int, agentic: bool = False) -> int:
    """point-duration minimum (data/v1.0.yaml): 600 s for C ≤ 32, else 1200 s (2400 s for an
    agentic curve)."""
    if concurrency <= 32:
        return 600
    return 2400 if agentic else 1200


def point_numbers(spec: TreeSpec, point: PointSpec) -> PointNumbers:
    """Per-user speed falls with concurrency; the run is one pass over the dataset or long
    enough that 90 % of it (the steady-state window) still exceeds the minimum duration."""
    model = MODELS[spec.model]
    c = point.concurrency
    per_user_p90 = model["single_user_tps"] / (1 + c / 48)  # tokens/s of a slow (p90) request
    system_tps = c * per_user_p90 * 1.1  # the mean request is ~10 % faster than the p90 one
    per_sample = model["output_tokens_per_sample"]
    minimum_s = minimum_duration_s(c, spec.agentic)
    long_enough = math.ceil(1.25 * minimum_s * system_tps / per_sample)
    samples = max(model["min_samples"], long_enough)
    tokens = samples * per_sample
    return PointNumbers(
        samples=samples,
        output_tokens=tokens,
        duration_ns=round(tokens / system_tps * 1e9),
        tpot_p90_ns=1e9 / per_user_p90,
    )


def curve_numbers(spec: TreeSpec) -> dict[int, PointNumbers]:
    return {p.concurrency: point_numbers(spec, p) for p in spec.points}


# ---------------------------------------------------------------------------------------------
# File contents (pure)


def system_description(spec: TreeSpec, tps_utilization: float) -> dict[str, Any]:
    """A complete §8.2 system description (B§4.2) for one point."""
    desc: dict[str, Any] = {
        "submitter_org_names": spec.org,
        "submitter_contact": "perf-team@example.org",
        "system_name": spec.system_name,
        "shortened_system_name": "Example Cloud",
        "system_category": "datacenter",
        "division": spec.division,
        "system_availability_status": "Available",
        "availability_url": "https://cloud.example.org/llm-endpoints",
        "max_supported_concurrency": spec.max_concurrency,
        "system_size": "1 node",
        "system_node_ensemble_count": 1,
        "system_node_ensemble_total": 1,
        "serving_framework": "vLLM 0.11.0",
        "model_precision": "bf16",
        "link_to_model": MODELS[spec.model]["link_to_model"],
        "config_summary": {
            "disaggregated": False,
            "tensor_parallel": 1,
            "pipeline_parallel": 1,
            "expert_parallel": 1,
            "data_parallel": 8,
            "batch": 256,
        },
        "tps_utilization": tps_utilization,
        "node_types": [
            {
                "system_node_ensemble_id": 0,
                "number_of_nodes": 1,
                "host_processor_model_name": "Example x86 CPU",
                "host_processors_per_node": 2,
                "host_processor_core_count": 64,
                "host_memory_capacity": "2 TB",
                "host_memory_configuration": "32x 64 GB DDR5-5600",
                "host_network_card_count": "2",
                "driver": "NVIDIA 570.86.15",
                "filesystem": "ext4 on local NVMe",
                "cooling": "air",
                "operating_system": "Ubuntu 24.04",
                "inference_backend": "vLLM 0.11.0",
                "accelerator_info": [
                    {
                        "accelerator_model_name": "NVIDIA H200",
                        "accelerators_per_node": 8,
                        "accelerator_memory_capacity": "141 GB",
                        "accelerator_memory_type": "HBM3e",
                        "accelerator_interconnect": "NVLink 4",
                        "accelerator_host_interconnect": "PCIe 5.0 x16",
                    }
                ],
            }
        ],
    }
    desc.update(spec.extra_system_desc)
    return desc


def point_config(spec: TreeSpec, point: PointSpec, numbers: PointNumbers) -> dict[str, Any]:
    """point.yaml (B§4.1): the §8.3 disclosure of one point, seeds of the chosen set."""
    model = MODELS[spec.model]
    c = point.concurrency
    dedicated = point.offline == "dedicated"
    config: dict[str, Any] = {"concurrency": c}
    if not dedicated:
        config["region"] = _region(spec, c)
    config.update(
        {
            "offline": point.offline,
            "dataset": model["dataset"],
            "division": spec.division,
            "max_supported_concurrency": spec.max_concurrency,
            "model_name": spec.model,
            "model_precision": "bf16",
            "link_to_model": model["link_to_model"],
            "dataset_name": model["dataset"],
            "dataset_type": "Performance",
            "dataset_link": model["dataset_link"],
            "shared_src": f"src/{spec.implementation}",
            "shared_docs": "docs",
            "seed_set": spec.seed_set,
            "target_cohort": spec.target_cohort,
            "runtime_settings": {
                "load_pattern": _load_pattern(spec, point),
                "min_duration_ms": minimum_duration_s(c, spec.agentic) * 1000,
                "min_sample_count": model["min_samples"],
                "stream_all_chunks": True,
                "runtime": dict(SEED_SET_A),
                "warmup": {"salt": False},
            },
            "warmup": {
                "duration_s": 120.0,
                "requests_issued": 2 * c + 64,
                "requests_completed": 2 * c + 64,
                "data_source": f"{model['dataset']} performance set (responses discarded)",
                "concurrency": c,
                "initialization_steps": ["load weights", "capture CUDA graphs"],
                "logs_retained": True,
                "link_logs": "docs/warmup-logs.md",
            },
            "steady_state": _steady_state(numbers),
        }
    )
    return config


def _load_pattern(spec: TreeSpec, point: PointSpec) -> str:
    if point.offline == "dedicated":
        return "max_throughput"
    return "agentic_inference" if spec.agentic else "concurrency"


def _region(spec: TreeSpec, concurrency: int) -> str:
    """The region a point declares, from the checker's own arithmetic (tested on its own)."""
    c_min = derive_c_min(p.concurrency for p in spec.points)
    regions = compute_regions_v1(spec.max_concurrency, c_min.value)
    return regions.classify(concurrency) or "submitters_choice"


def _steady_state(numbers: PointNumbers) -> dict[str, Any]:
    """A windowable steady state over super-passes 2–7 of 8 (90 % of the run's time)."""
    size = numbers.samples // 8
    return {
        "status": "windowable",
        "verdict": "STEADY STATE",
        "window": {
            "super_pass_start": 2,
            "super_pass_end": 7,
            "super_pass_size": size,
            "n_samples": 6 * size,
            "duration_s": round(0.9 * numbers.duration_s, 1),
        },
        "state": {"tps": "Plateau", "tpot_p90": "Plateau", "ttft_p90": "Plateau"},
    }


def run_config(spec: TreeSpec, point: PointSpec, numbers: PointNumbers) -> dict[str, Any]:
    """config.yaml as inference-endpoint writes it for the run (shape of the real samples)."""
    model = MODELS[spec.model]
    dedicated = point.offline == "dedicated"
    datasets: list[dict[str, Any]] = [
        {
            "name": model["dataset"],
            "type": "performance",
            "path": f"/srv/bench/datasets/{model['dataset']}_performance.jsonl",
            "parser": {"prompt": "input"},
        }
    ]
    if point.accuracy:
        datasets.append(
            {
                "name": model["dataset"],
                "type": "accuracy",
                "path": f"/srv/bench/datasets/{model['dataset']}_accuracy.jsonl",
                "parser": {"prompt": "input"},
                "accuracy_config": {
                    "eval_method": "rouge",
                    "ground_truth": "output",
                    "num_repeats": 1,
                },
            }
        )
    return {
        "name": f"{spec.model}-c{point.concurrency}",
        "version": "1.0",
        "type": "submission",
        "submission_ref": {"model": spec.model, "ruleset": "mlperf-endpoints-v1.0"},
        "benchmark_mode": "offline" if dedicated else "online",
        "model_params": {
            "name": model["hf_id"],
            "temperature": 0.0,
            "max_new_tokens": 1024,
            "streaming": "on",
        },
        "datasets": datasets,
        "settings": {
            "runtime": {
                "min_duration_ms": minimum_duration_s(point.concurrency, spec.agentic) * 1000,
                "max_duration_ms": 0,
                "n_samples_to_issue": numbers.samples,
                "scheduler_random_seed": SEED_SET_A["scheduler_rng_seed"],
                "dataloader_random_seed": SEED_SET_A["sample_index_rng_seed"],
            },
            "load_pattern": {
                "type": _load_pattern(spec, point),
                "target_concurrency": point.concurrency,
            },
            "client": {"num_workers": 4, "stream_all_chunks": True},
            "warmup": {"enabled": True, "salt": False, "drain": True},
        },
        "endpoint_config": {
            "endpoints": ["https://cloud.example.org/llm-endpoints/v1"],
            "api_type": "openai",
        },
        "report_dir": f"/srv/bench/runs/{spec.model}_c{point.concurrency}",
    }


def _distribution(p90: float, total: float) -> dict[str, Any]:
    """A latency/size block as inference-endpoint writes it: percentile keys like "90.0"."""
    percentiles = {key: p90 * (0.6 + float(key) / 225) for key in PERCENTILE_KEYS}
    percentiles["90.0"] = p90
    return {
        "total": total,
        "min": percentiles["1.0"],
        "max": percentiles["99.9"],
        "median": percentiles["50.0"],
        "avg": percentiles["50.0"] * 1.02,
        "percentiles": percentiles,
    }


def result_summary(spec: TreeSpec, point: PointSpec, numbers: PointNumbers) -> dict[str, Any]:
    """result_summary.json shaped like inference-endpoint's (``tps``, not ``system_tps``)."""
    per_sample = MODELS[spec.model]["output_tokens_per_sample"]
    n = numbers.samples
    ttft_p90 = 40e6 + point.concurrency * 0.5e6
    osl = _distribution(per_sample * 1.4, numbers.output_tokens)
    osl.update({"min": 24, "max": 1024, "median": float(per_sample - 10), "avg": float(per_sample)})
    summary: dict[str, Any] = {
        "version": "0.1.0",
        "git_sha": "ea33275",
        "test_started_at": 0,
        "n_samples_issued": n,
        "n_samples_completed": n,
        "n_samples_failed": 0,
        "duration_ns": numbers.duration_ns,
        "state": "complete",
        "complete": True,
        "ttft": _distribution(ttft_p90, ttft_p90 * 0.8 * n),
        "tpot": _distribution(numbers.tpot_p90_ns, numbers.tpot_p90_ns * 0.9 * n),
        "latency": _distribution(
            ttft_p90 + per_sample * numbers.tpot_p90_ns,
            (ttft_p90 + per_sample * numbers.tpot_p90_ns) * 0.85 * n,
        ),
        "output_sequence_lengths": osl,
        "legacy_loadgen_window_duration_ns": None,
        "qps": n / numbers.duration_s,
        "tps": numbers.tps,
        "tps_per_user": numbers.tps_per_user,
        "finish_reason_counts": {"stop": n, "length": 0, "other": 0},
        "run_config": {
            "load_pattern": {
                "type": _load_pattern(spec, point),
                "target_qps": None,
                "target_concurrency": point.concurrency,
            },
            "warmup": {"enabled": True, "salt": False, "drain": True},
            "scheduler_random_seed": SEED_SET_A["scheduler_rng_seed"],
            "dataloader_random_seed": SEED_SET_A["sample_index_rng_seed"],
        },
    }
    if spec.agentic:
        summary.update(_agentic_summary(spec, numbers))
    return summary


def _agentic_summary(spec: TreeSpec, numbers: PointNumbers) -> dict[str, Any]:
    """The agentic extras (B§4.3): e2e_avg_interactivity = Σ turn tokens / Σ turn seconds, and
    the full-run output-length mean of agentic-osl-range."""
    turn_seconds = numbers.output_tokens / numbers.tps_per_user
    return {
        "output_tokens_per_turn_total": numbers.output_tokens,
        "e2e_turn_time_seconds_total": turn_seconds,
        "e2e_avg_interactivity": numbers.output_tokens / turn_seconds,
        "output_sequence_lengths_full_run": {
            "output_sequence_lengths": {"avg": MODELS[spec.model]["full_run_osl_avg"]}
        },
    }


def accuracy_results(spec: TreeSpec, point: PointSpec | None = None) -> dict[str, Any]:
    """accuracy_results.json in inference-endpoint's native shape (B§4.4 (b)).

    Agentic curves: every point carries the inline score (``dataset_type: performance``,
    a fraction); band points (``point.accuracy``) add their swe_bench result.
    """
    model = MODELS[spec.model]
    if spec.agentic:
        scores = [
            {
                "dataset_name": "performance",
                "dataset_type": "performance",
                "score": model["inline_score"],
                "unit_samples": numbers_samples(spec, point),
                "num_repeats": 1,
            }
        ]
        if point is not None and point.accuracy:
            scores.append(
                {
                    "dataset_name": "swe_bench",
                    "dataset_type": "accuracy",
                    "score": model["swe_bench_score"],
                    "unit_samples": model["min_samples"],
                    "num_repeats": 1,
                }
            )
        return {"accuracy_scores": scores}
    samples = model["accuracy_samples"]
    return {
        "accuracy_scores": [
            {
                "dataset_name": model.get("accuracy_dataset", model["dataset"]),
                "dataset_type": "accuracy",
                "score": dict(model["score"]),
                "unit_samples": samples,
                "num_repeats": 1,
                "total_samples": samples,
                "complete": True,
                "response_counts": {"issued": samples, "scored": samples, "empty": 0},
            }
        ]
    }


def numbers_samples(spec: TreeSpec, point: PointSpec | None) -> int:
    """Samples of the performance run of ``point`` (the inline score covers all of them)."""
    if point is None:
        return MODELS[spec.model]["min_samples"]
    return point_numbers(spec, point).samples


# ---------------------------------------------------------------------------------------------
# Writing


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def write_yaml(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=100), encoding="utf-8")


def write_point(spec: TreeSpec, point: PointSpec, curve_dir: Path, max_tps: float) -> Path:
    """Write ``r<N>/`` of one point (point.yaml, system_desc.json, config.yaml, summary and,
    at an accuracy point, accuracy_results.json); ``max_tps`` is the curve's highest tps."""
    numbers = point_numbers(spec, point)
    folder = curve_dir / f"r{point.concurrency}"
    folder.mkdir(parents=True, exist_ok=True)
    write_yaml(folder / "point.yaml", point_config(spec, point, numbers))
    write_json(folder / "system_desc.json", system_description(spec, numbers.tps / max_tps))
    write_yaml(folder / "config.yaml", run_config(spec, point, numbers))
    write_json(folder / "result_summary.json", result_summary(spec, point, numbers))
    if point.accuracy or spec.agentic:
        write_json(folder / "accuracy_results.json", accuracy_results(spec, point))
    return folder


def write_submission_v1(
    out_dir: Path,
    spec: TreeSpec | None = None,
    *,
    curves: tuple[tuple[str, str], ...] | None = None,
    **changes: Any,
) -> Path:
    """Write a valid v1.0 submission under ``out_dir``; return the organisation directory.

    ``spec`` defaults to ``TreeSpec()`` (the shipped example); ``changes`` replace its fields,
    e.g. ``write_submission_v1(tmp, max_concurrency=1024, points=(...))``. ``curves`` lists
    (system_name, model) pairs to write, each with the spec's points (default: the spec's own
    pair), e.g. a benchmark tree of 32 curves × 32 points.
    """
    spec = replace(spec or TreeSpec(), **changes)
    org = out_dir / spec.org
    root = org / spec.submission_id
    impl = root / "src" / spec.implementation
    impl.mkdir(parents=True, exist_ok=True)
    (impl / "README.md").write_text(
        f"# {spec.implementation}\n\n"
        f"How the {spec.model} points of {spec.system_name} were measured: one\n"
        "`inference-endpoint` run per concurrency with the `config.yaml` kept in each\n"
        "`results/<system>/<model>/r<N>/` folder, against the service's OpenAI-compatible API.\n",
        encoding="utf-8",
    )
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "warmup-logs.md").write_text(
        "# Warm-up logs\n\nEvery point ran a 120 s warm-up at its own concurrency before the\n"
        "measured run; the warm-up responses were discarded and the logs are retained here.\n",
        encoding="utf-8",
    )
    for system_name, model in curves or ((spec.system_name, spec.model),):
        curve = replace(spec, system_name=system_name, model=model)
        curve_dir = root / "results" / curve.system_dir / curve.model
        max_tps = max(n.tps for n in curve_numbers(curve).values())
        for point in curve.points:
            write_point(curve, point, curve_dir, max_tps)
    return org


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args()
    target = args.out / TreeSpec().org
    if target.exists():
        shutil.rmtree(target)
    org = write_submission_v1(args.out)
    print(f"wrote {org}\ncheck it with: submission-checker check {org} --round v1.0")


if __name__ == "__main__":
    main()
