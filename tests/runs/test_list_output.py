"""`runs list` output: plain rows off a terminal, a drawn table on one, JSON byte-identical to
``json.dumps(items, indent=2)`` — the fast printers must look exactly like the rich ones did."""

from __future__ import annotations

import json

import pytest

from endpoints_submission_cli import output
from endpoints_submission_cli.prism import PrismClient

MODELS = ["meta-llama/Llama-2-70b-chat-hf", "deepseek-ai/DeepSeek-R1", "mé/漢字-model"]


def _run_body(model: str, concurrency: int) -> dict:
    """A valid RunCreate (prism-api.md), registered through the API without packing anything."""
    return {
        "cli_version": "0.2.0",
        "benchmark_version": "1.0",
        "started_at": "2026-11-01T10:00:00Z",
        "finished_at": "2026-11-01T10:20:00Z",
        "system_info": {"system_name": "test-box"},
        "config": {
            "model_params": {"name": model},
            "settings": {"load_pattern": {"target_concurrency": concurrency}},
        },
        "result_summary": {"n_samples_completed": 20},
    }


@pytest.fixture
def listed(prism) -> list[dict]:
    """Three runs of the test's user, as GET /runs lists them."""
    with PrismClient(prism.url, prism.token) as client:
        for index, model in enumerate(MODELS):
            client.create_run(_run_body(model, 2**index))
        return client.list_runs()


def test_off_a_terminal_each_run_is_one_plain_row_with_whole_values(cli, listed):
    result = cli("runs", "list")

    assert result.exit_code == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "model", "concurrency", "started", "pinned", "expires"]
    assert len(rows) == len(listed)
    for row, run in zip(rows, listed, strict=True):
        assert row.split() == [
            run["id"],
            run["model"],
            str(run["concurrency"]),
            run["started_at"],
            "no",
            run["expires_at"],
        ]
        assert row == row.rstrip()
    # Columns line up: every value of a column starts where its header does.
    model_at = header.index("model")
    assert all(
        row[model_at:].startswith(run["model"]) for row, run in zip(rows, listed, strict=True)
    )
    assert not any(char in result.stdout for char in "│┃━╇\x1b")


def test_json_is_exactly_what_json_dumps_writes_and_parses_back(cli, listed):
    result = cli("runs", "list", "--json")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == json.dumps(listed, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(result.stdout) == listed


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{}],
        [1, "two", None],
        [{"a": [1, {"b": "line\nbreak"}], "é": []}, {"x": {}}],
        [{"id": "r1", "n": 3, "f": 1.5, "inf": float("inf"), "ok": True, "none": None}],
        [{'quote"key': "tab\tnew\nline \u2028 漢字 \x00", "big": 10**30, "neg": -0.0}],
        [{1: "int key"}, {"nested": {"k": "v"}}, {"id": "r2", "pinned": False}],
    ],
)
def test_streamed_json_matches_json_dumps(items, capsys):
    output.stream_json_list(iter(items))
    assert capsys.readouterr().out == json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def test_on_a_terminal_the_table_has_a_bold_header_and_rules(monkeypatch, capsys):
    monkeypatch.setattr(output, "_is_terminal", lambda: True)

    output.print_table(["id", "model"], [["run-1", "mé 漢字"], ["run-22", None]])

    lines = capsys.readouterr().out.splitlines()
    bold, reset = output.BOLD, output.RESET
    assert lines[0] == f"{bold}id    {reset} {bold}┃{reset} {bold}model  {reset}"
    assert lines[1] == "━━━━━━━╇━━━━━━━━"  # wide characters count two cells
    assert lines[2:] == ["run-1  │ mé 漢字", "run-22 │        "]


def test_control_characters_from_the_server_are_shown_escaped(monkeypatch, capsys):
    monkeypatch.setattr(output, "_is_terminal", lambda: True)

    output.print_fields([("model", "evil\x1b[2J\rname\x9b")])

    shown = capsys.readouterr().out
    assert "evil\\x1b[2J\\rname\\x9b" in shown
    assert "\r" not in shown and "\x9b" not in shown
    assert shown.count("\x1b") == 2  # only our own bold on, bold off


def test_json_follows_every_page_as_it_arrives(cli, listed, monkeypatch):
    from endpoints_submission_cli import prism as prism_module

    monkeypatch.setattr(prism_module, "LIST_PAGE_LIMIT", 2)  # three runs: two pages

    result = cli("runs", "list", "--json")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == json.dumps(listed, indent=2, ensure_ascii=False) + "\n"


def test_a_page_that_fails_midway_is_an_error_not_a_short_list(prism, cli, listed, monkeypatch):
    from endpoints_submission_cli import prism as prism_module

    monkeypatch.setattr(prism_module, "LIST_PAGE_LIMIT", 2)
    prism.add_fault(method="GET", path="^/runs$", action="status", status=401, skip=1)

    result = cli("runs", "list", "--json")

    assert result.exit_code == 1
    assert "authentication failed" in result.stderr and "Traceback" not in result.stderr
    assert not result.stdout.rstrip().endswith("]")  # never looks like a complete list
