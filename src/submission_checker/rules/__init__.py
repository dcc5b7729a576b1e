"""The rule registry: every rule of both rules rounds, in table order.

``ALL_RULES`` is the single list the checker runs (filtered by round) and the documentation is
generated from. Each rule lives in one family module (one decorated function: id, spec section,
severity, scope, summary, messages, documentation, check, rounds); adding a rule means adding
one there. v0.7 families come first (checker.md's table order), then the v1.0 families
(``v1_*``, checker-v1.0.md Part B §6 order).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

# isort: off
# Importing a family registers its rules; this order is the order of the specs' tables.
from . import structure, points, regions, settings, metrics, samples, accuracy, consistency, safety  # noqa: F401,E501

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

#: The families of round v1.0's own rules, imported (registered, after every v0.7 family) only
#: when a v1.0 rule is asked for: they pull in the v1.0 layout, models, registries and power
#: code, most of a v0.7 check's start-up otherwise. Every rule they register is v1.0-only.
_V1_FAMILIES = (
    "v1_structure",
    "v1_system",
    "v1_regions",
    "v1_config",
    "v1_metrics",
    "v1_accuracy",
    "v1_seeds",
    "v1_power",
)


@functools.cache
def _all_rules() -> tuple[Rule, ...]:
    """Every registered rule of both rounds, in table order (imports the v1.0 families)."""
    for family in _V1_FAMILIES:
        importlib.import_module(f"{__name__}.{family}")
    return tuple(RULES)


def __getattr__(name: str) -> Any:
    if name == "ALL_RULES":  # every rule: only the documentation and tests need them all
        return _all_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def rules_for(round_name: str) -> tuple[Rule, ...]:
    """The rules of one rules round, in table order."""
    # v0.7's rules are all registered at import; any other round needs the v1.0 families
    registered = tuple(RULES) if round_name == "v0.7" else _all_rules()
    return tuple(r for r in registered if round_name in r.rounds)


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
