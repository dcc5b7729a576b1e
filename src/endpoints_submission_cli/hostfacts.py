"""``init --system-desc-template``: a system description skeleton with the host's own facts.

What the machine can tell about itself (CPU model, sockets, cores, logical CPUs, memory, the
operating system, and NVIDIA accelerators when ``nvidia-smi`` is on PATH) is filled in; every
other field of the v1.0 system description (checker-v1.0 §4.2) is an explicit
``"<FILL IN: …>"`` placeholder that ``runs create`` refuses. Reading a fact never fails the
command: a fact that cannot be read becomes a placeholder too.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .errors import RunFolderError
from .pointconfig import placeholder

NVIDIA_SMI = "nvidia-smi"
NVIDIA_SMI_TIMEOUT_S = 10
_PROC_LIMIT = 4 * 1024 * 1024  # /proc files are small; never read more than this


def _read_small(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(_PROC_LIMIT)
    except OSError:
        return ""


def cpu_facts(cpuinfo: str | None = None) -> dict[str, Any]:
    """Model name, sockets, physical cores per socket and logical CPUs (Linux /proc/cpuinfo)."""
    text = _read_small("/proc/cpuinfo") if cpuinfo is None else cpuinfo
    model = None
    cores: set[tuple[str, str]] = set()
    sockets: set[str] = set()
    physical = core = None
    for line in text.splitlines() + [""]:
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "model name" and model is None:
            model = value
        elif key == "physical id":
            physical = value
        elif key == "core id":
            core = value
        elif not key and physical is not None:
            sockets.add(physical)
            if core is not None:
                cores.add((physical, core))
            physical = core = None
    facts: dict[str, Any] = {"host_processor_model_name": model or platform.processor() or None}
    if sockets:
        facts["host_processors_per_node"] = len(sockets)
    if cores and sockets:
        facts["host_processor_core_count"] = len(cores) // len(sockets)
    logical = os.cpu_count()
    if logical:
        facts["host_processor_vcpu_count"] = logical
    return facts


def memory_facts(meminfo: str | None = None) -> dict[str, Any]:
    text = _read_small("/proc/meminfo") if meminfo is None else meminfo
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return {"host_memory_capacity": f"{round(int(parts[1]) / 1024**2)} GB"}
    return {}


def os_facts(os_release: str | None = None) -> dict[str, Any]:
    text = _read_small("/etc/os-release") if os_release is None else os_release
    for line in text.splitlines():
        if line.startswith("PRETTY_NAME="):
            return {"operating_system": line.split("=", 1)[1].strip().strip('"')}
    system = platform.system()
    return {"operating_system": f"{system} {platform.release()}".strip()} if system else {}


def accelerator_facts() -> tuple[list[dict[str, Any]], str | None]:
    """Accelerators as ``nvidia-smi`` lists them, and the driver version; nothing without it."""
    executable = shutil.which(NVIDIA_SMI)
    if executable is None:
        return [], None
    try:
        done = subprocess.run(
            [
                executable,
                "--query-gpu=name,memory.total,driver_version",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=NVIDIA_SMI_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return [], None
    if done.returncode != 0:
        return [], None
    gpus: dict[tuple[str, str], int] = {}
    driver = None
    for line in done.stdout.splitlines()[:1024]:
        fields = [part.strip() for part in line.split(",")]
        if len(fields) < 3 or not fields[0]:
            continue
        name, memory_mib, driver = fields[0], fields[1], fields[2] or driver
        memory = f"{round(int(memory_mib) / 1024)} GB" if memory_mib.isdigit() else memory_mib
        gpus[(name, memory)] = gpus.get((name, memory), 0) + 1
    accelerators = [
        {
            "accelerator_model_name": name,
            "accelerators_per_node": count,
            "accelerator_memory_capacity": memory,
            "accelerator_memory_type": placeholder("memory type, e.g. HBM3e"),
            "accelerator_interconnect": placeholder("e.g. NVLink 4.0, 900 GB/s"),
            "accelerator_host_interconnect": placeholder("e.g. PCIe Gen5 x16"),
        }
        for (name, memory), count in gpus.items()
    ]
    return accelerators, driver


def system_desc_template() -> dict[str, Any]:
    """The skeleton: host facts where readable, placeholders elsewhere (checker-v1.0 §4.2)."""
    node: dict[str, Any] = {
        "system_node_ensemble_id": 0,
        "number_of_nodes": 1,
        "host_processor_model_name": placeholder("CPU model"),
        "host_processors_per_node": placeholder("CPU sockets per node"),
        "host_processor_core_count": placeholder("physical cores per CPU"),
    }
    node.update({k: v for k, v in cpu_facts().items() if v is not None})
    node["host_memory_capacity"] = placeholder("memory per node, e.g. 2 TB")
    node.update(memory_facts())
    node["host_memory_configuration"] = placeholder("e.g. 32x 64 GB DDR5-4800")
    node["host_network_card_count"] = placeholder("NICs per node, as a string, e.g. '8x 400G'")
    node["filesystem"] = placeholder("e.g. ext4 on local NVMe")
    node["cooling"] = placeholder("air or liquid")
    node.update(os_facts())
    accelerators, driver = accelerator_facts()
    node["driver"] = driver or placeholder("accelerator driver version")
    node["accelerator_info"] = accelerators or [
        {
            "accelerator_model_name": placeholder("accelerator model (none found: no nvidia-smi)"),
            "accelerators_per_node": placeholder("accelerators per node"),
            "accelerator_memory_capacity": placeholder("e.g. 141 GB"),
            "accelerator_memory_type": placeholder("e.g. HBM3e"),
            "accelerator_interconnect": placeholder("e.g. NVLink 4.0, 900 GB/s"),
            "accelerator_host_interconnect": placeholder("e.g. PCIe Gen5 x16"),
        }
    ]
    node["inference_backend"] = placeholder("serving engine and version, e.g. vLLM 0.11")
    return {
        "submitter_org_names": placeholder("your organisation"),
        "submitter_contact": placeholder("contact e-mail"),
        "system_name": placeholder("the system's full name"),
        "shortened_system_name": placeholder("≤ 20 characters"),
        "division": placeholder("standardized, serviced or rdi"),
        "system_availability_status": placeholder("Available, Preview or RDI"),
        "availability_url": placeholder("where the system can be bought/rented (Available)"),
        "max_supported_concurrency": placeholder("integer: the highest concurrency served"),
        "system_size": "1 node",
        "system_node_ensemble_count": 1,
        "system_node_ensemble_total": 1,
        "serving_framework": placeholder("e.g. vLLM 0.11"),
        "node_types": [node],
    }


def write_system_desc_template(path: Path, *, force: bool = False) -> dict[str, Any]:
    """Write the skeleton to ``path``; never replaces a file unless ``force``."""
    if path.exists() and not force:
        raise RunFolderError(
            f"{path} exists; nothing was written", hint="pass --force to replace it"
        )
    data = system_desc_template()
    try:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise RunFolderError(
            f"{path}: cannot write the system description template ({exc.strerror or exc})",
            hint="pass a FILE in an existing directory you can write to",
        ) from exc
    return data
