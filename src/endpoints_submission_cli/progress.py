"""Byte progress bars for archiving, uploads and downloads (stderr, TTY only).

Long transfers are where a submitter wonders whether anything is happening, so they get a bar
with bytes, rate and ETA. In CI logs (stderr not a terminal) nothing is drawn: no spinners, no
carriage-return noise. Colour follows rich's handling of ``NO_COLOR``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


class ByteProgress:
    """Callable ``advance(n)``; ``reset()`` starts over (a transfer retried from byte 0)."""

    def __init__(self, progress: Progress | None = None, task_id: int | None = None) -> None:
        self._progress = progress
        self._task_id = task_id
        self.done = 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self._progress is not None:
            self._progress.update(self._task_id, advance=n)

    def reset(self) -> None:
        self.done = 0
        if self._progress is not None:
            self._progress.reset(self._task_id)


def _stderr_console() -> Console:
    return Console(stderr=True)


@contextmanager
def byte_progress(total: int, label: str) -> Iterator[ByteProgress]:
    """Show a byte bar for ``total`` bytes labelled ``label`` while the block runs."""
    console = _stderr_console()
    if not console.is_terminal:
        yield ByteProgress()
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),  # decimal units, like the rate column next to it
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task_id = progress.add_task(label, total=total)
        yield ByteProgress(progress, task_id)
