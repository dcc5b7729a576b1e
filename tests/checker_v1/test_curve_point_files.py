"""``measurement-points-present`` for the curve (Part B §6 "no point.yaml in the curve parsed").

Each point's own error says what is wrong with its file; when no point.yaml of a curve parses
to a mapping, one more error for the curve says that none of its points can be checked.
"""

from __future__ import annotations

from checker_v1_builder import V1Tree

from submission_checker import SubmissionChecker


def _curve_errors(tree: V1Tree) -> list:
    report = SubmissionChecker(tree.org, round="v1.0").run()
    return [
        r
        for r in report.results
        if r.rule == "measurement-points-present"
        and r.severity == "error"
        and r.concurrency is None
    ]


def test_a_curve_whose_point_files_all_fail_to_parse_is_one_more_error(v1_tree: V1Tree) -> None:
    for c in v1_tree.concurrencies:
        v1_tree.path(c, "point.yaml").write_text("concurrency: [\n", encoding="utf-8")
    report = SubmissionChecker(v1_tree.org, round="v1.0").run()
    curve = [
        r
        for r in report.results
        if r.rule == "measurement-points-present" and r.path == v1_tree.curve_rel
    ]
    assert len(curve) == 1
    error = curve[0]
    assert error.severity == "error"
    assert error.model == v1_tree.spec.model and error.concurrency is None
    count = len(v1_tree.concurrencies)
    assert f"no point.yaml of this curve parses to a mapping ({count} point(s))" in error.message
    assert "point.yaml as a YAML mapping" in (error.fix or "")
    # each file's own finding is still there, and the curve's error comes after the last point's
    unreadable = [
        r for r in report.results if r.rule == "point-config-valid" and r.severity == "error"
    ]
    assert len(unreadable) == count
    rules = [r.rule for r in report.results]
    last_point_ok = max(
        i
        for i, r in enumerate(report.results)
        if r.rule == "measurement-points-present" and r.concurrency == v1_tree.concurrencies[-1]
    )
    assert rules.index("measurement-points-present", last_point_ok + 1) == report.results.index(
        error
    )


def test_point_files_that_parse_but_are_not_mappings_count_as_unparsed(v1_tree: V1Tree) -> None:
    for c in v1_tree.concurrencies:
        v1_tree.path(c, "point.yaml").write_text("- concurrency: 8\n", encoding="utf-8")
    assert len(_curve_errors(v1_tree)) == 1


def test_one_parsed_point_file_is_enough(v1_tree: V1Tree) -> None:
    for c in v1_tree.concurrencies[1:]:
        v1_tree.path(c, "point.yaml").write_text("concurrency: [\n", encoding="utf-8")
    assert _curve_errors(v1_tree) == []


def test_missing_point_files_are_each_reported_without_a_curve_error(v1_tree: V1Tree) -> None:
    for c in v1_tree.concurrencies:
        v1_tree.remove(c, "point.yaml")
    report = SubmissionChecker(v1_tree.org, round="v1.0").run()
    missing = [
        r
        for r in report.results
        if r.rule == "measurement-points-present" and r.severity == "error"
    ]
    assert len(missing) == len(v1_tree.concurrencies)
    assert all(r.concurrency is not None and "point.yaml is missing" in r.message for r in missing)


def test_the_valid_curve_has_no_curve_error(v1_tree: V1Tree) -> None:
    assert _curve_errors(v1_tree) == []


def test_a_one_point_curve_has_its_point_error_only(v1_tree: V1Tree) -> None:
    first, *rest = v1_tree.concurrencies
    for c in rest:
        v1_tree.remove_point(c)
    v1_tree.path(first, "point.yaml").write_text("concurrency: [\n", encoding="utf-8")
    report = SubmissionChecker(v1_tree.org, round="v1.0").run()
    assert _curve_errors(v1_tree) == []
    assert [r.concurrency for r in report.results if r.rule == "point-config-valid"] == [first]
