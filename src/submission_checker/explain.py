"""Rule documentation for `submission-checker rules` and `submission-checker explain RULE`.

Everything here is read from the rule registry, so the commands cannot drift from the checks.
"""

from __future__ import annotations

import difflib
import textwrap


class UnknownRuleError(LookupError):
    """No rule has the requested id; ``suggestions`` are the closest ids."""

    def __init__(self, rule_id: str, suggestions: list[str]) -> None:
        self.rule_id = rule_id
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown rule {rule_id!r}.{hint} Run `submission-checker rules` to list every rule."
        )


def registry() -> list:
    from submission_checker.rules import REGISTRY

    return list(REGISTRY)


def rule_rows() -> list[tuple[str, str, str, str]]:
    """(id, section, severities, one-line summary) for every rule, in registry order."""
    return [(rule.id, rule.spec_ref or "—", severities(rule), rule.summary)
            for rule in registry()]


def severities(rule) -> str:
    """'error', or 'error / warning' for a rule that can report both (as the README shows)."""
    from submission_checker.docs import _severities

    return _severities(rule)


def find_rule(rule_id: str):
    """The rule with this id (case and surrounding space ignored), else UnknownRuleError."""
    rules = registry()
    wanted = rule_id.strip().lower().replace("_", "-")
    for rule in rules:
        if rule.id == wanted:
            return rule
    raise UnknownRuleError(rule_id, close_matches(wanted, [rule.id for rule in rules]))


def close_matches(wanted: str, ids: list[str], limit: int = 5) -> list[str]:
    """Ids containing the word asked for, then the most similar spellings."""
    containing = [rule_id for rule_id in ids if wanted and wanted in rule_id]
    similar = difflib.get_close_matches(wanted, ids, n=limit, cutoff=0.6)
    ordered = list(dict.fromkeys(containing + similar))
    return ordered[:limit]


def explanation(rule) -> str:
    """The full documentation of one rule as plain text."""
    header = [
        rule.id,
        "=" * len(rule.id),
        f"Section:  {rule.spec_ref or '—'}",
        f"Severity: {severities(rule)}",
        f"Scope:    {rule.scope}",
        "",
        rule.summary,
        "",
    ]
    body = textwrap.dedent(rule.doc or "").strip()
    return "\n".join(header) + "\n" + body + "\n"


def rules_table():
    """A rich Table of every rule (id, section, severity, what it checks)."""
    from rich.table import Table

    table = Table(title="submission-checker rules", title_justify="left")
    table.add_column("Rule", no_wrap=True, style="bold")
    table.add_column("§", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Checks")
    for row in rule_rows():
        table.add_row(*row)
    return table
