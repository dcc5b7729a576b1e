"""``init``: derive a round v1.0 ``point.yaml`` from what a run actually did (checker-v1.0 A3.2).

Submitters used to type every point.yaml by hand — concurrency, three 64-bit seeds, the stream
flag — and nothing compared what they typed with what ran. Here every field the run's
``config.yaml`` (or the system description) determines is copied from it, with a comment naming
its source; every disclosure field nothing determines is written as an explicit placeholder
(``"<FILL IN: …>"``) whose comment says what to put there. ``runs create`` refuses a folder that
still holds one (``find_placeholders``). Seeds are written as YAML integers, exact above 2^63.

Pure file work: no network. ``init`` never overwrites a file unless told to (``--force``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from submission_checker.loading import LoadError, load_json, load_yaml
from submission_checker.models import validation_problems
from submission_checker.models_v1 import SystemDescriptionV1

from .errors import RunFolderError

POINT_YAML = "point.yaml"
CONFIG = "config.yaml"
SYSTEM_DESC = "system_desc.json"
PLACEHOLDER_PREFIX = "<FILL IN"

# point.yaml runtime seed → where inference-endpoint's config.yaml keeps it. Only seeds the
# config carries are derived (and compared by `runs create`, rule config-point-consistency).
SEED_SOURCES = {
    "scheduler_rng_seed": "settings.runtime.scheduler_random_seed",
    "sample_index_rng_seed": "settings.runtime.dataloader_random_seed",
    "model_seed": "settings.runtime.model_seed",
}
# Legacy point.yaml spellings that mean the same seed (checker-v1.0 §4.1).
LEGACY_SEED_NAMES = {
    "scheduler_random_seed": "scheduler_rng_seed",
    "dataloader_random_seed": "sample_index_rng_seed",
}
CONCURRENCY_SOURCE = "settings.load_pattern.target_concurrency"
STREAM_SOURCE = "settings.client.stream_all_chunks"
LOAD_PATTERN_SOURCE = "settings.load_pattern.type"
# A run with this load pattern is a dedicated Offline point (checker-v1.0 §5, offline rules).
OFFLINE_LOAD_PATTERN = "max_throughput"


def placeholder(what: str) -> str:
    return f"{PLACEHOLDER_PREFIX}: {what}>"


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith(PLACEHOLDER_PREFIX)


def find_placeholders(data: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every placeholder left in a parsed point.yaml / system_desc.json."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += find_placeholders(value, f"{prefix}{key}.")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += find_placeholders(value, f"{prefix}{index}.")
    elif is_placeholder(data):
        found.append(prefix.rstrip(".") or "(top level)")
    return found


def dig(data: Any, dotted: str) -> Any:
    """``settings.load_pattern.type`` → value, or None where any level is missing."""
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- rendering ---------------------------------------------------------------------------------


@dataclass
class _Field:
    key: str
    value: Any = None  # a scalar, or None for a mapping header
    comment: str = ""
    children: list[_Field] = field(default_factory=list)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML flow scalar


def _with_comment(text: str, comment: str) -> str:
    return f"{text.ljust(42)}  # {comment}" if comment else text


def _render(fields: Sequence[_Field], indent: int = 0) -> list[str]:
    lines: list[str] = []
    pad = "  " * indent
    for item in fields:
        if item.children:
            head = f"{pad}{item.key}:"
            lines.append(_with_comment(head, item.comment))
            lines += _render(item.children, indent + 1)
            continue
        text = f"{pad}{item.key}: {_scalar(item.value)}"
        lines.append(_with_comment(text, item.comment))
    return lines


# -- deriving point.yaml -----------------------------------------------------------------------


@dataclass
class PointDraft:
    """A point.yaml to write: its text, and which fields still need the submitter."""

    run_dir: Path
    text: str
    placeholders: list[str]


def _from_config(config: dict[str, Any], dotted: str, what: str, placeholders: list[str]) -> Any:
    value = dig(config, dotted)
    if value is None:
        placeholders.append(what)
        return placeholder(f"not in config.yaml ({dotted}); {what}")
    return value


def _model_name(config: dict[str, Any], system_desc: dict[str, Any]) -> tuple[Any, str]:
    """Model name in the order of A3.2: submission_ref.model, the system description's model,
    model_params.name."""
    for source, value in (
        ("config.yaml submission_ref.model", dig(config, "submission_ref.model")),
        ("system description benchmark_model", system_desc.get("benchmark_model")),
        ("system description model_name", system_desc.get("model_name")),
        ("config.yaml model_params.name", dig(config, "model_params.name")),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip(), source
    return None, ""


def _warmup(config: dict[str, Any], placeholders: list[str]) -> _Field:
    enabled = dig(config, "settings.warmup.enabled")
    if enabled is False:
        return _Field(
            "warmup",
            comment="settings.warmup.enabled is false: no warmup ran",
            children=[
                _Field("duration_s", 0),
                _Field("requests_issued", 0),
                _Field("requests_completed", 0),
                _Field("concurrency", 0),
                _Field("data_source", "none"),
                _Field("logs_retained", None),
            ],
        )
    names = ["warmup.duration_s", "warmup.requests_issued", "warmup.requests_completed"]
    names += ["warmup.concurrency", "warmup.data_source", "warmup.logs_retained"]
    placeholders += names
    return _Field(
        "warmup",
        comment="config.yaml does not record what the warmup did: fill in from its log",
        children=[
            _Field("duration_s", placeholder("warmup length in seconds")),
            _Field("requests_issued", placeholder("warmup requests issued")),
            _Field("requests_completed", placeholder("warmup requests completed (≤ issued)")),
            _Field("concurrency", placeholder("warmup concurrency")),
            _Field("data_source", placeholder("where warmup prompts came from")),
            _Field("logs_retained", placeholder("true if the warmup logs are kept")),
        ],
    )


def _dataset_type(config: dict[str, Any]) -> str | None:
    kind = dig(config, "datasets")
    if isinstance(kind, list) and kind and isinstance(kind[0], dict):
        value = kind[0].get("type")
        if isinstance(value, str) and value.lower() in ("performance", "accuracy"):
            return value.capitalize()
    return None


def derive_point(
    run_dir: Path, config: dict[str, Any], system_desc: dict[str, Any], system_desc_label: str
) -> PointDraft:
    """The point.yaml of one run, from its config.yaml and its system description."""
    holes: list[str] = []
    runtime = dig(config, "settings.runtime") or {}
    datasets = config.get("datasets") if isinstance(config.get("datasets"), list) else []
    first = datasets[0] if datasets and isinstance(datasets[0], dict) else {}
    load_pattern = dig(config, LOAD_PATTERN_SOURCE)

    seeds = []
    for name, source in SEED_SOURCES.items():
        value = dig(config, source)
        if _is_int(value):
            seeds.append(_Field(name, value, source))
        else:
            holes.append(f"runtime_settings.runtime.{name}")
            seeds.append(
                _Field(
                    name,
                    placeholder("the seed of your seed set, or null if none was used"),
                    f"config.yaml has no {source}",
                )
            )
    settings = [
        _Field(
            "load_pattern",
            _from_config(config, LOAD_PATTERN_SOURCE, "the load pattern", holes),
            LOAD_PATTERN_SOURCE,
        ),
    ]
    if _is_int(runtime.get("min_duration_ms")):
        settings.append(
            _Field(
                "min_duration_ms", runtime["min_duration_ms"], "settings.runtime.min_duration_ms"
            )
        )
    if _is_int(runtime.get("n_samples_to_issue")):
        settings.append(
            _Field(
                "min_sample_count",
                runtime["n_samples_to_issue"],
                "settings.runtime.n_samples_to_issue",
            )
        )
    stream = dig(config, STREAM_SOURCE)
    settings.append(
        _Field(
            "stream_all_chunks",
            stream if isinstance(stream, bool) else True,
            STREAM_SOURCE if isinstance(stream, bool) else "not in config.yaml: its default",
        )
    )
    settings.append(_Field("runtime", comment="the run's RNG seeds", children=seeds))
    salt = dig(config, "settings.warmup.salt")
    if isinstance(salt, bool):
        settings.append(_Field("warmup", children=[_Field("salt", salt, "settings.warmup.salt")]))

    def from_system(key: str, what: str) -> _Field:
        value = system_desc.get(key)
        if value not in (None, "") and not is_placeholder(value):
            return _Field(key, value, f"{system_desc_label} {key}")
        holes.append(key)
        return _Field(
            key, placeholder(what), f"not in {system_desc_label or 'a system description'}"
        )

    model, model_source = _model_name(config, system_desc)
    if model is None:
        holes.append("model_name")
        model_field = _Field("model_name", placeholder("the benchmark model"), "nothing to derive")
    else:
        model_field = _Field("model_name", model, model_source)
    kind = _dataset_type(config)
    if kind is None:
        holes.append("dataset_type")
    dataset_name = first.get("name") if isinstance(first.get("name"), str) else None
    if dataset_name is None:
        holes.append("dataset_name")

    fields = [
        _Field(
            "concurrency",
            _from_config(config, CONCURRENCY_SOURCE, "the point's concurrency", holes),
            CONCURRENCY_SOURCE,
        ),
        _Field("dataset", dataset_name or placeholder("dataset key"), "datasets[0].name"),
        _Field("runtime_settings", children=settings),
        _warmup(config, holes),
        from_system("division", "standardized, serviced or rdi"),
        from_system("max_supported_concurrency", "the system's C_max, as in system_desc.json"),
        model_field,
        from_system("model_precision", "the weights' precision, e.g. fp8"),
        from_system("link_to_model", "URL of the model weights you served"),
        _Field(
            "dataset_name", dataset_name or placeholder("the dataset's name"), "datasets[0].name"
        ),
        _Field(
            "dataset_type",
            kind or placeholder("Performance or Accuracy"),
            "datasets[0].type",
        ),
    ]
    if isinstance(first.get("path"), str):
        fields.append(_Field("dataset_file", first["path"], "datasets[0].path"))
    fields += [
        from_system("dataset_link", "URL where reviewers can get the dataset"),
        _Field("seed_set", placeholder("the seed set id of the registry, e.g. A"), "§4.6"),
        _Field(
            "target_cohort", placeholder("publication cohort, YYYY-MM-C0 or YYYY-MM-C1"), "§4.6"
        ),
    ]
    holes += ["seed_set", "target_cohort"]
    if load_pattern == OFFLINE_LOAD_PATTERN:
        fields.append(_Field("offline", "dedicated", f"{LOAD_PATTERN_SOURCE} is max_throughput"))

    header = [
        f"# point.yaml of run {run_dir.name}, written by `endpoints-submission-cli init`.",
        "# Derived values name their source in config.yaml or the system description.",
        f'# Replace every "{PLACEHOLDER_PREFIX}: ...>" value: `runs create` refuses a',
        "# point.yaml that still holds one. `submissions create` adds shared_src/shared_docs.",
    ]
    text = "\n".join(header + _render(fields)) + "\n"
    return PointDraft(run_dir, text, holes)


# -- the command's work ------------------------------------------------------------------------


@dataclass
class InitResult:
    run_dir: Path
    point_yaml: Path
    placeholders: list[str]
    system_desc_copied: bool
    system_desc_source: Path | None = None
    system_desc_problems: list[str] = field(default_factory=list)


def v1_system_desc_problems(data: Any) -> list[str]:
    """What ``runs create`` refuses in a v1.0 system description: a placeholder left by ``init``
    and the checker's own v1.0 schema (§4.2). ``init`` says the same already, so nobody learns
    of it only when the run is sent."""
    placeholders = [f"{key}: still the placeholder `init` wrote" for key in find_placeholders(data)]
    return placeholders + validation_problems(SystemDescriptionV1, data)


def find_run_folders(paths: Iterable[Path]) -> list[Path]:
    """Each ``--path`` is a run folder (holds config.yaml) or a parent of run folders."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            raise RunFolderError(f"{path} is not a directory", hint="pass a run folder or a sweep")
        if (path / CONFIG).is_file():
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir() if p.is_dir() and (p / CONFIG).is_file())
        if not children:
            raise RunFolderError(
                f"{path}: no {CONFIG} in it nor in any folder directly under it",
                hint="pass the report folder inference-endpoint wrote, or the folder of a sweep",
            )
        found += children
    unique: dict[Path, Path] = {}
    for run in found:
        unique.setdefault(run.resolve(), run)
    return list(unique.values())


def _read(path: Path, loader: Any, label: str) -> Any:
    try:
        return loader(path)
    except LoadError as exc:
        raise RunFolderError(f"{label}: {exc.message}") from None


def _system_description(run: Path, given: Path | None) -> tuple[dict[str, Any], str]:
    path = given if given is not None else run / SYSTEM_DESC
    if not path.is_file():
        return {}, ""
    data = _read(path, load_json, str(path))
    if not isinstance(data, dict):
        raise RunFolderError(f"{path}: expected a JSON object (the system description)")
    return data, ("--system-desc" if given is not None else SYSTEM_DESC)


def init_runs(
    paths: Sequence[Path], *, system_desc: Path | None = None, force: bool = False
) -> list[InitResult]:
    """Write point.yaml into every run folder; nothing is written if any would be overwritten."""
    runs = find_run_folders(paths)
    drafts: list[tuple[PointDraft, bool]] = []
    blocked: list[str] = []
    for run in runs:
        config = _read(run / CONFIG, load_yaml, str(run / CONFIG))
        if not isinstance(config, dict):
            raise RunFolderError(f"{run / CONFIG}: expected a mapping at the top level")
        desc, label = _system_description(run, system_desc)
        desc_source = system_desc if system_desc is not None else run / SYSTEM_DESC
        desc_problems = v1_system_desc_problems(desc) if desc else []
        copy_desc = False
        if system_desc is not None:
            target = run / SYSTEM_DESC
            if not target.exists():
                copy_desc = True
            elif target.read_bytes() != system_desc.read_bytes():
                if force:
                    copy_desc = True
                else:
                    blocked.append(f"{target} (differs from --system-desc)")
        if (run / POINT_YAML).exists() and not force:
            blocked.append(str(run / POINT_YAML))
        draft = derive_point(run, config, desc, label)
        drafts.append((draft, copy_desc, (desc_source if desc else None), desc_problems))
    if blocked:
        listed = "\n".join(f"  {name}" for name in blocked)
        raise RunFolderError(
            f"init would overwrite {len(blocked)} file(s); nothing was written:\n{listed}",
            hint="pass --force to replace them (your edits in them are lost)",
        )
    results = []
    for draft, copy_desc, desc_source, desc_problems in drafts:
        target = draft.run_dir / POINT_YAML
        target.write_text(draft.text, encoding="utf-8")
        if copy_desc:
            shutil.copyfile(system_desc, draft.run_dir / SYSTEM_DESC)
        results.append(
            InitResult(
                draft.run_dir, target, draft.placeholders, copy_desc, desc_source, desc_problems
            )
        )
    return results
