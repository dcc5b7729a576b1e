"""The installed console script and `python -m`, as real subprocesses (what CI users run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from endpoints_submission_cli import __version__
from endpoints_submission_cli.cli import main

SCRIPT = Path(sys.executable).with_name("endpoints-submission-cli")


def _env(prism) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRISM_", "MLPERF_"))}
    env.update(MLPERF_API_BASE_URL=prism.url, PRISM_USER_API_TOKEN=prism.token, NO_COLOR="1")
    return env


def _run(*args, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_console_script_registers_a_real_run_and_python_m_lists_it(prism, sample_copy, samples_dir):
    env = _env(prism)
    folder = sample_copy("accuracy_both_c4")  # no system_desc.json: given separately

    created = _run(
        SCRIPT,
        "runs",
        "create",
        "--path",
        folder,
        "--system-desc",
        samples_dir / "system_desc.example.json",
        env=env,
    )

    assert created.returncode == 0, created.stderr
    run_id = created.stdout.strip()
    assert created.stdout == f"{run_id}\n"
    assert "\x1b[" not in created.stderr  # no progress bars or colour codes in a log
    assert prism.token not in created.stdout + created.stderr

    listed = _run(
        sys.executable, "-m", "endpoints_submission_cli", "runs", "list", "--json", env=env
    )
    assert listed.returncode == 0, listed.stderr
    assert [r["id"] for r in json.loads(listed.stdout)] == [run_id]


def test_failure_in_a_subprocess_is_one_message_and_exit_1(prism, sample_copy):
    folder = sample_copy("llama2-70b_c1")  # no system description anywhere
    result = _run(
        sys.executable,
        "-m",
        "endpoints_submission_cli",
        "runs",
        "create",
        "--path",
        folder,
        env=_env(prism),
    )
    assert result.returncode == 1
    assert "error: llama2-70b_c1: no system_desc.json" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_usage_errors_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["runs", "create", "--path", str(tmp_path / "missing")])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["--api-url", "ftp://x", "runs", "list"])
    assert result.exit_code == 2 and "not an http(s) URL" in result.stderr


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_unexpected_exceptions_are_one_line_unless_debug(monkeypatch, run_folder):
    # Imported before patching: these bind read_run_folder by name when first imported.
    from endpoints_submission_cli import pipeline, runfolder, runfolder_v1  # noqa: F401

    def boom(*_a, **_k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(runfolder, "read_run_folder", boom)
    args = ["runs", "create", "--path", str(run_folder()), "--dry-run"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "internal error: ZeroDivisionError: boom" in result.stderr
    assert "--debug" in result.stderr and "Traceback" not in result.stderr
    debug = CliRunner().invoke(main, ["--debug", *args])
    assert isinstance(debug.exception, ZeroDivisionError)


def test_a_reader_that_goes_away_is_not_an_internal_error(prism):
    """`endpoints-submission-cli runs list | head -1`: the pipe closes before we write."""
    process = subprocess.Popen(
        [sys.executable, "-m", "endpoints_submission_cli", "runs", "list", "--json"],
        env=_env(prism),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # long before the interpreter has started and written anything
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


def test_runs_commands_do_not_load_the_submission_pipeline():
    """Start-up cost: `runs …` must not import the pipeline and the checker's rules."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from endpoints_submission_cli.cli import main\n"
        "result = CliRunner().invoke(main, ['runs', 'list', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.endswith(('.pipeline', '.bundle', '.rules'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert loaded.stdout.strip() == "[]"
    help_text = CliRunner().invoke(main, ["--help"]).output
    assert "runs" in help_text and "submissions" in help_text
