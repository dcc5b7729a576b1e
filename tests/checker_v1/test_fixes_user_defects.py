"""Defects a first-time user met: PATH at the wrong level of a v1.0 tree names the directory
to pass instead of calling each folder an "unexpected entry"."""

from __future__ import annotations

import shutil
import sys

import pytest
from click.testing import CliRunner

from submission_checker import SubmissionChecker, loading
from submission_checker.cli import main


def _check(path) -> str:
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    ("inner", "what"),
    [
        ("results", "results/ folder"),
        ("results/{system}", "system folder"),
        ("results/{system}/{model}", "model folder"),
        ("results/{system}/{model}/r{c}", "point folder r{c}/"),
    ],
)
def test_path_inside_a_submission_names_the_submission_root(v1_tree, inner, what):
    spec = v1_tree.spec
    c = v1_tree.concurrencies[0]
    values = {"system": spec.system_dir, "model": spec.model, "c": c}
    output = _check(v1_tree.root / inner.format(**values))
    flat = " ".join(output.split())
    assert f"looks like a {what.format(**values)}" in flat
    assert str(v1_tree.root) in flat.replace(" ", "") or str(v1_tree.root) in flat
    assert "unexpected entry" not in output
    assert "is missing" not in output


def test_org_with_two_submissions_asks_to_check_each(v1_tree):
    second = v1_tree.org / "second-sub"
    shutil.copytree(v1_tree.root, second)
    output = " ".join(_check(v1_tree.org).split())
    assert f"holds 2 submissions ({v1_tree.root.name}, second-sub)" in output
    assert "<submission_id>/" in output
    assert "unexpected entry" not in output
    assert "is missing" not in output


def test_negative_concurrency_fix_points_at_point_yaml(v1_tree):
    v1_tree.edit_point_yaml(64, lambda d: d.update(concurrency=-64))
    report = SubmissionChecker(v1_tree.org, round="v1.0").run()
    found = [r for r in report.warnings if r.rule == "point-dirname-concurrency"]
    assert len(found) == 1
    assert "concurrency is -64, expected a positive integer" in found[0].message
    assert "r-64" not in (found[0].fix or "")
    assert "concurrency: 64" in found[0].fix and "point.yaml" in found[0].fix


def _disclosure_fix(tree, *removed: str) -> str:
    tree.edit_point_yaml(64, lambda d: {k: v for k, v in d.items() if k not in removed})
    report = SubmissionChecker(tree.org, round="v1.0").run()
    found = [r for r in report.errors if r.rule == "point-disclosure-complete"]
    assert len(found) == 1
    return found[0].fix or ""


def test_disclosure_fix_says_create_adds_the_shared_paths(v1_tree):
    fix = _disclosure_fix(v1_tree, "shared_src", "shared_docs")
    assert "submissions create adds them" in fix
    assert "shared_src: src/<implementation>, shared_docs: docs" in fix
    assert "init" not in fix


def test_disclosure_fix_names_init_for_its_own_fields(v1_tree):
    fix = _disclosure_fix(v1_tree, "seed_set", "shared_docs")
    assert "Add seed_set to point.yaml (endpoints-submission-cli init writes" in fix
    assert "Add shared_docs: docs to point.yaml (endpoints-submission-cli submissions create" in fix


@pytest.mark.parametrize(
    ("kind", "text", "line"),
    [
        ("JSON", '{\n "a": 1,\n "b": ' + "7" * 5000 + "}", 3),
        ("YAML", "a: 1\nb: " + "7" * 5000 + "\n", 2),
        ("YAML", "a: [1, " + "7_" * 4500 + "7]\n", 1),
    ],
)
def test_overlong_integer_gets_the_projects_message(tmp_path, kind, text, line):
    path = tmp_path / f"file.{kind.lower()}"
    path.write_text(text)
    loader = loading.load_json if kind == "JSON" else loading.load_yaml
    with pytest.raises(loading.LoadError) as caught:
        loader(path)
    message = str(caught.value)
    assert message.startswith(f"not valid {kind}: the number at line {line} has ")
    assert f"at most {sys.get_int_max_str_digits()} digits" in message
    assert "set_int_max_str_digits" not in message


def test_overlong_integer_is_reported_by_the_checker_with_the_file(v1_tree):
    v1_tree.write(v1_tree.rel(64, "point.yaml"), "concurrency: " + "6" * 5000 + "\n")
    report = SubmissionChecker(v1_tree.org, round="v1.0").run()
    found = [r for r in report.errors if "5000 digits" in r.message]
    assert found and found[0].path == v1_tree.rel(64, "point.yaml")
    assert "set_int_max_str_digits" not in " ".join(r.message for r in report.errors)


def test_folder_above_the_organisation_names_it(v1_tree):
    output = " ".join(_check(v1_tree.org.parent).split())
    assert f"holds the organisation folder {v1_tree.org.name}/: pass {v1_tree.org}" in output
    assert "unexpected entry" not in output
