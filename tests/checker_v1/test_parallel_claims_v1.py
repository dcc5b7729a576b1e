"""A v1.0 check in two processes whose child dies midway gives the serial report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from checker_v1_builder import generator

from submission_checker import SubmissionChecker
from submission_checker import checker as checker_module

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@needs_fork
def test_a_v1_child_dying_midway_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """v1.0 curves release their points once checked: the units of a dead child are checked
    here after this process released its own curves, and the report is still the serial one."""
    curves = [
        (f"System {letter}", model) for letter in "ABC" for model in ("llama3_1-8b", "gpt-oss-120b")
    ]
    org = generator.write_submission_v1(tmp_path, curves=curves)
    for path in sorted(org.glob("*/results/System_B/*/r*/system_desc.json"))[:2]:
        path.write_text("{not json", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(checker_module, "PARALLEL_MIN_POINTS", 10**9)
        serial = SubmissionChecker(org, round="v1.0").run().model_dump_json()
    parent = os.getpid()
    real_check_unit = checker_module._check_unit
    calls = []

    def die_on_third_unit(unit: Any, round_name: str) -> Any:
        if os.getpid() != parent:
            calls.append(unit)
            if len(calls) == 3:
                raise MemoryError("child died")
        return real_check_unit(unit, round_name)

    monkeypatch.setattr(checker_module, "_check_unit", die_on_third_unit)
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    assert SubmissionChecker(org, round="v1.0").run().model_dump_json() == serial
