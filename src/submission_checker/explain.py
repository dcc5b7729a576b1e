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


def registry(round_name: str = "v0.7") -> list:
    """The rules of one rules round, in table order."""
    from submission_checker.rules import rules_for

    return list(rules_for(round_name))


def rule_rows(round_name: str = "v0.7") -> list[tuple[str, str, str, str]]:
    """(id, section, severities, one-line summary) for every rule of a round, in order."""
    return [
        (rule.id, rule.spec_ref or "—", severities(rule), rule.summary)
        for rule in registry(round_name)
    ]


def severities(rule) -> str:
    """'error', or 'error / warning' for a rule that can report both (as the README shows)."""
    from submission_checker.docs import _severities

    return _severities(rule)


def find_rule(rule_id: str, round_name: str | None = None):
    """The rule with this id (case and surrounding space ignored), else UnknownRuleError.

    Without ``round_name`` the v0.7 rule is preferred and a v1.0-only id is found too.
    """
    rounds = [round_name] if round_name else ["v0.7", "v1.0"]
    wanted = rule_id.strip().lower().replace("_", "-")
    ids: list[str] = []
    for name in rounds:
        for rule in registry(name):
            if rule.id == wanted:
                return rule
            ids.append(rule.id)
    raise UnknownRuleError(rule_id, close_matches(wanted, list(dict.fromkeys(ids))))


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
        f"Rounds:   {', '.join(sorted(rule.rounds))}",
        "",
        rule.summary,
        "",
    ]
    body = textwrap.dedent(rule.doc or "").strip()
    return "\n".join(header) + "\n" + body + "\n"


def rules_table(*, plain: bool = False, round_name: str = "v0.7"):
    """A rich Table of every rule (id, section, severity, what it checks).

    ``plain``: no title, no box characters, nothing wrapped — columns that grep/awk handle,
    for output that is not a terminal (as the endpoints-submission-cli tables do).
    """
    from rich.table import Table

    if plain:
        table = Table(box=None, pad_edge=False)
    else:
        table = Table(title=f"submission-checker rules, round {round_name}", title_justify="left")
    for name in ("Rule", "§", "Severity"):
        table.add_column(name, no_wrap=True, style=None if plain or name != "Rule" else "bold")
    table.add_column("Checks", no_wrap=plain, overflow="ignore" if plain else "fold")
    for row in rule_rows(round_name):
        table.add_row(*row)
    return table


def plain_rules_text(round_name: str = "v0.7") -> str:
    """The rule table as plain aligned text lines (no trailing blanks)."""
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=100_000, no_color=True, highlight=False)
    with console.capture() as captured:
        console.print(rules_table(plain=True, round_name=round_name))
    return "\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n"
