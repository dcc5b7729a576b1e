"""Round v1.0 run folders (checker-v1.0 A3.1, Part B §2): inference-endpoint's output plus
``point.yaml`` and ``system_desc.json`` (and optionally ``system_power.json``).

``runs create`` refuses, before anything is sent:

* a point.yaml or system_desc.json that still holds an ``init`` placeholder;
* a point.yaml that disagrees with config.yaml — the run as executed — on concurrency, on the
  seeds config.yaml carries, or on ``stream_all_chunks`` (rule config-point-consistency, A2.11:
  1.5.3.0 lets a typed point.yaml claim seeds the run never used);
* a missing or invalid system description (the v1.0 schema, §4.2).

The payload adds ``point_config`` (point.yaml as parsed, big seeds exact), ``system_power``
and ``is_test`` to the v0.7 RunCreate. ``system_power`` is the file plus a ``derived`` block of
the checker's own power numbers (provisioned kW, the point's kW, tokens/s per kW, the MLC
Estimated Power flag). When the checker finds an error in the descriptor, the file is sent
without ``derived`` and a warning says so: the run is still worth registering (the power file
can be fixed before the submission), but PRISM never records numbers the checker disowns.
A folder without point.yaml is a v0.7 folder and never comes here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from submission_checker.loading import LoadError, load_json, load_yaml
from submission_checker.report import Report
from submission_checker.rules.v1_config import DISCLOSURE_FIELDS as POINT_DISCLOSURE_FIELDS
from submission_checker.run_folder_v1 import RunFolderPower, assess_run_folder_v1

from .errors import RunFolderError
from .pointconfig import (
    CONCURRENCY_SOURCE,
    LEGACY_SEED_NAMES,
    POINT_YAML,
    SEED_SOURCES,
    STREAM_SOURCE,
    dig,
    find_placeholders,
    v1_system_desc_problems,
)
from .runfolder import RunFolder, build_run_create, read_run_folder

SYSTEM_POWER = "system_power.json"
# Point-level rule errors that stop `runs create`; the checker's other findings on one point are
# warnings (the v0.7 policy: say what the checker will reject, do not refuse).
REFUSING_RULES = frozenset(
    {
        "point-config-valid",
        "config-point-consistency",
        "system-description-present",
        "system-description-valid",
    }
)
SYSTEM_DESC_RULES = frozenset({"system-description-present", "system-description-valid"})
# §8.3 disclosure fields a run folder must carry: all but shared_src/shared_docs, which
# `submissions create` adds (§3.7).
BUILDER_ADDED_FIELDS = frozenset({"shared_src", "shared_docs"})
RUN_DISCLOSURE_FIELDS = tuple(
    name for name in POINT_DISCLOSURE_FIELDS if name not in BUILDER_ADDED_FIELDS
)


def is_v1_run_folder(path: Path) -> bool:
    """A v1.0 run folder is recognised by its point.yaml (A3.1)."""
    return (Path(path) / POINT_YAML).is_file()


@dataclass
class V1RunFolder:
    run: RunFolder
    point: dict[str, Any]
    system_power: dict[str, Any] | None
    findings: list[str] = field(default_factory=list)  # the checker's point-level warnings
    derived_power: dict[str, Any] | None = None  # system_power's ``derived`` block

    @property
    def path(self) -> Path:
        return self.run.path

    def warnings(self) -> list[str]:
        """The run's warnings, less those v1.0 does not share with v0.7: the stream flag is
        info only (A2.12), and a dedicated Offline point needs no concurrency load pattern."""
        dropped = {"(rule streaming-config)"}
        if self.point.get("offline") == "dedicated":
            dropped.add("(rule load-pattern)")
        own = [m for m in self.run.warnings() if not any(rule in m for rule in dropped)]
        return own + self.findings


def _read_mapping(folder: Path, name: str, loader: Any, fix: str) -> dict[str, Any]:
    """``folder``'s point.yaml or system_power.json as a mapping; a file that does not read, or
    holds something else, stops ``runs create`` with the folder, the file and ``fix``."""
    where = f"{folder.name}/{name}"
    try:
        data = loader(folder / name)
    except LoadError as exc:
        raise RunFolderError(f"{where}: {exc.message}", hint=fix) from None
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise RunFolderError(f"{where}: found {found}, expected a mapping", hint=fix)
    return data


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
    point = _read_mapping(
        run.path,
        POINT_YAML,
        load_yaml,
        fix=f"repair {run.path / POINT_YAML} (one YAML mapping, §4.1), or write it again with "
        f"`endpoints-submission-cli init --path {run.path} --force` and fill its placeholders",
    )
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
    assessment = assess_run_folder_v1(run.path)
    findings = _point_rules(
        run.path, assessment.report, point, system_desc_given=system_desc is not None
    )
    power = None
    derived = None
    if (run.path / SYSTEM_POWER).is_file():
        power = _read_mapping(
            run.path,
            SYSTEM_POWER,
            load_json,
            fix=f"repair {run.path / SYSTEM_POWER} so that it is one JSON object (the power "
            "descriptor), or move it out of the folder to register the run without power",
        )
        numbers = assessment.power
        if numbers is None:
            findings.append(
                f"{SYSTEM_POWER} is sent without its derived power numbers: the checker finds "
                "errors in it or in nodes_used (see above); fix them before "
                "`submissions create`"
            )
        else:
            derived = derived_power_block(numbers)
    return V1RunFolder(run, point, power, findings, derived)


def derived_power_block(numbers: RunFolderPower) -> dict[str, Any]:
    """The ``derived`` block of ``system_power`` (Part B §2): kW to the watt, tps/kW to 3
    decimals, as JSON numbers."""
    tps = numbers.tps_per_kw
    return {
        "provisioned_power_kw": float(numbers.provisioned_kw),
        "point_power_kw": float(round(numbers.point_kw, 3)),
        "system_tps_per_kw": None if tps is None else float(round(tps, 3)),
        "mlc_estimated_power": numbers.estimated,
    }


def _point_rules(
    folder: Path, report: Report, point: dict[str, Any], *, system_desc_given: bool
) -> list[str]:
    """The checker's point-level v1.0 findings on the folder (A3.1): refuse on the errors of
    ``REFUSING_RULES``, return every other finding as a warning line."""
    refused: list[str] = []
    warnings: list[str] = []
    only_shared_missing = all(point.get(key) not in (None, "") for key in RUN_DISCLOSURE_FIELDS)
    for item in report.errors + report.warnings:
        if system_desc_given and item.rule in SYSTEM_DESC_RULES:
            continue  # --system-desc replaces the folder's file; it was validated above
        if item.rule == "point-disclosure-complete" and only_shared_missing:
            continue  # shared_src/shared_docs are added by `submissions create`
        where = f"{item.path}: " if item.path else ""
        line = f"{where}{item.message} (rule {item.rule})"
        if item.severity == "error" and item.rule in REFUSING_RULES:
            refused.append(line + (f"\n    fix: {item.fix}" if item.fix else ""))
        else:
            kind = "the checker will reject this" if item.severity == "error" else "checker warning"
            warnings.append(f"{line} — {kind}")
    if refused:
        listed = "\n".join(f"  {line}" for line in refused)
        raise RunFolderError(
            f"{folder.name}: the point-level v1.0 rules refuse this run folder:\n{listed}",
            hint="fix the files named and run the command again",
        )
    return warnings


def describe_derived_power(derived: dict[str, Any]) -> str:
    """One line for the user: the power numbers sent with the run."""
    line = (
        f"power (checker): provisioned {derived['provisioned_power_kw']} kW, "
        f"this point {derived['point_power_kw']} kW"
    )
    if derived["system_tps_per_kw"] is not None:
        line += f", {derived['system_tps_per_kw']} tokens/s per kW"
    if derived["mlc_estimated_power"]:
        line += " (MLC Estimated Power: Appendix D defaults used)"
    return line


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
    power = folder.system_power
    if power is not None and folder.derived_power is not None:
        power = {**power, "derived": folder.derived_power}
    payload["system_power"] = power
    payload["is_test"] = is_test
    return payload
