"""Byte progress: a bar with bytes, rate and ETA on a terminal; silence in logs."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from endpoints_submission_cli import progress
from endpoints_submission_cli.archive import pack_directory


def test_no_bar_when_stderr_is_not_a_terminal(capsys) -> None:
    with progress.byte_progress(1000, "uploading x") as advance:
        advance(600)
        advance(400)
    assert advance.done == 1000
    assert capsys.readouterr().err == ""


@pytest.fixture
def terminal(monkeypatch) -> io.StringIO:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    monkeypatch.setattr(progress, "_stderr_console", lambda: console)
    return screen


def test_bar_shows_label_bytes_and_rate_on_a_terminal(terminal) -> None:
    with progress.byte_progress(4 * 1024 * 1024, "uploading run.tar.gz") as advance:
        for _ in range(4):
            time.sleep(0.02)
            advance(1024 * 1024)
    shown = terminal.getvalue()
    assert "uploading run.tar.gz" in shown
    assert "4.2/4.2 MB" in shown
    assert "/s" in shown  # transfer rate column


def test_retry_resets_the_bar(terminal) -> None:
    with progress.byte_progress(100, "x") as advance:
        advance(70)
        advance.reset()
        advance(100)
    assert advance.done == 100


def test_packing_reports_every_input_byte(sample_copy, tmp_path, monkeypatch) -> None:
    seen = []
    real = progress.ByteProgress.__call__

    def spy(self, n):
        seen.append(n)
        real(self, n)

    monkeypatch.setattr(progress.ByteProgress, "__call__", spy)
    folder = sample_copy("llama2-70b_c1")
    pack_directory(folder, tmp_path / "a.tar.gz", arcname="r")
    assert sum(seen) == sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_concurrent_bars_share_one_display(terminal) -> None:
    """Four parallel downloads are four rows of one display, not four displays overdrawing."""
    import threading

    from rich.live import Live

    started = []
    real_start = Live.start

    def counting_start(self, *args, **kwargs):
        started.append(self)
        return real_start(self, *args, **kwargs)

    barrier = threading.Barrier(4)

    def download(n: int) -> None:
        with progress.byte_progress(1000, f"archive {n}") as advance:
            barrier.wait(timeout=10)  # all four bars are open at the same time
            advance(1000)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Live, "start", counting_start)
        threads = [threading.Thread(target=download, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert len(started) == 1
    shown = terminal.getvalue()
    assert all(f"archive {n}" in shown for n in range(4))

    with progress.byte_progress(10, "later, alone") as advance:  # a new display afterwards
        advance(10)
    assert "later, alone" in terminal.getvalue()
