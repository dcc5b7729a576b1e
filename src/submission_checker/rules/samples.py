"""Failed samples (checker-v1.0.md A2.3), in both rules rounds.

inference-endpoint counts a request that failed (e.g. an HTTP 500) inside
``n_samples_completed`` and also in ``n_samples_failed``. Such a run is accounted for
(``metric-consistency-accounting`` passes) but the failures are worth a look, and they do not
count toward ``min-query-count``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..report import CheckResult
from .registry import Rule, info, rule, warning
from .values import integer


@rule(
    "failed-samples",
    spec="A2.3",
    severity="warning",
    scope="point",
    summary="No sample failed (`n_samples_failed` = 0); otherwise a warning naming the count "
    "and share.",
    messages={
        "ok": info("no failed samples"),
        "failed": warning(
            "n_samples_failed: found {failed:,}, expected 0 ({share:.2f} % of {base:,} "
            "{what} samples failed)",
            "Find why the requests failed (server log, HTTP errors) and re-run the point; "
            "failed samples do not count toward min-query-count.",
        ),
    },
    rounds=("v0.7", "v1.0"),
)
def failed_samples(rule: Rule, point: Any) -> Iterator[CheckResult]:
    """A run whose requests failed is accounted for but suspect.

    Passing: ``n_samples_failed: 0``. Failing (warning): issued 150, completed 150, failed
    15 → ``n_samples_failed: found 15, expected 0 (10.00 % of 150 issued samples failed)``.
    """
    summary = point.summary.mapping if point.summary is not None else None
    if summary is None:
        return
    failed = integer(summary.get("n_samples_failed"))
    if failed is None:
        return
    path = point.summary.rel
    if failed <= 0:
        yield rule.result("ok", point, path=path)
        return
    issued = integer(summary.get("n_samples_issued")) or 0
    completed = integer(summary.get("n_samples_completed")) or 0
    base, what = (issued, "issued") if issued > 0 else (completed + failed, "attempted")
    share = failed / base * 100 if base > 0 else 100.0
    yield rule.result("failed", point, path=path, failed=failed, share=share, base=base, what=what)
