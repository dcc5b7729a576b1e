"""Runs → submission tree: the checker.md §1 layout, built from extracted run folders.

Pure: run folders (already downloaded and extracted) and their ids go in, one ``<org>/`` folder
comes out. No HTTP, no git. Everything that would make the bundle ambiguous is refused before a
file is written, with a message naming the run ids, fields and the fix:

* two performance runs for the same (system, model, concurrency);
* runs of one system disagreeing on the system description (the differing fields are named);
* several runs of a model carrying accuracy results without ``--accuracy-run``;
* a model without an official accuracy target and no ``--quality-target``;
* the same path under ``src/`` or ``documentation/`` with different bytes in two runs.

Mapping (cli.md §5): the summary is copied verbatim; the detail log is a JSON object built from
the config, the metrics snapshot, the run id and the SHA-256 of ``events.jsonl`` (the events stay
in the PRISM run archive); accuracy files come from the accuracy run, scores on the official
target's scale (fractions × 100 when the target is above 1).
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from submission_checker.naming import normalise_model_name
from submission_checker.regions import REGION_KEYS, compute_regions
from submission_checker.rounds import OfficialTarget, load_round, normalise_metric

from .archive import sha256_file
from .errors import BundleError
from .runfolder import RunFolder

SHARED_DIRS = ("src", "documentation")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(value: str) -> str:
    """``[A-Za-z0-9._-]`` only, others → ``_`` (cli.md §5); never empty, never a dot name."""
    name = _UNSAFE_CHARS.sub("_", value.strip())
    return "_" if name in ("", ".", "..") else name


@dataclass(frozen=True)
class BundleRun:
    """One run going into the bundle: its PRISM id and its extracted folder."""

    run_id: str
    folder: RunFolder


@dataclass(frozen=True)
class BundleOptions:
    """Choices the runs cannot make themselves.

    ``model`` / ``accuracy_run_id`` / ``quality_target`` come from the user (``--model``,
    ``--accuracy-run``, ``--quality-target``); ``preferred_accuracy_runs`` and
    ``inherited_quality_targets`` (model dir → target) come from a submission's previous
    bundle, so a rebuild keeps what create chose.
    """

    org: str | None = None
    model: str | None = None
    model_source: str = "--model"
    accuracy_run_id: str | None = None
    quality_target: float | None = None
    preferred_accuracy_runs: tuple[str, ...] = ()
    inherited_quality_targets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PointInfo:
    system_id: str
    model: str
    concurrency: int
    region: str | None
    run_id: str


@dataclass(frozen=True)
class AccuracyInfo:
    system_id: str
    model: str
    run_id: str
    metric: str
    score: float
    quality_target: float
    passed: bool
    official: bool


@dataclass
class BundleInfo:
    """What was built: enough for the PR body and the command's output."""

    root: Path
    org: str
    systems: list[str]
    points: list[PointInfo]
    accuracy: list[AccuracyInfo]
    run_ids: list[str]
    notes: list[str] = field(default_factory=list)

    def region_table(self) -> list[tuple[str, str, dict[str, list[int]]]]:
        """(system, model, region key → concurrencies) rows, deterministic order."""
        rows: dict[tuple[str, str], dict[str, list[int]]] = {}
        for point in self.points:
            per_region = rows.setdefault(
                (point.system_id, point.model), {k: [] for k in REGION_KEYS}
            )
            per_region.setdefault(point.region or "out_of_range", []).append(point.concurrency)
        return [(s, m, regions) for (s, m), regions in sorted(rows.items())]


# -- helpers -----------------------------------------------------------------------------------


def _diff_paths(a: Any, b: Any, prefix: str = "") -> Iterator[str]:
    """Field paths (``node_types[0].accelerators_per_node``) where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in a or key not in b:
                yield path
            else:
                yield from _diff_paths(a[key], b[key], path)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diff_paths(x, y, f"{prefix}[{i}]")
    elif a != b or type(a) is not type(b):
        yield prefix or "(whole description)"


def _lookup(data: Any, path: str) -> Any:
    current = data
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            current = current[index] if isinstance(current, list) and index < len(current) else None
        else:
            current = current.get(part) if isinstance(current, dict) else None
    return current


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def files_under(root: Path) -> Iterator[Path]:
    """The regular files below ``root`` in a stable order; links are never followed."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


# -- validation ----------------------------------------------------------------------------


def _system_id(run: BundleRun) -> str:
    name = run.folder.system_desc.get("system_name") if run.folder.system_desc else None
    if not isinstance(name, str) or not name.strip():
        raise BundleError(
            f"run {run.run_id}: its system description has no system_name",
            hint="add system_name to system_desc.json and register the run again",
        )
    return safe_name(name)


def _declared_model(run: BundleRun, options: BundleOptions) -> tuple[str, str]:
    """(model name, where it came from): the MLPerf model, not the Hugging Face checkpoint.

    ``--model``, else config.yaml ``submission_ref.model``, else the system description's
    ``benchmark_model``, else ``model_params.name``.
    """
    if options.model:
        return options.model, options.model_source
    if run.folder.submission_model:
        return run.folder.submission_model, "submission_ref.model in config.yaml"
    declared = run.folder.system_desc.get("benchmark_model")
    if isinstance(declared, str) and declared.strip():
        return declared.strip(), "benchmark_model in the system description"
    return run.folder.model_name, "model_params.name in config.yaml"


def _model_notes(sources: dict[tuple[str, str], list[str]]) -> list[str]:
    notes = []
    for (model, source), run_ids in sorted(sources.items()):
        shown = ", ".join(run_ids[:5]) + (
            f" and {len(run_ids) - 5} more" if len(run_ids) > 5 else ""
        )
        notes.append(f"model directory {model!r} from {source} (runs {shown})")
    return notes


def _check_systems_agree(by_system: dict[str, list[BundleRun]]) -> None:
    for system_id, runs in by_system.items():
        first = runs[0]
        for other in runs[1:]:
            fields = list(_diff_paths(first.folder.system_desc, other.folder.system_desc))
            if not fields:
                continue
            shown = "; ".join(
                f"{f}: {json.dumps(_lookup(first.folder.system_desc, f))} vs "
                f"{json.dumps(_lookup(other.folder.system_desc, f))}"
                for f in fields[:8]
            )
            more = f" (and {len(fields) - 8} more)" if len(fields) > 8 else ""
            raise BundleError(
                f"runs {first.run_id} and {other.run_id} of system {system_id!r} disagree on the "
                f"system description: {shown}{more}",
                hint="register every run of a system with the same system_desc.json",
            )


def _org_name(by_system: dict[str, list[BundleRun]], options: BundleOptions) -> str:
    if options.org:
        return safe_name(options.org)
    orgs = {}
    for system_id, runs in by_system.items():
        value = runs[0].folder.system_desc.get("submitter_org_names")
        if not isinstance(value, str) or not value.strip():
            raise BundleError(
                f"system {system_id!r} (run {runs[0].run_id}) has no submitter_org_names",
                hint="pass --org NAME or add submitter_org_names to system_desc.json",
            )
        orgs.setdefault(safe_name(value), system_id)
    if len(orgs) > 1:
        listed = ", ".join(f"{org!r} (system {sid!r})" for org, sid in orgs.items())
        raise BundleError(
            f"the systems name different organisations: {listed}",
            hint="pass --org NAME to choose the bundle's top folder",
        )
    return next(iter(orgs))


def _accuracy_alone(
    runs: list[BundleRun],
    ids: dict[str, tuple[str, str]],
    accuracy_runs: dict[tuple[str, str], BundleRun],
) -> set[str]:
    """Accuracy runs whose performance phase another run already measures at that concurrency.

    A ``--mode both`` run chosen for accuracy then serves for accuracy alone: the sweep's own
    performance point stands (issue 15: no "two performance runs at concurrency 4").
    """
    chosen = {run.run_id for run in accuracy_runs.values()}
    measured = {
        (*ids[run.run_id], run.folder.concurrency)
        for run in runs
        if run.folder.has_performance and run.run_id not in chosen
    }
    return {
        run.run_id
        for run in accuracy_runs.values()
        if run.folder.has_performance and (*ids[run.run_id], run.folder.concurrency) in measured
    }


def _check_points_unique(
    runs: list[BundleRun], ids: dict[str, tuple[str, str]], accuracy_alone: set[str]
) -> None:
    seen: dict[tuple[str, str, int], str] = {}
    for run in runs:
        if not run.folder.has_performance or run.run_id in accuracy_alone:
            continue
        system_id, model = ids[run.run_id]
        key = (system_id, model, run.folder.concurrency)
        if key in seen:
            raise BundleError(
                f"runs {seen[key]} and {run.run_id} are both performance runs of system "
                f"{system_id!r}, model {model!r} at concurrency {run.folder.concurrency}",
                hint="keep one of them: drop the other id from --run-ids",
            )
        seen[key] = run.run_id


def _choose_accuracy_runs(
    runs: list[BundleRun], ids: dict[str, tuple[str, str]], options: BundleOptions
) -> dict[tuple[str, str], BundleRun]:
    by_id = {run.run_id: run for run in runs}
    if options.accuracy_run_id is not None:
        chosen = by_id.get(options.accuracy_run_id)
        if chosen is None:
            raise BundleError(
                f"--accuracy-run {options.accuracy_run_id} is not one of --run-ids",
                hint="add it to --run-ids or pick one of the listed runs",
            )
        if not chosen.folder.accuracy:
            raise BundleError(
                f"--accuracy-run {options.accuracy_run_id} has no accuracy results "
                "(accuracy/accuracy_results.json)"
            )
    candidates: dict[tuple[str, str], list[BundleRun]] = defaultdict(list)
    for run in runs:
        if run.folder.accuracy:
            candidates[ids[run.run_id]].append(run)
    chosen_runs: dict[tuple[str, str], BundleRun] = {}
    for key in sorted({ids[run.run_id] for run in runs}):
        found = candidates.get(key, [])
        picked = [r for r in found if r.run_id == options.accuracy_run_id] or [
            r for r in found if r.run_id in options.preferred_accuracy_runs
        ]
        if len(picked) == 1 or (picked and options.accuracy_run_id):
            chosen_runs[key] = picked[0]
        elif len(found) == 1:
            chosen_runs[key] = found[0]
        elif not found:
            raise BundleError(
                f"no run of system {key[0]!r}, model {key[1]!r} has accuracy results "
                "(accuracy/accuracy_results.json)",
                hint="add a run with an accuracy phase to --run-ids",
            )
        else:
            listed = ", ".join(r.run_id for r in found)
            raise BundleError(
                f"several runs of model {key[1]!r} carry accuracy results: {listed}",
                hint="choose one with --accuracy-run ID",
            )
    return chosen_runs


#: bundle path → (what brought it, its SHA-256, the file to copy)
SharedFiles = dict[str, tuple[str, str, Path]]


def add_shared_file(shared: SharedFiles, rel: str, source: Path, origin: str) -> None:
    """Put ``source`` at ``rel`` of the bundle's shared folders, brought by ``origin`` (``run
    ID`` or a flag and its folder). The bundle holds one copy of each file, so a second origin
    with different bytes is refused, naming both."""
    digest = sha256_file(source)
    if rel in shared and shared[rel][1] != digest:
        raise BundleError(
            f"{rel}: {shared[rel][0]} and {origin} bring different bytes for the same file",
            hint="make the file identical in both (or remove it from one); a run's copy "
            "changes only when the run is registered again",
        )
    shared.setdefault(rel, (origin, digest, source))


def _check_shared_dirs(runs: list[BundleRun]) -> dict[str, Path]:
    """Union of every run's src/ and documentation/; refuses conflicting bytes."""
    files: SharedFiles = {}
    for run in runs:
        for top in SHARED_DIRS:
            root = run.folder.path / top
            if not root.is_dir():
                continue
            for path in files_under(root):
                rel = path.relative_to(run.folder.path).as_posix()
                add_shared_file(files, rel, path, f"run {run.run_id}")
    return {rel: entry[2] for rel, entry in sorted(files.items())}


# -- accuracy ------------------------------------------------------------------------------


def _accuracy_metrics(run: BundleRun) -> tuple[dict[str, float], list[str], int | None]:
    """Metric → raw score from accuracy_results.json, with the datasets and sample count."""
    results = run.folder.accuracy or {}
    eval_methods = {
        d.get("name"): (d.get("accuracy_config") or {}).get("eval_method")
        for d in run.folder.config.get("datasets") or []
        if isinstance(d, dict)
    }
    metrics: dict[str, float] = {}
    datasets: list[str] = []
    samples = 0
    for entry in results.get("accuracy_scores") or []:
        if not isinstance(entry, dict):
            continue
        dataset = str(entry.get("dataset_name") or "")
        if dataset:
            datasets.append(dataset)
        if isinstance(entry.get("total_samples"), int):
            samples += entry["total_samples"]
        score = entry.get("score")
        if isinstance(score, dict):
            named = {str(k): float(v) for k, v in score.items() if _is_number(v)}
        elif _is_number(score):
            name = entry.get("metric") or eval_methods.get(dataset) or "accuracy"
            named = {str(name): float(score)}
        else:
            named = {}
        for name, value in named.items():
            metrics[f"{name}@{dataset}" if name in metrics else name] = value
    if not metrics and _is_number(results.get("average_accuracy")):
        metrics["accuracy"] = float(results["average_accuracy"])
    if not metrics:
        raise BundleError(
            f"run {run.run_id}: accuracy/accuracy_results.json holds no score",
            hint="re-run the accuracy phase of the benchmark",
        )
    return metrics, datasets, samples or None


def _on_target_scale(value: float, target: float | None) -> float:
    """Fractions become percentages when the target they are compared with is above 1."""
    if target is not None and target > 1 and 0 <= value <= 1:
        return round(value * 100, 6)
    return value


def _accuracy_result(
    run: BundleRun,
    system_id: str,
    model: str,
    official: OfficialTarget | None,
    options: BundleOptions,
) -> tuple[dict[str, Any], AccuracyInfo]:
    raw, datasets, samples = _accuracy_metrics(run)
    if official is not None:
        present = [
            m
            for m in official.metrics
            if any(normalise_metric(k) == normalise_metric(m) for k in raw)
        ]
        primary_official = present[0] if present else next(iter(official.metrics))
        quality_target = official.metrics[primary_official].lower
        primary = next(
            (k for k in raw if normalise_metric(k) == normalise_metric(primary_official)),
            next(iter(raw)),
        )
        # Only official metrics have an official scale; anything else is written as measured
        # (with ``passed`` computed, the checker's gate then says why it fails).
        scores = {}
        for name, value in raw.items():
            bound = official.bound_for(name)
            scores[name] = _on_target_scale(value, bound.lower) if bound else value
    else:
        quality_target = options.quality_target
        if quality_target is None:
            quality_target = options.inherited_quality_targets.get(model)
        if quality_target is None:
            raise BundleError(
                f"model {model!r} has no official accuracy target in this rules round",
                hint="pass --quality-target VALUE (on the scale of the model's accuracy score)",
            )
        primary = next(iter(raw))
        scores = {name: _on_target_scale(v, quality_target) for name, v in raw.items()}
    passed = scores[primary] >= quality_target
    document: dict[str, Any] = {
        "metric": primary,
        "score": scores[primary] if len(scores) == 1 else scores,
        "quality_target": quality_target,
        "passed": passed,
        "dataset": ",".join(datasets) or None,
        "num_samples": samples,
        "run_id": run.run_id,
    }
    document = {k: v for k, v in document.items() if v is not None}
    info = AccuracyInfo(
        system_id,
        model,
        run.run_id,
        primary,
        scores[primary],
        quality_target,
        passed,
        official is not None,
    )
    return document, info


def _accuracy_text(
    run: BundleRun, model: str, document: dict[str, Any], official: OfficialTarget | None
) -> str:
    scores = (
        document["score"]
        if isinstance(document["score"], dict)
        else {document["metric"]: document["score"]}
    )
    lines = [
        f"Accuracy of {model}",
        f"run id: {run.run_id}",
        f"benchmark config: {run.folder.config.get('name', '?')}",
        f"datasets: {document.get('dataset', '?')}",
        f"samples scored: {document.get('num_samples', '?')}",
        "scores:",
        *(f"  {name}: {value}" for name, value in scores.items()),
        f"primary metric: {document['metric']}",
        f"quality target: {document['quality_target']} "
        f"({'official target ' + official.name if official else 'given with --quality-target'})",
        f"passed: {'yes' if document['passed'] else 'no'}",
    ]
    report = run.folder.path / "report.txt"
    if report.is_file():
        lines += [
            "",
            f"--- report.txt of run {run.run_id} ---",
            report.read_text(encoding="utf-8", errors="replace").rstrip(),
        ]
    return "\n".join(lines) + "\n"


# -- writing -------------------------------------------------------------------------------


def _point_yaml(run: BundleRun, model: str, region: str | None) -> dict[str, Any]:
    folder = run.folder
    runtime: dict[str, Any] = {"load_pattern": folder.load_pattern}
    if isinstance(folder.stream_all_chunks, bool):
        runtime["stream_all_chunks"] = folder.stream_all_chunks
    if folder.min_duration_ms is not None:
        runtime["min_duration_ms"] = folder.min_duration_ms
    if folder.n_samples_to_issue is not None:
        runtime["min_sample_count"] = folder.n_samples_to_issue
    point: dict[str, Any] = {
        "concurrency": folder.concurrency,
        "dataset": folder.dataset,
        "benchmark_model": model,
    }
    # The dataset is identified by its file (config-consistency-dataset), the label is free text.
    dataset_file = folder.dataset_file
    if dataset_file is not None:
        point["dataset_file"] = dataset_file
    if region is not None:
        point["region"] = region
    point["run_id"] = run.run_id
    point["runtime_settings"] = runtime
    if folder.audits:  # checked by the rule audit-passed
        point["audits"] = [
            {"file": name, "passed": data.get("passed")} for name, data in folder.audits.items()
        ]
    return point


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")


def _detail_log(run: BundleRun) -> dict[str, Any]:
    folder = run.folder
    metrics = None
    if folder.metrics_snapshot_path is not None and folder.metrics_snapshot_path.is_file():
        metrics = json.loads(folder.metrics_snapshot_path.read_text(encoding="utf-8"))
    events = folder.events_path
    return {
        "run_id": run.run_id,
        "config": folder.config,
        "metrics": metrics,
        "events_sha256": sha256_file(events) if events is not None and events.is_file() else None,
    }


def _region_of(system_desc: dict[str, Any], concurrency: int) -> str | None:
    try:
        return compute_regions(system_desc.get("max_supported_concurrency")).classify(concurrency)
    except ValueError:
        return None  # the checker reports max-concurrency-declared / region-computation


def build_bundle(
    runs: list[BundleRun], dest: Path, options: BundleOptions | None = None
) -> BundleInfo:
    """Write ``dest/<org>/`` from ``runs``; everything is validated before the first write."""
    options = options or BundleOptions()
    if not runs:
        raise BundleError("no runs to bundle", hint="pass --run-ids")
    ids: dict[str, tuple[str, str]] = {}
    declared: dict[str, str] = {}
    sources: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_system: dict[str, list[BundleRun]] = defaultdict(list)
    for run in runs:
        system_id = _system_id(run)
        name, source = _declared_model(run, options)
        model = normalise_model_name(name or "")
        if not model:
            raise BundleError(
                f"run {run.run_id}: {source} {name!r} gives no usable model name",
                hint="pass --model NAME (the MLPerf model, e.g. llama2-70b)",
            )
        ids[run.run_id] = (system_id, model)
        declared[run.run_id] = name
        sources[(model, source)].append(run.run_id)
        by_system[system_id].append(run)
    _check_systems_agree(by_system)
    org = _org_name(by_system, options)
    accuracy_runs = _choose_accuracy_runs(runs, ids, options)
    accuracy_alone = _accuracy_alone(runs, ids, accuracy_runs)
    _check_points_unique(runs, ids, accuracy_alone)
    shared_files = _check_shared_dirs(runs)
    rules_round = load_round()
    officials = {key: rules_round.official_target(key[1]) for key in accuracy_runs}
    accuracy_docs = {
        key: _accuracy_result(run, key[0], key[1], officials[key], options)
        for key, run in accuracy_runs.items()
    }

    root = Path(dest) / org
    if root.exists() and any(root.iterdir()):
        raise BundleError(
            f"{root} already exists and is not empty", hint="choose an empty --output directory"
        )
    root.mkdir(parents=True, exist_ok=True)
    notes: list[str] = _model_notes(sources)
    notes += [
        f"--quality-target {options.quality_target} is not used for {key[1]!r}: it has an "
        f"official target ({officials[key].name})"
        for key in sorted(accuracy_runs)
        if options.quality_target is not None and officials[key] is not None
    ]
    for system_id, system_runs in sorted(by_system.items()):
        _write_json(root / "systems" / f"{system_id}.json", system_runs[0].folder.system_desc)
    points: list[PointInfo] = []
    for run in sorted(runs, key=lambda r: (ids[r.run_id], r.folder.concurrency)):
        system_id, model = ids[run.run_id]
        model_dir = root / "pareto" / system_id / model
        for sub in ("points", "results", "accuracy"):
            (model_dir / sub).mkdir(parents=True, exist_ok=True)
        if not run.folder.has_performance:
            continue
        c = run.folder.concurrency
        if run.run_id in accuracy_alone:
            notes.append(
                f"run {run.run_id} is used for accuracy alone: another run is the performance "
                f"point at concurrency {c}"
            )
            continue
        region = _region_of(run.folder.system_desc, c)
        if region is None:
            notes.append(
                f"run {run.run_id}: concurrency {c} is outside every region of system {system_id!r}"
            )
        (model_dir / "points" / f"point_{c}.yaml").write_text(
            yaml.safe_dump(_point_yaml(run, declared[run.run_id], region), sort_keys=False),
            encoding="utf-8",
        )
        results = model_dir / "results" / f"point_{c}"
        results.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(run.folder.summary_path, results / "mlperf_endpoints_log_summary.json")
        _write_json(results / "mlperf_endpoints_log_detail.json", _detail_log(run))
        points.append(PointInfo(system_id, model, c, region, run.run_id))
    accuracy: list[AccuracyInfo] = []
    for key, run in sorted(accuracy_runs.items()):
        document, info = accuracy_docs[key]
        target_dir = root / "pareto" / key[0] / key[1] / "accuracy"
        _write_json(target_dir / "accuracy_result.json", document)
        (target_dir / "accuracy.txt").write_text(
            _accuracy_text(run, key[1], document, officials[key]), encoding="utf-8"
        )
        accuracy.append(info)
    for rel, source in shared_files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return BundleInfo(
        root=root,
        org=org,
        systems=sorted(by_system),
        points=points,
        accuracy=accuracy,
        run_ids=[r.run_id for r in runs],
        notes=notes,
    )
