"""Register one run folder with PRISM without leaving anything half-done behind (cli.md §4).

Order matters: the archive is packed and hashed *before* the run record exists, so a local
failure (unreadable file, secret found, disk full) leaves nothing on the server. Once the record
exists, any failure of the upload (or Ctrl-C) deletes it again; if even that fails, the error
names the orphaned id and the exact command that deletes it.

``POST /runs`` happens once per command: it carries an ``Idempotency-Key`` (random per command,
the same on its retry: a run record has no journal, and registering a folder again on purpose
must make a new record); when its answer is lost, the list is watched for up to
``LOST_ANSWER_WAIT`` seconds, and the POST is sent again (same key) only when the list still
shows no such record.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .archive import (
    ArchiveInfo,
    pack_directory,
    plan_archive,
    scan_file,
    scan_secrets,
    secret_refusal,
)
from .errors import (
    ArchiveError,
    ChecksumError,
    CliError,
    NotFoundError,
    PrismError,
    ServerError,
    StorageError,
)
from .output import info, warn
from .prism import LOST_ANSWER_WAIT, PrismClient
from .runfolder import CONFIG, DATASET_FILE, SYSTEM_DESC, RunFolder


@dataclass(frozen=True)
class ArchivePlan:
    top: str
    files: list[tuple[str, int]]

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size in self.files)


def _extra_files(run: RunFolder, workdir: Path) -> dict[str, Path]:
    """Files the archive carries beside the folder's own (never written into the folder).

    The system description it was validated with (folder or --system-desc), and the dataset
    file's identity recorded now, while the dataset is readable (``dataset_file.json``).
    """
    extra = {SYSTEM_DESC: run.system_desc_path}
    identity = run.dataset_file
    if identity is not None:
        record = workdir / DATASET_FILE
        record.write_text(json.dumps(identity, indent=2) + "\n", encoding="utf-8")
        # Dated like the config it describes: packing the same folder again gives the same bytes.
        config_mtime = (run.path / CONFIG).stat().st_mtime
        os.utime(record, (config_mtime, config_mtime))
        extra[DATASET_FILE] = record
    return extra


def describe_dataset(run: RunFolder) -> str | None:
    """One line for the user: which dataset file the run is recorded with."""
    identity = run.dataset_file
    if identity is None:
        return None
    facts = ""
    if "size_bytes" in identity:
        facts = f" ({identity['size_bytes']} bytes"
        facts += f", sha256 {identity['sha256']})" if "sha256" in identity else ")"
    else:
        facts = " (not readable here: recorded by path only)"
    return f"dataset {run.dataset}: {identity['path']}{facts}"


def _check_required_kept(run: RunFolder, kept: set[str]) -> None:
    required = [CONFIG]
    if run.summary_path is not None:
        required.append(run.summary_name)
    for relpath in required:
        if relpath not in kept:
            raise ArchiveError(
                f"--exclude would leave {relpath} out of the archive, but the run needs it",
                hint="narrow the --exclude pattern",
            )


def archive_plan(run: RunFolder, exclude: Sequence[str], workdir: Path) -> ArchivePlan:
    """What ``runs create`` would pack (for --dry-run), after the same checks as packing."""
    extra = _extra_files(run, workdir)
    files = [(rel, size) for rel, size in plan_archive(run.path, exclude) if rel not in extra]
    _check_required_kept(run, {rel for rel, _ in files})
    # Before anything is printed: the folder, and the system description wherever it lives.
    hits = scan_secrets(run.path, exclude)
    for hit in scan_file(run.system_desc_path, SYSTEM_DESC):
        if hit not in hits:
            hits.append(hit)
    if hits:
        raise secret_refusal(hits, what=str(run.path))
    files.extend((rel, path.stat().st_size) for rel, path in extra.items())
    return ArchivePlan(run.path.name, sorted(files))


def pack_run(run: RunFolder, workdir: Path, exclude: Sequence[str]) -> ArchiveInfo:
    """Pack the run folder into ``workdir`` (members under the folder's real name)."""
    top = run.path.name
    _check_required_kept(run, {rel for rel, _ in plan_archive(run.path, exclude)})
    return pack_directory(
        run.path,
        workdir / f"{top}.tar.gz",
        arcname=top,
        exclude=exclude,
        progress_label=f"packing {top}",
        extra_files=_extra_files(run, workdir),
    )


def _same_instant(a: Any, b: Any) -> bool:
    try:
        return dt.datetime.fromisoformat(
            str(a).replace("Z", "+00:00")
        ) == dt.datetime.fromisoformat(str(b).replace("Z", "+00:00"))
    except ValueError:
        return False


def _same_times(run: dict[str, Any], payload: dict[str, Any]) -> bool:
    return _same_instant(run.get("started_at"), payload["started_at"]) and _same_instant(
        run.get("finished_at"), payload["finished_at"]
    )


def _find_created(
    client: PrismClient, known_ids: set[str], payload: dict[str, Any]
) -> dict[str, Any] | None:
    """After a POST with unknown outcome: the one new record that matches ours, if any."""
    matches = [
        run
        for run in client.list_runs()
        if run.get("id") not in known_ids and _same_times(run, payload)
    ]
    if len(matches) > 1:
        ids = ", ".join(str(run.get("id")) for run in matches)
        raise CliError(
            f"PRISM now lists several new run records for this folder ({ids}); cannot tell "
            "which one this command created",
            hint="keep one and delete the others with `endpoints-submission-cli runs delete "
            "--run-id ID`",
        )
    return matches[0] if matches else None


def create_record(client: PrismClient, payload: dict[str, Any]) -> dict[str, Any]:
    """POST /runs once; if the outcome is unknown, look for the record instead of re-posting.

    The POST is sent a second time only when the list, watched for ``LOST_ANSWER_WAIT``
    seconds, shows the server never recorded the first one.
    """
    existing = client.list_runs()
    for run in existing:
        if _same_times(run, payload):
            warn(
                f"run {run.get('id')} has the same start and end time: this folder may be "
                "registered already (this creates a second record)"
            )
    known_ids = {run.get("id") for run in existing}
    key = f"runs-create-{uuid.uuid4().hex}"
    for attempt in (1, 2):
        try:
            created = client.create_run(payload, idempotency_key=key)
            break
        except PrismError as err:
            if not err.outcome_unknown:
                raise
            info(
                f"the answer to POST /runs was lost ({err.message}); looking for the record "
                f"(up to {LOST_ANSWER_WAIT:.0f} s)"
            )
            try:
                found = client.poll_after_lost_answer(
                    lambda: _find_created(client, known_ids, payload)
                )
            except PrismError:
                err.message += (
                    "\nwhether PRISM created the run record is unknown, and listing runs failed too"
                )
                err.hint = (
                    "check `endpoints-submission-cli runs list` before running the command again"
                )
                raise err from None
            if found is not None:
                info(f"the connection failed after creating run {found['id']}; continuing with it")
                return found
            if attempt == 1:
                info("PRISM lists no record from that request: sending it once more (same key)")
                continue
            err.message += (
                f"\nPRISM listed no new run record during {LOST_ANSWER_WAIT:.0f} s after each of "
                "two tries, so none was registered"
            )
            err.hint = (
                "run the command again later; `endpoints-submission-cli runs list` shows whether "
                "a record arrived after all"
            )
            raise
    if isinstance(created, dict) and created.get("id"):
        return created
    # A 2xx without the record in the body: find it the same way as after a lost answer.
    found = client.poll_after_lost_answer(lambda: _find_created(client, known_ids, payload))
    if found is None:
        raise ServerError(
            "PRISM accepted the run but did not say its id, and no new run is listed",
            hint="check `endpoints-submission-cli runs list` before running the command again",
        )
    return found


def upload_archive(client: PrismClient, run_id: str, archive: ArchiveInfo) -> dict[str, Any]:
    """Upload to a signed URL and make sure PRISM stored exactly our bytes.

    A 403 from storage usually means the signed URL expired (slow network, long queue): ask
    PRISM for a fresh URL once before giving up.
    """
    for attempt in (1, 2):
        url = client.run_upload_url(run_id)["upload_url"]
        try:
            stored = client.upload_file(
                url,
                archive.path,
                size=archive.size,
                progress_label=f"uploading {archive.path.name}",
            )
            break
        except StorageError as err:
            if err.status == 403 and attempt == 1:
                info("the signed upload URL was refused (expired?); asking PRISM for a fresh one")
                continue
            raise
    sha = stored.get("archive_sha256") or client.get_run(run_id).get("archive_sha256")
    if sha is not None and sha != archive.sha256:
        raise ChecksumError(
            f"PRISM stored an archive with SHA-256 {sha}, "
            f"but the uploaded one has {archive.sha256}",
            hint="run the command again",
        )
    return stored


def _rollback(client: PrismClient, run_id: str, cause: BaseException) -> None:
    """Delete the record whose archive did not make it; raise the right error either way."""
    try:
        client.delete_run(run_id)
    except NotFoundError:
        pass  # gone already: an earlier try whose answer was lost deleted it
    except Exception as delete_error:  # noqa: BLE001 - any failure here means an orphan
        reason = delete_error.message if isinstance(delete_error, CliError) else delete_error
        what = cause.message if isinstance(cause, CliError) else "the command was interrupted"
        raise CliError(
            f"{what}\nthe run record {run_id} was created, but its archive did not arrive and "
            f"deleting the record failed too ({reason}): run {run_id} is orphaned on PRISM",
            hint=f"delete it with: endpoints-submission-cli runs delete --run-id {run_id}",
        ) from None
    if isinstance(cause, CliError):
        cause.message += f"\nthe run record {run_id} was deleted again: nothing was registered"
        raise cause
    info(f"run record {run_id} deleted again: nothing was registered")
    raise cause


def register_run(
    client: PrismClient, payload: dict[str, Any], archive: ArchiveInfo
) -> dict[str, Any]:
    """POST the record, upload its archive, return the final RunOut."""
    record = create_record(client, payload)
    run_id = record["id"]
    try:
        stored = upload_archive(client, run_id, archive)
    except BaseException as cause:
        _rollback(client, run_id, cause)
        raise  # _rollback always raises; this keeps type checkers informed
    try:
        return client.get_run(run_id)
    except PrismError:  # registered all the same: report what we know rather than fail
        return {**record, **stored}
