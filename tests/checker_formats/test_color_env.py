"""`submission-checker` colours like the other two tools (rich): NO_COLOR, FORCE_COLOR, TERM=dumb,
terminal or not — checked on the installed console script in a real terminal (pty) and a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("submission-checker")
ANSI = "\x1b["


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update({"TERM": "xterm-256color", **extra})
    return env


def _in_terminal(tmp_path: Path, **extra: str) -> str:
    """Output of ``submission-checker check`` on a missing tree, written to a pseudo-terminal."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [str(SCRIPT), "check", str(tmp_path / "missing")],
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=subprocess.PIPE,
            env=_env(**extra),
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 1, proc.stderr
    return b"".join(chunks).decode()


def _in_pipe(tmp_path: Path, **extra: str) -> str:
    proc = subprocess.run(
        [str(SCRIPT), "check", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        env=_env(**extra),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "path-exists" in proc.stdout
    return proc.stdout


def test_terminal_gets_colour(tmp_path):
    out = _in_terminal(tmp_path)
    assert "path-exists" in out and ANSI in out


@pytest.mark.parametrize(
    "env", [{"NO_COLOR": "1"}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, {"TERM": "dumb"}]
)
def test_terminal_without_colour_when_asked(tmp_path, env):
    out = _in_terminal(tmp_path, **env)
    assert "path-exists" in out and ANSI not in out


def test_pipe_gets_no_colour(tmp_path):
    assert ANSI not in _in_pipe(tmp_path)


def test_force_color_colours_a_pipe(tmp_path):
    assert ANSI in _in_pipe(tmp_path, FORCE_COLOR="1")
