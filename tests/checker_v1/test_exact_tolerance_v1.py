"""The shared ±1 % throughput rule decides on the decimals as written in round v1.0 too.

16,797 tokens in 1,200 s is 13.9975 tokens/s; a stored ``tps`` of 14.137475 is exactly +1 %
and must pass, although in binary floats it lands just above 1 % (checker.md §4.4).
"""

from __future__ import annotations

from typing import Any

import pytest

from submission_checker import SubmissionChecker


def _system_tps_findings(tree: Any, stored: float) -> list[Any]:
    def exact_edge(summary: dict[str, Any]) -> None:
        summary["output_sequence_lengths"]["total"] = 16797
        summary["duration_ns"] = 1_200_000_000_000
        summary.pop("system_tps", None)
        summary["tps"] = stored

    tree.edit_summary(64, exact_edge)
    report = SubmissionChecker(tree.org, round="v1.0").run()
    return [
        r
        for r in report.errors
        if r.rule == "metric-consistency-system-tps" and r.concurrency == 64
    ]


def test_exactly_one_percent_as_written_passes(v1_tree: Any) -> None:
    assert 14.137475 / 13.9975 - 1 > 0.01  # the float comparison alone would fail it
    assert _system_tps_findings(v1_tree, 14.137475) == []


@pytest.mark.parametrize("stored", [14.13748, 13.857524])
def test_just_beyond_one_percent_fails(v1_tree: Any, stored: float) -> None:
    (finding,) = _system_tps_findings(v1_tree, stored)
    assert "13.9975" in finding.message
