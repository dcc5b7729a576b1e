"""A rule id is registered once per round: a second registration is refused and leaves the
registry as it was."""

from __future__ import annotations

import pytest

from submission_checker.rules import ALL_RULES, registry


def _register(rule_id: str, rounds: tuple[str, ...]) -> None:
    registry.rule(
        rule_id,
        spec=None,
        severity="error",
        scope="point",
        summary="a second registration",
        messages={"ok": registry.info("ok")},
        rounds=rounds,
    )(lambda rule, point: iter(()))


@pytest.mark.parametrize(
    ("rule_id", "rounds"),
    [("path-exists", ("v0.7",)), ("config-file-present", ("v1.0",)), ("failed-samples", ("v1.0",))],
)
def test_an_id_taken_in_a_round_is_refused_there(rule_id: str, rounds: tuple[str, ...]) -> None:
    before = list(registry.RULES)
    assert any(r.id == rule_id and set(rounds) <= r.rounds for r in ALL_RULES)
    with pytest.raises(ValueError, match=f"rule {rule_id} registered twice for one round"):
        _register(rule_id, rounds)
    assert before == registry.RULES
