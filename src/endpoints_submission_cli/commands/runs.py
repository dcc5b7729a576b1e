"""``runs list|create|get|delete|pin|unpin`` (cli.md §4): parse options, call, print."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..context import AppContext, json_option, pass_app, token_option
from ..errors import ConflictError
from ..output import (
    describe_download,
    info,
    print_fields,
    print_json,
    print_table,
    stream_json_list,
    warn,
)

RUN_ID = click.option("--run-id", required=True, metavar="ID", help="The run's PRISM id.")


@click.group()
def runs() -> None:
    """Benchmark runs stored in PRISM."""


def _run_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r.get("id"),
            r.get("model"),
            r.get("concurrency"),
            r.get("started_at"),
            "yes" if r.get("pinned") else "no",
            r.get("expires_at") or "never",
        ]
        for r in items
    ]


def _print_run(record: dict[str, Any]) -> None:
    config = record.get("config") or {}
    system = record.get("system_info") or {}
    print_fields(
        [
            ("id", record.get("id")),
            ("model", record.get("model") or (config.get("model_params") or {}).get("name")),
            ("concurrency", record.get("concurrency")),
            ("round", "v1.0 (point.yaml)" if record.get("point_config") else "v0.7"),
            ("test run", "yes" if record.get("is_test") else "no"),
            ("system", system.get("system_name")),
            ("started", record.get("started_at")),
            ("finished", record.get("finished_at")),
            ("pinned", "yes" if record.get("pinned") else "no"),
            ("expires", record.get("expires_at") or "never"),
            ("benchmark version", record.get("benchmark_version")),
            ("archive bytes", record.get("archive_size")),
            ("archive sha256", record.get("archive_sha256")),
            ("created", record.get("created_at")),
        ]
    )


def _future_iso(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 date-time") from None
    if when.tzinfo is None:
        # the example is the same moment with an offset, in a form this option accepts
        in_utc = when.replace(tzinfo=dt.timezone.utc).isoformat()
        raise click.BadParameter(f"{value!r} has no timezone; add one, e.g. {in_utc}")
    if when <= dt.datetime.now(dt.timezone.utc):
        raise click.BadParameter(f"{value!r} is in the past")
    return when.isoformat()


@runs.command("list")
@token_option
@json_option
@pass_app
def list_runs(app: AppContext, token: str | None, as_json: bool) -> None:
    """List your runs: id, model, concurrency, started, pinned, expires."""
    with app.client(token) as client:
        if as_json:  # printed while the pages arrive; a failure midway still exits 1
            stream_json_list(client.iter_list("runs"))
            return
        items = client.list_runs()
    if not items:
        info("no runs")
    else:
        print_table(
            ["id", "model", "concurrency", "started", "pinned", "expires"], _run_rows(items)
        )


@runs.command("create")
@click.option(
    "--path",
    "folder",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The run's report folder (written by inference-endpoint).",
)
@click.option(
    "--system-desc",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="System description JSON (default: system_desc.json in the folder).",
)
@click.option(
    "--expires-at",
    callback=_future_iso,
    metavar="ISO",
    help="When PRISM may delete the run (ISO-8601 with timezone).",
)
@click.option("--pinned", is_flag=True, help="Keep the run until unpinned (no expiry).")
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave matching files out of the archive (repeatable).",
)
@click.option(
    "--dry-run", is_flag=True, help="Validate, print payload and archive plan; send nothing."
)
@click.option(
    "--test", "is_test", is_flag=True, help="Mark the run as a test run (round v1.0 folders)."
)
@token_option
@json_option
@pass_app
def create_run(
    app: AppContext,
    folder: Path,
    system_desc: Path | None,
    expires_at: str | None,
    pinned: bool,
    exclude: tuple[str, ...],
    dry_run: bool,
    is_test: bool,
    token: str | None,
    as_json: bool,
) -> None:
    """Validate a run folder, pack it, register it and upload the archive; print the run id.

    A folder with a point.yaml is a round v1.0 run folder (checked against its config.yaml)."""
    # Imported here: packing and the secret scan are only for this command (start-up time).
    from ..registration import archive_plan, describe_dataset, pack_run, register_run
    from ..runfolder import build_run_create, read_run_folder
    from ..runfolder_v1 import (
        build_v1_run_create,
        describe_derived_power,
        is_v1_run_folder,
        read_v1_run_folder,
    )

    if pinned and expires_at:
        raise click.UsageError(
            "--pinned and --expires-at exclude each other (pinned never expires)"
        )
    if is_v1_run_folder(folder):
        v1_folder = read_v1_run_folder(folder, system_desc)
        run = v1_folder.run
        warnings = v1_folder.warnings()
        payload = build_v1_run_create(
            v1_folder,
            cli_version=__version__,
            expires_at=expires_at,
            pinned=pinned,
            is_test=is_test,
        )
    else:
        if is_test:
            raise click.UsageError("--test needs a round v1.0 run folder (one with point.yaml)")
        run = read_run_folder(folder, system_desc)
        payload = build_run_create(
            run, cli_version=__version__, expires_at=expires_at, pinned=pinned
        )
        warnings = run.warnings()
    for message in warnings:
        warn(message)
    if payload.get("system_power") and "derived" in payload["system_power"]:
        info(describe_derived_power(payload["system_power"]["derived"]))

    dataset = describe_dataset(run)
    if dataset is not None:
        info(dataset)
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="endpoints-run-") as tmp:
            plan = archive_plan(run, exclude, Path(tmp))
        if as_json:
            print_json(
                {
                    "payload": payload,
                    "archive": {
                        "top": plan.top,
                        "files": [{"path": rel, "size": size} for rel, size in plan.files],
                        "total_bytes": plan.total_bytes,
                    },
                    "warnings": warnings,
                }
            )
        else:
            print_json(payload)
            print_table(
                ["file", "bytes"], [[f"{plan.top}/{rel}", size] for rel, size in plan.files]
            )
            info(
                f"dry run: {len(plan.files)} files, {plan.total_bytes} bytes would be packed; "
                "nothing was sent"
            )
        return

    # app.client() refuses a malformed token before any packing work starts.
    with app.client(token) as client, tempfile.TemporaryDirectory(prefix="endpoints-run-") as tmp:
        archive = pack_run(run, Path(tmp), exclude)
        info(f"packed {run.path.name}: {archive.size} bytes, sha256 {archive.sha256}")
        record = register_run(client, payload, archive)
    if as_json:
        print_json(record)
    else:
        click.echo(record["id"])
    info(f"registered run {record['id']} ({run.model_name}, concurrency {run.concurrency})")


@runs.command("get")
@RUN_ID
@click.option(
    "--download-to",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also download the run's archive into DIR (size and SHA-256 verified).",
)
@token_option
@json_option
@pass_app
def get_run(
    app: AppContext, run_id: str, download_to: Path | None, token: str | None, as_json: bool
) -> None:
    """Show one run; optionally download its archive."""
    with app.client(token) as client:
        record = client.get_run(run_id)
        download = None
        if download_to is not None:
            dest = download_to / f"{run_id}.tar.gz"
            url = client.run_download_url(run_id)["download_url"]
            download = client.download_archive(
                url, dest, record=record, progress_label=f"downloading {dest.name}"
            )
    if as_json:
        print_json({**record, "download": download} if download else record)
    else:
        _print_run(record)
    if download:
        info(describe_download(download))


@runs.command("delete")
@RUN_ID
@token_option
@json_option
@pass_app
def delete_run(app: AppContext, run_id: str, token: str | None, as_json: bool) -> None:
    """Delete a run (refused while it belongs to a submission that is not withdrawn)."""
    with app.client(token) as client:
        try:
            client.delete_run(run_id)
        except ConflictError as err:
            err.message = f"cannot delete run {run_id}: {err.message}"
            err.hint = (
                "the run belongs to a live submission: remove it first (`endpoints-submission-cli "
                "submissions remove-run --submission-id ID --run-id "
                f"{run_id}`) or withdraw the submission"
            )
            raise
    if as_json:
        print_json({"id": run_id, "deleted": True})
    info(f"deleted run {run_id}")


def _pin_command(name: str, pin: bool) -> click.Command:
    @runs.command(
        name,
        help=f"{'Pin' if pin else 'Unpin'} a run "
        f"({'no expiry' if pin else 'restores the default expiry'}).",
    )
    @RUN_ID
    @token_option
    @json_option
    @pass_app
    def command(app: AppContext, run_id: str, token: str | None, as_json: bool) -> None:
        with app.client(token) as client:
            record = client.pin_run(run_id) if pin else client.unpin_run(run_id)
            record = record or client.get_run(run_id)  # an empty 200/204 is a success too
        if as_json:
            print_json(record)
        else:
            _print_run(record)

    return command


_pin_command("pin", True)
_pin_command("unpin", False)
