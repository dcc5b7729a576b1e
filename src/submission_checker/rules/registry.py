"""The rule machinery: ``Rule`` objects and the ``@rule`` decorator that registers them.

A rule is declared in one place: its id, spec section, headline severity, scope, one-line
summary, its messages (text and fix hint as data, keyed by outcome) and its check function,
whose docstring is the rule's documentation (what, why, a passing and a failing example).
The check function receives the rule and one scope handle and yields results built with
``rule.result(outcome, scope, **values)``; it never opens a file.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..report import CheckResult, Severity

__all__ = ["SCOPES", "Message", "Rule", "error", "info", "rule", "warning"]

SCOPES = ("submission", "system", "model", "point")


@dataclass(frozen=True)
class Message:
    """One outcome of a rule: its severity, message template and fix template (``str.format``)."""

    severity: Severity
    text: str
    fix: str | None = None


def info(text: str) -> Message:
    return Message("info", text)


def error(text: str, fix: str) -> Message:
    return Message("error", text, fix)


def warning(text: str, fix: str) -> Message:
    return Message("warning", text, fix)


_UNSET: Any = object()
_trusted = CheckResult.trusted


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    spec_ref: str | None
    severity: Severity
    scope: str
    summary: str
    messages: Mapping[str, Message]
    check: Callable[[Rule, Any], Iterable[CheckResult]]
    #: the rules rounds this rule runs in; a rule meaning the same in both is registered once
    rounds: frozenset[str] = frozenset({"v0.7"})

    @property
    def doc(self) -> str:
        """Full documentation: the check function's docstring."""
        return inspect.cleandoc(self.check.__doc__ or self.summary)

    def result(
        self,
        outcome: str,
        at: Any,
        *,
        path: str | None = _UNSET,
        system: str | None = _UNSET,
        model: str | None = _UNSET,
        concurrency: int | None = _UNSET,
        **values: Any,
    ) -> CheckResult:
        """The result for ``outcome`` at scope handle ``at``, templates filled from ``values``.

        Scope fields and the path default to those of ``at`` (its ``scope``); pass them to
        override.
        """
        message = self.messages[outcome]
        scope = at.scope
        text = message.text
        fix = message.fix
        # Always formatted, so a template naming a value the rule did not pass fails loudly
        # (as an internal-error result) instead of printing "{name}". Keys in field order.
        # format_map: the same as format(**values) without copying the values once more. A
        # template without braces is its own text, shared by every result that says it.
        return _trusted(
            {
                "rule": self.id,
                "severity": message.severity,
                "message": text.format_map(values) if "{" in text or "}" in text else text,
                "path": scope["path"] if path is _UNSET else path,
                "spec_ref": self.spec_ref,
                "fix": fix.format_map(values) if fix else None,
                "system": scope["system"] if system is _UNSET else system,
                "model": scope["model"] if model is _UNSET else model,
                "concurrency": scope["concurrency"] if concurrency is _UNSET else concurrency,
            }
        )

    def schema_results(
        self, at: Any, document: Any, *, ignore: tuple[str, ...], path: str | None = _UNSET
    ) -> Iterator[CheckResult]:
        """The results of a schema rule for one file (outcomes ``unreadable``, ``problem``, ``ok``).

        Nothing when there is no document or it is in a state that another rule reports
        (``ignore``, e.g. "missing" for a presence rule); one error when it cannot be read;
        one error per schema problem, each with its own fix; else one info.
        """
        if document is None or document.state in ignore:
            return
        if document.state in ("unreadable", "not-a-file"):
            yield self.result("unreadable", at, path=path, error=document.error)
        elif document.problems:
            for problem in document.problems:
                yield self.result("problem", at, path=path, problem=problem, fix=problem.fix)
        else:
            yield self.result("ok", at, path=path)

    def run(self, at: Any) -> list[CheckResult]:
        """Run the check on one scope; an unexpected exception becomes one more error result.

        Results yielded before the exception are kept, and the rest of the check goes on.
        """
        results: list[CheckResult] = []
        self.run_into(results, at)
        return results

    def run_into(self, results: list[CheckResult], at: Any) -> None:
        """``run``, appending to ``results`` (the checker's list for a whole unit)."""
        try:
            results.extend(self.check(self, at))  # extend keeps what came before a failure
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the check
            where = traceback.extract_tb(exc.__traceback__)[-1]
            results.append(
                CheckResult.trusted(
                    {
                        "rule": self.id,
                        "severity": "error",
                        "message": (
                            f"internal checker error in rule {self.id}: {type(exc).__name__}: "
                            f"{exc} (at {where.name}, line {where.lineno})"
                        ),
                        "path": at.scope["path"],
                        "spec_ref": self.spec_ref,
                        "fix": "This is a checker bug; please report it with the file named here.",
                        "system": at.scope["system"],
                        "model": at.scope["model"],
                        "concurrency": at.scope["concurrency"],
                    }
                )
            )


RULES: list[Rule] = []
#: (id, round) of every rule in ``RULES``: a registration is checked against it at once, not
#: against every earlier rule (~80 rules per round)
_REGISTERED: set[tuple[str, str]] = set()


def rule(
    id: str,
    *,
    spec: str | None,
    severity: Severity,
    scope: str,
    summary: str,
    messages: Mapping[str, Message],
    rounds: Iterable[str] = ("v0.7",),
) -> Callable[[Callable[..., Iterable[CheckResult]]], Rule]:
    """Register the decorated check function as a rule (order of registration = table order).

    ``rounds`` names the rules rounds it runs in. One id may be registered once per round: a
    v1.0 rule that keeps a v0.7 id but checks a different tree is its own registration.
    """
    if scope not in SCOPES:
        raise ValueError(f"rule {id}: unknown scope {scope!r}")
    in_rounds = frozenset(rounds)

    def register(check: Callable[..., Iterable[CheckResult]]) -> Rule:
        taken = {(id, round_name) for round_name in in_rounds} & _REGISTERED
        if taken:
            raise ValueError(f"rule {id} registered twice for one round")
        _REGISTERED.update((id, round_name) for round_name in in_rounds)
        new = Rule(
            id,
            spec,
            severity,
            scope,
            summary,
            MappingProxyType(dict(messages)),
            check,
            in_rounds,
        )
        RULES.append(new)
        return new

    return register
