"""Bad input gives findings, never a traceback: strict readers and the whole checker."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_checker import Report, SubmissionChecker
from submission_checker.cli import main
from submission_checker.loading import LoadError, load_json, load_yaml, parse_json, parse_yaml
from submission_checker.models import PointSummary, SystemDescription, validation_problems

from ..damage import (
    ENTRY_DAMAGE,
    FILE_DAMAGE_DRAWS,
    assert_checks_soundly,
    assert_sound,
    damage_entry,
    damaged_file,
)

# --------------------------------------------------------------------------------------------
# Strict readers


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('{"a": 1, "a": 2}', 'duplicate key "a"'),
        ('{"x": {"b": 1, "b": 1}}', 'duplicate key "b"'),
        ('{"a": NaN}', "NaN is not a number"),
        ('{"a": Infinity}', "Infinity is not a number"),
        ('{"a": -Infinity}', "-Infinity is not a number"),
        ('{"a": 1,}', "not valid JSON"),
        ("", "file is empty"),
        ("  \n\t", "file is empty"),
        ('{"a": 1', "line 1, column 8"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_json_reader_rejects(text, fragment):
    with pytest.raises(LoadError) as caught:
        parse_json(text)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("literal", ["1e400", "-1E+0400", "1" + "0" * 400 + ".5"])
def test_float_overflow_anywhere_makes_the_file_invalid(literal):
    """§4.4: a literal that overflows to infinity is refused like NaN, even in an extra field."""
    summary = {
        "n_samples_issued": 1,
        "n_samples_completed": 1,
        "n_samples_failed": 0,
        "duration_ns": 1,
        "output_sequence_lengths": {"total": 1},
        "notes": {"histogram": [1.5, 2.5]},
    }
    text = json.dumps(summary).replace("2.5", literal)
    with pytest.raises(LoadError, match="too large for a 64-bit float"):
        parse_json(text)
    assert parse_json(text.replace(literal, "1e300"))["notes"]["histogram"] == [1.5, 1e300]


def test_json_reader_keeps_big_integers_exact_and_accepts_a_bom(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b'\xef\xbb\xbf{"n": 123456789012345678901234567890, "f": 1e300}')
    assert load_json(path) == {"n": 123456789012345678901234567890, "f": 1e300}


def test_json_reader_rejects_non_utf8_and_directories(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "Müller"}'.encode("latin-1"))
    with pytest.raises(LoadError, match=r"not valid UTF-8 \(byte 0xfc at offset 11\)"):
        load_json(path)
    with pytest.raises(LoadError, match="is a directory"):
        load_json(tmp_path)
    with pytest.raises(LoadError, match="file not found"):
        load_json(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a:\n  b: 1\n  b: 2\n", "line 3"),
        ("a: [1, 2\n", "not valid YAML"),
        ("\t- x\n", "not valid YAML"),
        ("", "file is empty"),
        ("a: *missing\n", "not valid YAML"),
    ],
)
def test_yaml_reader_rejects(text, fragment):
    with pytest.raises(LoadError) as caught:
        parse_yaml(text)
    assert fragment in str(caught.value)


def test_huge_files_are_refused_unread(tmp_path):
    path = tmp_path / "summary.json"
    with path.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: nothing is written, nothing must be read
    with pytest.raises(LoadError, match="68,157,440 bytes, more than the 64 MiB"):
        load_json(path)


def test_yaml_merge_keys_may_be_overridden(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  x: 3\n")
    assert load_yaml(path)["item"] == {"x": 3, "y": 2}
    path.write_bytes(b"a: \xff\n")
    with pytest.raises(LoadError, match="UTF-8"):
        load_yaml(path)


def test_schema_types_are_strict():
    summary = {
        "n_samples_issued": True,
        "n_samples_completed": 1.0,
        "n_samples_failed": "0",
        "duration_ns": float("nan"),
        "output_sequence_lengths": {"total": False},
        "tps": float("inf"),
    }
    assert validation_problems(PointSummary, summary) == [
        "n_samples_issued: found true (bool), expected an integer",
        "n_samples_completed: found 1.0 (float), expected an integer",
        'n_samples_failed: found "0" (str), expected an integer',
        "duration_ns: found NaN (float), expected a finite number",
        "output_sequence_lengths.total: found false (bool), expected a number",
        "tps: found Infinity (float), expected a finite number",
    ]
    assert validation_problems(SystemDescription, []) == [
        "(whole file): found [] (list), expected an object (mapping)"
    ]


# --------------------------------------------------------------------------------------------
# The checker on broken trees


def errors_of(report):
    return [(r.rule, r.path) for r in report.errors]


BAD_CONTENT = {
    "malformed": b'{"a": ',
    "list": b"[1, 2, 3]",
    "empty": b"",
    "latin1": '{"system_name": "Müller"}'.encode("latin-1"),
    "nan": b'{"a": NaN}',
    "dupe": b'{"a": 1, "a": 1}',
    "yaml-dupe": b"a: 1\na: 1\n",
    "scalar": b"42",
}


@pytest.mark.parametrize("kind", sorted(BAD_CONTENT))
@pytest.mark.parametrize(
    "target, rule",
    [
        ("system_file", "system-description-valid"),
        ("point", "point-config-valid"),
        ("summary", "result-file-valid"),
        ("accuracy_json", "accuracy-valid"),
    ],
)
def test_bad_file_content_is_one_finding(tree, kind, target, rule):
    rel = {
        "system_file": tree.system_file,
        "point": tree.point_yaml(8),
        "summary": tree.summary_json(8),
        "accuracy_json": tree.accuracy_json,
    }[target]
    tree.write(rel, BAD_CONTENT[kind])
    report = tree.check()
    fired = [r for r in report.errors if r.rule == rule]
    assert fired and all(r.path == rel for r in fired)
    result = CliRunner().invoke(main, ["check", str(tree.org)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_booleans_for_integers_in_point_files(tree):
    tree.edit_yaml(tree.point_yaml(8), lambda d: d.update(concurrency=True))
    report = tree.check()
    assert ("point-config-valid", tree.point_yaml(8)) in errors_of(report)


@pytest.mark.parametrize(
    "make",
    [
        lambda t: (shutil.rmtree(t.path("pareto")), t.write("pareto", "not a dir")),
        lambda t: (shutil.rmtree(t.path(t.results_dir(8))), t.write(t.results_dir(8), "x")),
        lambda t: (
            shutil.rmtree(t.path(f"{t.model_dir}/points")),
            t.write(f"{t.model_dir}/points", ""),
        ),
        lambda t: (t.remove(t.summary_json(8)), t.path(t.summary_json(8)).mkdir()),
        lambda t: (t.remove(t.system_file), t.path(t.system_file).mkdir()),
        lambda t: (t.remove(t.accuracy_txt), t.path(t.accuracy_txt).mkdir()),
        lambda t: t.write("pareto/example-system/stray-file", "x"),
    ],
)
def test_files_where_directories_should_be_and_back(tree, make):
    make(tree)
    report = tree.check()
    assert isinstance(report, Report)
    assert all(r.fix for r in report.errors + report.warnings)


def test_unreadable_file_is_reported_not_raised(tree):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    tree.path(tree.summary_json(8)).chmod(0)
    assert ("result-file-valid", tree.summary_json(8)) in errors_of(tree.check())


def test_symlink_loop_inside_the_tree(tree):
    os.symlink(".", tree.path("documentation"))  # documentation -> the org itself
    report = tree.check()
    assert report.passed


def test_symlinks_between_sibling_directories_do_not_loop(tree):
    docs = tree.org / "documentation"
    (docs / "a").mkdir(parents=True)
    (docs / "b").mkdir()
    os.symlink("../b", docs / "a" / "to-b")
    os.symlink("../a", docs / "b" / "to-a")
    assert tree.check().passed


def test_a_second_link_to_the_same_directory_is_listed_in_full(tree):
    os.symlink("example-system", tree.org / "pareto" / "alias")
    tree.write("systems/alias.json", tree.path(tree.system_file).read_text())
    report = tree.check()
    assert report.passed, [r.message for r in report.errors]
    assert {r.system for r in report.results if r.rule == "point-count"} == {
        "alias",
        "example-system",
    }


def test_unlistable_directory_is_reported(tree):
    if os.geteuid() == 0:
        pytest.skip("root lists everything")
    results = tree.path(tree.results_dir(8))
    results.chmod(0)
    try:
        report = tree.check()
    finally:
        results.chmod(0o755)
    assert ("unexpected-entry", tree.results_dir(8)) in [(r.rule, r.path) for r in report.warnings]


def test_path_is_a_file(tree):
    report = SubmissionChecker(tree.path(tree.system_file)).run()
    assert errors_of(report) == [("path-exists", None)]
    assert "not a directory" in report.errors[0].message


# --------------------------------------------------------------------------------------------
# Random damage: the checker always returns a Report and the CLI exits 0 or 1


@pytest.fixture(scope="module")
def base_tree(tmp_path_factory, generator):
    return generator.write_submission(tmp_path_factory.mktemp("base"))


FILES = [
    "systems/example-system.json",
    "pareto/example-system/llama2-70b/points/point_8.yaml",
    "pareto/example-system/llama2-70b/results/point_34/mlperf_endpoints_log_summary.json",
    "pareto/example-system/llama2-70b/accuracy/accuracy_result.json",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    file_index=st.integers(0, len(FILES) - 1),
    position=st.integers(0, 10_000),
    **FILE_DAMAGE_DRAWS,
)
def test_random_damage_never_raises(base_tree, file_index, how, path_choices, value, raw, position):
    with damaged_file(base_tree / FILES[file_index], how, path_choices, value, raw, position):
        assert_checks_soundly(base_tree)


@settings(max_examples=40, deadline=None)
@given(pick=st.integers(0, 10_000), how=ENTRY_DAMAGE)
def test_random_structural_damage_never_raises(tmp_path_factory, generator, pick, how):
    root = generator.write_submission(tmp_path_factory.mktemp("damaged"))
    damage_entry(root, pick, how)
    assert_sound(SubmissionChecker(root).run())
