"""The shipped v1.0 example is exactly what its generator writes."""

from __future__ import annotations

from pathlib import Path

from checker_v1_builder import generator

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "submission-v1.0"


def files_under(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_example_tree_is_what_the_generator_writes(tmp_path):
    generator.write_submission_v1(tmp_path)
    shipped, fresh = files_under(EXAMPLE), files_under(tmp_path)
    assert sorted(shipped) == sorted(fresh), "run: python examples/make_example_submission_v1.py"
    changed = [name for name in shipped if shipped[name] != fresh[name]]
    assert changed == [], "run: python examples/make_example_submission_v1.py"


def test_example_has_the_issue_s_shape():
    curve = EXAMPLE / "ExampleOrg" / "example-submission" / "results" / "Example_Cloud_Endpoint"
    points = sorted(p.name for p in (curve / "llama3_1-8b").iterdir())
    assert len(points) >= 9  # 8+ points over every region plus the Offline point
    assert not (curve / "system_power.json").exists()  # Serviced: no power file
