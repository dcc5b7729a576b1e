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
