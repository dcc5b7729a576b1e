"""A checked v1.0 curve lets its points go (``ModelV1.release_points``), and nothing shows it.

Later curves read two things from earlier ones: the first readable system description of a
system's curves, and the submission's first declared seed set. Both are kept, so the report of
a several-curve submission is the same in one process, in two, and with points released.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from checker_v1_builder import generator

from submission_checker import SubmissionChecker
from submission_checker import checker as checker_module
from submission_checker.layout_v1 import ModelV1

CURVES = (
    ("System A", "llama3_1-8b"),
    ("System A", "gpt-oss-120b"),
    ("System B", "llama3_1-8b"),
    ("System B", "gpt-oss-120b"),
)


def _tree(tmp_path: Path) -> Path:
    return generator.write_submission_v1(tmp_path, curves=CURVES)


def _edit_point_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_every_checked_curve_lets_its_points_go(tmp_path: Path, monkeypatch) -> None:
    org = _tree(tmp_path)
    released: list[tuple[str, str]] = []
    real_release = ModelV1.release_points

    def counting_release(model: ModelV1) -> None:
        released.append((model.system.id, model.name))
        real_release(model)
        assert model.points == []

    monkeypatch.setattr(ModelV1, "release_points", counting_release)
    report = SubmissionChecker(org, round="v1.0").run()
    assert report.passed, [(r.rule, r.message) for r in report.results if r.severity == "error"]
    assert len(released) == len(CURVES)
    assert len({(r.system, r.model, r.concurrency) for r in report.results if r.concurrency}) > 0


def test_a_later_curve_is_compared_with_a_released_curves_seed_set(
    tmp_path: Path, monkeypatch
) -> None:
    """The first curve declares seed set A; a point of the last curve declares B."""
    org = _tree(tmp_path)
    last = sorted(org.glob("*/results/System_B/llama3_1-8b/r*/point.yaml"))[0]
    _edit_point_yaml(last, lambda d: d.update(seed_set="B"))
    serial = SubmissionChecker(org, round="v1.0").run()
    errors = [
        r for r in serial.results if r.rule == "seed-set-consistency" and r.severity == "error"
    ]
    assert len(errors) == 1
    assert 'found "B", expected "A" as in ' in errors[0].message
    assert "System_A/gpt-oss-120b/" in errors[0].message  # the first curve in tree order
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    assert SubmissionChecker(org, round="v1.0").run().model_dump_json() == serial.model_dump_json()


def test_two_processes_releasing_their_curves_give_the_serial_report(
    tmp_path: Path, monkeypatch
) -> None:
    org = _tree(tmp_path)
    for point in sorted(org.glob("*/results/System_B/*/r*/system_desc.json"))[:3]:
        point.write_text("{not json", encoding="utf-8")
    serial = SubmissionChecker(org, round="v1.0").run()
    assert not serial.passed
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    assert SubmissionChecker(org, round="v1.0").run().model_dump_json() == serial.model_dump_json()
