"""Whole-process measurement shared by the benchmarks: wall time, CPU time and peak RSS.

Peak RSS needs care: on Linux a child's ``ru_maxrss`` starts from the RSS of the process that
forked it (the high-water mark survives fork and exec), so a benchmark that generated its data
in-process would report its own size as the command's. The command therefore runs under GNU
``time``, a small process of its own, which reports the command's true peak.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float  # user + sys of the command and every child it waited for
    peak_mib: float | None  # None when GNU time is not installed
    stdout: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured_run(
    command: list[str], env: dict[str, str] | None = None, *, check: bool = True
) -> Measured:
    """Run ``command`` to completion; with ``check``, exit the benchmark when it fails."""
    with tempfile.TemporaryDirectory() as scratch:
        rss_file = Path(scratch) / "peak-kib"
        prefix = [GNU_TIME, "-f", "%M", "-o", str(rss_file)] if GNU_TIME else []
        cpu_before = _children_cpu()
        started = time.perf_counter()
        proc = subprocess.run([*prefix, *command], env=env, capture_output=True, check=False)
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        if check and proc.returncode != 0:
            raise SystemExit(f"{command[:4]} failed:\n{proc.stderr.decode(errors='replace')}")
        # On a failure GNU time writes "Command exited with non-zero status N" first.
        peak = int(rss_file.read_text().split()[-1]) / 1024 if GNU_TIME else None
    return Measured(wall, cpu, peak, proc.stdout.decode())
