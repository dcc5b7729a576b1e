"""The rule registry: every rule of checker.md §4, in table order.

``REGISTRY`` is the single list the checker runs and the documentation is generated from.
Each rule lives in one family module (one decorated function: id, spec section, severity,
scope, summary, messages, documentation, check); adding a rule means adding one there.
"""

from __future__ import annotations

# isort: off
# Importing a family registers its rules; this order is the order of checker.md's table.
from . import structure, points, regions, settings, metrics, accuracy, consistency, safety  # noqa: F401

# isort: on
from .registry import RULES, SCOPES, Message, Rule

__all__ = ["REGISTRY", "SCOPES", "Message", "Rule", "by_scope", "get"]

REGISTRY: tuple[Rule, ...] = tuple(RULES)


def get(rule_id: str) -> Rule:
    """The rule with id ``rule_id``; ``KeyError`` if there is none."""
    for candidate in REGISTRY:
        if candidate.id == rule_id:
            return candidate
    raise KeyError(rule_id)


def by_scope(scope: str) -> tuple[Rule, ...]:
    return tuple(r for r in REGISTRY if r.scope == scope)
