"""Output formats of ``submission-checker check``.

Each format is a module with ``render(report, *, strict, quiet) -> str``. Formats render; they
never decide a verdict (``Report.verdict`` does). ``FORMATS`` maps a ``--format`` name to its
module, imported only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["FORMATS", "get_renderer"]

FORMATS: dict[str, str] = {
    "text": "submission_checker.formatters.text",
    "json": "submission_checker.formatters.json",
    "sarif": "submission_checker.formatters.sarif",
    "junit": "submission_checker.formatters.junit",
    "github": "submission_checker.formatters.github",
}


def get_renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of format ``name`` (``KeyError`` for an unknown format)."""
    module = importlib.import_module(FORMATS[name])
    render: Callable[[Report], str] = module.render
    return render
