"""``prism-server``: serve the local PRISM, and manage its API tokens."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

# Only the database: the HTTP app (FastAPI, pydantic, the checker) is imported by `serve`
# alone, so `token` and `admin` commands and every --help start in a fraction of the time.
from prism_server.store import DB_FILE, Store, StoreError, open_store

DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("prism-data"),
    show_default=True,
    envvar="PRISM_SERVER_DATA_DIR",
    help="Where the database, the signing key and the archives live (env PRISM_SERVER_DATA_DIR).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="endpoints-submission-cli")
def main() -> None:
    """A local PRISM server that speaks the real API, for tests and offline rehearsals."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="TCP port, 0 to 65535; 0 picks a free port.",
)
@DATA_DIR
@click.option(
    "--public-url",
    help="Base of the signed upload/download URLs (default: the URL each request came to).",
)
@click.option("--signed-url-ttl", default=3600, show_default=True, help="Seconds.")
@click.option(
    "--run-expiry-days",
    default=30.0,
    show_default=True,
    help="Lifetime of an unpinned run (fractions allowed).",
)
@click.option("--max-upload-bytes", default=16 * 1024**3, show_default=True)
@click.option(
    "--upload-idle-timeout",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds an upload may send nothing before it is abandoned (its .part removed).",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a connection has to send a complete request head, else it is closed.",
)
@click.option(
    "--keep-alive-timeout",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Seconds an idle keep-alive connection stays open.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Open connections at most; more are answered 503, as are requests beyond it.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes sharing the port and the data dir (SQLite WAL), so requests use "
    "more than one core; --max-connections is split evenly between them.",
)
@click.option(
    "--enable-fault-injection",
    is_flag=True,
    help="Expose /_faults so tests can make requests fail (see prism_server.faults).",
)
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the server's base URL to this file once the port is bound.",
)
@click.option("--log-level", default="warning", show_default=True)
def serve(
    host: str,
    port: int,
    data_dir: Path,
    public_url: str | None,
    signed_url_ttl: int,
    run_expiry_days: float,
    max_upload_bytes: int,
    upload_idle_timeout: float,
    header_timeout: float,
    keep_alive_timeout: int,
    max_connections: int,
    workers: int,
    enable_fault_injection: bool,
    ready_file: Path | None,
    log_level: str,
) -> None:
    """Serve the PRISM API on HOST:PORT with its state in DATA_DIR."""
    if workers > 1 and enable_fault_injection:
        raise click.UsageError(
            "--enable-fault-injection needs --workers 1: fault rules live in one process's memory"
        )
    if workers > 1 and not hasattr(os, "fork"):
        raise click.UsageError("--workers above 1 needs os.fork (Linux, macOS); use --workers 1")
    if workers > max_connections:
        raise click.UsageError(
            f"--workers {workers} is more than --max-connections {max_connections}; "
            "each worker needs at least one connection"
        )
    import logging.config
    import socket

    import uvicorn

    from prism_server.app import ServerConfig, create_app
    from prism_server.serving import (
        MAX_REQUEST_HEAD_BYTES,
        bounded_protocol,
        log_config,
        run_workers,
    )

    logging.config.dictConfig(log_config(log_level))
    config = ServerConfig(
        data_dir=data_dir,
        public_url=public_url.rstrip("/") if public_url else None,
        signed_url_ttl=signed_url_ttl,
        run_expiry_days=run_expiry_days,
        max_upload_bytes=max_upload_bytes,
        upload_idle_timeout=upload_idle_timeout,
        enable_fault_injection=enable_fault_injection,
    )
    try:
        lock = _lock_data_dir(data_dir)
        app = create_app(config)
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # says TCP, and without it every response waits ~40 ms for a delayed ACK.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except (OSError, RuntimeError) as err:
        raise click.ClickException(f"cannot start on {host}:{port}: {err}") from err
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{sock.getsockname()[1]}"
    if ready_file:
        try:
            ready_file.write_text(url)
        except OSError as err:
            sock.close()
            lock.close()
            raise click.ClickException(
                f"cannot write --ready-file {ready_file}: {err.strerror or err}; "
                "pass a file in a directory you can write to"
            ) from err
    shown_workers = f", {workers} workers" if workers > 1 else ""
    click.echo(f"prism-server listening on {url} (data dir {data_dir}{shown_workers})", err=True)
    per_worker = max_connections // workers  # the cap holds for all workers together

    def one_server() -> uvicorn.Server:
        return uvicorn.Server(
            uvicorn.Config(
                app,
                http=bounded_protocol(header_timeout=header_timeout, max_connections=per_worker),
                log_config=None,  # configured above, with secrets redacted from every record
                log_level=log_level,
                lifespan="off",
                access_log=log_level.lower() in ("info", "debug", "trace"),
                timeout_keep_alive=keep_alive_timeout,
                limit_concurrency=per_worker,
                h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
            )
        )

    # Start-up clean-up (leftover uploads, expired runs, abandoned keys) ran once, in
    # create_app, before any worker exists; the workers inherit the data dir's lock.
    run_workers(one_server, sock, workers)
    lock.close()


def _lock_data_dir(data_dir: Path):  # noqa: ANN202 - an open file, kept for the lock's sake
    """One server per data dir: start-up clean-up would otherwise delete the other server's
    uploads in flight. The kernel drops the lock when the process dies, even by SIGKILL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / "server.lock", "a")  # noqa: SIM115 - held for the server's life
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; run one server per data dir yourself
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RuntimeError(f"another prism-server is already serving {data_dir}") from None
    return handle


@main.group()
def token() -> None:
    """Create, list and revoke API tokens (stored as SHA-256 hashes only)."""


@token.command("create")
@click.option("--user", required=True, help="User name; created on first use.")
@DATA_DIR
@click.option(
    "--create",
    "create_data_dir",
    is_flag=True,
    help="Make a new data dir (and database) if DATA_DIR has none yet.",
)
def token_create(user: str, data_dir: Path, create_data_dir: bool) -> None:
    """Print a new token for USER on stdout (shown once: it is only stored hashed)."""
    store = open_store(data_dir) if create_data_dir else _existing_store(data_dir, can_create=True)
    try:
        token_id, value = store.create_token(user)
    except StoreError as err:
        raise click.ClickException(str(err)) from err
    click.echo(
        f"created token {token_id} for user {user} in {store.db_path.resolve()}; "
        "it is not shown again",
        err=True,
    )
    click.echo(value)


def _existing_store(data_dir: Path, *, can_create: bool = False) -> Store:
    """The data dir's database, refusing to make a new one: a token written into a fresh
    database by a typo would be one the running server rejects."""
    if not (data_dir / DB_FILE).is_file():
        raise click.ClickException(
            f"no prism-server database in {data_dir} ({data_dir / DB_FILE} does not exist); "
            "pass the --data-dir the server uses"
            + (", or add --create to start a new one" if can_create else "")
        )
    return open_store(data_dir)


@token.command("list")
@DATA_DIR
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def token_list(data_dir: Path, as_json: bool) -> None:
    """List token ids, users and prefixes (never the tokens themselves)."""
    tokens = _existing_store(data_dir).list_tokens()
    if as_json:
        click.echo(json.dumps(tokens, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "user", "prefix", "created", "revoked")
    for item in tokens:
        table.add_row(
            item["id"],
            item["user_id"],
            item["prefix"] + "…",
            item["created_at"],
            item["revoked_at"] or "",
        )
    Console(file=sys.stdout).print(table)


@token.command("revoke")
@click.argument("token_id")
@DATA_DIR
def token_revoke(token_id: str, data_dir: Path) -> None:
    """Revoke the token TOKEN_ID (see `token list`); requests with it get 401."""
    try:
        _existing_store(data_dir).revoke_token(token_id)
    except StoreError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"revoked {token_id}", err=True)


@main.group()
def admin() -> None:
    """The review side of PRISM: what no submitter's token may do."""


@admin.command("set-status")
@click.argument("submission_id")
@click.argument("status", type=click.Choice(["FINALIZED", "PUBLISHED", "WITHDRAWN"]))
@DATA_DIR
def admin_set_status(submission_id: str, status: str, data_dir: Path) -> None:
    """Move SUBMISSION_ID to STATUS: REVIEW_PENDING → FINALIZED → PUBLISHED, or WITHDRAWN
    before PUBLISHED. Works while the server runs (same database)."""
    store = _existing_store(data_dir)
    try:
        moved = store.review_set_status(submission_id, status)
    except StoreError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"submission {submission_id} is {moved['status']} ({store.db_path})", err=True)
