"""Printing: data to stdout (JSON or rich tables), messages to stderr.

Tables never wrap or truncate ids and paths: when stdout is not a terminal the console is made
as wide as the content needs, so `grep`/`awk` in CI see whole values.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def info(message: str) -> None:
    """A message for the human (stderr), never mixed into data on stdout."""
    click.echo(message, err=True)


def describe_download(download: dict[str, Any]) -> str:
    """One line for the human about a finished ``download_archive``."""
    check = "checksum verified" if download["verified"] else "PRISM gave no checksum to verify"
    return f"downloaded {download['path']} ({download['size']} bytes, {check})"


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _print(table: Table) -> None:
    """On a terminal: rich as usual. Elsewhere: no box characters, no wrapping, no padding at
    line ends — plain columns that grep/awk/cut handle."""
    console = Console()
    if console.is_terminal:
        console.print(table)
        return
    table.box = None
    plain = Console(file=io.StringIO(), width=100_000, no_color=True, highlight=False)
    with plain.capture() as captured:
        plain.print(table)
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def print_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "") -> None:
    table = Table(title=title or None, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    _print(table)


def print_fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """A two-column "field  value" listing for one object."""
    table = Table(show_header=False, show_edge=False, pad_edge=False, box=None)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True, overflow="ignore")
    for key, value in pairs:
        table.add_row(key, "" if value is None else str(value))
    _print(table)
