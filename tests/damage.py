"""Random damage to a submission tree, for the "never a traceback" tests of both rounds.

Both rounds' checkers must turn any damaged file or entry into findings; these helpers do the
damaging (hypothesis draws the choices) so the two test modules only say what they check.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import strategies as st

from submission_checker import Report, SubmissionChecker
from submission_checker.cli import main

#: Any JSON/YAML value, nested a little: what a damaged field may hold.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
#: What ``damage_file`` draws besides the file and the byte position (files differ in size):
#: ``@given(file_index=…, position=…, **FILE_DAMAGE_DRAWS)``.
FILE_DAMAGE_DRAWS = {
    "how": st.sampled_from(["value", "bytes", "truncate"]),
    "path_choices": st.lists(st.integers(0, 50), min_size=1, max_size=4),
    "value": json_values,
    "raw": st.binary(max_size=12),
}
#: How ``damage_entry`` replaces a file or directory.
ENTRY_DAMAGE = st.sampled_from(["delete", "file", "dir", "link"])


def replace_somewhere(data, path_choices, value):
    """Replace one nested value (chosen by ``path_choices``) with ``value``."""
    node = data
    for choice in path_choices:
        if isinstance(node, dict) and node:
            key = sorted(node, key=str)[choice % len(node)]
            if not isinstance(node[key], (dict, list)) or choice % 3 == 0:
                node[key] = value
                return data
            node = node[key]
        elif isinstance(node, list) and node:
            index = choice % len(node)
            if not isinstance(node[index], (dict, list)):
                node[index] = value
                return data
            node = node[index]
        else:
            break
    return value if node is data else data


def damage_file(
    target: Path, how: str, path_choices: list[int], value, raw: bytes, position: int
) -> None:
    """Overwrite ``raw`` into ``target``'s bytes, truncate it, or replace one of its values.

    ``how`` is one of ``FILE_DAMAGE_DRAWS["how"]``; the caller restores the original bytes.
    """
    original = target.read_bytes()
    if how == "bytes":
        at = position % (len(original) + 1)
        target.write_bytes(original[:at] + raw + original[at + len(raw) :])
    elif how == "truncate":
        target.write_bytes(original[: position % (len(original) + 1)])
    else:
        is_yaml = target.suffix == ".yaml"
        data = yaml.safe_load(original) if is_yaml else json.loads(original)
        data = replace_somewhere(data, path_choices, value)
        # json.dumps may write NaN/Infinity on purpose
        target.write_text(yaml.safe_dump(data) if is_yaml else json.dumps(data))


@contextlib.contextmanager
def damaged_file(
    target: Path, how: str, path_choices: list[int], value, raw: bytes, position: int
) -> Iterator[None]:
    """``target`` damaged by ``damage_file`` inside the block, its original bytes after it."""
    original = target.read_bytes()
    try:
        damage_file(target, how, path_choices, value, raw, position)
        yield
    finally:
        target.write_bytes(original)


def assert_sound(report) -> None:
    """A ``Report``, no internal checker error, and a fix for every error and warning."""
    assert isinstance(report, Report)
    assert not [r for r in report.results if "internal checker error" in r.message]
    assert all(r.fix for r in report.errors + report.warnings)


def assert_checks_soundly(org: Path) -> None:
    """The library's report of ``org`` is sound and ``check`` exits 0 or 1 to match, without
    a traceback."""
    report = SubmissionChecker(org).run()
    assert_sound(report)
    result = CliRunner().invoke(main, ["check", "-q", str(org)])
    assert result.exit_code == (0 if report.passed else 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def damage_entry(root: Path, pick: int, how: str) -> None:
    """Remove the ``pick``-th entry below ``root``; put an empty file, an empty directory or a
    link to ``root`` (or its parent) in its place, or nothing (``how`` from ``ENTRY_DAMAGE``)."""
    entries = sorted(root.rglob("*"))
    target = entries[pick % len(entries)]
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    if how == "file":
        target.write_text("")
    elif how == "dir":
        target.mkdir()
    elif how == "link":
        os.symlink(root.parent if pick % 2 else root, target)
