"""``seed-set-consistency`` compares every point with the first point (tree order) that declares
a seed set, found once per submission: points before it that declare none are skipped."""

from __future__ import annotations

from checker_v1_builder import V1Tree

from submission_checker import SubmissionChecker


def _seed_errors(tree: V1Tree) -> list:
    report = SubmissionChecker(tree.org, round="v1.0").run()
    return [r for r in report.results if r.rule == "seed-set-consistency" and r.severity == "error"]


def test_the_reference_is_the_first_point_that_declares_a_seed_set(v1_tree: V1Tree) -> None:
    first, second, *rest = v1_tree.concurrencies
    v1_tree.edit_point_yaml(first, lambda d: d.pop("seed_set"))
    v1_tree.edit_point_yaml(second, lambda d: d.update(seed_set="B"))
    errors = _seed_errors(v1_tree)
    assert sorted(r.concurrency for r in errors) == sorted(rest)
    reference = v1_tree.rel(second, "point.yaml")
    assert all(f'found "A", expected "B" as in {reference}' in r.message for r in errors)


def test_no_point_declaring_a_seed_set_is_no_consistency_finding(v1_tree: V1Tree) -> None:
    for c in v1_tree.concurrencies:
        v1_tree.edit_point_yaml(c, lambda d: d.pop("seed_set"))
    report = SubmissionChecker(v1_tree.org, round="v1.0").run()
    assert [r for r in report.results if r.rule == "seed-set-consistency"] == []
