"""checker.md §4.4, tree and names: links, loops, odd names, documentation/, orphans, edges.

Each test starts from the generated valid tree (one Standardized system, M = 64, llama2-70b)
and makes the smallest change that shows one edge.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from submission_checker import layout
from submission_checker.layout import Tree


def _results(report, rule_id):
    return [r for r in report.results if r.rule == rule_id]


def _findings(report):
    return [(r.rule, r.severity, r.path) for r in report.results if r.severity != "info"]


def _link_dag(root, levels):
    """``levels + 1`` folders, each but the last holding two links to the next: 2^levels paths."""
    for level in range(levels + 1):
        (root / f"d{level}").mkdir(parents=True)
    for level in range(levels):
        for name in ("a", "b"):
            os.symlink(f"../d{level + 1}", root / f"d{level}" / name)


def test_a_link_dag_under_documentation_is_walked_once_per_directory(tree):
    """Issue item 3: 17 folders and 32 links took over a minute (doubling per level)."""
    _link_dag(tree.org / "documentation", 16)
    started = time.perf_counter()
    report = tree.check()
    assert time.perf_counter() - started < 10  # was > 60 s; generous for a loaded machine
    assert report.passed and not report.warnings, _findings(report)
    real_dirs = sum(1 for _ in os.walk(tree.org))  # os.walk does not follow links
    assert len(Tree(tree.org).entries) == real_dirs


@pytest.mark.parametrize("levels", [4, 12, 40])
def test_link_dags_of_growing_size_list_each_directory_once(tmp_path, levels):
    _link_dag(tmp_path / "org", levels)
    walked = Tree(tmp_path / "org")
    assert len(walked.entries) == levels + 2  # the root and the d<level> folders
    deep = "/".join(["d0"] + ["a"] * levels)  # a path through every link still resolves
    assert walked.kind(deep) == "dir" and walked.listing(deep) == {}
    assert walked.kind("/".join(["d0"] + ["b"] * (levels - 1) + ["a"])) == "dir"


def test_links_resolve_to_the_plain_path_whatever_the_listing_order(tmp_path):
    org = tmp_path / "org"
    (org / "real" / "sub").mkdir(parents=True)
    (org / "real" / "sub" / "file.txt").write_text("x")
    os.symlink("real", org / "a-link")
    os.symlink("real", org / "z-link")
    walked = Tree(org)
    assert "real/sub" in walked.entries and "a-link/sub" not in walked.entries
    assert walked.kind("a-link/sub/file.txt") == walked.kind("z-link/sub/file.txt") == "file"


@pytest.mark.parametrize("where", ["point", "detail"])
def test_a_symlink_loop_is_unsafe_not_a_file_or_empty(tree, where):
    """Items 7/8: a loop is unsafe-path, never "is a file" or "0 bytes"."""
    rel = tree.point_yaml(9) if where == "point" else tree.detail_json(8)
    target = tree.path(rel)
    if target.exists():
        target.unlink()
    os.symlink(target.name + ".other", target)
    os.symlink(target.name, target.with_name(target.name + ".other"))
    report = tree.check()
    unsafe = [r for r in _results(report, "unsafe-path") if r.severity == "error"]
    assert {r.path for r in unsafe} == {rel, rel + ".other"}
    assert all("symlink loop" in r.message for r in unsafe)
    messages = " ".join(r.message for r in report.errors + report.warnings)
    assert "0 bytes" not in messages and "is a file" not in messages
    assert "not a regular file" not in messages


def test_a_dangling_link_is_unsafe(tree):
    tree.remove(tree.detail_json(8))
    os.symlink("gone.json", tree.path(tree.detail_json(8)))
    report = tree.check()
    assert [(r.rule, r.path) for r in report.errors] == [("unsafe-path", tree.detail_json(8))]
    assert "dangling" in report.errors[0].message


def test_a_non_utf8_system_file_is_checked(tree):
    systems = os.fsencode(tree.path("systems"))
    with open(os.path.join(systems, b"sys\xff.json"), "wb") as handle:
        handle.write(b'{"system_name": 1}')
    report = tree.check()
    invalid = [
        r for r in _results(report, "system-description-valid") if r.path == "systems/sys\\xff.json"
    ]
    assert invalid and all(r.severity == "error" for r in invalid)
    assert ("pareto-dir-exists", "error", "pareto/sys\\xff") in _findings(report)
    assert report.model_dump_json()  # printable everywhere


def test_nothing_under_documentation_is_a_finding_but_unsafe_links(tree, monkeypatch):
    docs = tree.org / "documentation"
    (docs / "locked").mkdir(parents=True)
    (docs / "results" / "point_3").mkdir(parents=True)
    (docs / "point_8.yml").write_text("x")
    with open(os.path.join(os.fsencode(docs), b"caf\xe9.txt"), "w") as handle:
        handle.write("x")
    _refuse_listing(monkeypatch, docs / "locked")
    assert _findings(tree.check()) == []
    os.symlink("/etc", docs / "outside")
    assert _findings(tree.check()) == [("unsafe-path", "error", "documentation/outside")]


def _refuse_listing(monkeypatch, *directories):
    """Directories that can be entered but not listed (mode 0311), as root cannot make them."""
    refused = {os.fspath(d) for d in directories}
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) in refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(layout.os, "scandir", scandir)


@pytest.mark.parametrize("locked", ["results", "point_8", "model"])
def test_a_directory_that_cannot_be_listed_gives_no_false_missing(tree, monkeypatch, locked):
    rel = {
        "results": f"{tree.model_dir}/results",
        "point_8": tree.results_dir(8),
        "model": tree.model_dir,
    }[locked]
    _refuse_listing(monkeypatch, tree.path(rel))
    report = tree.check()
    assert [(r.rule, r.path) for r in report.errors + report.warnings] == [
        ("unexpected-entry", rel)
    ]
    assert "cannot be listed" in report.warnings[0].message
    if locked == "point_8":  # its summary was read by name
        [valid] = [r for r in _results(report, "result-file-valid") if r.concurrency == 8]
        assert valid.severity == "info"


def test_a_missing_results_folder_fires_both_presence_rules(tree):
    tree.remove(tree.results_dir(8))
    assert sorted(_findings(tree.check())) == [
        ("result-detail-present", "error", tree.detail_json(8)),
        ("result-file-present", "error", tree.summary_json(8)),
    ]


def test_src_holding_only_an_unsafe_link_is_not_empty(tree):
    shutil.rmtree(tree.path("src"))
    tree.path("src").mkdir()
    os.symlink("/etc/hostname", tree.path("src/run.sh"))
    report = tree.check()
    assert _findings(report) == [("unsafe-path", "error", "src/run.sh")]
    assert [r.severity for r in _results(report, "src-dir")] == ["info"]


def test_a_results_file_instead_of_a_folder_is_an_orphan(tree):
    tree.remove(tree.results_dir(8))
    tree.write(tree.results_dir(8), "x")
    findings = _findings(tree.check())
    assert ("unexpected-entry", "warning", tree.results_dir(8)) in findings
    assert ("result-file-present", "error", tree.results_dir(8)) in findings


@pytest.mark.parametrize("name", ["-1", "+7", "007", "8.0"])
def test_signs_and_leading_zeros_in_point_file_names_fail(tree, name):
    tree.write(tree.point_yaml(name), tree.path(tree.point_yaml(8)).read_text())
    tree.remove_point(8)
    fired = [
        r for r in _results(tree.check(), "point-filename-concurrency") if r.severity != "info"
    ]
    assert [r.path for r in fired] == [tree.point_yaml(name)]


def test_a_model_name_that_normalises_to_nothing_fails(tree):
    for c in tree.concurrencies:
        tree.edit_yaml(tree.point_yaml(c), lambda d: d.update(benchmark_model="___"))
    [result] = _results(tree.check(), "config-consistency-model")
    assert result.severity == "error" and "normalises to nothing" in result.message


def test_coverage_is_skipped_when_no_point_is_readable(tree):
    for c in tree.concurrencies:
        tree.write(tree.point_yaml(c), "concurrency: [\n")
    report = tree.check()
    assert len([r for r in report.errors if r.rule == "point-config-valid"]) == 8
    for rule_id in ("low-latency-coverage", "high-throughput-coverage"):
        assert _results(report, rule_id) == []


def test_an_invalid_concurrency_does_not_fall_back_to_the_file_name(tree):
    tree.edit_yaml(tree.point_yaml(8), lambda d: d.update(concurrency="eight"))
    report = tree.check()
    rules = {r.rule for r in report.results if r.path and "point_8" in r.path}
    assert "point-duration" not in rules and "metric-consistency-tps-per-user" not in rules
    assert "result-file-valid" in rules  # results are still looked up by the file name's N


def test_without_m_only_c_at_least_one_is_checked(tree):
    tree.edit_json(tree.system_file, lambda d: d.pop("max_supported_concurrency"))
    tree.edit_yaml(tree.point_yaml(8), lambda d: d.update(concurrency=0))
    fired = [r for r in _results(tree.check(), "concurrency-in-range") if r.severity != "info"]
    assert [(r.path, r.severity) for r in fired] == [(tree.point_yaml(8), "error")]
    assert "below 1" in fired[0].message


def test_missing_stream_all_chunks_is_one_error(tree):
    tree.edit_yaml(tree.point_yaml(8), lambda d: d["runtime_settings"].pop("stream_all_chunks"))
    assert _findings(tree.check()) == [("point-config-valid", "error", tree.point_yaml(8))]


def test_a_region_that_is_not_a_string_is_one_error(tree):
    tree.edit_yaml(tree.point_yaml(8), lambda d: d.update(region=7))
    assert _findings(tree.check()) == [("point-config-valid", "error", tree.point_yaml(8))]


def test_a_metric_name_with_a_space_is_not_the_metric(tree):
    def change(data):
        data["score"]["rougel "] = data["score"].pop("rougel")

    tree.edit_json(tree.accuracy_json, change)
    [valid] = _results(tree.check(), "accuracy-valid")
    assert valid.severity == "error" and 'primary metric "rougel"' in valid.message


def test_two_spellings_of_one_metric_are_refused_by_one_rule(tree):
    tree.edit_json(tree.accuracy_json, lambda d: d["score"].update({"ROUGE-L": 1.0}))
    report = tree.check()
    [valid] = _results(report, "accuracy-valid")
    assert valid.severity == "error" and '"rougel" and "ROUGE-L"' in valid.message
    assert _results(report, "accuracy-gate") == _results(report, "accuracy-consistency") == []


def test_duplicate_keys_inside_a_merge_source_are_refused(tree):
    path = tree.path(tree.point_yaml(8))
    path.write_text(path.read_text() + "extra:\n  <<: {a: 1, a: 1}\n")
    fired = [r for r in _results(tree.check(), "point-config-valid") if r.severity == "error"]
    assert [r.path for r in fired] == [tree.point_yaml(8)] and "duplicate key" in fired[0].message
    path.write_text(path.read_text().replace("<<: {a: 1, a: 1}", "<<: {a: 1}\n  a: 2"))
    assert tree.check().passed  # an explicit key overriding a merged one is allowed
