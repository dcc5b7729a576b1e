"""Benchmark `runs create` on a generated ~1 GB run folder against `tar czf` of the same folder.

    python bench/bench_runs.py [--size-mb 1024] [--repeat 2] [--keep]

What it does, all under a fresh directory in /tmp (deleted at the end unless --keep):
1. Generates a run folder: the real llama2-70b_c1 sample's config/summary/metrics/report plus an
   ``events.jsonl`` of SIZE MB made from the real event lines of all three samples, with fresh
   sample uuids and increasing timestamps (64 distinct 1 MiB blocks in random order, so gzip
   sees realistic, non-repeating data within its 32 KiB window).
2. Starts a local ``prism-server`` in its own process (its own temp data dir) and makes a token.
3. Times ``tar czf`` of the folder (the baseline: what a careful user would do by hand), then
   the whole ``python -m endpoints_submission_cli runs create --path FOLDER`` process: validate,
   secret scan, pack + hash, POST, upload over loopback, verify. Peak memory is the CLI
   process's max RSS as GNU time reports it (see measure.py); the server is not counted.
4. Also times ``pack_directory`` alone in-process, to show how the total splits.

Targets (issue 4): total ≤ 1.3 × tar czf time, CLI peak RSS < 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from measure import measured_run

from prism_server.testing import PrismProcess

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "data" / "samples" / "inference-endpoint"
BLOCK = 1024 * 1024
N_BLOCKS = 64


def _event_templates() -> list[str]:
    lines: list[str] = []
    for name in ("llama2-70b_c1", "http500_every_10th_c8", "accuracy_both_c4"):
        lines += (SAMPLES / name / "events.jsonl").read_text().splitlines()
    return lines


def _block(templates: list[str], rng: random.Random, clock: list[int]) -> bytes:
    """About 1 MiB of event lines: real shapes, new uuids per sample, increasing timestamps."""
    out: list[str] = []
    size = 0
    uuids: dict[str, str] = {}
    start = rng.randrange(len(templates))
    i = start
    while size < BLOCK:
        line = templates[i % len(templates)]
        i += 1
        old = re.search(r'"sample_uuid":"([0-9a-f]*)"', line)
        if old and old.group(1):
            new = uuids.setdefault(old.group(1), uuid.UUID(int=rng.getrandbits(128)).hex)
            line = line.replace(old.group(1), new)
        clock[0] += rng.randrange(50_000, 5_000_000)
        line = re.sub(r'"timestamp_ns":\d+', f'"timestamp_ns":{clock[0]}', line)
        out.append(line)
        size += len(line) + 1
    return ("\n".join(out) + "\n").encode()


def generate_run_folder(root: Path, size_mb: int) -> Path:
    folder = root / "llama2-70b_c1024"
    src = SAMPLES / "llama2-70b_c1"
    shutil.copytree(src, folder, ignore=shutil.ignore_patterns("events.jsonl"))
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.copy(SAMPLES / "system_desc.example.json", folder / "system_desc.json")
    rng = random.Random(4)
    templates = _event_templates()
    clock = [524_647_715_272]
    blocks = [_block(templates, rng, clock) for _ in range(N_BLOCKS)]
    target = size_mb * BLOCK
    written = 0
    with open(folder / "events.jsonl", "wb") as fh:
        while written < target:
            block = blocks[rng.randrange(N_BLOCKS)]
            fh.write(block)
            written += len(block)
    return folder


def start_server(data_dir: Path) -> tuple[PrismProcess, str, str]:
    """A prism-server in its own process (the other core) and a token for it."""
    server = PrismProcess(data_dir, fault_injection=False).start()
    return server, server.url, server.new_token("bench")


def _process_cpu(pid: int) -> float:
    """utime + stime of a running process, in seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-runs-", dir="/tmp"))
    server = None
    try:
        t0 = time.perf_counter()
        folder = generate_run_folder(root, args.size_mb)
        folder_bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(
            f"generated {folder} ({folder_bytes / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )
        (root / "server").mkdir()
        server, url, token = start_server(root / "server")
        env = {**os.environ, "MLPERF_API_BASE_URL": url, "PRISM_USER_API_TOKEN": token}

        tar_times, cli_times, rss, tar_cpu, cli_cpu, server_cpu = [], [], [], [], [], []
        load_before = os.getloadavg()[0]
        tar_size = 0
        for _ in range(args.repeat):
            out = root / "baseline.tar.gz"
            tar = measured_run(["tar", "czf", str(out), "-C", str(root), folder.name])
            tar_times.append(tar.wall_s)
            tar_cpu.append(tar.cpu_s)
            tar_size = out.stat().st_size
            out.unlink()
            server_before = _process_cpu(server.pid)
            create = measured_run(
                [sys.executable, "-m", "endpoints_submission_cli", "runs", "create"]
                + ["--path", str(folder)],
                env=env,
            )
            cli_times.append(create.wall_s)
            cli_cpu.append(create.cpu_s)
            server_cpu.append(_process_cpu(server.pid) - server_before)
            rss.append(create.peak_mib)
            run_id = create.stdout.strip()
            listed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "endpoints_submission_cli",
                    "runs",
                    "get",
                    "--run-id",
                    run_id,
                    "--json",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            archive_size = json.loads(listed.stdout)["archive_size"]

        sys.path.insert(0, str(REPO / "src"))
        from endpoints_submission_cli.archive import pack_directory

        started = time.perf_counter()
        pack_directory(folder, root / "pack-only.tar.gz", arcname=folder.name)
        pack_only = time.perf_counter() - started

        tar_best, cli_best = min(tar_times), min(cli_times)
        ratio = cli_best / tar_best
        peak = max(rss)
        rows = [
            ("tar czf (wall s)", tar_times),
            ("runs create (wall s)", cli_times),
            ("tar czf (CPU s, tar+gzip)", tar_cpu),
            ("runs create (CPU s, client)", cli_cpu),
            ("prism-server (CPU s during create)", server_cpu),
        ]
        for label, values in rows:
            print(f"{label:36} {'  '.join(f'{v:6.1f}' for v in values)}")
        print(f"archive: tar czf {tar_size / 1e6:.1f} MB, runs create {archive_size / 1e6:.1f} MB")
        print(f"pack_directory alone (in-process): {pack_only:.1f} s wall")
        print(f"load average (1 min) before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
        print(
            f"ratio best runs create / best tar czf: {ratio:.2f} (target <= 1.30: "
            f"{'PASS' if ratio <= 1.3 else 'FAIL'}); peak RSS of the CLI: {peak:.0f} MiB "
            f"(target < 100: {'PASS' if peak < 100 else 'FAIL'})"
        )
        return 0 if ratio <= 1.3 and peak < 100 else 1
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
