"""Read one inference-endpoint report folder (cli.md §2) into a ``RunFolder``.

Everything ``runs create`` must know before it sends anything is decided here: required files
present and strictly parseable (duplicate keys, NaN, non-UTF-8 rejected; big RNG seeds kept
exact), the system description valid against the checker's own model, the summary carrying
token counts and a duration. Problems the checker would only flag later are ``warnings()``.
No network, no archive work: a pure "folder in, facts out" module.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from submission_checker.loading import LoadError, load_json, load_yaml
from submission_checker.models import SystemDescription, validation_problems

from .archive import sha256_file
from .errors import RunFolderError
from .pointconfig import dig

CONFIG = "config.yaml"
SUMMARY = "performance/result_summary.json"
LEGACY_SUMMARY = "result_summary.json"
SYSTEM_DESC = "system_desc.json"
ACCURACY = "accuracy/accuracy_results.json"
METRICS_SNAPSHOT = "metrics/final_snapshot.json"
EVENTS = "events.jsonl"
AUDIT_DIR = "audit"
# Written into the run archive by `runs create`: the dataset file's path, size and SHA-256, so a
# bundle built elsewhere still knows which file the run measured (labels are free text).
DATASET_FILE = "dataset_file.json"
DATASET_HASH_LIMIT_BYTES = 8 * 1024**3  # larger datasets are identified by path and size only

LOW_LATENCY_MAX_CONCURRENCY = 32
LOW_LATENCY_MIN_DURATION_MS = 600_000  # checker.md rule point-duration
OTHER_REGIONS_MIN_DURATION_MS = 1_200_000

# A wall-clock start earlier than this is not a real benchmark start (the tool writes 0).
_PLAUSIBLE_EPOCH_S = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc).timestamp()


@dataclass
class RunFolder:
    path: Path
    config: dict[str, Any]
    summary: dict[str, Any]
    summary_path: Path | None
    system_desc: dict[str, Any]
    system_desc_path: Path
    model_name: str
    concurrency: int
    load_pattern: str
    dataset: str
    stream_all_chunks: bool | None
    min_duration_ms: int | None
    n_samples_to_issue: int | None
    accuracy: dict[str, Any] | None
    metrics_snapshot_path: Path | None
    events_path: Path | None
    submission_model: str | None = None  # config.yaml submission_ref.model
    dataset_path: str | None = None
    max_duration_ms: int | None = None
    audits: dict[str, dict[str, Any]] = field(default_factory=dict)  # audit/<file> → its JSON
    notes: list[str] = field(default_factory=list)  # facts noticed while reading, see warnings()

    @functools.cached_property
    def dataset_file(self) -> dict[str, Any] | None:
        """The dataset file's identity (see ``dataset_identity``), hashed once per run."""
        return dataset_identity(self)

    @property
    def has_performance(self) -> bool:
        return _int(self.summary.get("n_samples_issued")) > 0

    @property
    def duration_ns(self) -> int | float | None:
        value = self.summary.get("duration_ns")
        return value if _is_number(value) else None

    def warnings(self) -> list[str]:
        """What the checker will reject later (it does not stop the run from being registered)."""
        found = list(self.notes)
        if self.stream_all_chunks is not True:
            found.append(
                f"{CONFIG}: settings.client.stream_all_chunks is {_show(self.stream_all_chunks)}; "
                "the checker requires true (rule streaming-config)"
            )
        if self.load_pattern != "concurrency":
            found.append(
                f"{CONFIG}: settings.load_pattern.type is {self.load_pattern!r}; the checker "
                "requires 'concurrency' (rule load-pattern)"
            )
        if self.has_performance:
            found.extend(self._accounting_warnings())
        for name, audit in self.audits.items():
            if audit.get("passed") is False:
                found.append(
                    f'{name}: the audit did not pass ("passed": false); the checker reports '
                    "it (rule audit-passed, a warning)"
                )
        return found

    def _max_duration_cut(self) -> str | None:
        """Why the run ended early when ``settings.runtime.max_duration_ms`` stopped it."""
        cap, duration = self.max_duration_ms, self.duration_ns
        if not cap or cap <= 0 or duration is None or duration / 1e6 < cap:
            return None
        issued, planned = _int(self.summary.get("n_samples_issued")), self.n_samples_to_issue
        shortfall = (
            f" ({issued} of n_samples_to_issue {planned} issued)"
            if planned and issued < planned
            else ""
        )
        return (
            f"settings.runtime.max_duration_ms = {cap} ended the run after "
            f"{duration / 1e9:.1f} s{shortfall}"
        )

    def _accounting_warnings(self) -> list[str]:
        found = []
        name = self.summary_name
        cut = self._max_duration_cut()
        if cut is not None:
            found.append(
                f"{CONFIG}: {cut}; set max_duration_ms to 0 (no cap) or above the region "
                "minimum and run it again"
            )
        issued = _int(self.summary.get("n_samples_issued"))
        completed = _int(self.summary.get("n_samples_completed"))
        failed = _int(self.summary.get("n_samples_failed"))
        if completed != issued and completed + failed != issued:
            found.append(
                f"{name}: {issued} samples issued, {completed} completed (failed ones included) "
                f"and {failed} failed — {issued - completed} not accounted for "
                f"({'cut by max_duration_ms' if cut else 'was the run cut short?'}); "
                "the checker rejects this (rule metric-consistency-accounting)"
            )
        if failed:
            found.append(f"{name}: {failed} of {issued} samples failed")
        duration = self.duration_ns
        if duration is not None:
            minimum = (
                LOW_LATENCY_MIN_DURATION_MS
                if 1 <= self.concurrency <= LOW_LATENCY_MAX_CONCURRENCY
                else OTHER_REGIONS_MIN_DURATION_MS
            )
            if duration / 1e6 < minimum:
                found.append(
                    f"{name}: the run lasted {duration / 1e9:.1f} s, under the {minimum // 1000} s "
                    f"minimum for concurrency {self.concurrency} (rule point-duration, a warning)"
                )
        return found

    @property
    def summary_name(self) -> str:
        if self.summary_path is None:
            return SUMMARY
        return self.summary_path.relative_to(self.path).as_posix()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _show(value: Any) -> str:
    return "missing" if value is None else repr(value)


def _load(path: Path, relname: str, loader: Any) -> Any:
    try:
        return loader(path)
    except LoadError as exc:
        raise RunFolderError(
            f"{relname}: {exc.message}",
            hint=f"repair {relname} so that it reads (a file the benchmark wrote: restore the "
            "original from the run, or re-run the point)",
        ) from None


def _required(config: dict[str, Any], dotted: str, kind: type, what: str) -> Any:
    value = dig(config, dotted)
    if not isinstance(value, kind) or isinstance(value, bool) or value in ("", None):
        raise RunFolderError(
            f"{CONFIG}: {dotted} is {_show(value)}, expected {what}",
            hint="pass the config.yaml that inference-endpoint wrote for this run",
        )
    return value


def _optional(config: dict[str, Any], dotted: str, kind: type) -> Any:
    value = dig(config, dotted)
    if value is None:
        return None
    ok = (
        isinstance(value, bool)
        if kind is bool
        else (isinstance(value, kind) and not isinstance(value, bool))
    )
    if not ok:
        raise RunFolderError(f"{CONFIG}: {dotted} is {value!r}, expected {kind.__name__}")
    return value


def v07_system_desc_problems(data: Any) -> list[str]:
    """The v0.7 system description schema (checker.md §2.1), one line per problem."""
    return validation_problems(SystemDescription, data)


def read_run_folder(
    path: Path,
    system_desc: Path | None = None,
    *,
    system_desc_problems: Callable[[Any], list[str]] = v07_system_desc_problems,
) -> RunFolder:
    """Read and validate a run folder; ``system_desc`` overrides ``<path>/system_desc.json``.

    ``system_desc_problems`` is the round's schema check of the system description."""
    folder = Path(path).resolve()
    if not folder.is_dir():
        raise RunFolderError(
            f"{path} is not a directory",
            hint="pass the report folder inference-endpoint wrote (it contains config.yaml)",
        )
    config_path = folder / CONFIG
    if not config_path.is_file():
        raise RunFolderError(
            f"{folder.name}: {CONFIG} is missing",
            hint="pass the report folder of one run (it holds config.yaml and performance/)",
        )
    config = _load(config_path, CONFIG, load_yaml)
    if not isinstance(config, dict):
        raise RunFolderError(f"{CONFIG}: expected a mapping at the top level")

    summary, summary_path = _read_summary(folder)
    accuracy = _read_accuracy(folder)
    if not summary and accuracy is None:
        raise RunFolderError(
            f"{folder.name}: no result summary ({SUMMARY}, or {LEGACY_SUMMARY} of older tools) "
            f"and no {ACCURACY}",
            hint="was the benchmark interrupted before it wrote its report?",
        )

    load_pattern = _required(config, "settings.load_pattern.type", str, "a load pattern")
    dataset_name, dataset_path = _dataset(config)
    submission_model = _optional(config, "submission_ref.model", str)
    run = RunFolder(
        path=folder,
        config=config,
        summary=summary,
        summary_path=summary_path,
        system_desc={},
        system_desc_path=folder / SYSTEM_DESC,
        model_name=_required(config, "model_params.name", str, "the model name"),
        concurrency=_concurrency(config, summary, load_pattern),
        load_pattern=load_pattern,
        dataset=dataset_name,
        stream_all_chunks=_optional(config, "settings.client.stream_all_chunks", bool),
        min_duration_ms=_optional(config, "settings.runtime.min_duration_ms", int),
        n_samples_to_issue=_optional(config, "settings.runtime.n_samples_to_issue", int),
        accuracy=accuracy,
        metrics_snapshot_path=_existing(folder / METRICS_SNAPSHOT),
        events_path=_existing(folder / EVENTS),
        submission_model=submission_model.strip() or None if submission_model else None,
        dataset_path=dataset_path,
        max_duration_ms=_optional(config, "settings.runtime.max_duration_ms", int),
        audits=_read_audits(folder),
    )
    if run.has_performance:
        _check_performance_summary(run)
    run.system_desc, run.system_desc_path = _read_system_desc(
        folder, system_desc, system_desc_problems
    )
    if system_desc is not None and (folder / SYSTEM_DESC).is_file():
        run.notes.append(
            f"--system-desc {system_desc} replaces {SYSTEM_DESC} of the folder in the archive"
        )
    return run


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None


def _read_summary(folder: Path) -> tuple[dict[str, Any], Path | None]:
    for relname in (SUMMARY, LEGACY_SUMMARY):
        candidate = folder / relname
        if candidate.is_file():
            data = _load(candidate, relname, load_json)
            if not isinstance(data, dict):
                raise RunFolderError(f"{relname}: expected a JSON object")
            return data, candidate
    return {}, None


def _read_accuracy(folder: Path) -> dict[str, Any] | None:
    path = folder / ACCURACY
    if not path.is_file():
        return None
    data = _load(path, ACCURACY, load_json)
    if not isinstance(data, dict):
        raise RunFolderError(f"{ACCURACY}: expected a JSON object")
    return data


def _concurrency(config: dict[str, Any], summary: dict[str, Any], load_pattern: str) -> int:
    value = dig(config, "settings.load_pattern.target_concurrency")
    if value is None:
        value = dig(summary, "run_config.load_pattern.target_concurrency")
    if value is None and load_pattern != "concurrency":
        # The cause is the load pattern, not a forgotten number: say so (an Offline run).
        offline = " (an Offline run)" if load_pattern == "max_throughput" else ""
        raise RunFolderError(
            f"{CONFIG}: settings.load_pattern.type is {load_pattern!r}{offline}, expected "
            "'concurrency': MLPerf Endpoints points are measured at a target concurrency",
            hint="run the benchmark again with load_pattern type 'concurrency' and a "
            "target_concurrency",
        )
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RunFolderError(
            f"{CONFIG}: settings.load_pattern.target_concurrency is {_show(value)}, "
            "expected an integer ≥ 1",
            hint="MLPerf Endpoints points are measured with load_pattern type 'concurrency'",
        )
    return value


def _dataset(config: dict[str, Any]) -> tuple[str, str | None]:
    """(label, file path) of the dataset the performance phase used.

    The first ``type: performance`` entry, else the first entry (a run with an accuracy phase
    lists its accuracy dataset too).
    """
    datasets = config.get("datasets")
    if not isinstance(datasets, list) or not datasets or not isinstance(datasets[0], dict):
        raise RunFolderError(f"{CONFIG}: datasets is {_show(datasets)}, expected a non-empty list")
    index = next(
        (
            i
            for i, entry in enumerate(datasets)
            if isinstance(entry, dict) and entry.get("type") == "performance"
        ),
        0,
    )
    name = datasets[index].get("name")
    if not isinstance(name, str) or not name.strip():
        raise RunFolderError(f"{CONFIG}: datasets[{index}].name is {_show(name)}, expected a name")
    path = datasets[index].get("path")
    return name, path if isinstance(path, str) and path.strip() else None


MAX_AUDIT_FILES = 256


def _read_audits(folder: Path) -> dict[str, dict[str, Any]]:
    """``audit/*.json`` objects by relative name (audit runs write a verdict under ``passed``)."""
    audit_dir = folder / AUDIT_DIR
    if not audit_dir.is_dir() or audit_dir.is_symlink():
        return {}
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(audit_dir.glob("*.json"))[:MAX_AUDIT_FILES]:
        if not path.is_file() or path.is_symlink():
            continue
        relname = path.relative_to(folder).as_posix()
        data = _load(path, relname, load_json)
        if isinstance(data, dict):
            found[relname] = data
    return found


def dataset_identity(run: RunFolder) -> dict[str, Any] | None:
    """The dataset file of the run: path, and size + SHA-256 when the file is readable here.

    An archive made by ``runs create`` carries what was recorded then (``dataset_file.json``);
    otherwise the config's path is looked up on this machine.
    """
    recorded = run.path / DATASET_FILE
    if recorded.is_file() and not recorded.is_symlink():
        data = _load(recorded, DATASET_FILE, load_json)
        if isinstance(data, dict) and isinstance(data.get("path"), str):
            return {
                key: data[key]
                for key in ("path", "size_bytes", "sha256")
                if isinstance(data.get(key), (str, int)) and not isinstance(data.get(key), bool)
            }
    if run.dataset_path is None:
        return None
    identity: dict[str, Any] = {"path": run.dataset_path}
    candidate = Path(run.dataset_path).expanduser()
    try:
        if candidate.is_file():
            size = candidate.stat().st_size
            identity["size_bytes"] = size
            if size <= DATASET_HASH_LIMIT_BYTES:
                identity["sha256"] = sha256_file(candidate)
    except OSError:
        return {"path": run.dataset_path}  # unreadable here: the path is all we know
    return identity


def _check_performance_summary(run: RunFolder) -> None:
    """The summary must carry what every later step needs: counts, duration, output tokens."""
    name = run.summary_name
    for key in ("n_samples_issued", "n_samples_completed", "n_samples_failed"):
        value = run.summary.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RunFolderError(f"{name}: {key} is {_show(value)}, expected an integer ≥ 0")
    duration = run.summary.get("duration_ns")
    if not _is_number(duration) or duration <= 0:
        raise RunFolderError(
            f"{name}: duration_ns is {_show(duration)}, expected a positive number of nanoseconds",
            hint="the benchmark did not record how long the run took; re-run it to completion",
        )
    osl = run.summary.get("output_sequence_lengths")
    if not isinstance(osl, dict) or not _is_number(osl.get("total")):
        tps = run.summary.get("tps")
        raise RunFolderError(
            f"{name}: output_sequence_lengths is {_show(osl) if osl != {} else 'empty ({})'} and "
            f"tps is {_show(tps) if tps is not None else 'null'} — no output token counts; was the "
            "benchmark run without a tokenizer?",
            hint="set model_params.tokenizer_name in the benchmark config and run it again",
        )


# the folder's round decides which applies: a folder with point.yaml is v1.0
SYSTEM_DESC_SCHEMAS = "checker.md §2.1 for v0.7, checker-v1.0.md §4.2 for a v1.0 folder"


def _read_system_desc(
    folder: Path, given: Path | None, problems_of: Callable[[Any], list[str]]
) -> tuple[dict[str, Any], Path]:
    if given is not None:
        path, label = Path(given), str(given)
        if not path.is_file():
            raise RunFolderError(f"--system-desc {given}: no such file")
    else:
        path, label = folder / SYSTEM_DESC, SYSTEM_DESC
        if not path.is_file():
            raise RunFolderError(
                f"{folder.name}: no {SYSTEM_DESC} (the system description) in the run folder",
                hint=f"write {SYSTEM_DESC} into the folder or pass --system-desc FILE "
                f"({SYSTEM_DESC_SCHEMAS} list its fields)",
            )
    data = _load(path, label, load_json)
    problems = problems_of(data)
    if problems:
        listed = "\n".join(f"  {p}" for p in problems)
        raise RunFolderError(
            f"{label}: the system description is not valid:\n{listed}",
            hint=f"fix the fields listed (schema: {SYSTEM_DESC_SCHEMAS})",
        )
    return data, path


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).isoformat()


def _epoch_seconds(value: Any) -> float | None:
    """``test_started_at`` as epoch seconds if it is a plausible one (s, ms, µs or ns)."""
    if not _is_number(value) or value <= 0:
        return None
    now = dt.datetime.now(dt.timezone.utc).timestamp() + 86_400
    for scale in (1, 1e3, 1e6, 1e9):
        seconds = value / scale
        if _PLAUSIBLE_EPOCH_S <= seconds <= now:
            return seconds
    return None


def run_times(run: RunFolder) -> tuple[str, str]:
    """(started_at, finished_at) as ISO-8601 UTC.

    inference-endpoint writes ``test_started_at: 0``, so the start is usually derived: the
    summary is written when the run ends, so its modification time minus the duration.
    """
    duration_s = (run.duration_ns or 0) / 1e9
    started = _epoch_seconds(run.summary.get("test_started_at"))
    if started is None:
        reference = run.summary_path or run.path / CONFIG
        started = reference.stat().st_mtime - duration_s
    return _iso(started), _iso(started + duration_s)


def benchmark_version(run: RunFolder) -> str:
    version = run.summary.get("version")
    return version if isinstance(version, str) and version else "unknown"


def build_run_create(
    run: RunFolder, *, cli_version: str, expires_at: str | None = None, pinned: bool = False
) -> dict[str, Any]:
    """The RunCreate body of prism-api.md for this run."""
    started_at, finished_at = run_times(run)
    payload: dict[str, Any] = {
        "cli_version": cli_version,
        "benchmark_version": benchmark_version(run),
        "started_at": started_at,
        "finished_at": finished_at,
        "system_info": run.system_desc,
        "config": run.config,
        "result_summary": run.summary,
        "pinned": pinned,
    }
    if expires_at is not None:
        payload["expires_at"] = expires_at
    return payload
