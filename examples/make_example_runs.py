#!/usr/bin/env python3
"""Write example run folders in the format of the MLPerf Endpoints benchmark (inference-endpoint).

The folders under ``examples/runs/`` are what this script writes by default: one system
("Example Org" / "Example H200x8", max_supported_concurrency 128) serving Llama-2-70B on the
``open_orca`` dataset, with one point in each region (Low Latency 1-32, Low Throughput 33-37,
Medium Throughput 38-53, High Throughput 54-128), one of them (concurrency 8) also carrying an
accuracy phase, plus ``system_desc.json``. The numbers are synthetic but self-consistent (system
throughput = output tokens / duration, every issued sample accounted for, one full pass over the
dataset, durations above the region minimum), so a bundle built from them passes the checker.
Each run also carries ``src/launch_server.sh`` (Standardized division: the serving code must be
disclosed) and the accuracy run a ``documentation/`` folder.

File layout and keys follow the real runs in shared/samples/inference-endpoint. To keep the
examples small, ``events.jsonl`` holds the session events and the first few samples only; pass
``--events-mb N`` to pad it with realistic per-sample events up to about N MB (the benchmark
script uses that to make ~20 MB runs).

    python examples/make_example_runs.py                 # rewrite examples/runs/
    python examples/make_example_runs.py --out DIR --concurrency 1,2,3 --events-mb 20
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import uuid
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "runs"
DEFAULT_CONCURRENCIES = (1, 8, 32, 36, 48, 64, 96, 128)
ACCURACY_CONCURRENCY = 8
MODEL = "meta-llama/Llama-2-70b-chat-hf"
DATASET = "open_orca"
N_SAMPLES = 24576  # one pass over open_orca: the rules' minimum for this dataset
PERCENTILES = (
    "99.9",
    "99.0",
    "97.0",
    "95.0",
    "90.0",
    "80.0",
    "75.0",
    "50.0",
    "25.0",
    "10.0",
    "5.0",
    "1.0",
)
SEED_SCHEDULER = 16159082839903944936  # > 2**63, as in real configs
SEED_DATALOADER = 2747215439041700203

SYSTEM_DESC = {
    "submitter_org_names": "Example Org",
    "submitter_contact": "perf-team@example.org",
    "system_name": "Example H200x8",
    "system_category": "datacenter",
    "system_availability_status": "Available",
    "division": "Standardized",
    "max_supported_concurrency": 128,
    "benchmark_model": "llama2-70b",
    "model_id": MODEL,
    "model_precision": "fp8",
    "serving_framework": "example-serve 1.0",
    "system_size": "1 node",
    "node_types": [
        {
            "system_node_ensemble_id": 0,
            "number_of_nodes": 1,
            "host_processor_model_name": "Example CPU",
            "host_processors_per_node": 2,
            "host_processor_core_count": 64,
            "host_memory_capacity": "2 TB",
            "accelerator_model_name": "NVIDIA H200",
            "accelerators_per_node": 8,
            "accelerator_memory_capacity": "141 GB",
            "operating_system": "Ubuntu 24.04",
            "inference_backend": "example",
        }
    ],
}


def _config(concurrency: int, with_accuracy: bool, report_dir: str) -> dict:
    datasets = [
        {
            "name": DATASET,
            "type": "performance",
            "path": "/srv/bench/datasets/open_orca_gpt4_tokenized_llama.sampled_24576.jsonl",
            "parser": {"prompt": "question"},
        }
    ]
    if with_accuracy:
        datasets.append(
            {
                "name": "open_orca_accuracy",
                "type": "accuracy",
                "path": "/srv/bench/datasets/open_orca_gpt4_tokenized_llama.sampled_24576.jsonl",
                "parser": {"prompt": "question"},
                "accuracy_config": {
                    "eval_method": "rouge",
                    "ground_truth": "output",
                    "extractor": "identity_extractor",
                    "num_repeats": 1,
                },
            }
        )
    return {
        "name": f"llama2-70b-pareto-c{concurrency}",
        "version": "1.0",
        "type": "submission",
        "submission_ref": {"model": "llama2-70b", "ruleset": "mlperf-inference-v6.1"},
        "benchmark_mode": "online",
        "model_params": {
            "name": MODEL,
            "temperature": 0.0,
            "max_new_tokens": 1024,
            "min_new_tokens": 1,
            "skip_special_tokens": True,
            "streaming": "on",
            "tokenizer_name": "meta-llama/Llama-2-70b-chat-hf",
        },
        "datasets": datasets,
        "settings": {
            "runtime": {
                "min_duration_ms": 600000 if concurrency <= 32 else 1200000,
                "max_duration_ms": 0,
                "n_samples_to_issue": N_SAMPLES,
                "scheduler_random_seed": SEED_SCHEDULER,
                "dataloader_random_seed": SEED_DATALOADER,
            },
            "load_pattern": {"type": "concurrency", "target_concurrency": concurrency},
            "client": {
                "num_workers": 4,
                "log_level": "INFO",
                "warmup_connections": -1,
                "max_connections": -1,
                "stream_all_chunks": True,
                "worker_initialization_timeout": 60.0,
                "insecure": False,
            },
            "warmup": {
                "enabled": False,
                "salt": False,
                "drain": False,
                "warmup_random_seed": SEED_DATALOADER,
            },
            "early_stopping": {"enabled": True},
            "service_ready_timeout_s": 30.0,
        },
        "endpoint_config": {
            "endpoints": ["http://127.0.0.1:8000"],
            "api_key": "<redacted>",
            "api_type": "openai",
        },
        "report_dir": report_dir,
        "verbose": False,
        "enable_cpu_affinity": True,
    }


def _distribution(
    rng: random.Random, mean: float, spread: float, count: int, integer: bool = False
) -> dict:
    """A latency/length block shaped like inference-endpoint's (total, percentiles, histogram)."""
    values = sorted(max(mean * 0.05, rng.gauss(mean, mean * spread)) for _ in range(400))
    if integer:
        values = [float(round(v)) for v in values]

    def pct(p: float) -> float:
        return values[min(len(values) - 1, int(p / 100 * len(values)))]

    lo, hi = values[0], values[-1]
    edges = [lo + (hi - lo) * i / 10 for i in range(11)]
    counts = [0] * 10
    for v in values:
        counts[min(9, int((v - lo) / (hi - lo) * 10)) if hi > lo else 0] += 1
    scale = count / len(values)
    avg = sum(values) / len(values)
    block = {
        "total": round(avg * count) if integer else avg * count,
        "min": lo,
        "max": hi,
        "median": pct(50),
        "avg": avg,
        "std_dev": math.sqrt(sum((v - avg) ** 2 for v in values) / len(values)),
        "percentiles": {p: pct(float(p)) for p in PERCENTILES},
        "histogram": {
            "buckets": [[edges[i], edges[i + 1]] for i in range(10)],
            "counts": [round(c * scale) for c in counts],
        },
    }
    return block


def _summary(concurrency: int, rng: random.Random) -> dict:
    # Latency model of a busy 8-GPU server: per-token time grows with the batch.
    tpot_ns = 9.5e6 * (1 + concurrency / 48)
    ttft_ns = 45e6 * (1 + concurrency / 24)
    osl = _distribution(rng, 294.0, 0.18, N_SAMPLES, integer=True)
    isl = _distribution(rng, 581.0, 0.35, N_SAMPLES, integer=True)
    latency_ns = ttft_ns + osl["avg"] * tpot_ns
    duration_ns = int(math.ceil(N_SAMPLES / concurrency) * latency_ns)
    elapsed = duration_ns / 1e9
    early = {p: None for p in PERCENTILES[:4]}
    blocks = {}
    for name, mean in (("ttft", ttft_ns), ("tpot", tpot_ns), ("latency", latency_ns)):
        block = _distribution(rng, mean, 0.12, N_SAMPLES)
        block["early_stopping_percentiles"] = {
            **early,
            **{p: block["percentiles"][p] * 1.01 for p in PERCENTILES[4:8]},
        }
        blocks[name] = block
    return {
        "version": "0.1.0",
        "git_sha": "ea33275",
        "test_started_at": 0,
        "n_samples_issued": N_SAMPLES,
        "n_samples_completed": N_SAMPLES,
        "n_samples_failed": 0,
        "duration_ns": duration_ns,
        "state": "complete",
        "complete": True,
        **blocks,
        "output_sequence_lengths": osl,
        "input_sequence_lengths": isl,
        "legacy_loadgen_window_duration_ns": None,
        "qps": N_SAMPLES / elapsed,
        "tps": osl["total"] / elapsed,
        "finish_reason_counts": {
            "stop": N_SAMPLES,
            "length": 0,
            "tool_calls": 0,
            "content_filter": 0,
            "function_call": 0,
            "other": 0,
        },
        "run_config": {
            "load_pattern": {
                "type": "concurrency",
                "target_qps": None,
                "target_concurrency": concurrency,
            },
            "warmup": {
                "enabled": False,
                "n_requests": None,
                "salt": False,
                "drain": False,
                "warmup_random_seed": SEED_DATALOADER,
            },
            "scheduler_random_seed": SEED_SCHEDULER,
            "dataloader_random_seed": SEED_DATALOADER,
        },
    }


def _snapshot(summary: dict) -> dict:
    counters = {
        "total_samples_issued": summary["n_samples_issued"],
        "total_samples_completed": summary["n_samples_completed"],
        "total_samples_failed": summary["n_samples_failed"],
        "tracked_samples_issued": summary["n_samples_issued"],
        "tracked_samples_completed": summary["n_samples_completed"],
        "tracked_samples_failed": summary["n_samples_failed"],
        "tracked_finish_reason_stop": summary["n_samples_completed"],
        "tracked_duration_ns": summary["duration_ns"],
        "total_duration_ns": summary["duration_ns"],
    }
    metrics = [{"type": "counter", "name": k, "value": v} for k, v in counters.items()]
    for name, key in (
        ("sample_latency_ns", "latency"),
        ("osl", "output_sequence_lengths"),
        ("isl", "input_sequence_lengths"),
        ("ttft_ns", "ttft"),
        ("tpot_ns", "tpot"),
    ):
        block = summary[key]
        metrics.append(
            {
                "type": "series",
                "name": name,
                "count": summary["n_samples_completed"],
                "total": block["total"],
                "min": block["min"],
                "max": block["max"],
                "percentiles": block["percentiles"],
            }
        )
    return {
        "counter": 3,
        "timestamp_ns": 884354701430,
        "state": "complete",
        "n_pending_tasks": 0,
        "metrics": metrics,
    }


def _event(kind: str, ts: int, sample: str = "", data=None, **extra) -> str:
    record = {
        "event_type": kind,
        "timestamp_ns": ts,
        "sample_uuid": sample,
        "conversation_id": "",
        "turn": None,
        "data": data,
        **extra,
    }
    return json.dumps(record, separators=(",", ":")) + "\n"


def _corpus(rng: random.Random, size: int = 1 << 18) -> str:
    """Pseudo-English model output to slice from: text that compresses like text, not like 'xxx'."""
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ra",
        "tu",
        "shi",
        "ven",
        "dor",
        "pla",
        "qui",
        "ex",
        "ion",
        "ment",
        "al",
        "ter",
        "com",
        "pre",
        "sub",
        "ing",
    ]
    words = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(800)]
    text: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words)
        text.append(word)
        length += len(word) + 1
    return " ".join(text)


def _write_events(path: Path, rng: random.Random, n_samples: int, pad_bytes: int) -> dict:
    """Session events plus per-sample events; returns uuid → dataset index."""
    ts = 883703849079
    index: dict[str, int] = {}
    corpus = _corpus(rng) if pad_bytes else "Sure. Here is a summary of the conversation."
    with path.open("w", encoding="utf-8") as out:
        out.write(_event("session.started", ts))
        out.write(_event("session.start_performance_tracking", ts + 500_000))
        written = 0
        i = 0
        while i < n_samples or written < pad_bytes:
            sample = uuid.UUID(int=rng.getrandbits(128)).hex
            index[sample] = rng.randrange(N_SAMPLES)
            ts += rng.randrange(30_000_000, 50_000_000)
            prompt = f"Summarize the following conversation (case {index[sample]})"
            start = rng.randrange(max(1, len(corpus) - 1500))
            text = corpus[start : start + rng.randrange(600, 1500)]
            lines = [
                _event("sample.issued", ts, sample, ["PromptData", prompt] + [None] * 6),
                _event("sample.recv_first", ts + rng.randrange(40_000_000, 60_000_000), sample),
            ]
            lines += [
                _event(
                    "sample.recv_non_first",
                    ts + 45_000_000 + k * rng.randrange(9_000_000, 10_000_000),
                    sample,
                )
                for k in range(1, 40)
            ]
            lines.append(
                _event(
                    "sample.complete",
                    ts + 420_000_000,
                    sample,
                    ["TextModelOutput", [text[:12], text], None, None],
                    finish_reason="stop",
                    worker_id=0,
                )
            )
            chunk = "".join(lines)
            out.write(chunk)
            written += len(chunk)
            i += 1
        out.write(_event("session.stop_performance_tracking", ts + 500_000_000))
        out.write(_event("session.ended", ts + 503_000_000))
    return index


def _accuracy(rng: random.Random) -> dict:
    tokens = _distribution(rng, 294.0, 0.18, N_SAMPLES, integer=True)
    return {
        "average_accuracy": 0.4452,
        "osl_tokenization_s": 1.84,
        "accuracy_scores": [
            {
                "dataset_name": "open_orca_accuracy",
                "extractor": "IdentityExtractor",
                "ground_truth_column": "output",
                "score": {
                    "rouge1": 0.4452,
                    "rouge2": 0.2231,
                    "rougeL": 0.2874,
                    "tokens_per_sample": tokens["avg"],
                },
                "unit_samples": N_SAMPLES,
                "num_repeats": 1,
                "total_samples": N_SAMPLES,
                "duration_s": 312.4,
                "complete": True,
                "dataset_type": "accuracy",
                "response_counts": {
                    "issued": N_SAMPLES,
                    "scored": N_SAMPLES,
                    "empty": 0,
                    "missing": 0,
                },
                "output_sequence_lengths": tokens,
            }
        ],
    }


def _report(concurrency: int, summary: dict, accuracy: dict | None) -> str:
    elapsed = summary["duration_ns"] / 1e9
    lines = [
        "----------------- Summary -----------------",
        f"Version: {summary['version']}",
        f"Git SHA: {summary['git_sha']}",
        "Run config:",
        f"  load_pattern: type=concurrency, target_qps=None, target_concurrency={concurrency}",
        f"Total samples issued: {summary['n_samples_issued']}",
        f"Total samples completed: {summary['n_samples_completed']}",
        f"Total samples failed: {summary['n_samples_failed']}",
        f"Duration: {elapsed:.2f} seconds",
        f"QPS: {summary['qps']:.2f}",
        f"TPS: {summary['tps']:.2f}",
    ]
    if accuracy:
        entry = accuracy["accuracy_scores"][0]
        scores = ", ".join(f"{k}={v:.4f}" for k, v in entry["score"].items())
        lines += [
            "Accuracy:",
            f"  {entry['dataset_name']}: {scores} "
            f"(unit={entry['unit_samples']}, repeats=1, total={entry['total_samples']})",
        ]
    return "\n".join(lines) + "\n"


LAUNCH_SCRIPT = """#!/bin/sh
# How the endpoint under test was served (Standardized division: the code must be disclosed).
exec example-serve --model meta-llama/Llama-2-70b-chat-hf --tensor-parallel-size 8 \\
    --quantization fp8 --max-num-seqs 128 --port 8000
"""
BENCHMARK_NOTES = """# How these runs were made

inference-endpoint 0.1.0 (git ea33275), one run per concurrency, `type: submission` configs,
against `src/launch_server.sh` on one 8x H200 node.
"""


def make_run(
    out_dir: Path,
    concurrency: int,
    *,
    with_accuracy: bool = False,
    events_bytes: int = 0,
    event_samples: int = 3,
    seed: int = 0,
) -> Path:
    """Write one run folder ``<out_dir>/llama2-70b_c<C>`` and return its path."""
    rng = random.Random(seed * 1000 + concurrency)
    run = out_dir / f"llama2-70b_c{concurrency}"
    if run.exists():
        shutil.rmtree(run)
    (run / "performance").mkdir(parents=True)
    (run / "metrics").mkdir()
    config = _config(
        concurrency, with_accuracy, f"/srv/bench/runs/llama2-70b_sweep/point_{concurrency}"
    )
    (run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    summary = _summary(concurrency, rng)
    (run / "performance" / "result_summary.json").write_text(json.dumps(summary, indent=2))
    (run / "metrics" / "final_snapshot.json").write_text(json.dumps(_snapshot(summary), indent=2))
    (run / "metrics" / ".ready").write_text("")
    index = _write_events(run / "events.jsonl", rng, event_samples, events_bytes)
    (run / "sample_idx_map.json").write_text(json.dumps({"performance": index}, indent=2))
    accuracy = None
    if with_accuracy:
        accuracy = _accuracy(rng)
        (run / "accuracy").mkdir()
        (run / "accuracy" / "accuracy_results.json").write_text(json.dumps(accuracy, indent=2))
    (run / "report.txt").write_text(_report(concurrency, summary, accuracy), encoding="utf-8")
    # What the submitter adds beside the benchmark's output: the serving code (identical in every
    # run of the system, so the bundle's src/ is their union) and, once, documentation.
    (run / "src").mkdir()
    (run / "src" / "launch_server.sh").write_text(LAUNCH_SCRIPT)
    if with_accuracy:
        (run / "documentation").mkdir()
        (run / "documentation" / "README.md").write_text(BENCHMARK_NOTES)
    return run


def make_runs(
    out_dir: Path,
    concurrencies=DEFAULT_CONCURRENCIES,
    *,
    events_bytes: int = 0,
    accuracy_concurrency: int | None = ACCURACY_CONCURRENCY,
    seed: int = 0,
) -> list[Path]:
    """Write every run folder plus ``system_desc.json``; returns the run folders."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "system_desc.json").write_text(json.dumps(SYSTEM_DESC, indent=2) + "\n")
    return [
        make_run(
            out_dir,
            c,
            with_accuracy=(c == accuracy_concurrency),
            events_bytes=events_bytes,
            seed=seed,
        )
        for c in concurrencies
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--concurrency",
        default=",".join(map(str, DEFAULT_CONCURRENCIES)),
        help="comma-separated concurrencies (default: one per region)",
    )
    parser.add_argument(
        "--events-mb", type=float, default=0.0, help="pad each events.jsonl to about this many MB"
    )
    args = parser.parse_args()
    concurrencies = [int(c) for c in args.concurrency.split(",") if c.strip()]
    runs = make_runs(args.out, concurrencies, events_bytes=int(args.events_mb * 1e6))
    print(f"wrote {len(runs)} run folders and system_desc.json to {args.out}")


if __name__ == "__main__":
    main()
