"""The two processes of a large check claim units as they go and the child streams its results
back; whatever the child does wrong, the report is the single process's."""

from __future__ import annotations

import marshal
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from submission_checker import SubmissionChecker
from submission_checker import checker as checker_module

SYSTEMS = ("sys-a", "sys-b", "sys-c")
MODELS = ("llama2-70b", "mixtral-8x7b")

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@pytest.fixture
def org(tmp_path: Path, generator: Any) -> Path:
    """Three systems × two models × eight points (nine units), one unreadable point file."""
    root = generator.write_submission(tmp_path, systems=SYSTEMS, models=MODELS)
    (root / "pareto/sys-b/mixtral-8x7b/points/point_8.yaml").write_text("concurrency: [\n")
    return root


@pytest.fixture
def serial(org: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(checker_module, "PARALLEL_MIN_POINTS", 10**9)
        return SubmissionChecker(org).run().model_dump_json()


def parallel(org: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    return SubmissionChecker(org).run().model_dump_json()


def test_the_claims_pipe_hands_out_every_unit_once_in_order() -> None:
    claims = checker_module._claims_pipe([1, 2, 4, 5, 7, 8])
    assert claims is not None
    try:
        taken = []
        while (index := checker_module._claim(claims)) is not None:
            taken.append(index)
    finally:
        os.close(claims)
    assert taken == [1, 2, 4, 5, 7, 8]


def test_more_units_than_a_pipe_holds_are_not_split() -> None:
    assert checker_module._claims_pipe(list(range(4_000_000))) is None  # 16 MB of claims


@needs_fork
def test_without_a_claims_pipe_one_process_checks_everything(
    org: Path, serial: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checker_module, "_claims_pipe", lambda numbers: None)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked without claims"))
    assert parallel(org, monkeypatch) == serial


@needs_fork
def test_the_child_checks_models_and_sends_them(
    org: Path, serial: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The submission and the systems are checked here; the child's models arrive over the
    pipe."""
    parent = os.getpid()
    child_started = tmp_path / "child-started"
    here: list[tuple[str | None, str | None]] = []
    real_check_unit = checker_module._check_unit

    def wait_for_the_child(unit: Any, round_name: str) -> Any:
        system, model = unit.scope["system"], unit.scope["model"]
        if os.getpid() != parent:
            assert model is not None  # never the submission nor a system
            child_started.touch()
        else:
            if model is not None and all(m is None for _, m in here):  # the first model:
                deadline = time.monotonic() + 60  # let the child claim
                while not child_started.exists() and time.monotonic() < deadline:
                    time.sleep(0.01)
            here.append((system, model))
        return real_check_unit(unit, round_name)

    monkeypatch.setattr(checker_module, "_check_unit", wait_for_the_child)
    assert parallel(org, monkeypatch) == serial
    assert child_started.exists()
    # the submission first, then every system, all here
    assert here[: 1 + len(SYSTEMS)] == [(None, None), *((s, None) for s in SYSTEMS)]
    models_here = len(here) - 1 - len(SYSTEMS)
    assert 0 < models_here < len(SYSTEMS) * len(MODELS)


@needs_fork
def test_a_child_dying_after_sending_a_unit_changes_nothing(
    org: Path, serial: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real_check_unit = checker_module._check_unit
    calls = []

    def die_on_second_unit(unit: Any, round_name: str) -> Any:
        if os.getpid() != parent:
            calls.append(unit)
            if len(calls) == 2:
                raise MemoryError("child died")
        return real_check_unit(unit, round_name)

    monkeypatch.setattr(checker_module, "_check_unit", die_on_second_unit)
    assert parallel(org, monkeypatch) == serial


@needs_fork
def test_a_child_sending_garbage_changes_nothing(
    org: Path, serial: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real_dumps = marshal.dumps

    def garbage_in_child(value: Any, *version: int) -> bytes:
        if os.getpid() != parent:
            return b"not marshal data"
        return real_dumps(value, *version)

    monkeypatch.setattr(marshal, "dumps", garbage_in_child)
    assert parallel(org, monkeypatch) == serial


@needs_fork
def test_a_failure_here_stops_the_child_at_once(org: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error (or Ctrl-C) in this process is raised as it is; the child is ended and reaped,
    not left checking the rest of the tree."""
    parent = os.getpid()
    children = []
    real_fork = os.fork
    real_check_unit = checker_module._check_unit

    def recording_fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    def interrupted_here(unit: Any, round_name: str) -> Any:
        if os.getpid() == parent and unit.scope["model"] is not None:
            raise KeyboardInterrupt
        if os.getpid() != parent:
            time.sleep(60)  # a child that would go on for a long time
        return real_check_unit(unit, round_name)

    statuses = []
    real_waitpid = os.waitpid

    def recording_waitpid(pid: int, options: int) -> tuple[int, int]:
        reaped = real_waitpid(pid, options)
        statuses.append(reaped)
        return reaped

    monkeypatch.setattr(os, "fork", recording_fork)
    monkeypatch.setattr(os, "waitpid", recording_waitpid)
    monkeypatch.setattr(checker_module, "_check_unit", interrupted_here)
    with pytest.raises(KeyboardInterrupt):
        parallel(org, monkeypatch)
    assert len(children) == 1
    assert [pid for pid, _ in statuses] == children  # reaped once
    status = statuses[0][1]
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
