"""Byte progress bars for archiving, uploads and downloads (stderr, TTY only).

Long transfers are where a submitter wonders whether anything is happening, so they get a bar
with bytes, rate and ETA. In CI logs (stderr not a terminal) nothing is drawn: no spinners, no
carriage-return noise. Colour follows rich's handling of ``NO_COLOR``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

# rich is imported when a bar is first shown, not by every module that can show one (the
# archive and HTTP modules), so `--help` and commands that transfer nothing start faster.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn


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
    from rich.console import Console

    return Console(stderr=True)


class _SharedDisplay:
    """One live display for every bar open at the same time.

    ``submissions create`` downloads four archives at once, each through ``byte_progress``; four
    separate live displays would redraw over each other, so concurrent bars become rows of one
    display, which stops when the last of them closes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._users = 0

    @contextmanager
    def task(self, console: Console, total: int, label: str) -> Iterator[ByteProgress]:
        with self._lock:
            if self._progress is None:
                from rich.progress import Progress

                self._progress = Progress(*_columns(), console=console, transient=False)
                self._progress.start()
            self._users += 1
            progress = self._progress
            task_id = progress.add_task(label, total=total)
        try:
            yield ByteProgress(progress, task_id)
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    progress.stop()
                    self._progress = None


def _columns() -> tuple[ProgressColumn, ...]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    return (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),  # decimal units, like the rate column next to it
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )


_DISPLAY = _SharedDisplay()


@contextmanager
def byte_progress(total: int, label: str) -> Iterator[ByteProgress]:
    """Show a byte bar for ``total`` bytes labelled ``label`` while the block runs."""
    console = _stderr_console()
    if not console.is_terminal:
        yield ByteProgress()
        return
    with _DISPLAY.task(console, total, label) as advance:
        yield advance
