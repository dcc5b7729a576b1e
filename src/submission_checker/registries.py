"""Round v1.0 registries: seed sets and approved speculative-decoding drafters (A2.14, B§6).

Both ship with the package (``data/v1.0/seed_sets.yaml``, ``data/v1.0/approved_drafters.yaml``)
and can be replaced by a file: ``--seed-sets FILE`` / ``$MLPERF_ENDPOINTS_SEED_SETS`` and
``--approved-drafters FILE`` / ``$MLPERF_ENDPOINTS_APPROVED_DRAFTERS`` (the option wins over the
variable; ``registry_override`` is the one place that reads the environment).

Loading never raises: it returns the typed registry or a ``RegistryUnreadable`` whose ``reason``
names the file and the problem, which the rules turn into the ``seed-set-registry`` /
``drafter-list-registry`` warning (and then skip the rules that need the registry).

Cohorts are ``YYYY-MM-C0`` / ``YYYY-MM-C1``, two per month, ordered C0 → C1 → next month's C0.
A seed set may be adopted for the registry's publication cohort and the next three, unless the
set lists its own ``cohorts``. A drafter may be used from its ``approved_cohort`` + 2 cohorts.
Both counts are round data (``data/v1.0.yaml``), read by ``round_cohort_numbers``.

The records are ``NamedTuple``s (immutable, compared and hashed by value): every v1.0 check
imports this module before it forks, and a frozen dataclass costs about ten times as much to
create (~0.5 ms each).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .loading import LoadError, load_yaml, parse_yaml
from .rounds import round_table

__all__ = [
    "APPROVED_DRAFTERS_ENV",
    "SEED_KEYS",
    "SEED_SETS_ENV",
    "Cohort",
    "Drafter",
    "DrafterRegistry",
    "LeadTime",
    "RegistryUnreadable",
    "SeedSet",
    "SeedSetRegistry",
    "drafter_lead_time",
    "load_approved_drafters",
    "load_seed_sets",
    "parse_cohort",
    "registry_override",
    "round_cohort_numbers",
]

SEED_SETS_ENV = "MLPERF_ENDPOINTS_SEED_SETS"
APPROVED_DRAFTERS_ENV = "MLPERF_ENDPOINTS_APPROVED_DRAFTERS"
#: a seed set's seeds, as point.yaml ``runtime_settings.runtime`` names them
SEED_KEYS = ("scheduler_rng_seed", "sample_index_rng_seed", "model_seed")
_COHORT = re.compile(r"(\d{4})-(\d{2})-C([01])")
_PACKAGED = "packaged v1.0 data"
_Registry = TypeVar("_Registry")


# ---------------------------------------------------------------------------------------------
# Cohorts


@functools.cache
def round_cohort_numbers() -> tuple[int, int]:
    """(cohorts after the publication cohort in which a seed set is adoptable, cohorts after
    ``approved_cohort`` before a drafter may be used), from the round data ``data/v1.0.yaml``
    (``seed_set_adoption_following_cohorts``, ``drafter_lead_cohorts``)."""
    raw = round_table("v1.0")  # parsed once per process, for every table of the round
    return int(raw["seed_set_adoption_following_cohorts"]), int(raw["drafter_lead_cohorts"])


class Cohort(NamedTuple):
    """A publication cohort: ``year``, ``month`` (1–12) and ``half`` (0 for C0, 1 for C1),
    ordered on the cohort time line (``index``)."""

    year: int
    month: int
    half: int

    @property
    def index(self) -> int:
        """Position on the cohort time line: consecutive cohorts differ by 1."""
        return (self.year * 12 + self.month - 1) * 2 + self.half

    @classmethod
    def from_index(cls, index: int) -> Cohort:
        months, half = divmod(index, 2)
        year, month = divmod(months, 12)
        return cls(year=year, month=month + 1, half=half)

    def shifted(self, cohorts: int) -> Cohort:
        """The cohort ``cohorts`` steps later (earlier when negative)."""
        return Cohort.from_index(self.index + cohorts)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Cohort):
            return NotImplemented
        return self.index < other.index

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Cohort):
            return NotImplemented
        return self.index <= other.index

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Cohort):
            return NotImplemented
        return self.index > other.index

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Cohort):
            return NotImplemented
        return self.index >= other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-C{self.half}"


def parse_cohort(value: object) -> Cohort | None:
    """The ``Cohort`` written ``YYYY-MM-C0|C1`` (month 01–12), else ``None`` (rule
    ``target-cohort``)."""
    if not isinstance(value, str):
        return None
    return _parse_cohort_text(value)


@functools.lru_cache(maxsize=256)  # every point of a submission names the same few cohorts
def _parse_cohort_text(value: str) -> Cohort | None:
    match = _COHORT.fullmatch(value)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return Cohort(year=int(match[1]), month=int(match[2]), half=int(match[3]))


# ---------------------------------------------------------------------------------------------
# Sources


class RegistryUnreadable(NamedTuple):
    """A registry that could not be used; ``reason`` names the file and what is wrong."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class _Invalid(Exception):
    """A registry file that parsed but does not have the registry's shape."""


def registry_override(
    option: str | os.PathLike[str] | None, env_name: str, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The registry file to read instead of the packaged one: ``option`` if given, else the
    environment variable ``env_name`` when set and non-empty, else ``None`` (packaged data)."""
    if option is not None and str(option) != "":
        return Path(option)
    value = (os.environ if environ is None else environ).get(env_name, "")
    return Path(value) if value else None


def _load_registry(
    override: str | os.PathLike[str] | None,
    packaged: str,
    build: Callable[[str, Any], _Registry],
) -> _Registry | RegistryUnreadable:
    """``build(source label, parsed YAML)`` of the override or the packaged file ``packaged``.

    Never raises: a missing, unreadable, malformed or mis-shaped file (``LoadError`` or
    ``_Invalid``) is a ``RegistryUnreadable`` naming the source.
    """
    source = str(override) if override is not None else f"{_PACKAGED} ({packaged})"
    try:
        if override is not None:
            raw = load_yaml(override)
        else:
            resource = resources.files("submission_checker") / "data" / "v1.0" / packaged
            try:
                text = resource.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise LoadError(f"cannot read packaged file: {exc}") from None
            raw = parse_yaml(text)
        return build(source, raw)
    except (LoadError, _Invalid) as exc:
        return RegistryUnreadable(source=source, reason=str(exc))


def _yaml_kind(value: Any) -> str:
    """What a YAML value is, in the file's words rather than Python's (no "NoneType")."""
    if value is None:
        return "nothing (the key is missing or empty)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return "a list" if isinstance(value, list) else "a mapping"


def _require_mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{where} must be a mapping, found {_yaml_kind(value)}")
    return value


def _require_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Invalid(f"{where} must be a list, found {_yaml_kind(value)}")
    return value


def _require_text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{where}: {key} must be a non-empty string, found {value!r}")
    return value


# ---------------------------------------------------------------------------------------------
# Seed sets


class SeedSet(NamedTuple):
    """One seed set: its id, the three runtime seeds and, when given, its own cohort list."""

    id: str
    scheduler_rng_seed: int
    sample_index_rng_seed: int
    model_seed: int
    cohorts: tuple[Cohort, ...] | None = None

    @property
    def seeds(self) -> dict[str, int]:
        """The seeds by point.yaml ``runtime_settings.runtime`` key (``SEED_KEYS`` order)."""
        return {key: getattr(self, key) for key in SEED_KEYS}


class SeedSetRegistry(NamedTuple):
    """The seed-set registry: where it came from, its publication cohort and its sets by id.

    ``cohort`` is ``None`` when the registry names no cohort (``seed-set-adoption`` is then
    reported SKIPPED for sets without their own ``cohorts``).
    """

    source: str
    version: str | None
    cohort: Cohort | None
    seed_sets: Mapping[str, SeedSet]

    def adoption_window(
        self, set_id: str, following: int | None = None
    ) -> tuple[Cohort, ...] | None:
        """The cohorts in which set ``set_id`` may be declared as ``target_cohort``.

        The set's own ``cohorts`` when it lists them; else the publication cohort and the
        ``following`` ones (default: the round's 3); ``None`` when neither is known or the set
        is not in the registry.
        """
        seed_set = self.seed_sets.get(set_id)
        if seed_set is None:
            return None
        if seed_set.cohorts is not None:
            return seed_set.cohorts
        if self.cohort is None:
            return None
        if following is None:
            following = round_cohort_numbers()[0]
        return tuple(self.cohort.shifted(n) for n in range(following + 1))


def _seed(entry: Mapping[str, Any], key: str, where: str) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**64:
        raise _Invalid(f"{where}: {key} must be an unsigned 64-bit integer, found {value!r}")
    return value


def _cohort_list(value: Any, where: str) -> tuple[Cohort, ...]:
    cohorts = []
    for item in _require_list(value, f"{where}: cohorts"):
        cohort = parse_cohort(item)
        if cohort is None:
            raise _Invalid(f"{where}: cohorts entry {item!r} is not YYYY-MM-C0 or YYYY-MM-C1")
        cohorts.append(cohort)
    return tuple(cohorts)


def _seed_set_registry(source: str, raw: Any) -> SeedSetRegistry:
    block = _require_mapping(_require_mapping(raw, "the file").get("cohort"), "cohort")
    cohort = None
    if block.get("cohort-id") is not None:
        cohort = parse_cohort(block["cohort-id"])
        if cohort is None:
            raise _Invalid(f"cohort-id {block['cohort-id']!r} is not YYYY-MM-C0 or YYYY-MM-C1")
    seed_sets: dict[str, SeedSet] = {}
    for position, entry in enumerate(_require_list(block.get("seed_sets"), "cohort.seed_sets")):
        where = f"seed_sets[{position}]"
        entry = _require_mapping(entry, where)
        set_id = entry.get("id")
        if isinstance(set_id, bool) or not isinstance(set_id, (str, int)) or str(set_id) == "":
            raise _Invalid(f"{where}: id must be a non-empty string, found {set_id!r}")
        set_id = str(set_id)
        if set_id in seed_sets:
            raise _Invalid(f"{where}: seed set id {set_id!r} appears twice")
        seed_sets[set_id] = SeedSet(
            id=set_id,
            scheduler_rng_seed=_seed(entry, "scheduler_rng_seed", where),
            sample_index_rng_seed=_seed(entry, "sample_index_rng_seed", where),
            model_seed=_seed(entry, "model_seed", where),
            cohorts=_cohort_list(entry["cohorts"], where) if "cohorts" in entry else None,
        )
    if not seed_sets:
        raise _Invalid("cohort.seed_sets lists no seed set")
    version = block.get("version")
    return SeedSetRegistry(
        source=source,
        version=None if version is None else str(version),
        cohort=cohort,
        seed_sets=seed_sets,
    )


def load_seed_sets(
    override: str | os.PathLike[str] | None = None,
) -> SeedSetRegistry | RegistryUnreadable:
    """The seed-set registry from ``override`` (see ``registry_override``) or the packaged file.

    Never raises: a missing, unreadable, malformed or mis-shaped file is a ``RegistryUnreadable``.
    """
    return _load_registry(override, "seed_sets.yaml", _seed_set_registry)


# ---------------------------------------------------------------------------------------------
# Approved drafters


class Drafter(NamedTuple):
    """One approved drafter. ``approved_cohort`` is kept as written; ``approved`` is it parsed
    (``None`` when unparsable, which ``drafter-approval-lead-time`` reports as a warning)."""

    benchmark: str
    model_id: str
    approved_cohort: str
    weight_checksum: str | None = None
    target_checksum: str | None = None
    configuration: Any = None

    @property
    def approved(self) -> Cohort | None:
        return parse_cohort(self.approved_cohort)

    def matches(self, declared: Mapping[str, Any]) -> bool:
        """Whether point.yaml ``speculative_decoding`` names this drafter: the same
        ``weight_checksum``, or the same ``target_checksum`` and ``configuration``."""
        weight = declared.get("weight_checksum")
        if self.weight_checksum is not None and weight is not None:
            return weight == self.weight_checksum
        target = declared.get("target_checksum")
        return (
            self.target_checksum is not None
            and target == self.target_checksum
            and declared.get("configuration") == self.configuration
        )


class DrafterRegistry(NamedTuple):
    """The approved-drafter list and where it came from."""

    source: str
    drafters: tuple[Drafter, ...]

    def for_benchmark(self, model_name: str) -> tuple[Drafter, ...]:
        """The drafters approved for ``model_name`` (exact v1.0 model name)."""
        return tuple(d for d in self.drafters if d.benchmark == model_name)

    def match(self, model_name: str, declared: object) -> Drafter | None:
        """The first drafter of ``model_name`` that ``declared`` (point.yaml
        ``speculative_decoding``) matches, else ``None`` (also when it is not a mapping)."""
        if not isinstance(declared, Mapping):
            return None
        return next((d for d in self.for_benchmark(model_name) if d.matches(declared)), None)


def _drafter_registry(source: str, raw: Any) -> DrafterRegistry:
    entries = _require_list(_require_mapping(raw, "the file").get("drafters"), "drafters")
    drafters = []
    for position, entry in enumerate(entries):
        where = f"drafters[{position}]"
        entry = _require_mapping(entry, where)
        weight = entry.get("weight_checksum")
        target = entry.get("target_checksum")
        if weight is None and target is None:
            raise _Invalid(f"{where}: needs weight_checksum, or target_checksum and configuration")
        if target is not None and entry.get("configuration") is None:
            raise _Invalid(f"{where}: target_checksum needs a configuration")
        for key in ("weight_checksum", "target_checksum"):
            if entry.get(key) is not None:
                _require_text(entry, key, where)
        drafters.append(
            Drafter(
                benchmark=_require_text(entry, "benchmark", where),
                model_id=_require_text(entry, "model_id", where),
                approved_cohort=str(entry.get("approved_cohort", "")),
                weight_checksum=weight,
                target_checksum=target,
                configuration=entry.get("configuration"),
            )
        )
    return DrafterRegistry(source=source, drafters=tuple(drafters))


def load_approved_drafters(
    override: str | os.PathLike[str] | None = None,
) -> DrafterRegistry | RegistryUnreadable:
    """The approved-drafter list from ``override`` or the packaged file. Never raises."""
    return _load_registry(override, "approved_drafters.yaml", _drafter_registry)


class LeadTime(NamedTuple):
    """Outcome of ``drafter-approval-lead-time`` for one point.

    ``ok`` is ``True``/``False``, or ``None`` when a cohort is unparsable (a warning);
    ``earliest`` is the first cohort the drafter may be used in, when known.
    """

    ok: bool | None
    earliest: Cohort | None
    reason: str


def drafter_lead_time(
    target_cohort: object, drafter: Drafter, lead_cohorts: int | None = None
) -> LeadTime:
    """Whether ``target_cohort`` is at least ``approved_cohort`` + ``lead_cohorts`` cohorts
    (default: the round's 2)."""
    if lead_cohorts is None:
        lead_cohorts = round_cohort_numbers()[1]
    approved = drafter.approved
    if approved is None:
        return LeadTime(
            None,
            None,
            f"approved_cohort {drafter.approved_cohort!r} of {drafter.model_id} "
            "is not YYYY-MM-C0 or YYYY-MM-C1",
        )
    earliest = approved.shifted(lead_cohorts)
    target = parse_cohort(target_cohort)
    if target is None:
        return LeadTime(
            None, earliest, f"target_cohort {target_cohort!r} is not YYYY-MM-C0 or YYYY-MM-C1"
        )
    if target < earliest:
        return LeadTime(
            False,
            earliest,
            f"target_cohort {target} is before {earliest} (approved {approved} + "
            f"{lead_cohorts} cohorts)",
        )
    return LeadTime(True, earliest, f"target_cohort {target} ≥ {earliest}")
