"""Global flags before the group, between the group and its command, or after the command;
environment variables shown in --help."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "layout",
    [
        lambda url, token: ["--api-url", url, "--token", token, "--json", "runs", "list"],
        lambda url, token: ["runs", "list", "--api-url", url, "--token", token, "--json"],
        lambda url, token: ["--json", "runs", "list", f"--api-url={url}", "--token", token],
        lambda url, token: ["--token", token, "runs", "list", "--json", "--api-url", url],
        lambda url, token: ["runs", "--api-url", url, "--token", token, "--json", "list"],
        lambda url, token: ["--api-url", url, "runs", "--json", "list", "--token", token],
        lambda url, token: ["submissions", f"--api-url={url}", "--token", token, "list", "--json"],
    ],
    ids=["all-before", "all-after", "mixed-1", "mixed-2", "all-between", "mixed-3", "submissions"],
)
def test_global_flags_work_before_and_after_the_subcommand(prism, run_cli, layout):
    result = run_cli(*layout(prism.url, prism.token))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_flags_after_the_subcommand_win(prism, run_cli):
    bad = "mlc_" + "N0tTheRightT0ken12345"
    result = run_cli(
        "--api-url", "http://127.0.0.1:9", "--token", bad,
        "runs", "list", "--api-url", prism.url, "--token", prism.token,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_the_innermost_flag_wins_at_every_level(prism, run_cli):
    bad_token = "mlc_" + "N0tTheRightT0ken12345"
    dead_url = "http://127.0.0.1:9"
    between_wins = run_cli(
        "--api-url", dead_url, "--token", bad_token,
        "submissions", "--api-url", prism.url, "--token", prism.token, "list", "--json",
    )  # fmt: skip
    assert between_wins.exit_code == 0, between_wins.stderr
    assert json.loads(between_wins.stdout) == []
    after_wins = run_cli(
        "runs", "--api-url", dead_url, "--token", bad_token,
        "list", "--api-url", prism.url, "--token", prism.token,
    )  # fmt: skip
    assert after_wins.exit_code == 0, after_wins.stderr
    # and a flag between the group and its command does take effect: a dead URL fails
    dead = run_cli(
        "--api-url", prism.url, "runs", "--api-url", dead_url, "list", "--token", prism.token
    )  # fmt: skip
    assert dead.exit_code == 1 and "127.0.0.1:9" in dead.stderr, dead.stderr


def test_debug_and_a_bad_url_between_the_group_and_its_command(run_cli):
    bad = run_cli("runs", "--api-url", "ftp://x", "list")
    assert bad.exit_code == 2 and "is not an http(s) URL" in bad.stderr
    result = run_cli("runs", "--debug", "get", "--run-id", "x", "--api-url", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "no PRISM token" in result.stderr and "Traceback" in result.stderr


def test_environment_token_loses_to_a_token_before_the_subcommand(prism, run_cli):
    result = run_cli(
        "--api-url", prism.url, "--token", prism.token, "runs", "list",
        env={"PRISM_USER_API_TOKEN": "mlc_" + "WrongWrongWrong12345"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_a_bad_api_url_after_the_subcommand_is_a_usage_error(run_cli):
    result = run_cli("runs", "list", "--api-url", "ftp://x")
    assert result.exit_code == 2
    assert "is not an http(s) URL" in result.stderr


def test_debug_after_the_subcommand_shows_the_traceback(run_cli):
    result = run_cli("runs", "get", "--run-id", "x", "--api-url", "http://127.0.0.1:9", "--debug")
    assert result.exit_code == 1
    assert "no PRISM token" in result.stderr and "Traceback" in result.stderr


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        ([], ["MLPERF_API_BASE_URL", "PRISM_USER_API_TOKEN"]),
        (["runs", "list"], ["PRISM_USER_API_TOKEN", "--api-url"]),
        (["submissions"], ["MLPERF_SUBMISSION_REPO", "XDG_STATE_HOME"]),
        (["submissions", "create"], ["PRISM_USER_API_TOKEN", "--division", "--api-url"]),
    ],
)
def test_help_names_the_environment_variables(run_cli, args, needles):
    result = run_cli(*args, "--help")
    assert result.exit_code == 0
    for needle in needles:
        assert needle in result.stdout


def test_every_option_and_command_has_help():
    import click

    from endpoints_submission_cli.cli import main

    ctx = click.Context(main)
    missing = []

    def walk(command, path):
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])
        if not (command.help or command.short_help):
            missing.append(" ".join(path))
        for param in command.params:
            if isinstance(param, click.Option) and not param.help:
                missing.append(f"{' '.join(path)} {param.opts[0]}")

    walk(main, ["endpoints-submission-cli"])
    assert missing == []
