"""Walk a submission tree into handles: Submission → System → Model → Point.

This is the only place that touches the file system during a check. It lists every directory
once (never following a symlink out of the submission), reads and validates the four file kinds
through ``loading`` and ``models``, and records what it found — present, missing, unsafe,
unreadable, invalid — so that rules only look at handles and never open a file. Detail logs are
only ``stat``-ed: they can be gigabytes. System descriptions are read at once; the files below
``pareto/`` when a rule first asks for them, so each system's files can be read by the process
that checks it (see ``checker``).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from . import loading
from .models import (
    AccuracyResult,
    PointConfig,
    PointSummary,
    SystemDescription,
    is_plainly_valid_summary,
    validate,
)
from .naming import printable
from .regions import Regions, compute_regions
from .rounds import RulesRound

__all__ = [
    "DETAIL_NAME",
    "SUMMARY_NAME",
    "Document",
    "Model",
    "Point",
    "Submission",
    "System",
    "Tree",
    "read_submission",
]

SUMMARY_NAME = "mlperf_endpoints_log_summary.json"
DETAIL_NAME = "mlperf_endpoints_log_detail.json"
PLAIN_INTEGER = re.compile(r"0|[1-9][0-9]*")
POINT_FILE = re.compile(r"point_(.*)\.yaml")

# Kinds of directory entries
DIR, FILE, UNSAFE, OTHER = "dir", "file", "unsafe", "other"
#: What ``Tree.unsafe`` records, instead of a target, for links that do not resolve
SYMLINK_LOOP, DANGLING_LINK = "a symlink loop", "a missing target (dangling link)"
UNRESOLVED_LINKS = (SYMLINK_LOOP, DANGLING_LINK)


class computed_once:  # noqa: N801 - used like functools.cached_property
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every first
    access, ~1 µs; a 16,384-point check makes ~100,000 first accesses). The value is computed on
    first access and stored in the instance, which then answers every later access.
    """

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__
        self.name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


class Tree:
    """Every directory of the submission listed once: ``listing(rel_dir)[name] = kind``.

    Symlinks that resolve inside the root are followed as if they were the target; symlinks that
    resolve outside, dangling links and link loops are recorded in ``unsafe`` (rel path → what
    they lead to) and never entered. Each real directory is listed once (§4.4): a second path to
    it (a link) is an alias of the first, so a tree of links costs no more than its directories.
    A directory that can be entered but not listed is recorded in ``unlistable``; names below
    it are looked up one by one when asked for (``kind``).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = os.fspath(root)
        self.entries: dict[str, dict[str, str]] = {}
        self.unsafe: dict[str, str] = {}
        self.unlistable: list[str] = []
        #: entries whose names are not UTF-8, shown escaped (they are checked like any other)
        self.undecodable: list[str] = []
        #: rel path of a directory link → rel path of the first path to the same directory
        self._aliases: dict[str, str] = {}
        #: real path of every directory met → its first rel path
        self._real_dirs: dict[str, str] = {}
        real_root = os.path.realpath(self.root)
        self._inside_prefix = real_root.rstrip(os.sep) + os.sep
        self._walk([("", self._root, real_root)])

    def _walk(self, stack: list[tuple[str, str, str]]) -> None:
        """List the directories on ``stack`` (rel dir, path to open, real path) and below.

        Directories reached through links wait until every plain directory is listed, so that
        a link becomes an alias of the plain path, not the other way round.
        """
        linked: list[tuple[str, str, str]] = []
        while stack or linked:
            rel_dir, abs_dir, real_dir = stack.pop() if stack else linked.pop()
            first = self._real_dirs.setdefault(real_dir, rel_dir)
            if first != rel_dir:
                self._aliases[rel_dir] = first  # listed under its first path
                continue
            listing: dict[str, str] = {}
            self.entries[rel_dir] = listing
            try:
                scan = os.scandir(abs_dir)
            except OSError:
                self.unlistable.append(rel_dir)
                continue
            prefix = f"{rel_dir}/" if rel_dir else ""
            with scan:
                for entry in scan:
                    name = entry.name
                    if not name.isascii() and printable(name) != name:  # ASCII: printable
                        self.undecodable.append(printable(prefix + name))
                    target: str | None = None
                    try:
                        if entry.is_symlink():
                            kind, target = self._classify_link(entry.path, prefix + name)
                        # not a link: following links changes nothing (the keyword is slower)
                        elif entry.is_dir():
                            kind = DIR
                        else:
                            kind = FILE if entry.is_file() else OTHER
                    except OSError:
                        kind = OTHER
                    listing[name] = kind
                    if kind == DIR:
                        rel = prefix + name
                        if target is None:
                            stack.append((rel, entry.path, f"{real_dir}{os.sep}{name}"))
                        else:
                            linked.append((rel, entry.path, target))

    def _classify_link(self, path: str, rel: str) -> tuple[str, str | None]:
        """Kind of a symlink's target, and its real path when it is a directory."""
        try:
            target = os.path.realpath(path, strict=True)
        except OSError as exc:  # a loop or a dangling link: it cannot be shown to stay inside
            looping = exc.errno == errno.ELOOP
            self.unsafe[rel] = SYMLINK_LOOP if looping else DANGLING_LINK
            return UNSAFE, None
        if target + os.sep != self._inside_prefix and not target.startswith(self._inside_prefix):
            self.unsafe[rel] = target
            return UNSAFE, None
        if os.path.isdir(target):
            return DIR, target
        return (FILE if os.path.isfile(target) else OTHER), None

    def _resolve(self, rel_dir: str) -> str:
        """The rel path under which ``rel_dir``'s directory is listed (links → first path)."""
        if not rel_dir or rel_dir in self.entries:
            return rel_dir
        resolved = ""
        for part in rel_dir.split("/"):
            resolved = f"{resolved}/{part}" if resolved else part
            resolved = self._aliases.get(resolved, resolved)
            parent = resolved.rpartition("/")[0]
            below_unlistable = resolved not in self.entries and parent in self.unlistable
            if below_unlistable and self.kind(resolved) == DIR:
                path = self.path(resolved)
                self._walk([(resolved, path, os.path.realpath(path))])
                resolved = self._aliases.get(resolved, resolved)
        return resolved

    def kind(self, rel: str) -> str | None:
        """Kind of the entry at ``rel`` (``dir``, ``file``, ``unsafe``, ``other``) or ``None``."""
        parent, _, name = rel.rpartition("/")
        parent = self._resolve(parent)
        listing = self.entries.get(parent)
        if listing is None:
            return None
        found = listing.get(name)
        if found is None and parent in self.unlistable and name:
            found = self._probe(f"{parent}/{name}" if parent else name, listing, name)
        return found

    def _probe(self, rel: str, listing: dict[str, str], name: str) -> str | None:
        """Look up one name in a directory that cannot be listed (mode 0311, §4.4)."""
        path = self.path(rel)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return None
        except OSError:
            mode = 0
        if stat.S_ISLNK(mode):
            kind, _ = self._classify_link(path, rel)
        else:
            kind = DIR if stat.S_ISDIR(mode) else FILE if stat.S_ISREG(mode) else OTHER
        listing[name] = kind
        return kind

    def listing(self, rel_dir: str) -> dict[str, str]:
        return self.entries.get(self._resolve(rel_dir), {})

    def path(self, rel: str) -> str:
        """Absolute (or cwd-relative) file system path of ``rel``, as a plain string."""
        return f"{self._root}{os.sep}{rel}"

    def size(self, rel: str) -> int:
        try:
            return os.stat(self.path(rel)).st_size
        except OSError:
            return 0

    def has_content(self, rel_dir: str) -> bool:
        """True when a regular file, or an unsafe entry (present, unread), is below ``rel_dir``."""
        pending = [self._resolve(rel_dir)]
        seen: set[str] = set()
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            for name, kind in self.listing(current).items():
                if kind in (FILE, UNSAFE):
                    return True
                if kind == DIR:
                    pending.append(self._resolve(f"{current}/{name}"))
        return False


M = TypeVar("M", bound=BaseModel)


@dataclass
class Document(Generic[M]):
    """One submission file: where it is, what state it is in, its data and its schema problems.

    ``state`` is ``missing``, ``unsafe`` (a symlink out of the tree: present but unread),
    ``not-a-file``, ``unreadable`` (``error`` says why), ``invalid`` (``problems`` lists the
    schema problems) or ``valid`` (``model`` holds the validated file). Summaries are the
    exception: after full validation only their essentials are kept in ``data`` (see
    ``_summary_essentials``) and ``model`` stays ``None``.
    """

    rel: str
    state: str
    data: Any = None
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    model: M | None = None
    #: the parsed data when it is a mapping (rules read well-typed fields from it)
    mapping: dict[str, Any] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.mapping = self.data if isinstance(self.data, dict) else None


def _summary_essentials(data: Any) -> Any:
    """What rules read from a summary: top-level values, and of each block only its ``total``.

    Real summaries carry histograms and early-stopping tables (~18 KB each); a thousand of them
    kept whole would dominate the checker's memory. They are validated in full first.
    """
    if not isinstance(data, dict):
        return data
    return {
        key: ({"total": value["total"]} if "total" in value else {})
        if isinstance(value, dict)
        else value
        for key, value in data.items()
    }


def unread_document(tree: Tree, rel: str) -> Document | None:
    """The ``Document`` of ``rel`` when it is no regular file to read (missing, unsafe, a
    directory or another kind of entry); ``None`` when it is one."""
    kind = tree.kind(rel)
    if kind == FILE:
        return None
    if kind is None:
        return Document(rel, "missing")
    if kind == UNSAFE:
        return Document(rel, "unsafe")
    what = "a directory" if kind == DIR else "not a regular file"
    return Document(rel, "not-a-file", error=f"is {what}, expected a file")


def read_document(
    tree: Tree,
    rel: str,
    schema: type[M] | None,
    reader: Any,
    *,
    summary_essentials: Callable[[Any], Any] | None = None,
) -> Document[M]:
    """The ``Document`` of ``rel`` in either round: its state, its data read by ``reader`` and
    validated against ``schema`` (``None``: any data is valid).

    A summary passes its round's ``summary_essentials``: only what that returns is kept, and
    the schema runs only when ``is_plainly_valid_summary`` is not sure (valid for v0.7 is valid
    for v1.0's looser summary too)."""
    unread = unread_document(tree, rel)
    if unread is not None:
        return unread
    try:
        data = reader(tree.path(rel))
    except loading.LoadError as exc:
        return Document(rel, "unreadable", error=exc.message)
    if schema is None:
        return Document(rel, "valid", data=data)
    if summary_essentials is not None and is_plainly_valid_summary(data):
        model, problems = None, []  # surely valid: spare the schema
    else:
        model, problems = validate(schema, data)
    if summary_essentials is not None:
        data, model = summary_essentials(data), None
    if problems:
        return Document(rel, "invalid", data=data, problems=problems)
    return Document(rel, "valid", data=data, model=model)


@dataclass
class Point:
    """One ``points/point_<N>.yaml`` and what belongs to it.

    Its files are read when a rule first needs them (``config``, ``summary``, ``detail_size``),
    so that the checker can read the systems of a large submission in parallel processes.
    """

    model: Model
    file_name: str
    rel: str
    name_n: str
    results_rel: str | None = None  # results/point_<N>, None when N is not a plain integer
    results_kind: str | None = None
    summary_rel: str | None = None
    detail_rel: str | None = None
    detail_kind: str | None = None

    @computed_once
    def config(self) -> Document[PointConfig]:
        return read_document(self.model.tree, self.rel, PointConfig, loading.load_yaml)

    @computed_once
    def summary(self) -> Document[PointSummary] | None:
        """The summary document; ``None`` when there is no results folder to look in."""
        if self.summary_rel is None:
            return None
        if self.results_kind == DIR:
            return read_document(
                self.model.tree,
                self.summary_rel,
                PointSummary,
                loading.load_json,
                summary_essentials=_summary_essentials,
            )
        return Document(self.summary_rel, "unsafe" if self.results_kind == UNSAFE else "missing")

    @computed_once
    def summary_exact(self) -> dict[str, Any] | None:
        """The summary's mapping with fractional numbers as the ``Decimal``s written (§4.4).

        Read again, and only for a tolerance decision too close to call on floats (see
        ``decimals``); ``None`` when the summary is not a readable mapping.
        """
        summary = self.summary
        if summary is None or summary.mapping is None:
            return None
        try:
            data = loading.load_json_exact(self.model.tree.path(summary.rel))
        except loading.LoadError:
            return None
        return data if isinstance(data, dict) else None

    @computed_once
    def detail_size(self) -> int:
        """Size of the detail log (only ``stat``-ed, never read), 0 when it is not a file."""
        return self.model.tree.size(self.detail_rel) if self.detail_kind == FILE else 0

    @computed_once
    def file_n(self) -> int | None:
        """N from the file name when it is a plain integer (no sign, no leading zeros)."""
        return int(self.name_n) if PLAIN_INTEGER.fullmatch(self.name_n) else None

    @computed_once
    def declared_concurrency(self) -> int | None:
        """``concurrency`` from the YAML when it is an integer, whatever else is wrong."""
        value = self.config.mapping.get("concurrency") if self.config.mapping else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def concurrency(self) -> int | None:
        """The declared concurrency; no fallback to the file name's N when it is invalid (§4.4)."""
        return self.declared_concurrency

    @computed_once
    def scope(self) -> dict[str, Any]:
        """Scope fields of results about this point (see ``CheckResult``)."""
        model = self.model
        return {
            "path": self.rel,
            "system": model.system.id,
            "model": model.name,
            # for grouping in reports only: the file name's N when the declared one is invalid
            "concurrency": self.file_n if self.concurrency is None else self.concurrency,
        }

    @property
    def counts_for_coverage(self) -> bool:
        """A point counts toward region coverage when its YAML passes §2.2."""
        return self.config.model is not None


@dataclass
class Model:
    """``pareto/<system_id>/<model>/``."""

    system: System
    name: str
    rel: str
    subdirs: dict[str, str | None] = field(default_factory=dict)
    points: list[Point] = field(default_factory=list)
    yml_files: list[str] = field(default_factory=list)
    orphan_results: list[str] = field(default_factory=list)
    #: ``results/point_<N>`` of a point that is a file, not a folder (an orphan too, §4.4)
    results_files: list[str] = field(default_factory=list)
    accuracy_txt_rel: str = ""
    accuracy_txt_kind: str | None = None

    def subdir_ok(self, name: str) -> bool:
        return self.subdirs.get(name) == DIR

    def release_points(self) -> None:
        """Let the points and their files' data go once this model is checked (``checker``).

        No v0.7 rule reads another model's points (submission rules run before any system, a
        system's rules before its models'), so they need not stay in memory to the end.
        """
        self.points.clear()

    @property
    def tree(self) -> Tree:
        tree = self.system.submission.tree
        assert tree is not None  # models exist only in a listed tree
        return tree

    @computed_once
    def accuracy_txt_size(self) -> int:
        return self.tree.size(self.accuracy_txt_rel) if self.accuracy_txt_kind == FILE else 0

    @computed_once
    def accuracy(self) -> Document[AccuracyResult] | None:
        """``accuracy/accuracy_result.json``, read on first use; ``None`` without accuracy/."""
        if not self.subdir_ok("accuracy"):
            return None
        rel = f"{self.rel}/accuracy/accuracy_result.json"
        return read_document(self.tree, rel, AccuracyResult, loading.load_json)

    @property
    def scope(self) -> dict[str, Any]:
        return {"path": self.rel, "system": self.system.id, "model": self.name, "concurrency": None}

    @computed_once
    def files_by_concurrency(self) -> dict[int, list[str]]:
        """Point file names per declared concurrency (to find duplicates)."""
        found: dict[int, list[str]] = {}
        for point in self.points:
            declared = point.declared_concurrency
            if declared is not None:
                found.setdefault(declared, []).append(point.file_name)
        return found


@dataclass
class System:
    """``systems/<system_id>.json`` and its ``pareto/<system_id>/`` tree."""

    submission: Submission
    id: str
    description: Document[SystemDescription]
    pareto_rel: str
    pareto_kind: str | None = None
    models: list[Model] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return self.description.rel

    @property
    def scope(self) -> dict[str, Any]:
        return {"path": self.rel, "system": self.id, "model": None, "concurrency": None}

    @computed_once
    def max_concurrency(self) -> int | None:
        """``max_supported_concurrency`` when it is an integer (even if other fields are bad)."""
        data = self.description.mapping
        value = data.get("max_supported_concurrency") if data else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @computed_once
    def regions(self) -> Regions | None:
        m = self.max_concurrency
        return compute_regions(m) if m is not None and m > 32 else None

    @property
    def division(self) -> str | None:
        if self.description.model is not None:
            return self.description.model.division
        data = self.description.mapping
        value = data.get("division") if data else None
        return value.strip().capitalize() if isinstance(value, str) else None


@dataclass
class Submission:
    """The organisation directory given to ``check``."""

    root: Path
    rules_round: RulesRound
    exists: bool
    is_dir: bool
    tree: Tree | None = None
    systems: list[System] = field(default_factory=list)
    orphan_pareto: list[str] = field(default_factory=list)

    def kind(self, rel: str) -> str | None:
        return self.tree.kind(rel) if self.tree else None

    @property
    def scope(self) -> dict[str, Any]:
        return {"path": None, "system": None, "model": None, "concurrency": None}


def _point_sort_key(point: Point) -> tuple[int, int, str]:
    n = point.file_n
    return (0, n, "") if n is not None else (1, 0, point.file_name)


def read_submission(root: Path, rules_round: RulesRound) -> Submission:
    """Read everything the rules need from the tree at ``root``."""
    exists = root.exists() or root.is_symlink()
    is_dir = root.is_dir()
    submission = Submission(root=root, rules_round=rules_round, exists=exists, is_dir=is_dir)
    if not is_dir:
        return submission
    tree = submission.tree = Tree(root)
    if tree.kind("systems") == DIR:
        for name in sorted(tree.listing("systems")):
            if name.endswith(".json"):
                submission.systems.append(_read_system(submission, tree, name[: -len(".json")]))
    if tree.kind("pareto") == DIR:
        known = {system.id for system in submission.systems}
        submission.orphan_pareto = [
            f"pareto/{name}"
            for name, kind in sorted(tree.listing("pareto").items())
            if kind == DIR and name not in known
        ]
    return submission


def _read_system(submission: Submission, tree: Tree, system_id: str) -> System:
    description = read_document(
        tree, f"systems/{system_id}.json", SystemDescription, loading.load_json
    )
    pareto_rel = f"pareto/{system_id}"
    system = System(submission, system_id, description, pareto_rel, tree.kind(pareto_rel))
    if system.pareto_kind == DIR and tree.kind("pareto") == DIR:
        for name, kind in sorted(tree.listing(pareto_rel).items()):
            if kind == DIR:
                system.models.append(_read_model(system, tree, name))
    return system


def _read_model(system: System, tree: Tree, name: str) -> Model:
    rel = f"{system.pareto_rel}/{name}"
    model = Model(system=system, name=name, rel=rel)
    for sub in ("points", "results", "accuracy"):
        model.subdirs[sub] = tree.kind(f"{rel}/{sub}")
    point_names: set[str] = set()
    if model.subdir_ok("points"):
        for file_name, kind in tree.listing(f"{rel}/points").items():
            match = POINT_FILE.fullmatch(file_name)
            if match:
                model.points.append(_read_point(model, tree, file_name, match.group(1)))
                point_names.add(f"point_{match.group(1)}")
            elif file_name.endswith(".yml") and kind != DIR:
                model.yml_files.append(f"{rel}/points/{file_name}")
        model.points.sort(key=_point_sort_key)
        model.yml_files.sort()
    if model.subdir_ok("results"):
        for entry, kind in sorted(tree.listing(f"{rel}/results").items()):
            if not entry.startswith("point_"):
                continue
            if entry not in point_names:
                model.orphan_results.append(f"{rel}/results/{entry}")
            elif kind not in (DIR, UNSAFE):
                model.results_files.append(f"{rel}/results/{entry}")
    if model.subdir_ok("accuracy"):
        model.accuracy_txt_rel = f"{rel}/accuracy/accuracy.txt"
        model.accuracy_txt_kind = tree.kind(model.accuracy_txt_rel)
    return model


def _read_point(model: Model, tree: Tree, file_name: str, name_n: str) -> Point:
    """The point's place in the tree; its files are read on first use (see ``Point``)."""
    rel = f"{model.rel}/points/{file_name}"
    point = Point(model=model, file_name=file_name, rel=rel, name_n=name_n)
    if point.file_n is None or not model.subdir_ok("results"):
        return point
    point.results_rel = f"{model.rel}/results/point_{name_n}"
    point.results_kind = tree.kind(point.results_rel)
    point.summary_rel = f"{point.results_rel}/{SUMMARY_NAME}"
    point.detail_rel = f"{point.results_rel}/{DETAIL_NAME}"
    if point.results_kind == DIR:
        point.detail_kind = tree.kind(point.detail_rel)
    return point
