#!/usr/bin/env python3
"""Generate the example MLPerf Endpoints submission under examples/submission/.

    python examples/make_example_submission.py            # rewrite examples/submission/
    submission-checker check examples/submission/ExampleOrg

The tree is one organisation (ExampleOrg), one system (M = 64), one model (llama2-70b) and
eight measurement points: 1, 8, 32 (Low Latency), 34 (Low Throughput), 40 (Medium Throughput),
48, 64 (High Throughput) and 70 (margin), each with summary and detail logs, plus the model's
accuracy files. The numbers are synthetic but self-consistent (throughput = tokens / time), so
the tree passes every rule. The output is deterministic, so the committed tree can be compared
with a fresh run.

``write_submission`` is also the fixture builder of the checker's tests and benchmark: it can
write several systems and models, any concurrencies, and large sparse detail logs.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "submission"
DEFAULT_CONCURRENCIES = (1, 8, 32, 34, 40, 48, 64, 70)

# Per model: dataset (with its minimum completed queries) and an accuracy result meeting the
# official target of the v6.1 rules data.
MODELS = {
    "llama2-70b": {
        "dataset": "open_orca",
        "min_samples": 24576,
        "metric": "rougel",
        "score": {
            "rouge1": 44.4312,
            "rouge2": 22.0457,
            "rougel": 28.6102,
            "tokens_per_sample": 294.1,
        },
        "quality_target": 28.330038,
    },
    "llama3.1-8b": {
        "dataset": "cnn_dailymail::llama3_8b",
        "min_samples": 13368,
        "metric": "rougel",
        "score": {"rouge1": 38.7, "rouge2": 15.9, "rougel": 24.5, "rougelsum": 35.8},
        "quality_target": 24.250743,
    },
    "mixtral-8x7b": {
        "dataset": "open_orca",
        "min_samples": 24576,
        "metric": "rougel",
        "score": {"rouge1": 45.5, "rouge2": 23.4, "rougel": 30.4, "tokens_per_sample": 145.0},
        "quality_target": 30.156192,
    },
    "deepseek-r1": {
        "dataset": "math500",
        "min_samples": 500,
        "metric": "exact_match",
        "score": 81.2,
        "quality_target": 80.5446,
    },
}

PERCENTILES = ("50.0", "90.0", "95.0", "99.0", "99.9")


def _region(concurrency: int, max_concurrency: int) -> str:
    """The region a point declares, from the checker's own arithmetic (tested on its own)."""
    from submission_checker.regions import compute_regions

    return compute_regions(max_concurrency).classify(concurrency) or "submitters_choice"


def system_description(system_id: str, max_concurrency: int, org_name: str) -> dict:
    """A complete §2.1 system description."""
    return {
        "submitter_org_names": org_name,
        "submitter_contact": "perf-team@example.org",
        "system_name": f"Example 8-GPU server ({system_id})",
        "system_category": "datacenter",
        "system_availability_status": "Available",
        "division": "Standardized",
        "max_supported_concurrency": max_concurrency,
        "system_size": "1 node",
        "serving_framework": "example-serve 1.0",
        "benchmark_model": "llama2-70b",
        "model_precision": "fp8",
        "node_types": [
            {
                "system_node_ensemble_id": 0,
                "number_of_nodes": 1,
                "host_processor_model_name": "Example CPU",
                "host_processors_per_node": 2,
                "host_processor_core_count": 64,
                "host_memory_capacity": "2 TB",
                "accelerator_model_name": "Example Accelerator",
                "accelerators_per_node": 8,
                "accelerator_memory_capacity": "141 GB",
                "operating_system": "Ubuntu 24.04",
                "inference_backend": "example-serve",
            }
        ],
    }


def point_config(concurrency: int, model: str, max_concurrency: int) -> dict:
    """A §2.2 point file for concurrency C."""
    low_latency = concurrency <= 32
    return {
        "concurrency": concurrency,
        "dataset": MODELS[model]["dataset"],
        "benchmark_model": model,
        "region": _region(concurrency, max_concurrency),
        "runtime_settings": {
            "load_pattern": "concurrency",
            "stream_all_chunks": True,
            "min_duration_ms": 600_000 if low_latency else 1_200_000,
            "min_sample_count": MODELS[model]["min_samples"],
        },
    }


def _latency_block(median_ns: int, samples: int) -> dict:
    return {
        "total": median_ns * samples,
        "min": median_ns * 0.8,
        "max": median_ns * 2.0,
        "median": float(median_ns),
        "avg": median_ns * 1.05,
        "percentiles": {key: median_ns * (1 + float(key) / 100) for key in PERCENTILES},
    }


def point_summary(concurrency: int, model: str) -> dict:
    """A §2.3 summary shaped like inference-endpoint's result_summary.json, self-consistent."""
    samples = MODELS[model]["min_samples"] + concurrency
    duration_ns = (630 if concurrency <= 32 else 1260) * 1_000_000_000 + concurrency * 7_919
    elapsed_s = duration_ns / 1e9
    tokens_per_user_s = 60.0 / (1 + concurrency / 48)
    output_tokens = round(tokens_per_user_s * concurrency * elapsed_s)
    tps = output_tokens / elapsed_s
    return {
        "version": "0.1.0",
        "n_samples_issued": samples,
        "n_samples_completed": samples,
        "n_samples_failed": 0,
        "duration_ns": duration_ns,
        "state": "complete",
        "complete": True,
        "ttft": _latency_block(45_000_000 + concurrency * 400_000, samples),
        "tpot": _latency_block(round(1e9 / tokens_per_user_s), samples),
        "latency": _latency_block(round(300 * 1e9 / tokens_per_user_s), samples),
        "output_sequence_lengths": {
            "total": output_tokens,
            "min": 12,
            "max": 1024,
            "median": 290.0,
            "avg": output_tokens / samples,
            "percentiles": {key: 290.0 + float(key) for key in PERCENTILES},
        },
        "qps": samples / elapsed_s,
        "tps": tps,
        "tps_per_user": tps / concurrency,
        "run_config": {"load_pattern": {"type": "concurrency", "target_concurrency": concurrency}},
    }


def accuracy_result(model: str) -> dict:
    spec = MODELS[model]
    return {
        "metric": spec["metric"],
        "score": spec["score"],
        "quality_target": spec["quality_target"],
        "passed": True,
        "dataset": spec["dataset"],
        "num_samples": spec["min_samples"],
    }


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _write_detail(path: Path, concurrency: int, detail_bytes: int | None) -> None:
    if detail_bytes is None:
        line = {"event": "example", "concurrency": concurrency, "note": "detail log placeholder"}
        path.write_text(json.dumps(line) + "\n", encoding="utf-8")
        return
    with path.open("wb") as handle:  # sparse: the checker only stats detail logs
        handle.truncate(detail_bytes)


def write_submission(
    out_dir: Path,
    *,
    org: str = "ExampleOrg",
    systems: tuple[str, ...] = ("example-system",),
    models: tuple[str, ...] = ("llama2-70b",),
    max_concurrency: int = 64,
    concurrencies: tuple[int, ...] = DEFAULT_CONCURRENCIES,
    detail_bytes: int | None = None,
) -> Path:
    """Write a valid submission for ``org`` under ``out_dir``; return the organisation dir.

    ``detail_bytes`` makes every detail log a sparse file of that size (benchmarks); by default
    detail logs are one small JSON line.
    """
    root = out_dir / org
    (root / "systems").mkdir(parents=True, exist_ok=True)
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "run_benchmark.sh").write_text(
        "#!/bin/sh\n# How the example points were measured (one run per concurrency).\n"
        'for c in "$@"; do inference-endpoint run --config point_$c.yaml; done\n',
        encoding="utf-8",
    )
    for system_id in systems:
        _write_json(
            root / "systems" / f"{system_id}.json",
            system_description(system_id, max_concurrency, org_name=org.replace("Org", " Org")),
        )
        for model in models:
            base = root / "pareto" / system_id / model
            for sub in ("points", "results", "accuracy"):
                (base / sub).mkdir(parents=True, exist_ok=True)
            for c in concurrencies:
                (base / "points" / f"point_{c}.yaml").write_text(
                    yaml.safe_dump(point_config(c, model, max_concurrency), sort_keys=False),
                    encoding="utf-8",
                )
                results = base / "results" / f"point_{c}"
                results.mkdir(exist_ok=True)
                _write_json(results / "mlperf_endpoints_log_summary.json", point_summary(c, model))
                _write_detail(results / "mlperf_endpoints_log_detail.json", c, detail_bytes)
            _write_json(base / "accuracy" / "accuracy_result.json", accuracy_result(model))
            (base / "accuracy" / "accuracy.txt").write_text(
                f"Accuracy run of {model} on {MODELS[model]['dataset']} "
                f"({MODELS[model]['min_samples']} samples)\n"
                f"scores: {json.dumps(MODELS[model]['score'])}\n",
                encoding="utf-8",
            )
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args()
    target = args.out / "ExampleOrg"
    if target.exists():
        shutil.rmtree(target)
    org = write_submission(args.out)
    print(f"wrote {org}\ncheck it with: submission-checker check {org}")


if __name__ == "__main__":
    main()
