"""Golden files: every --format on the shipped example and on a failing variant.

Regenerate with ``UPDATE_GOLDEN=1 pytest tests/checker_formats -q`` and review the diff.
"""

from __future__ import annotations

import pytest

from .conftest import assert_golden, normalise, run_cli

SUFFIX = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif.json",
    "junit": "junit.xml",
    "github": "github.txt",
}


@pytest.mark.parametrize("variant", ["example", "failing"])
@pytest.mark.parametrize("output_format", list(SUFFIX))
def test_output_matches_golden(submission, workdir, variant, output_format):
    org = submission(variant)
    run = run_cli("check", org, "--format", output_format)
    assert run.exit_code == (0 if variant == "example" else 1)
    assert_golden(f"{variant}.{SUFFIX[output_format]}", normalise(run.stdout, workdir))


@pytest.mark.parametrize("variant", ["example", "failing"])
def test_github_step_summary_matches_golden(submission, workdir, variant):
    org = submission(variant)
    summary = workdir / "summary.md"
    run_cli(
        "check", org, "--format", "github", "--strict", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert_golden(f"{variant}.step-summary.md", normalise(summary.read_text("utf-8"), workdir))
