"""The prism-server command line: tokens (hashed, never shown again) and serve errors."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys

from click.testing import CliRunner

from prism_server.cli import main

TOKEN = re.compile(r"^mlc_[A-Za-z0-9_-]{16,}$")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_token_create_prints_only_the_token_and_stores_its_hash(tmp_path):
    result = invoke("token", "create", "--user", "alice", "--data-dir", str(tmp_path), "--create")
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert TOKEN.match(token)
    with sqlite3.connect(tmp_path / "prism.sqlite3") as db:
        rows = db.execute("SELECT user_id, token_sha256 FROM tokens").fetchall()
    assert rows == [("alice", hashlib.sha256(token.encode()).hexdigest())]
    assert token.encode() not in (tmp_path / "prism.sqlite3").read_bytes()


def test_token_list_never_shows_tokens_and_revoke_locks_out(prism, http):
    token = invoke("token", "create", "--user", "bob", "--data-dir", str(prism.data_dir))
    token = token.stdout.strip()
    assert http.get(f"{prism.url}/runs", headers={"X-API-Key": token}).status_code == 200

    listing = invoke("token", "list", "--json", "--data-dir", str(prism.data_dir))
    mine = [item for item in json.loads(listing.stdout) if item["user_id"] == "bob"]
    assert token not in listing.stdout
    assert token[8:] not in listing.stdout
    table = invoke("token", "list", "--data-dir", str(prism.data_dir))
    assert token[8:] not in table.stdout and mine[-1]["id"] in table.stdout

    revoked = invoke("token", "revoke", mine[-1]["id"], "--data-dir", str(prism.data_dir))
    assert revoked.exit_code == 0
    response = http.get(f"{prism.url}/runs", headers={"X-API-Key": token})
    assert response.status_code == 401
    assert response.json() == {"detail": "unknown or revoked API key"}


def test_revoking_an_unknown_token_is_a_clear_error(tmp_path):
    invoke("token", "create", "--user", "alice", "--data-dir", str(tmp_path), "--create")
    result = CliRunner().invoke(main, ["token", "revoke", "tok_nope", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "no such token tok_nope" in result.output


def test_serve_on_a_busy_port_is_a_clear_error(prism, tmp_path):
    port = prism.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "prism_server",
            "serve",
            "--port",
            port,
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"cannot start on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_one_server_per_data_dir(prism):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "prism_server",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(prism.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"another prism-server is already serving {prism.data_dir}" in result.stderr


def _prism_server(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "prism_server", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_with_an_impossible_port_is_a_clear_error(tmp_path):
    for port in ("99999", "-1"):
        result = _prism_server("serve", "--port", port, "--data-dir", str(tmp_path))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"Invalid value for '--port': {port} is not in the range 0<=x<=65535" in (
            result.stderr
        )


def test_dash_h_is_help_everywhere():
    for args in ([], ["serve"], ["token", "create"], ["admin", "set-status"]):
        short, long = _prism_server(*args, "-h"), _prism_server(*args, "--help")
        assert short.returncode == 0 and short.stdout == long.stdout and "Usage:" in short.stdout


def test_token_create_refuses_a_data_dir_without_a_database(tmp_path):
    missing = tmp_path / "nonexistent" / "deep"
    result = CliRunner().invoke(
        main, ["token", "create", "--user", "a", "--data-dir", str(missing)]
    )
    assert result.exit_code == 1
    assert f"no prism-server database in {missing}" in result.output
    assert "--create" in result.output and "mlc_" not in result.output
    assert not missing.exists()
    for command in (["token", "list"], ["token", "revoke", "tok_x"]):
        refused = CliRunner().invoke(main, [*command, "--data-dir", str(missing)])
        assert refused.exit_code == 1 and "no prism-server database" in refused.output
    assert not missing.exists()


def test_token_create_says_which_database_it_wrote_to(tmp_path):
    where = tmp_path / "new"
    result = invoke("token", "create", "--user", "a", "--data-dir", str(where), "--create")
    assert result.exit_code == 0
    database = (where / "prism.sqlite3").resolve()
    assert f"in {database}" in result.stderr
    again = invoke("token", "create", "--user", "b", "--data-dir", str(where))
    assert again.exit_code == 0 and f"in {database}" in again.stderr


def test_an_unwritable_ready_file_is_a_clear_error_and_the_server_does_not_start(tmp_path):
    ready = tmp_path / "no-such-dir" / "server.url"
    result = subprocess.run(
        [sys.executable, "-m", "prism_server", "serve", "--port", "0"]
        + ["--data-dir", str(tmp_path / "data"), "--ready-file", str(ready)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"cannot write --ready-file {ready}: No such file or directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert "listening" not in result.stderr
