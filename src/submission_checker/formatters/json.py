"""The full report as JSON, with the ``verdict`` the exit code follows."""

from __future__ import annotations

import json

from ..report import Report

__all__ = ["render"]


def render(report: Report, *, strict: bool = False, quiet: bool = False) -> str:
    """Every result (``quiet`` only affects terminal output), plus ``verdict`` and ``strict``.

    The output is ``Report.model_dump_json``'s content with two added keys, so
    ``Report.model_validate_json`` reads it back.
    """
    data = {"verdict": report.verdict(strict=strict), "strict": strict}
    data.update(report.model_dump(mode="json"))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
