"""Generated documentation and the shipped example stay true."""

from __future__ import annotations

import filecmp
from pathlib import Path

from click.testing import CliRunner

from submission_checker import SubmissionChecker
from submission_checker.cli import main
from submission_checker.docs import END, START, render_readme, rules_markdown_table
from submission_checker.docs import main as docs_main
from submission_checker.rules import REGISTRY

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "submission" / "ExampleOrg"


def test_readme_rules_block_is_current():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lacks the rules marker block"
    assert render_readme(text) == text, "run: python -m submission_checker.docs"


def test_table_has_one_row_per_rule():
    rows = [line for line in rules_markdown_table().splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [rule.id for rule in REGISTRY]
    assert "| `region-declared` | §8.3 | error / warning | point |" in rules_markdown_table()


def test_docs_command_appends_refreshes_and_checks(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nIntro.\n")
    assert docs_main([str(readme), "--check"]) == 1
    assert docs_main([str(readme)]) == 0
    first = readme.read_text()
    assert first.startswith("# Title\n\nIntro.\n\n## Rules\n\n" + START)
    readme.write_text(first.replace("`path-exists`", "`stale`") + "\nMore text.\n")
    assert docs_main([str(readme)]) == 0
    assert readme.read_text() == first + "\nMore text.\n"
    assert docs_main([str(readme), "--check"]) == 0


def test_shipped_example_passes_without_warnings():
    result = CliRunner().invoke(main, ["check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("PASSED: 0 errors, 0 warnings")
    report = SubmissionChecker(EXAMPLE).run()
    regions = {
        r.message.rsplit("(", 1)[-1] for r in report.results if r.rule == "concurrency-in-range"
    }
    assert regions == {
        "low_latency)",
        "low_throughput)",
        "med_throughput)",
        "high_throughput)",
        "margin)",
    }


def test_example_tree_is_what_the_generator_writes(tmp_path, generator):
    fresh = generator.write_submission(tmp_path)
    comparison = filecmp.dircmp(EXAMPLE, fresh)

    def differences(cmp):
        found = cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files
        for sub in cmp.subdirs.values():
            found += differences(sub)
        return found

    assert differences(comparison) == [], "run: python examples/make_example_submission.py"
