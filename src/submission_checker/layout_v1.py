"""Walk a round v1.0 tree into the same handle kinds as v0.7: Submission → System → Model
(one curve) → Point (one ``r<N>/``), checker-v1.0.md Part B §1.

PATH may be ``<org>/`` or ``<org>/<submission_id>/``: if PATH holds ``results/`` it is the
submission root, else its single child directory holding ``results/`` is, else PATH is (and
``required-dir`` reports what is missing). Every path in a finding is relative to PATH.

As in v0.7 (``layout``), the directory walk (``layout.Tree``) is the only listing of the file
system; files are read on first use and their state (missing, unsafe, unreadable, invalid,
valid) recorded in ``layout.Document`` handles, so rules never open a file. The handles keep the
attribute names of the v0.7 handles (``config``, ``summary``, ``concurrency``, ``scope``,
``model.system.submission.rules_round``), so a rule meaning the same in both rounds is written
once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import loading
from .layout import (
    DIR,
    FILE,
    UNSAFE,
    Document,
    Tree,
    computed_once,
    read_document,
    unread_document,
)
from .models import _distinct_levels, _percentile_level
from .models_v1 import (
    AccuracyEntry,
    PointConfigV1,
    PointSummaryV1,
    SystemDescriptionV1,
    read_accuracy,
)
from .regions_v1 import RegionsV1, compute_regions_v1, derive_c_min, region_computation_problems
from .rounds_v1 import RoundV1

if TYPE_CHECKING:  # the power modules are imported where a system_power.json is computed
    from .power import SystemFacts, SystemPowerAssessment
    from .power_point import PointAssessment

__all__ = [
    "ModelV1",
    "PointV1",
    "SubmissionV1",
    "SystemV1",
    "read_submission_v1",
]


POINT_DIR = re.compile(r"r(\d+)")
#: entries the submission root may hold besides results/, src/ and docs/
ROOT_ENTRIES = frozenset({"results", "src", "docs", "cli_metadata.json"})
POWER_FILE = "system_power.json"


def derived_system_tps(summary: dict[str, Any]) -> Fraction | None:
    """Output tokens / seconds from a summary's essentials; ``None`` without a positive value."""
    tokens = summary.get("output_sequence_lengths")
    total = tokens.get("total") if isinstance(tokens, dict) else None
    duration = summary.get("duration_ns")
    numbers = (total, duration)
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in numbers):
        return None
    if not all(math.isfinite(v) for v in numbers) or total <= 0 or duration <= 0:
        return None
    return Fraction(Decimal(repr(total))) * 10**9 / Fraction(Decimal(repr(duration)))


def _summary_essentials(data: Any) -> Any:
    """What v1.0 rules read from a summary: top-level values, of each block its ``total`` and
    its 90th percentile (keyed ``"90"`` whatever the spelling), and the agentic full-run block.

    Real summaries carry histograms (~18 KB each); a thousand kept whole would dominate memory.
    An empty block stays empty (``output_sequence_lengths: {}`` means "no tokenizer").
    """
    if not isinstance(data, dict):
        return data
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(value, dict) or key == "output_sequence_lengths_full_run":
            kept[key] = value
            continue
        block: dict[str, Any] = {}
        if "total" in value:
            block["total"] = value["total"]
        percentiles = value.get("percentiles")
        if isinstance(percentiles, dict):
            block["percentiles"] = {}
            for name, number in percentiles.items():
                if _names_p90(name):
                    block["percentiles"] = {"90": number}
                    break
        kept[key] = block
    return kept


#: percentile key → whether it names the 90th (``"90"``, ``"90.0"``…): summaries repeat a few
_P90_NAMES: dict[str, bool] = {}


def _names_p90(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    known = _P90_NAMES.get(name)
    if known is None:
        known = _percentile_level(name) == "90"
        if len(_P90_NAMES) < 1024 and len(name) <= 32:
            _P90_NAMES[name] = known
    return known


def read_summary(tree: Tree, rel: str) -> Document:
    """``read_document`` of a result_summary.json with its essentials (``_summary_essentials``),
    for less: the float literals are left unread (``loading.parse_json_literals``) and only the
    kept ones read, when the summary is plainly valid (``_plain_essentials``). Any other summary
    is read again in full from the same bytes, as ``read_document`` reads it, for the schema's
    problems."""
    unread = unread_document(tree, rel)
    if unread is not None:
        return unread
    try:
        raw = loading.read_bytes(tree.path(rel))
        data = loading.parse_json_literals(raw)
    except loading.LoadError as exc:
        return Document(rel, "unreadable", error=exc.message)
    essentials = _plain_essentials(data)
    if essentials is not None:
        return Document(rel, "valid", data=essentials)
    return read_document(
        tree,
        rel,
        PointSummaryV1,
        lambda _path: loading.parse_json_bytes(raw),
        summary_essentials=_summary_essentials,
    )


_SUMMARY_COUNTS = ("n_samples_issued", "n_samples_completed", "n_samples_failed")
_SUMMARY_RATES = ("system_tps", "tps", "tps_per_user", "qps")
#: the blocks ``is_plainly_valid_summary`` checks with their percentiles (``None`` allowed)
_PERCENTILE_BLOCKS = frozenset({"ttft", "tpot", "latency"})
_NUMBER_LIMIT = 2**63  # as ``models.is_plainly_valid_summary``: larger ints go to the schema


def _plain_number(value: Any) -> bool:
    """A number the schema's finite number surely takes: an unread float literal (finite, see
    ``loading.parse_json_literals``), a finite float, an int below 2**63 in size."""
    kind = type(value)
    if kind is bytes:
        return True
    if kind is float:
        return value - value == 0.0  # false for inf and nan
    return kind is int and -_NUMBER_LIMIT <= value < _NUMBER_LIMIT


def _read_literals(value: Any) -> Any:
    """``value`` with every float literal left unread (``bytes``) read, however deep."""
    kind = type(value)
    if kind is bytes:
        return float(value)
    if kind is dict:
        return {key: _read_literals(item) for key, item in value.items()}
    if kind is list:
        return [_read_literals(item) for item in value]
    return value


#: percentile keys of a table (in order) → (each names another level, the first naming the
#: 90th or ``None``): every summary of a submission has the same keys
_PERCENTILE_KEYS: dict[tuple[str, ...], tuple[bool, str | None]] = {}


def _percentile_keys(keys: tuple[str, ...]) -> tuple[bool, str | None]:
    known = _PERCENTILE_KEYS.get(keys)
    if known is None:
        p90 = next((key for key in keys if _names_p90(key)), None)
        known = (_distinct_levels(keys), p90)
        if len(_PERCENTILE_KEYS) < 256 and len(keys) <= 64:
            _PERCENTILE_KEYS[keys] = known
    return known


def _plain_essentials(data: Any) -> dict[str, Any] | None:
    """``_summary_essentials`` of the summary ``data`` (read by ``loading.parse_json_literals``)
    when ``is_plainly_valid_summary`` is True of it read in full; ``None`` when not sure.

    One pass for both, reading only the literals kept. Narrower than the full check (a table
    whose keys name a level twice is left to it), never wider: see the differential tests.
    """
    if type(data) is not dict:
        return None
    for name in _SUMMARY_COUNTS:
        value = data.get(name)
        if type(value) is not int or not 0 <= value < _NUMBER_LIMIT:
            return None
    tokens = data.get("output_sequence_lengths")
    if not _plain_number(data.get("duration_ns")) or type(tokens) is not dict:
        return None
    if not _plain_number(tokens.get("total")):
        return None
    for name in _SUMMARY_RATES:
        value = data.get(name)
        if value is not None and not _plain_number(value):
            return None
    kept: dict[str, Any] = {}
    try:
        for key, value in data.items():
            kind = type(value)
            if kind is not dict:  # kept as it is, its float literals read
                if value is not None and key in _PERCENTILE_BLOCKS:
                    return None  # a percentile block that is not a mapping
                if kind is bytes:
                    value = float(value)
                elif kind is list:
                    value = _read_literals(value)
                kept[key] = value
                continue
            if key == "output_sequence_lengths_full_run":
                kept[key] = _read_literals(value)
                continue
            block: dict[str, Any] = {}
            total = value.get("total", _ABSENT)
            if total is not _ABSENT:
                block["total"] = float(total) if type(total) is bytes else _read_literals(total)
            table = value.get("percentiles")
            if key in _PERCENTILE_BLOCKS:
                if type(total) is not bytes and not _plain_number(total):
                    return None
                if type(table) is not dict:
                    return None
                keys = tuple(table)
                distinct, p90 = _PERCENTILE_KEYS.get(keys) or _percentile_keys(keys)
                numbers = table.values()
                if not distinct or not (
                    set(map(type, numbers)) <= _LITERAL_ONLY or all(map(_plain_number, numbers))
                ):
                    return None
            elif type(table) is dict:
                keys = tuple(table)
                p90 = (_PERCENTILE_KEYS.get(keys) or _percentile_keys(keys))[1]
            else:
                kept[key] = block
                continue
            if p90 is None:
                block["percentiles"] = {}
            else:
                number = table[p90]
                number = float(number) if type(number) is bytes else _read_literals(number)
                block["percentiles"] = {"90": number}
            kept[key] = block
    except RecursionError:  # nested deeper than Python's stack: the full read decides
        return None
    return kept


_ABSENT: Any = object()


#: the types of a table of unread float literals (checked at C speed: ``set(map(type, …))``)
_LITERAL_ONLY = frozenset({bytes})


#: ``"tps_utilization": <JSON number>`` in the bytes of a system_desc.json
_UTILIZATION = re.compile(
    rb'"tps_utilization"[ \t\r\n]*:[ \t\r\n]*'
    rb"(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![0-9.eE+-])"
)
#: Distinct descriptions remembered per curve (each costs its size in bytes; a curve has one)
_DESCRIPTION_COPIES_MAX = 4


class DescriptionCopies:
    """The system_desc.json files of one curve, each read as ``read_document`` reads it.

    Every point of a curve carries a copy of one description that differs only in its
    ``tps_utilization`` (as ``bundle`` writes them). A copy whose bytes equal an earlier copy's
    but for that number is neither parsed nor validated again: its data is the earlier copy's
    with the number, which cannot change the schema's verdict on a valid copy when it is a
    finite float (or a small int). Exact, not a guess: only bytes without a backslash (no
    escape can spell the key differently) holding the key once are compared, the number must
    be one whole JSON number literal, and anything else is read in full.
    """

    def __init__(self) -> None:
        #: per copy read in full: (its bytes before the number, its bytes after the number, the
        #: data read, whether it is valid)
        self._read: list[tuple[bytes, bytes, dict[str, Any], bool]] = []

    def document(self, tree: Tree, rel: str) -> Document:
        unread = unread_document(tree, rel)  # missing, unsafe, not a file: as every document
        if unread is not None:
            return unread
        try:
            raw = loading.read_bytes(tree.path(rel))
        except loading.LoadError as exc:
            return Document(rel, "unreadable", error=exc.message)
        span = _utilization_span(raw)
        known = None
        if span is not None:
            start, end, value = span
            after = len(raw) - end
            for copy in self._read:  # the bytes around the number compared where they are
                before, behind = copy[0], copy[1]
                if (
                    len(before) == start
                    and len(behind) == after
                    and raw.startswith(before)
                    and raw.endswith(behind)
                ):
                    known = copy
                    break
            if known is not None and known[3] and _plain_utilization(value):
                return Document(rel, "valid", data={**known[2], "tps_utilization": value})
        document = read_document(
            tree, rel, SystemDescriptionV1, lambda _path: loading.parse_json_bytes(raw)
        )
        data = document.data
        if (
            span is not None
            and known is None
            and type(data) is dict
            and "tps_utilization" in data
            and len(self._read) < _DESCRIPTION_COPIES_MAX
        ):
            start, end, _ = span
            self._read.append((raw[:start], raw[end:], data, document.state == "valid"))
        return document


_UTILIZATION_KEY = b'"tps_utilization"'


def _utilization_span(raw: bytes) -> tuple[int, int, float | int] | None:
    """(start, end, value) of the ``tps_utilization`` number in ``raw``; ``None`` when the bytes
    are not that simple (see ``DescriptionCopies``)."""
    at = raw.find(_UTILIZATION_KEY)
    if at < 0 or b"\\" in raw or raw.find(_UTILIZATION_KEY, at + 1) >= 0:
        return None
    match = _UTILIZATION.match(raw, at)
    if match is None or len(match.group(1)) > 40:
        return None
    literal = match.group(1)
    if b"." in literal or b"e" in literal or b"E" in literal:
        value: float | int = float(literal)
        if value - value != 0.0:  # overflows to infinity: the full read refuses it
            return None
    else:
        value = int(literal)
    return match.start(1), match.end(1), value


def _plain_utilization(value: Any) -> bool:
    """A number the schema's finite float surely takes (a JSON literal is an int or a float)."""
    return type(value) is float or -(2**53) <= value <= 2**53


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class AccuracyFile:
    """A point's accuracy source: ``accuracy_results.json``, else ``results.json``'s scores."""

    document: Document
    entries: list[AccuracyEntry]

    @property
    def rel(self) -> str:
        return self.document.rel


@dataclass
class PointV1:
    """``results/<system>/<model>/r<N>/``: one measurement point and its files."""

    model: ModelV1
    dir_name: str
    rel: str
    name_n: int
    #: where a file lives when not directly in ``rel`` (a run folder keeps its summary in
    #: ``performance/``): file name → path relative to PATH
    moved: dict[str, str] = field(default_factory=dict)

    def _file(self, name: str) -> str:
        if name in self.moved:
            return self.moved[name]
        return f"{self.rel}/{name}" if self.rel else name

    @property
    def tree(self) -> Tree:
        return self.model.tree

    @computed_once
    def config(self) -> Document:
        """``point.yaml`` (the v0.7 handles call the point file ``config`` too)."""
        return read_document(self.tree, self._file("point.yaml"), PointConfigV1, loading.load_yaml)

    @computed_once
    def description(self) -> Document:
        return self.model.description_copies.document(self.tree, self._file("system_desc.json"))

    @computed_once
    def run_config(self) -> Document:
        """``config.yaml``: the benchmark configuration as run (no schema, a mapping)."""
        return read_document(self.tree, self._file("config.yaml"), None, loading.load_yaml)

    @computed_once
    def summary(self) -> Document:
        return read_summary(self.tree, self._file("result_summary.json"))

    @computed_once
    def summary_exact(self) -> dict[str, Any] | None:
        """The summary's mapping with fractional numbers as the ``Decimal``s written (§4.4).

        Read again only for a ±1 % decision too close to call on floats, exactly as the v0.7
        handle does, so that the shared metric rules decide on the numbers as written.
        """
        summary = self.summary
        if summary.mapping is None:
            return None
        try:
            data = loading.load_json_exact(self.tree.path(summary.rel))
        except loading.LoadError:
            return None
        return data if isinstance(data, dict) else None

    @computed_once
    def accuracy(self) -> AccuracyFile | None:
        """The accuracy results of this point, ``None`` when it has none."""
        rel = self._file("accuracy_results.json")
        if self.tree.kind(rel) is not None:
            document = read_document(self.tree, rel, None, loading.load_json)
            if document.state != "valid":
                return AccuracyFile(document, [])
            entries, problems = read_accuracy(document.data)
            if problems:
                document = Document(rel, "invalid", data=document.data, problems=problems)
            return AccuracyFile(document, entries)
        fallback = self._file("results.json")
        if self.tree.kind(fallback) == FILE:
            document = read_document(self.tree, fallback, None, loading.load_json)
            scores = document.mapping.get("accuracy_scores") if document.mapping else None
            if scores:
                entries, problems = read_accuracy({"accuracy_scores": scores})
                state = "invalid" if problems else "valid"
                return AccuracyFile(
                    Document(fallback, state, data=document.data, problems=problems), entries
                )
        return None

    @computed_once
    def declared_concurrency(self) -> int | None:
        mapping = self.config.mapping
        return _int(mapping.get("concurrency")) if mapping else None

    @computed_once
    def concurrency(self) -> int:
        """Best known concurrency: point.yaml's, else the directory's N."""
        declared = self.declared_concurrency
        return declared if declared is not None else self.name_n

    @computed_once
    def offline(self) -> str:
        """point.yaml ``offline`` (``none`` when absent or not a string)."""
        value = self.config.mapping.get("offline") if self.config.mapping else None
        return value if isinstance(value, str) else "none"

    @computed_once  # asked by a dozen rules per point
    def is_dedicated_offline(self) -> bool:
        return self.offline == "dedicated"

    @computed_once
    def declared_region(self) -> str | None:
        value = self.config.mapping.get("region") if self.config.mapping else None
        return value if isinstance(value, str) else None

    @computed_once
    def power(self) -> PointAssessment | None:
        """This point's power (§4.5.3); ``None`` when the system's descriptor does not compute.

        Inputs: point.yaml ``nodes_used``/``dp_shortfall``, this point's system_desc.json
        parallelism, result_summary.json's derived throughput and stored ``system_tps_per_kw``.
        """
        system = self.model.system
        assessment = system.power
        if assessment is None or assessment.power is None:
            return None
        from .power_data import load_power_defaults
        from .power_point import assess_point, parallelism_from_description

        config = self.config.mapping or {}
        summary = self.summary.mapping or {}
        return assess_point(
            assessment.power,
            load_power_defaults(),
            nodes_used=config.get("nodes_used"),
            parallelism=parallelism_from_description(self.description.mapping),
            dp_shortfall=config.get("dp_shortfall"),
            system_tps=derived_system_tps(summary),
            stored_tps_per_kw=summary.get("system_tps_per_kw"),
            facts=system.power_facts,
        )

    @computed_once
    def scope(self) -> dict[str, Any]:
        model = self.model
        return {
            "path": self.rel,
            "system": model.system.id,
            "model": model.name,
            "concurrency": self.concurrency,
        }


@dataclass
class ModelV1:
    """``results/<system>/<model>/``: one curve."""

    system: SystemV1
    name: str
    rel: str
    points: list[PointV1] = field(default_factory=list)
    #: entries that are not ``r<N>/`` directories (``unexpected-entry``)
    unexpected: list[str] = field(default_factory=list)

    @property
    def tree(self) -> Tree:
        tree = self.system.submission.tree
        assert tree is not None  # models exist only in a listed tree
        return tree

    @property
    def rules_round(self) -> RoundV1:
        return self.system.submission.rules_round

    @property
    def scope(self) -> dict[str, Any]:
        return {"path": self.rel, "system": self.system.id, "model": self.name, "concurrency": None}

    def release_points(self) -> None:
        """Let the points and their files' data go once this curve is checked (``checker``).

        Later units read two things from a checked curve, computed here first and kept: its
        first readable system description (the system's division and power facts) and the
        submission's first declared seed set (``seed-set-consistency``, found from the first
        curve on). No v1.0 rule reads another curve's points otherwise: submission rules run
        before any system, and a system's rules before its curves'.
        """
        _ = self.first_description, self.system.submission.first_seed_set
        self.points.clear()

    @computed_once
    def description_copies(self) -> DescriptionCopies:
        """The system_desc.json reader of this curve's points (see ``DescriptionCopies``)."""
        return DescriptionCopies()

    @computed_once
    def first_description(self) -> PointV1 | None:
        """The first point (numeric order) whose system_desc.json is a JSON object."""
        return next((p for p in self.points if p.description.mapping is not None), None)

    @computed_once
    def max_concurrency(self) -> int | None:
        """C_max: the first readable system description's ``max_supported_concurrency``."""
        point = self.first_description
        if point is None:
            return None
        value = _int(point.description.mapping.get("max_supported_concurrency"))
        return value if value is not None and value > 0 else None

    @computed_once
    def c_min_override(self) -> int | None:
        """The override when every point's system description declares one and the same value.

        Partial or conflicting declarations are ``c-min-override`` errors; C_min is then derived.
        """
        values = []
        for point in self.points:
            mapping = point.description.mapping
            if mapping is None or mapping.get("c_min_override") is None:
                return None
            values.append(mapping["c_min_override"])
        if not values or any(value != values[0] for value in values):
            return None
        value = _int(values[0])
        return value if value is not None and 1 <= value <= 32 else None

    @computed_once
    def c_min(self):
        """``regions_v1.CMin`` of the curve (``None`` without any concurrency)."""
        return derive_c_min([p.concurrency for p in self.points], self.c_min_override)

    @computed_once
    def regions(self) -> RegionsV1 | None:
        """The curve's regions; ``None`` when C_max or C_min is missing or out of range."""
        c_max, c_min = self.max_concurrency, self.c_min
        if c_max is None or c_min is None or region_computation_problems(c_max, c_min.value):
            return None
        return compute_regions_v1(c_max, c_min.value, c_min_overridden=c_min.overridden)

    @computed_once
    def is_agentic(self) -> bool:
        """Agentic when the model is an agentic benchmark or a point declares the pattern."""
        if self.rules_round.is_agentic_model(self.name):
            return True
        for point in self.points:
            settings = (
                point.config.mapping.get("runtime_settings") if point.config.mapping else None
            )
            if isinstance(settings, dict) and settings.get("load_pattern") == "agentic_inference":
                return True
        return False

    @property
    def has_dedicated_offline(self) -> bool:
        return any(p.is_dedicated_offline for p in self.points)


@dataclass
class SystemV1:
    """``results/<system>/``."""

    submission: SubmissionV1
    id: str
    rel: str
    models: list[ModelV1] = field(default_factory=list)
    power_kind: str | None = None

    @property
    def scope(self) -> dict[str, Any]:
        return {"path": self.rel, "system": self.id, "model": None, "concurrency": None}

    @computed_once
    def division(self) -> str | None:
        """The division of the first readable system description (lower case)."""
        for model in self.models:
            point = model.first_description
            if point is not None:
                value = point.description.mapping.get("division")
                if isinstance(value, str):
                    return value.strip().lower()
        return None

    @property
    def power_rel(self) -> str:
        """``results/<system>/system_power.json``; a run folder's own (``rel`` "") for runs."""
        return f"{self.rel}/{POWER_FILE}" if self.rel else POWER_FILE

    @computed_once
    def power_document(self) -> Document:
        """``system_power.json`` as read (no schema here: ``power`` validates and computes)."""
        tree = self.submission.tree
        assert tree is not None  # systems exist only in a listed tree
        return read_document(tree, self.power_rel, None, loading.load_json)

    @computed_once
    def power_facts(self) -> SystemFacts:
        """Cooling, ensemble ids and accelerators per node from the first system description."""
        from .power import SystemFacts, system_facts_from_description

        for model in self.models:
            point = model.first_description
            if point is not None:
                return system_facts_from_description(point.description.mapping)
        return SystemFacts()

    @computed_once
    def power(self) -> SystemPowerAssessment | None:
        """The descriptor checked and its provisioned power computed; ``None`` when unread."""
        document = self.power_document
        if document.state != "valid":
            return None
        # imported here: a system without a readable system_power.json never needs them (the
        # descriptor's schema is most of the v1.0 checker's start-up otherwise)
        from .power import assess_system_power
        from .power_data import load_power_defaults

        return assess_system_power(document.data, load_power_defaults(), self.power_facts)


@dataclass
class SubmissionV1:
    """PATH as given to ``check``; ``base`` is the submission root relative to it."""

    root: Path
    rules_round: RoundV1
    exists: bool
    is_dir: bool
    tree: Tree | None = None
    base: str = ""
    systems: list[SystemV1] = field(default_factory=list)
    #: unknown entries at the submission root (``unexpected-entry``)
    unexpected: list[str] = field(default_factory=list)
    #: PATH holds the v0.7 layout (systems/ or pareto/): ``required-dir`` adds a hint
    looks_v07: bool = False
    #: PATH is the wrong level of a v1.0 tree (a results/ or r<N>/ folder, or an <org>/ holding
    #: several submissions): the sentence saying which directory to pass instead
    wrong_level: str | None = None
    #: registry files replacing the packaged ones (``--seed-sets``, ``--approved-drafters``)
    seed_sets_file: Path | None = None
    approved_drafters_file: Path | None = None

    @computed_once
    def seed_sets(self):
        """The seed-set registry, or ``registries.RegistryUnreadable`` (never raises)."""
        from .registries import SEED_SETS_ENV, load_seed_sets, registry_override

        return load_seed_sets(registry_override(self.seed_sets_file, SEED_SETS_ENV))

    @computed_once
    def first_seed_set(self) -> tuple[str, str] | None:
        """(point.yaml path, ``seed_set``) of the first point (tree order) declaring one: every
        curve is compared with it (``seed-set-consistency``), so it is found once, not once per
        curve (which read every point of the submission per curve when none declares one)."""
        for system in self.systems:
            for model in system.models:
                for point in model.points:
                    mapping = point.config.mapping
                    value = mapping.get("seed_set") if mapping else None
                    if isinstance(value, str):
                        return point.config.rel, value
        return None

    @computed_once
    def adoption_windows(self) -> dict[str, tuple[tuple[Any, ...] | None, str | None]]:
        """Seed set id → (its adoption window, as shown): filled by ``seed-set-adoption`` as it
        meets the sets, so that a thousand points compute their set's window once."""
        return {}

    @computed_once
    def approved_drafters(self):
        """The approved-drafter registry, or ``registries.RegistryUnreadable``."""
        from .registries import APPROVED_DRAFTERS_ENV, load_approved_drafters, registry_override

        return load_approved_drafters(
            registry_override(self.approved_drafters_file, APPROVED_DRAFTERS_ENV)
        )

    @property
    def points(self) -> list[PointV1]:
        return [p for s in self.systems for m in s.models for p in m.points]

    def rel(self, name: str) -> str:
        """``name`` (relative to the submission root) relative to PATH."""
        return f"{self.base}/{name}" if self.base else name

    def kind(self, rel: str) -> str | None:
        return self.tree.kind(rel) if self.tree else None

    @property
    def scope(self) -> dict[str, Any]:
        return {"path": None, "system": None, "model": None, "concurrency": None}


def _submission_base(tree: Tree) -> str:
    """Root resolution of Part B §1 (``""`` = PATH itself)."""
    if tree.kind("results") is not None:
        return ""
    holders = [
        name
        for name, kind in sorted(tree.listing("").items())
        if kind == DIR and tree.kind(f"{name}/results") is not None
    ]
    return holders[0] if len(holders) == 1 else ""


#: (depth below the submission root, what it is) of folders users pass by mistake
_INNER_LEVELS = ((1, "a results/ folder"), (2, "a system folder"), (3, "a model folder"))


def _wrong_level(root: Path, tree: Tree) -> str | None:
    """Which directory to pass when PATH is inside a v1.0 submission or above several.

    Only called when no submission root was found at PATH or its single child, so the
    ``required-dir`` error can name the right directory instead of listing what is missing.
    """
    holders = [
        name
        for name, kind in sorted(tree.listing("").items())
        if kind == DIR and tree.kind(f"{name}/results") == DIR
    ]
    if len(holders) > 1:
        shown = ", ".join(holders[:5]) + (", …" if len(holders) > 5 else "")
        return (
            f"{root}/ holds {len(holders)} submissions ({shown}): check each "
            f"{root}/<submission_id>/ separately"
        )
    orgs = [
        name
        for name, kind in sorted(tree.listing("").items())
        if kind == DIR
        and any(
            sub_kind == DIR and tree.kind(f"{name}/{sub}/results") == DIR
            for sub, sub_kind in tree.listing(name).items()
        )
    ]
    if len(orgs) == 1:
        return f"PATH holds the organisation folder {orgs[0]}/: pass {root / orgs[0]}"
    absolute = root.absolute()
    if POINT_DIR.fullmatch(absolute.name) and len(absolute.parents) > 4:
        candidate = absolute.parents[3]
        if (candidate / "results").is_dir():
            return (
                f"PATH looks like a point folder {absolute.name}/: pass the submission "
                f"root {candidate}"
            )
    for depth, what in _INNER_LEVELS:
        if len(absolute.parents) < depth:
            continue
        candidate = absolute.parents[depth - 1]
        results = candidate / "results"
        if results.is_dir() and absolute.parts[-depth] == "results":
            return f"PATH looks like {what}: pass the submission root {candidate}"
    return None


def read_submission_v1(
    root: Path,
    rules_round: RoundV1,
    *,
    seed_sets: Path | None = None,
    approved_drafters: Path | None = None,
) -> SubmissionV1:
    """Read the layout of the v1.0 tree at ``root`` (files are read when rules ask).

    ``seed_sets``/``approved_drafters`` replace the packaged registries (A2.14); without them
    ``$MLPERF_ENDPOINTS_SEED_SETS`` / ``$MLPERF_ENDPOINTS_APPROVED_DRAFTERS`` are honoured.
    """
    exists = root.exists() or root.is_symlink()
    is_dir = root.is_dir()
    submission = SubmissionV1(
        root=root,
        rules_round=rules_round,
        exists=exists,
        is_dir=is_dir,
        seed_sets_file=seed_sets,
        approved_drafters_file=approved_drafters,
    )
    if not is_dir:
        return submission
    tree = submission.tree = Tree(root)
    base = submission.base = _submission_base(tree)
    submission.looks_v07 = tree.kind("systems") == DIR or tree.kind("pareto") == DIR
    if not base and tree.kind("results") is None and not submission.looks_v07:
        submission.wrong_level = _wrong_level(root, tree)
        if submission.wrong_level:
            return submission
    for name in sorted(tree.listing(base)):
        if name not in ROOT_ENTRIES:
            submission.unexpected.append(submission.rel(name))
    results = submission.rel("results")
    if tree.kind(results) != DIR:
        return submission
    for name, kind in sorted(tree.listing(results).items()):
        if kind == DIR:
            submission.systems.append(_read_system(submission, tree, name))
        elif kind != UNSAFE:
            submission.unexpected.append(f"{results}/{name}")
    return submission


def _read_system(submission: SubmissionV1, tree: Tree, name: str) -> SystemV1:
    rel = f"{submission.rel('results')}/{name}"
    system = SystemV1(submission, name, rel, power_kind=tree.kind(f"{rel}/{POWER_FILE}"))
    for entry, kind in sorted(tree.listing(rel).items()):
        if kind == DIR:
            system.models.append(_read_model(system, tree, entry))
        elif entry != POWER_FILE and kind != UNSAFE:
            submission.unexpected.append(f"{rel}/{entry}")
    return system


def _read_model(system: SystemV1, tree: Tree, name: str) -> ModelV1:
    rel = f"{system.rel}/{name}"
    model = ModelV1(system=system, name=name, rel=rel)
    for entry, kind in tree.listing(rel).items():
        match = POINT_DIR.fullmatch(entry)
        if match and kind == DIR and len(match.group(1)) <= 9:
            model.points.append(PointV1(model, entry, f"{rel}/{entry}", int(match.group(1))))
        elif kind != UNSAFE:
            model.unexpected.append(f"{rel}/{entry}")
    model.points.sort(key=lambda point: (point.name_n, point.dir_name))
    model.unexpected.sort()
    return model
