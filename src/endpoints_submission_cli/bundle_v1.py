"""Runs → the round v1.0 submission tree (checker-v1.0 Part B §1, built per §3 with Part A).

Pure like ``bundle``: extracted run folders in, ``<org>/<submission_id>/`` out; no HTTP, no git.
Everything ambiguous is refused before the first write, naming runs, fields and the fix:

* a run that is neither a performance nor an accuracy run (§3.2: no guessing);
* two performance (or two accuracy) runs of one curve at one concurrency (§3.3);
* an accuracy run with no performance run at its concurrency (the point is the perf run's);
* runs of one system disagreeing on ``max_supported_concurrency`` or ``system_power.json``;
* two runs, or a run and a ``--shared-src``/``--shared-docs`` folder, bringing different bytes
  for the same ``src/`` or ``docs/`` file (A2.13; 1.5.3.0 silently overwrites);
* no implementation under ``src/``, one without README.md, or several without point.yaml
  declaring ``shared_src``;
* a point.yaml declaring ``audits`` itself when its runs carry ``audit/*.json`` verdicts
  (the bundle appends those to point.yaml, for the rule audit-passed, as v0.7 does).

Names (A2.9): the system directory is ``system_name`` with every character outside
``[A-Za-z0-9._-]`` replaced by ``_`` (1.5.3.0 lets ``/`` leak into paths). The submission
directory is ``pending-submission-id`` until PRISM gives the id (``name_submission``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from submission_checker.loading import LoadError, load_json, load_yaml
from submission_checker.regions_v1 import compute_regions_v1, derive_c_min

from . import __version__
from .bundle import (
    BundleInfo,
    BundleRun,
    PointInfo,
    SharedFiles,
    add_shared_file,
    files_under,
    safe_name,
)
from .errors import BundleError
from .pointconfig import POINT_YAML, dig

PENDING_SUBMISSION_ID = "pending-submission-id"
# Columns of the PR body's table for a v1.0 bundle (region keys of §5, and the Offline point).
REGION_LABELS_V1 = {
    "low_latency": "Ultra Low Concurrency",
    "low_concurrency": "Low Concurrency",
    "med_concurrency": "Medium Concurrency",
    "high_concurrency": "High Concurrency",
    "margin": "Margin",
    "offline": "Offline",
}
SYSTEM_POWER = "system_power.json"
ACCURACY = "accuracy/accuracy_results.json"
SHARED_BLOCK_HEADER = "# --- added by endpoints-submission-cli: bundle-internal paths ---"
AUDIT_BLOCK_HEADER = (
    "# --- added by endpoints-submission-cli: the runs' audit/ verdicts (rule audit-passed) ---"
)
# Copied into r<N>/ as they are (Part B §1), when the run has them.
COPIED_FILES = ("config.yaml", "report.txt", "sample_idx_map.json", "metrics/final_snapshot.json")
COPIED_DIRS = ("server_configs",)
RUN_SHARED_DIRS = {"src": "src", "documentation": "docs"}  # run folder dir → bundle dir
# --availability value → system_availability_status (§4.2 vocabulary)
AVAILABILITY_STATUS = {"available": "Available", "preview": "Preview", "rdi": "RDI"}
_ORG_UNSAFE = re.compile(r"[^\w-]")
_ORG_MAX = 64


@dataclass(frozen=True)
class BundleOptionsV1:
    """What the user decides for a v1.0 bundle (``submissions create`` flags)."""

    org: str | None = None
    submission_id: str | None = None
    division: str | None = None
    availability: str | None = None
    target_availability_date: str | None = None
    shared_src: tuple[Path, ...] = ()
    shared_docs: tuple[Path, ...] = ()
    command: str = "submissions create"


@dataclass
class _Run:
    """One run with what the v1.0 builder reads besides the v0.7 ``RunFolder``."""

    bundle_run: BundleRun
    point: dict[str, Any]
    point_bytes: bytes
    power: dict[str, Any] | None
    kind: str  # "performance" | "accuracy"
    system_dir: str = ""
    model_dir: str = ""
    concurrency: int = 0

    @property
    def run_id(self) -> str:
        return self.bundle_run.run_id

    @property
    def path(self) -> Path:
        return self.bundle_run.folder.path


@dataclass
class _Point:
    perf: _Run
    accuracy_from: Path | None = None
    inline_from: Path | None = None  # the perf run's own file, when the accuracy run's is used
    accuracy_run: _Run | None = None  # the separate accuracy run of this point, if any
    tps: float | None = None


@dataclass
class _Plan:
    org: str
    points: dict[tuple[str, str, int], _Point] = field(default_factory=dict)
    powers: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared: dict[str, Path] = field(default_factory=dict)  # bundle path → source file
    implementations: list[str] = field(default_factory=list)


def org_slug(value: str | None) -> str:
    """Part B §1: ``[^\\w-]`` → ``_``, runs of ``_`` collapsed, ``_`` stripped, 64 chars."""
    if not value:
        return "org"
    slug = re.sub("_+", "_", _ORG_UNSAFE.sub("_", value.strip())).strip("_")[:_ORG_MAX]
    return slug or "org"


def model_dir_name(point: dict[str, Any], config: dict[str, Any]) -> str:
    """Part B §1: the last ``/`` component of point.yaml model_name, else the config's."""
    for value in (point.get("model_name"), dig(config, "model_params.name")):
        if isinstance(value, str) and value.strip():
            return safe_name(value.strip().rsplit("/", 1)[-1])
    return ""


def _load(path: Path, loader: Any, run_id: str) -> Any:
    try:
        return loader(path)
    except LoadError as exc:
        raise BundleError(f"run {run_id}: {path.name}: {exc.message}") from None


def _run_kind(run_id: str, config: dict[str, Any], point: dict[str, Any]) -> str:
    """§3.2: config datasets[0].type, else point.yaml dataset_type exactly; never a guess."""
    first = dig(config, "datasets")
    first = first[0] if isinstance(first, list) and first and isinstance(first[0], dict) else {}
    found = first.get("type")
    if found in ("performance", "accuracy"):
        return found
    declared = point.get("dataset_type")
    if declared in ("Performance", "Accuracy"):
        return declared.lower()
    raise BundleError(
        f"run {run_id}: cannot tell a performance run from an accuracy run: config.yaml "
        f"datasets[0].type is {found!r} and point.yaml dataset_type is {declared!r}",
        hint="set dataset_type: Performance or Accuracy in the run's point.yaml",
    )


def _read_run(bundle_run: BundleRun) -> _Run:
    folder = bundle_run.folder
    point_path = folder.path / POINT_YAML
    if not point_path.is_file():
        raise BundleError(
            f"run {bundle_run.run_id} has no {POINT_YAML}: it is a round v0.7 run",
            hint="build it with --round v0.7, or register the folder again after "
            "`endpoints-submission-cli init --path RUN`",
        )
    point = _load(point_path, load_yaml, bundle_run.run_id)
    if not isinstance(point, dict):
        raise BundleError(f"run {bundle_run.run_id}: {POINT_YAML} is not a mapping")
    power = None
    if (folder.path / SYSTEM_POWER).is_file():
        power = _load(folder.path / SYSTEM_POWER, load_json, bundle_run.run_id)
    run = _Run(
        bundle_run,
        point,
        point_path.read_bytes(),
        power,
        _run_kind(bundle_run.run_id, folder.config, point),
    )
    name = folder.system_desc.get("system_name")
    if not isinstance(name, str) or not name.strip():
        raise BundleError(
            f"run {run.run_id}: its system description has no system_name",
            hint="add system_name to system_desc.json and register the run again",
        )
    run.system_dir = safe_name(name)
    run.model_dir = model_dir_name(point, folder.config)
    if not run.model_dir:
        raise BundleError(f"run {run.run_id}: point.yaml has no model_name")
    concurrency = point.get("concurrency", folder.concurrency)
    run.concurrency = concurrency if isinstance(concurrency, int) else folder.concurrency
    return run


def _shared_files(runs: Sequence[_Run], options: BundleOptionsV1) -> dict[str, Path]:
    """src/ and docs/ of the bundle: runs' src/ and documentation/ plus the flag folders."""
    shared: SharedFiles = {}
    for run in runs:
        for run_dir, bundle_dir in RUN_SHARED_DIRS.items():
            root = run.path / run_dir
            if root.is_dir():
                for path in files_under(root):
                    rel = f"{bundle_dir}/{path.relative_to(root).as_posix()}"
                    add_shared_file(shared, rel, path, f"run {run.run_id}")
    for flag, bundle_dir, folders in (
        ("--shared-src", "src", options.shared_src),
        ("--shared-docs", "docs", options.shared_docs),
    ):
        for folder in folders:
            if not Path(folder).is_dir():
                raise BundleError(f"{flag} {folder}: not a directory")
            for path in files_under(Path(folder)):
                rel = f"{bundle_dir}/{path.relative_to(folder).as_posix()}"
                add_shared_file(shared, rel, path, f"{flag} {folder}")
    return {rel: entry[2] for rel, entry in sorted(shared.items())}


def _implementations(shared: dict[str, Path]) -> list[str]:
    """§3.6: src/ must hold ≥1 implementation directory, each with a README.md (any case)."""
    impls: dict[str, bool] = {}
    for rel in shared:
        parts = rel.split("/")
        if parts[0] == "src" and len(parts) >= 3:
            impls[parts[1]] = impls.get(parts[1], False) or (
                len(parts) == 3 and parts[2].lower() == "readme.md"
            )
    if not impls:
        raise BundleError(
            "src/ would be empty: no run has a src/<implementation>/ folder",
            hint="pass --shared-src DIR with one folder per implementation (each with a "
            "README.md), or add src/ to a run folder",
        )
    missing = sorted(name for name, has_readme in impls.items() if not has_readme)
    if missing:
        raise BundleError(
            f"src/{missing[0]}/ has no README.md"
            + (f" (nor {', '.join(missing[1:])})" if missing[1:] else ""),
            hint="add a README.md that says how to run the implementation",
        )
    return sorted(impls)


def _plan(runs: list[_Run], options: BundleOptionsV1) -> _Plan:
    orgs = {
        org_slug(r.bundle_run.folder.system_desc.get("submitter_org_names")): r.run_id for r in runs
    }
    if options.org:
        org = org_slug(options.org)
    elif len(orgs) > 1:
        listed = ", ".join(f"{org!r} (run {rid})" for org, rid in orgs.items())
        raise BundleError(
            f"the runs name different organisations: {listed}", hint="pass --org NAME"
        )
    else:
        org = next(iter(orgs))
    plan = _Plan(org=org)
    accuracy_runs: dict[tuple[str, str, int], _Run] = {}
    for run in runs:
        key = (run.system_dir, run.model_dir, run.concurrency)
        table = plan.points if run.kind == "performance" else accuracy_runs
        existing = table.get(key)
        if existing is not None:
            other = existing.perf if isinstance(existing, _Point) else existing
            raise BundleError(
                f"runs {other.run_id} and {run.run_id} are both {run.kind} runs of system "
                f"{key[0]!r}, model {key[1]!r} at concurrency {key[2]}",
                hint="keep one of them: drop the other id from --run-ids",
            )
        if run.kind == "performance":
            plan.points[key] = _Point(run)
        else:
            accuracy_runs[key] = run
    for key, run in accuracy_runs.items():
        point = plan.points.get(key)
        if point is None:
            raise BundleError(
                f"accuracy run {run.run_id} (system {key[0]!r}, model {key[1]!r}, concurrency "
                f"{key[2]}) has no performance run at its concurrency",
                hint="add the performance run of that point to --run-ids",
            )
        point.accuracy_run = run
        if (run.path / ACCURACY).is_file():
            point.accuracy_from = run.path / ACCURACY
            if (point.perf.path / ACCURACY).is_file():
                point.inline_from = point.perf.path / ACCURACY
    for point in plan.points.values():
        if point.accuracy_from is None and (point.perf.path / ACCURACY).is_file():
            point.accuracy_from = point.perf.path / ACCURACY
    _check_systems(runs, plan)
    for point in plan.points.values():
        _audits(point)  # refuses a point.yaml that would hide the runs' verdicts
    shared = _shared_files(runs, options)
    plan.implementations = _implementations(shared)
    plan.shared = shared
    _check_shared_declared(plan)
    return plan


def _check_systems(runs: list[_Run], plan: _Plan) -> None:
    """§3.4/§3.5: one C_max and one power descriptor per system."""
    cmax: dict[str, tuple[Any, str]] = {}
    names: dict[str, tuple[str, str]] = {}
    for run in runs:
        name = str(run.bundle_run.folder.system_desc.get("system_name")).strip()
        seen_name = names.setdefault(run.system_dir, (name, run.run_id))
        if seen_name[0] != name:
            raise BundleError(
                f"system names {seen_name[0]!r} (run {seen_name[1]}) and {name!r} (run "
                f"{run.run_id}) both become the directory {run.system_dir!r}",
                hint="give the systems names that differ in letters, digits, '.', '_' or '-'",
            )
        value = run.bundle_run.folder.system_desc.get("max_supported_concurrency")
        if value is None:
            raise BundleError(
                f"run {run.run_id}: system_desc.json has no max_supported_concurrency",
                hint="add it and register the run again",
            )
        seen = cmax.setdefault(run.system_dir, (value, run.run_id))
        if seen[0] != value:
            raise BundleError(
                f"runs {seen[1]} and {run.run_id} of system {run.system_dir!r} declare "
                f"max_supported_concurrency {seen[0]} and {value}",
                hint="every run of a system must be registered with the same system description",
            )
        if run.power is not None:
            known = plan.powers.setdefault(run.system_dir, run.power)
            if known != run.power:
                raise BundleError(
                    f"run {run.run_id} brings a {SYSTEM_POWER} for system {run.system_dir!r} "
                    "that differs from another run's",
                    hint=f"register every run of the system with the same {SYSTEM_POWER}",
                )


def _check_shared_declared(plan: _Plan) -> None:
    if len(plan.implementations) == 1:
        return
    for point in plan.points.values():
        if "shared_src" not in point.perf.point:
            raise BundleError(
                f"run {point.perf.run_id}: src/ holds {len(plan.implementations)} "
                f"implementations ({', '.join(plan.implementations)}) and its point.yaml "
                "does not say which one it used",
                hint="add shared_src: src/<implementation> to the run's point.yaml",
            )


def _tps(run: _Run) -> float | None:
    summary = run.bundle_run.folder.summary
    total = dig(summary, "output_sequence_lengths.total")
    duration = summary.get("duration_ns")
    if isinstance(total, (int, float)) and isinstance(duration, (int, float)) and duration > 0:
        return total / (duration / 1e9)
    return None


def _system_desc(run: _Run, options: BundleOptionsV1, utilisation: float | None) -> dict:
    """§3.1/§3.8: the validated description, the CLI's flags overriding, legacy keys dropped."""
    data = dict(run.bundle_run.folder.system_desc)
    for legacy in ("publication_status", "availability_status"):
        data.pop(legacy, None)
    # The flags override (§3.1); a value that already says the same keeps its spelling.
    if options.division and str(data.get("division", "")).lower() != options.division:
        data["division"] = options.division
    if options.availability:
        status = AVAILABILITY_STATUS[options.availability]
        if str(data.get("system_availability_status", "")).lower() != status.lower():
            data["system_availability_status"] = status
    if options.target_availability_date:
        data["target_availability_date"] = options.target_availability_date
    if utilisation is not None:
        data["tps_utilization"] = utilisation
    return data


def _point_yaml(point: _Point, plan: _Plan) -> bytes:
    """§3.7: byte-for-byte, plus the bundle-internal paths block when they are absent, and the
    audit verdicts of the point's runs (as the v0.7 point file carries them)."""
    run = point.perf
    blocks: list[str] = []
    added = []
    if "shared_src" not in run.point:
        added.append(f"shared_src: src/{plan.implementations[0]}")
    if "shared_docs" not in run.point:
        added.append("shared_docs: docs")
    if added:
        blocks.append("\n".join([SHARED_BLOCK_HEADER, *added, ""]))
    audits = _audits(point)
    if audits:
        blocks.append("\n".join([AUDIT_BLOCK_HEADER, "audits:", *audits, ""]))
    if not blocks:
        return run.point_bytes
    text = run.point_bytes
    if not text.endswith(b"\n"):
        text += b"\n"
    return text + "".join(blocks).encode()


def _audits(point: _Point) -> list[str]:
    """One YAML line per ``audit/*.json`` of the point's runs: ``{file, passed, run_id}``.

    ``passed`` is kept when it is a boolean or null, else shown as its JSON text (bounded): the
    rule audit-passed warns on anything but ``true``. A point.yaml that declares ``audits``
    itself is refused when there are verdicts to add, so that a typed list cannot hide them.
    """
    lines = []
    for run in (point.perf, point.accuracy_run):
        if run is None:
            continue
        for name, data in run.bundle_run.folder.audits.items():
            passed = data.get("passed")
            if passed is not None and not isinstance(passed, bool):
                passed = json.dumps(passed, default=str)[:200]
            entry = {"file": name, "passed": passed, "run_id": run.run_id}
            lines.append(f"- {json.dumps(entry)}")
    if lines and "audits" in point.perf.point:
        raise BundleError(
            f"run {point.perf.run_id}: {POINT_YAML} declares audits, which the bundle writes "
            "from the runs' audit/ folders",
            hint=f"remove the audits key from {POINT_YAML} and register the run again",
        )
    return lines


def _entries(data: Any) -> list[tuple[str | None, Any]]:
    """(key, entry) pairs of the accepted accuracy_results.json shapes (§4.4)."""
    if isinstance(data, list):
        return [(None, entry) for entry in data]
    if isinstance(data, dict) and "accuracy_scores" in data:
        scores = data["accuracy_scores"]
        if isinstance(scores, list):
            return [(None, entry) for entry in scores]
        return list(scores.items()) if isinstance(scores, dict) else []
    if isinstance(data, dict):
        return [(k, v) for k, v in data.items() if k != "average_accuracy"]
    return []


def _is_inline(key: str | None, entry: Any) -> bool:
    """The inline score of a performance run: ``dataset_type: performance`` (an untyped entry
    named ``performance`` counts too, §4.4)."""
    if not isinstance(entry, dict):
        return False
    kind = entry.get("dataset_type")
    if isinstance(kind, str):
        return kind.strip().lower() == "performance"
    name = entry.get("dataset_name", key)
    return isinstance(name, str) and name.strip().lower() == "performance"


def _with_inline(accuracy: Any, inline_key: str | None, inline: dict[str, Any]) -> Any:
    """``accuracy`` with the perf run's inline entry added, in the file's own shape."""
    if isinstance(accuracy, list):
        return [*accuracy, {"dataset_name": inline_key, **inline} if inline_key else inline]
    scores = accuracy.get("accuracy_scores") if "accuracy_scores" in accuracy else None
    key = inline_key or inline.get("dataset_name") or "performance"
    if isinstance(scores, list):
        entry = {"dataset_name": inline_key, **inline} if inline_key else inline
        return {**accuracy, "accuracy_scores": [*scores, entry]}
    if isinstance(scores, dict):
        return {**accuracy, "accuracy_scores": {**scores, key: inline}}
    return {**accuracy, key: inline}


def _write_accuracy(point: _Point, target: Path) -> None:
    """§3.3: the accuracy run's results; if they carry no inline (performance-run) score and
    the performance run's own file has one, it is appended, so the point keeps it."""
    if point.inline_from is not None:
        accuracy = load_json(point.accuracy_from)
        own = load_json(point.inline_from)
        inline = [(k, e) for k, e in _entries(own) if _is_inline(k, e)]
        has_inline = any(_is_inline(k, e) for k, e in _entries(accuracy))
        if len(inline) == 1 and not has_inline and isinstance(accuracy, (dict, list)):
            _write_json(target, _with_inline(accuracy, *inline[0]))
            return
    shutil.copyfile(point.accuracy_from, target)


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build_bundle_v1(
    runs: list[BundleRun], dest: Path, options: BundleOptionsV1 | None = None
) -> BundleInfo:
    """Write ``dest/<org>/<submission_id>/``; everything is validated before the first write.

    The returned ``BundleInfo.root`` is ``dest/<org>`` (what is checked, packed and pushed)."""
    options = options or BundleOptionsV1()
    if not runs:
        raise BundleError("no runs to bundle", hint="pass --run-ids")
    read = [_read_run(run) for run in runs]
    plan = _plan(read, options)
    curves: dict[tuple[str, str], list[_Point]] = defaultdict(list)
    for (system_dir, model_dir, _), point in plan.points.items():
        point.tps = _tps(point.perf)
        curves[(system_dir, model_dir)].append(point)

    org_root = Path(dest) / plan.org
    if org_root.exists() and any(org_root.iterdir()):
        raise BundleError(
            f"{org_root} already exists and is not empty", hint="use an empty --output"
        )
    root = org_root / (options.submission_id or PENDING_SUBMISSION_ID)
    for rel, source in plan.shared.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (root / "docs").mkdir(parents=True, exist_ok=True)
    for system_dir, power in plan.powers.items():
        _write_json(root / "results" / system_dir / SYSTEM_POWER, power)
    points: list[PointInfo] = []
    for (system_dir, model_dir), curve in sorted(curves.items()):
        best = max((p.tps for p in curve if p.tps is not None), default=None)
        classify = _classifier(curve)
        for point in sorted(curve, key=lambda p: p.perf.concurrency):
            run = point.perf
            folder = run.bundle_run.folder
            target = root / "results" / system_dir / model_dir / f"r{run.concurrency}"
            target.mkdir(parents=True)
            (target / POINT_YAML).write_bytes(_point_yaml(point, plan))
            share = point.tps / best if point.tps is not None and best else None
            _write_json(target / "system_desc.json", _system_desc(run, options, share))
            _write_json(target / "result_summary.json", folder.summary)
            for rel in COPIED_FILES:
                if (folder.path / rel).is_file():
                    (target / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(folder.path / rel, target / rel)
            for rel in COPIED_DIRS:
                if (folder.path / rel).is_dir():
                    shutil.copytree(folder.path / rel, target / rel, symlinks=False)
            if point.accuracy_from is not None:
                _write_accuracy(point, target / "accuracy_results.json")
            region = "offline" if run.point.get("offline") == "dedicated" else None
            points.append(
                PointInfo(
                    system_dir,
                    model_dir,
                    run.concurrency,
                    region or classify(run.concurrency),
                    run.run_id,
                )
            )
    _write_json(
        root / "cli_metadata.json",
        {
            "command": options.command,
            "cli_version": __version__,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "run_ids": [run.run_id for run in runs],
        },
    )
    return BundleInfo(
        root=org_root,
        org=plan.org,
        systems=sorted({p.system_id for p in points}),
        points=points,
        accuracy=[],
        run_ids=[run.run_id for run in runs],
    )


def _classifier(curve: list[_Point]) -> Any:
    """concurrency → v1.0 region of the curve (C_min from its points, §5 / A2.1), for the PR
    table; ``None`` where the regions cannot be computed (the checker says why)."""
    first = curve[0].perf.bundle_run.folder.system_desc
    overrides = {p.perf.bundle_run.folder.system_desc.get("c_min_override") for p in curve}
    override = overrides.pop() if len(overrides) == 1 else None
    c_min = derive_c_min(
        [p.perf.concurrency for p in curve], override if isinstance(override, int) else None
    )
    try:
        regions = compute_regions_v1(
            first.get("max_supported_concurrency"),
            c_min.value if c_min else 32,
            c_min_overridden=bool(c_min and c_min.overridden),
        )
    except (ValueError, TypeError):
        return lambda _concurrency: None
    return regions.classify


def submission_dir(info: BundleInfo) -> Path:
    """The ``<org>/<submission_id>/`` directory of a v1.0 bundle."""
    children = [child for child in info.root.iterdir() if child.is_dir()]
    if len(children) != 1:
        raise BundleError(f"{info.root}: expected one submission directory, found {len(children)}")
    return children[0]


def name_submission(info: BundleInfo, submission_id: str) -> Path:
    """Give the pending tree PRISM's id (§1: built as pending-submission-id, renamed after
    the POST); a tree already named so is left alone."""
    current = submission_dir(info)
    if current.name == submission_id:
        return current
    wanted = safe_name(submission_id)
    target = current.with_name(wanted)
    current.rename(target)
    return target


ROUND_V07 = "v0.7"
ROUND_V10 = "v1.0"


def _runs_were(run_ids: Sequence[str]) -> str:
    """``run X was`` / ``runs X, Y were``: the subject of a sentence about registered runs."""
    if len(run_ids) == 1:
        return f"run {run_ids[0]} was"
    return f"runs {', '.join(run_ids)} were"


def choose_round(records: Sequence[dict[str, Any]], forced: str | None = None) -> str:
    """The round a bundle is built in (A3.3): runs registered with a point.yaml
    (``point_config``) are v1.0, others v0.7; ``forced`` (``--round``) wins, but a v1.0 tree
    cannot be built from runs without a point.yaml. Mixing rounds is an error naming the runs."""
    v10 = [str(r.get("id")) for r in records if r.get("point_config")]
    v07 = [str(r.get("id")) for r in records if not r.get("point_config")]
    if forced == ROUND_V10 and v07:
        raise BundleError(
            f"--round v1.0, but {_runs_were(v07)} registered without a point.yaml "
            "(round v0.7 runs)",
            hint="run `endpoints-submission-cli init --path RUN`, fill in point.yaml and "
            "register the folder again",
        )
    if forced == ROUND_V07 and v10:
        raise BundleError(
            f"--round v0.7, but {_runs_were(v10)} registered with a point.yaml (round v1.0 runs)",
            hint="drop --round v0.7 (the runs build a round v1.0 submission), or submit "
            "runs registered without a point.yaml",
        )
    if forced:
        return forced
    if v10 and v07:
        raise BundleError(
            f"the runs mix rounds: {', '.join(v10)} (v1.0, registered with point.yaml) and "
            f"{', '.join(v07)} (v0.7, without)",
            hint="submit runs of one round, or force one with --round",
        )
    return ROUND_V10 if v10 else ROUND_V07
