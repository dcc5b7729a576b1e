"""Round v1.0 run folders (checker-v1.0 A3.1, Part B §2): inference-endpoint's output plus
``point.yaml`` and ``system_desc.json`` (and optionally ``system_power.json``).

``runs create`` refuses, before anything is sent:

* a point.yaml or system_desc.json that still holds an ``init`` placeholder;
* a point.yaml that disagrees with config.yaml — the run as executed — on concurrency, on the
  seeds config.yaml carries, or on ``stream_all_chunks`` (rule config-point-consistency, A2.11:
  1.5.3.0 lets a typed point.yaml claim seeds the run never used);
* a missing or invalid system description (the v1.0 schema, §4.2).

The payload adds ``point_config`` (point.yaml as parsed, big seeds exact), ``system_power``
and ``is_test`` to the v0.7 RunCreate. A folder without point.yaml is a v0.7 folder and never
comes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from submission_checker.loading import LoadError, load_json, load_yaml
from submission_checker.models import validation_problems
from submission_checker.models_v1 import SystemDescriptionV1

from .errors import RunFolderError
from .pointconfig import (
    CONCURRENCY_SOURCE,
    LEGACY_SEED_NAMES,
    POINT_YAML,
    SEED_SOURCES,
    STREAM_SOURCE,
    dig,
    find_placeholders,
)
from .runfolder import RunFolder, build_run_create, read_run_folder

SYSTEM_POWER = "system_power.json"


def is_v1_run_folder(path: Path) -> bool:
    """A v1.0 run folder is recognised by its point.yaml (A3.1)."""
    return (Path(path) / POINT_YAML).is_file()


@dataclass
class V1RunFolder:
    run: RunFolder
    point: dict[str, Any]
    system_power: dict[str, Any] | None

    @property
    def path(self) -> Path:
        return self.run.path

    def warnings(self) -> list[str]:
        """The run's warnings, less those v1.0 does not share with v0.7: the stream flag is
        info only (A2.12), and a dedicated Offline point needs no concurrency load pattern."""
        dropped = {"(rule streaming-config)"}
        if self.point.get("offline") == "dedicated":
            dropped.add("(rule load-pattern)")
        return [m for m in self.run.warnings() if not any(rule in m for rule in dropped)]


def v1_system_desc_problems(data: Any) -> list[str]:
    """The system description checks ``runs create`` makes for a v1.0 folder: no placeholder
    left by ``init``, and the checker's own v1.0 schema (§4.2)."""
    placeholders = [f"{key}: still the placeholder `init` wrote" for key in find_placeholders(data)]
    return placeholders + validation_problems(SystemDescriptionV1, data)


def _load(path: Path, loader: Any) -> Any:
    try:
        return loader(path)
    except LoadError as exc:
        raise RunFolderError(f"{path.name}: {exc.message}") from None


def _seed(runtime: dict[str, Any], name: str) -> Any:
    if name in runtime:
        return runtime[name]
    for legacy, canonical in LEGACY_SEED_NAMES.items():
        if canonical == name and legacy in runtime:
            return runtime[legacy]
    return None


def point_config_disagreements(point: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """Where point.yaml differs from config.yaml (A2.11); only what config.yaml carries."""
    found: list[str] = []

    def compare(point_field: str, claimed: Any, config_field: str) -> None:
        actual = dig(config, config_field)
        if actual is not None and claimed != actual:
            found.append(
                f"{POINT_YAML} {point_field} is {claimed!r}, but the run used {actual!r} "
                f"(config.yaml {config_field})"
            )

    compare("concurrency", point.get("concurrency"), CONCURRENCY_SOURCE)
    settings = point.get("runtime_settings")
    settings = settings if isinstance(settings, dict) else {}
    runtime = settings.get("runtime")
    runtime = runtime if isinstance(runtime, dict) else {}
    for name, source in SEED_SOURCES.items():
        compare(f"runtime_settings.runtime.{name}", _seed(runtime, name), source)
    compare(
        "runtime_settings.stream_all_chunks",
        settings.get("stream_all_chunks", True),  # the schema's default (§4.1)
        STREAM_SOURCE,
    )
    return found


def read_v1_run_folder(path: Path, system_desc: Path | None = None) -> V1RunFolder:
    """Read a v1.0 run folder and refuse what A3.1 says must never be sent."""
    run = read_run_folder(path, system_desc, system_desc_problems=v1_system_desc_problems)
    point = _load(run.path / POINT_YAML, load_yaml)
    if not isinstance(point, dict):
        raise RunFolderError(f"{POINT_YAML}: expected a mapping at the top level")
    holes = find_placeholders(point)
    if holes:
        raise RunFolderError(
            f"{run.path.name}/{POINT_YAML} still holds {len(holes)} placeholder(s) written by "
            f"`init`: {', '.join(holes)}",
            hint=f"replace each <FILL IN …> value in {run.path / POINT_YAML}",
        )
    disagreements = point_config_disagreements(point, run.config)
    if disagreements:
        listed = "\n".join(f"  {line}" for line in disagreements)
        raise RunFolderError(
            f"{run.path.name}/{POINT_YAML} does not describe the run that was executed "
            f"(rule config-point-consistency):\n{listed}",
            hint="regenerate it with `endpoints-submission-cli init --path RUN --force` "
            "or correct the values to the run's config.yaml",
        )
    power = None
    if (run.path / SYSTEM_POWER).is_file():
        power = _load(run.path / SYSTEM_POWER, load_json)
        if not isinstance(power, dict):
            raise RunFolderError(f"{SYSTEM_POWER}: expected a JSON object")
    return V1RunFolder(run, point, power)


def build_v1_run_create(
    folder: V1RunFolder,
    *,
    cli_version: str,
    expires_at: str | None = None,
    pinned: bool = False,
    is_test: bool = False,
) -> dict[str, Any]:
    """RunCreate of Part B §2: the v0.7 body plus point_config, system_power, is_test."""
    payload = build_run_create(
        folder.run, cli_version=cli_version, expires_at=expires_at, pinned=pinned
    )
    payload["point_config"] = folder.point
    payload["system_power"] = folder.system_power
    payload["is_test"] = is_test
    return payload
