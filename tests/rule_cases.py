"""What both rounds' rule tests assert about a finding: one mutation of a valid tree per rule.

Each round's test module keeps its own table of ``Mutation``s and tree builder; the checks a
user would notice (the rule fired where expected, with its severity, message and fix, and no
message is an internal error or an unfilled template) are the same in both rounds and live here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: A ``{field}`` or ``{field:format}`` left unfilled in a message or fix template.
UNFILLED = re.compile(r"\{[a-z_]+[:}]")


@dataclass
class Mutation:
    """One change to a valid tree that a rule must report.

    ``path`` gives the path the finding must name (``None`` for the submission itself);
    ``message`` is a fragment the finding's message must contain.
    """

    mutate: Callable[[Any], Any]
    severity: str
    path: Callable[[Any], str | None]
    message: str = ""


def assert_clean(report) -> None:
    """No internal error and no unfilled template field in any message or fix."""
    for result in report.results:
        assert "internal checker error" not in result.message, result.message
        for text in (result.message, result.fix or ""):
            assert not UNFILLED.search(text), f"unfilled template in {result.rule}: {text}"


def assert_fired(report, rule_id: str, case: Mutation, expected_path: str | None):
    """The finding of ``rule_id`` at ``expected_path``, with the case's severity and message
    and a fix; returns it for round-specific checks."""
    fired = [r for r in report.results if r.rule == rule_id and r.severity != "info"]
    assert fired, f"{rule_id} did not fire; errors: {[(r.rule, r.message) for r in report.errors]}"
    matching = [r for r in fired if r.path == expected_path]
    assert matching, f"{rule_id} fired at {[r.path for r in fired]}, expected {expected_path}"
    result = matching[0]
    assert result.severity == case.severity
    assert case.message in result.message, result.message
    assert result.fix, "errors and warnings carry a fix hint"
    return result
