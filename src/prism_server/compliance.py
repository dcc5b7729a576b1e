"""Run the project's own submission checker on an uploaded bundle.

The checker is imported lazily: the server starts (and serves runs) even in an installation
where ``submission_checker`` is broken, and such a bundle simply does not pass.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from prism_server.blobs import safe_extract

log = logging.getLogger("prism_server")

# A bundle holds YAML/JSON summaries, not event logs: anything unpacking beyond this is a bomb.
BUNDLE_UNPACKED_LIMIT = 4 * 1024**3


@dataclass
class Verdict:
    passed: bool
    report: dict


def check_bundle(
    archive: Path, scratch: Path, *, max_bytes: int = BUNDLE_UNPACKED_LIMIT
) -> Verdict:
    """Unpack ``archive`` into ``scratch`` (raises ArchiveRejected) and run the checker on
    its ``<org>/`` directory. ``scratch`` is removed afterwards whatever happens."""
    try:
        org_dir = safe_extract(archive, scratch, max_bytes=max_bytes)
        return _run_checker(org_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_checker(org_dir: Path) -> Verdict:
    try:
        from submission_checker import SubmissionChecker
    except ImportError as err:
        log.error("submission_checker is not importable: %s", err)
        return Verdict(False, {"passed": False, "error": f"checker unavailable: {err}"})
    try:
        report = SubmissionChecker(org_dir).run()
        return Verdict(bool(report.passed), report.model_dump(mode="json"))
    except Exception as err:  # a checker bug must not lose the upload or crash the server
        log.exception("submission checker failed on %s", org_dir.name)
        return Verdict(False, {"passed": False, "error": f"checker crashed: {err!r}"})
