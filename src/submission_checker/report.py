"""The outcome of a check: ``CheckResult`` per finding, ``Report`` for the whole submission."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Literal

from pydantic import BaseModel, computed_field

__all__ = [
    "SEVERITIES",
    "CheckResult",
    "QuietReport",
    "Report",
    "Severity",
    "Tally",
    "counts_of",
    "tally_of",
    "verdict_of",
]

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class CheckResult(BaseModel):
    """One finding of one rule at one place in the submission.

    ``path`` is POSIX and relative to the organisation directory (``None`` for the submission
    itself); ``system``/``model``/``concurrency`` say which scope it belongs to, for grouping.
    ``fix`` tells the user what to change (errors and warnings).
    """

    rule: str
    severity: Severity
    message: str
    path: str | None = None
    spec_ref: str | None = None
    fix: str | None = None
    system: str | None = None
    model: str | None = None
    concurrency: int | None = None

    @classmethod
    def trusted(cls, fields: dict[str, Any]) -> CheckResult:
        """Adopt ``fields`` (every declared field, right types) as a result without validation.

        A large submission yields tens of thousands of results; validating each costs about
        twice as much as this, and ``model_construct`` more still. Only the checker's own code
        calls this, through ``Rule.result``, which always supplies every field.
        """
        result = _new(cls)
        _set_dict(result, fields)
        # One set for all: every field is set, and pydantic only ever adds names to it (a set
        # per result was half of a large report's memory); copies get their own (model_copy).
        _set_fields_set(result, _ALL_FIELDS_SET)
        _set_extra(result, None)
        _set_private(result, None)
        return result


_ALL_FIELDS_SET = set(CheckResult.model_fields)
_new = object.__new__  # BaseModel has no __new__ of its own
# BaseModel's __setattr__ validates; these set pydantic's own slots directly. The descriptors'
# own setters: half the time of object.__setattr__, which looks each one up by name.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class _Findings:
    """What both report kinds derive from their ``results`` and ``counts`` (which each defines:
    no annotations here, or pydantic would take them for fields): the errors, the warnings and
    the verdict."""

    @property
    def errors(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity == "error"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity == "warning"]

    def verdict(self, *, strict: bool = False) -> Literal["PASSED", "FAILED"]:
        """``PASSED`` without errors (and, when ``strict``, without warnings)."""
        return verdict_of(self.counts, strict=strict)


class Report(_Findings, BaseModel):
    """Everything one run of the checker found, in a deterministic order."""

    submission_path: str
    checker_version: str
    rules_round: str | None = None
    results: list[CheckResult]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """True when there is no error (warnings do not fail unless ``--strict``)."""
        return not any(r.severity == "error" for r in self.results)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        """Number of results per severity."""
        # counted in C: a large report has tens of thousands of results, and formats ask often
        severities = [result.severity for result in self.results]
        return {severity: severities.count(severity) for severity in SEVERITIES}


#: results counted by (severity, system, model, concurrency): a verdict's counts and the scopes
#: its line names, without the results themselves
Tally = Counter[tuple[str, str | None, str | None, int | None]]

_TALLY_KEY = attrgetter("severity", "system", "model", "concurrency")


def tally_of(results: list[CheckResult]) -> Tally:
    """How many of ``results`` there are of each (severity, system, model, concurrency), counted
    in C: one pass over a large report's tens of thousands of results."""
    return Counter(map(_TALLY_KEY, results))


def counts_of(tally: Tally) -> dict[str, int]:
    """Results per severity in ``tally``, as ``Report.counts`` gives them."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for key, count in tally.items():
        counts[key[0]] += count
    return counts


@dataclass(eq=False)
class QuietReport(_Findings):
    """What ``check -q``, ``--format sarif`` and ``--format github`` print: the errors and
    warnings, and every result counted.

    ``SubmissionChecker.run_quiet`` counts each passing check (an info result) and lets it go,
    instead of keeping it in a ``Report``: a valid tree's results are all passes (39,002 for
    1,024 v1.0 points), and keeping them, passing a forked half of them between processes and
    counting them again for the verdict was most of a large check's memory (a 16,384-point
    v0.7 check peaks at 66 MiB instead of 201) and 5–10 % of its time. ``results`` holds the
    errors and warnings in report order; ``tally`` counts every result, passes included, as
    ``tally_of`` counts a ``Report``'s.
    """

    submission_path: str
    checker_version: str
    rules_round: str
    results: list[CheckResult]
    tally: Tally

    @property
    def counts(self) -> dict[str, int]:
        """Number of results per severity, passes included (as ``Report.counts``)."""
        return counts_of(self.tally)

    @property
    def passed(self) -> bool:
        return self.counts["error"] == 0


def verdict_of(counts: dict[str, int], *, strict: bool = False) -> Literal["PASSED", "FAILED"]:
    """The verdict of a report with ``counts`` results per severity (see ``Report.verdict``)."""
    failed = counts["error"] > 0 or (strict and counts["warning"] > 0)
    return "FAILED" if failed else "PASSED"
