"""What the checker saves on a large check must not show: shared result internals, points let go
once checked, round v1.0's code left unimported by a v0.7 check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from submission_checker import SubmissionChecker
from submission_checker import checker as checker_module
from submission_checker.layout import Model


def test_results_that_share_internals_stay_independent(tree) -> None:
    """Results share one set of set fields; changing or copying one changes no other."""
    results = SubmissionChecker(tree.org).run().results
    first, second = results[0], results[1]
    before = second.model_dump()
    first.message = "edited"
    copied = first.model_copy(update={"fix": "a fix"})
    assert copied.fix == "a fix" and first.fix != "a fix"
    assert second.model_dump() == before
    assert set(second.model_dump(exclude_unset=True)) == set(before)
    assert second.model_fields_set == set(before)


def test_checked_models_let_their_points_go_and_the_report_is_complete(tree, monkeypatch) -> None:
    released: list[str] = []
    real_release = Model.release_points

    def counting_release(model: Model) -> None:
        released.append(model.name)
        real_release(model)

    monkeypatch.setattr(Model, "release_points", counting_release)
    report = SubmissionChecker(tree.org).run()
    assert released == [tree.model]
    points = {r.concurrency for r in report.results if r.concurrency is not None}
    assert points == set(tree.concurrencies)
    assert report.passed


def test_releasing_points_in_two_processes_gives_the_serial_report(
    tmp_path: Path, generator: Any, monkeypatch
) -> None:
    """The child and this process each let their checked models go."""
    org = generator.write_submission(tmp_path, systems=("sys-a", "sys-b"))
    serial = SubmissionChecker(org).run().model_dump_json()
    monkeypatch.setattr(checker_module, "PARALLEL_MIN_POINTS", 1)
    assert SubmissionChecker(org).run().model_dump_json() == serial


def test_a_v07_check_does_not_import_round_v1_code(tree) -> None:
    script = (
        "import sys\n"
        "from submission_checker import SubmissionChecker\n"
        f"report = SubmissionChecker({str(tree.org)!r}).run()\n"
        "assert report.passed\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('submission_checker'))\n"
        "print(' '.join(loaded))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "submission_checker.rules.structure" in loaded
    assert not [m for m in loaded if "v1" in m or "power" in m], loaded


def test_all_rules_lists_both_rounds_in_table_order() -> None:
    from submission_checker import rules

    everything = rules.ALL_RULES
    assert [r for r in everything if "v0.7" in r.rounds] == list(rules.rules_for("v0.7"))
    assert [r for r in everything if "v1.0" in r.rounds] == list(rules.rules_for("v1.0"))
    first_v1_only = next(i for i, r in enumerate(everything) if "v0.7" not in r.rounds)
    assert all("v0.7" not in r.rounds for r in everything[first_v1_only:])


def test_collection_is_back_on_after_a_check_and_nothing_stays_frozen(tree) -> None:
    import gc

    assert gc.isenabled()
    report = SubmissionChecker(tree.org).run()
    assert report.passed
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_objects_the_caller_froze_stay_frozen(tree) -> None:
    import gc

    marker: list[int] = []  # a container the collector tracks, frozen with everything else
    gc.freeze()
    try:
        assert SubmissionChecker(tree.org).run().passed
        assert gc.isenabled()
        assert all(tracked is not marker for tracked in gc.get_objects())  # still frozen
    finally:
        gc.unfreeze()
    assert any(tracked is marker for tracked in gc.get_objects())


def test_the_check_command_turns_collection_back_on(tree) -> None:
    import gc

    from click.testing import CliRunner

    from submission_checker.cli import main

    result = CliRunner().invoke(main, ["check", "-q", str(tree.org)])
    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_rule_that_fails_midway_keeps_its_results_and_the_unit_goes_on() -> None:
    from submission_checker.rules.registry import Rule, info

    class Handle:
        scope = {"path": "pareto/s/m/points/point_1.yaml", "system": "s", "model": "m"}
        scope["concurrency"] = 1

    def half(rule: Rule, at: Any):
        yield rule.result("ok", at, n=1)
        raise ZeroDivisionError("boom")

    def whole(rule: Rule, at: Any):
        yield rule.result("ok", at, n=2)

    messages = {"ok": info("point {n} is fine")}
    broken = Rule("broken", "§1", "error", "point", "s", messages, half)
    sound = Rule("sound", "§1", "error", "point", "s", messages, whole)
    results: list[Any] = []
    broken.run_into(results, Handle())
    sound.run_into(results, Handle())
    assert [(r.rule, r.severity) for r in results] == [
        ("broken", "info"),
        ("broken", "error"),
        ("sound", "info"),
    ]
    assert "internal checker error in rule broken: ZeroDivisionError: boom" in results[1].message
    assert [r.message for r in broken.run(Handle())][0] == "point 1 is fine"


def test_a_template_without_braces_is_shared_and_one_with_braces_is_formatted() -> None:
    from submission_checker.rules.registry import Rule, info

    class Handle:
        scope = {"path": None, "system": None, "model": None, "concurrency": None}

    messages = {"plain": info("summary log present"), "braces": info("{{literal}} {n}")}
    rule = Rule("r", None, "info", "point", "s", messages, lambda rule, at: ())
    first, second = (rule.result("plain", Handle()) for _ in range(2))
    assert first.message == "summary log present" and first.message is second.message
    assert rule.result("braces", Handle(), n=3).message == "{literal} 3"


def test_a_report_kept_until_exit_is_collected_inside_another_program() -> None:
    import gc
    import weakref

    from submission_checker.cli import _keep_until_exit

    class Stand:
        """Stands in for a report: any object the command hands over."""

    report = Stand()
    gone = weakref.ref(report)
    _keep_until_exit(report)
    del report
    assert gone() is not None  # kept alive by its cycle, not freed on the spot
    gc.collect()
    assert gone() is None  # ordinary garbage for the collector of a program that goes on
