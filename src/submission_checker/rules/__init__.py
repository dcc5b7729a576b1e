"""The rule registry: every rule of both rules rounds, in table order.

``ALL_RULES`` is the single list the checker runs (filtered by round) and the documentation is
generated from. Each rule lives in one family module (one decorated function: id, spec section,
severity, scope, summary, messages, documentation, check, rounds); adding a rule means adding
one there. v0.7 families come first (checker.md's table order), then the v1.0 families
(``v1_*``, checker-v1.0.md Part B §6 order).
"""

from __future__ import annotations

import functools

# isort: off
# Importing a family registers its rules; this order is the order of the specs' tables.
from . import structure, points, regions, settings, metrics, samples, accuracy, consistency, safety  # noqa: F401,E501
from . import v1_structure, v1_system, v1_regions, v1_config, v1_metrics  # noqa: F401
from . import v1_accuracy, v1_seeds  # noqa: F401

# isort: on
from .registry import RULES, SCOPES, Message, Rule

__all__ = [
    "ALL_RULES",
    "REGISTRY",
    "SCOPES",
    "Message",
    "Rule",
    "by_scope",
    "get",
    "rules_for",
]

ALL_RULES: tuple[Rule, ...] = tuple(RULES)


@functools.cache
def rules_for(round_name: str) -> tuple[Rule, ...]:
    """The rules of one rules round, in table order."""
    return tuple(r for r in ALL_RULES if round_name in r.rounds)


#: The v0.7 round's rules (the registry as it was before round v1.0; kept for its callers).
REGISTRY: tuple[Rule, ...] = rules_for("v0.7")


def get(rule_id: str, round_name: str = "v0.7") -> Rule:
    """The rule with id ``rule_id`` in round ``round_name``; ``KeyError`` if there is none."""
    for candidate in rules_for(round_name):
        if candidate.id == rule_id:
            return candidate
    raise KeyError(rule_id)


@functools.cache
def by_scope(scope: str, round_name: str = "v0.7") -> tuple[Rule, ...]:
    return tuple(r for r in rules_for(round_name) if r.scope == scope)
