"""The HTTP face of prism-server: prism-api.md's endpoints as a FastAPI application.

Handlers only translate between HTTP and :mod:`prism_server.store` / :mod:`prism_server.blobs`.
Every error body is ``{"detail": "<text>"}``, validation errors included (FastAPI's list of
errors is turned into one readable line naming the field).

Storage lives under ``/storage/{runs|submissions}/{id}/archive``: PUT uploads, GET downloads,
both only with a valid signature (``expires`` and ``signature`` query parameters) and never with
an API key, as with a real object store.
"""

# No `from __future__ import annotations` here: FastAPI must see the real annotations of the
# handlers defined inside create_app(), whose dependencies are closures over the store.
import hashlib
import html
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from prism_server import compliance
from prism_server.blobs import ArchiveRejected, BlobStore, Upload
from prism_server.models import (
    DownloadUrl,
    ErrorOut,
    RunCreate,
    RunOut,
    RunPage,
    StoredArchive,
    SubmissionCreate,
    SubmissionDetail,
    SubmissionOut,
    SubmissionPage,
    SubmissionUpdate,
    UploadUrl,
)
from prism_server.signing import Signer, load_or_create_secret
from prism_server.store import (
    Conflict,
    Forbidden,
    InProgress,
    Invalid,
    NotFound,
    Store,
    StoreError,
)

log = logging.getLogger("prism_server")

DB_FILE = "prism.sqlite3"
KINDS = ("runs", "submissions")
WRITE_BATCH = 1024 * 1024


@dataclass
class ServerConfig:
    data_dir: Path
    public_url: str | None = None
    signed_url_ttl: int = 3600
    run_expiry_days: float = 30.0
    max_upload_bytes: int = 16 * 1024**3
    max_json_bytes: int = 8 * 1024**2
    upload_idle_timeout: float = 60.0
    enable_fault_injection: bool = False


def open_store(data_dir: Path, *, run_expiry_days: float = 30.0) -> Store:
    """The data dir's database (created on first use); also what `token create` uses."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return Store(data_dir / DB_FILE, run_expiry_days=run_expiry_days)


STATUS_OF = {Forbidden: 403, NotFound: 404, Conflict: 409, Invalid: 422}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing, unknown or revoked API key"},
    404: {"model": ErrorOut, "description": "no such object for this user"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ErrorOut}}
REVIEW_ONLY: dict[int | str, dict[str, Any]] = {
    403: {
        "model": ErrorOut,
        "description": "status FINALIZED or PUBLISHED: set by PRISM's review, not the submitter",
    }
}
CREATE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {
        "model": ErrorOut,
        "description": "the first request with this Idempotency-Key is still being processed",
    },
    422: {
        "model": ErrorOut,
        "description": "invalid body, or an Idempotency-Key already used for a different request",
    },
}
MAX_IDEMPOTENCY_KEY = 255

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Up to 255 printable ASCII characters. A repeated key with the same body "
        "answers the record the first request created (201, same body) instead of creating "
        "another; the same key with a different body is 422; while the first request with the "
        "key is still running, 409. Keys are kept per user.",
    ),
]
PageLimit = Annotated[int, Query(ge=1, le=10000, description="Page size (1 to 10000).")]
PageCursor = Annotated[
    str | None,
    Query(
        max_length=1024,
        description="The `next` of the previous page, unchanged; absent for the first page.",
    ),
]


class JsonBodyLimit:
    """ASGI middleware: API request bodies (everything but signed storage) are read here, up to
    ``max_bytes``, and refused with 413 beyond it, whatever Content-Length said, or with 408
    when the client sends nothing for ``idle_timeout`` seconds."""

    def __init__(self, app: Any, max_bytes: int, idle_timeout: float):
        self.app = app
        self.max_bytes = max_bytes
        self.idle_timeout = idle_timeout

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/storage/"):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = None
            with anyio.move_on_after(self.idle_timeout):
                message = await receive()
            if message is None:
                await _refuse(send, 408, f"request body stalled for {self.idle_timeout:g} s")
                return
            if message["type"] != "http.request":
                return  # the client went away; nothing to answer
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await _refuse(
                    send,
                    413,
                    f"request body exceeds this server's limit of {self.max_bytes} bytes "
                    "for API requests; send less data",
                )
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Any, status: int, detail: str) -> None:
    """Answer ``{"detail": ...}`` and close the connection (the body was not read to its end)."""
    payload = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def create_app(config: ServerConfig) -> Any:
    """The ASGI application; wrapped in the fault injector when that is enabled."""
    data_dir = config.data_dir
    store = open_store(data_dir, run_expiry_days=config.run_expiry_days)
    blobs = BlobStore(data_dir)
    for removed in blobs.recover(store.referenced_archives()):
        log.warning("removed leftover %s from an interrupted upload", removed)
    for expired in store.sweep_expired():
        blobs.remove(expired)
    store.release_abandoned_idempotency_keys()
    signer = Signer(load_or_create_secret(data_dir), config.signed_url_ttl)
    api_key = APIKeyHeader(name="X-API-Key", auto_error=False)

    app = FastAPI(
        title="PRISM (prism-server, local)",
        version="1",
        description="The PRISM API of MLCommons, served locally for tests and rehearsals.",
        # Swagger UI and ReDoc load their scripts from a CDN, so they are blank offline, and no
        # installed package ships their assets: /docs is a plain page built from the schema.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(
        JsonBodyLimit, max_bytes=config.max_json_bytes, idle_timeout=config.upload_idle_timeout
    )

    # -- errors -------------------------------------------------------------------------

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, err: StoreError) -> JSONResponse:
        status = next(STATUS_OF[cls] for cls in type(err).__mro__ if cls in STATUS_OF)
        retry = {"Retry-After": "1"} if isinstance(err, InProgress) else None
        return JSONResponse({"detail": str(err)}, status_code=status, headers=retry)

    @app.exception_handler(ArchiveRejected)
    async def archive_rejected(_request: Request, err: ArchiveRejected) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, err: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": str(err.detail)}, status_code=err.status_code, headers=err.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, err: RequestValidationError) -> JSONResponse:
        detail = readable_errors(err.errors()).encode("utf-8", "backslashreplace").decode()
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, err: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse({"detail": "internal server error"}, status_code=500)

    # -- auth and housekeeping ----------------------------------------------------------

    def current_user(token: Annotated[str | None, Depends(api_key)]) -> str:
        if not token:
            raise HTTPException(401, "missing API key: send it in the X-API-Key header")
        user = store.user_for_token(token)
        if user is None:
            raise HTTPException(401, "unknown or revoked API key")
        for path in store.sweep_expired():
            blobs.remove(path)
        return user

    User = Annotated[str, Depends(current_user)]

    def signed(request: Request, method: str, kind: str, object_id: str) -> str:
        base = config.public_url or str(request.base_url)
        return signer.sign(base, method, f"/storage/{kind}/{object_id}/archive")

    def uri(kind: str, object_id: str) -> str:
        return f"prism-local://{kind}/{object_id}/archive.tar.gz"

    # -- runs -----------------------------------------------------------------------------

    def idempotent(
        user: str, key: str | None, route: str, body: Any, create: Callable[[str | None], dict]
    ) -> dict:
        """Run ``create`` at most once per (user, Idempotency-Key); a repeat gets its answer."""
        if key is None:
            return create(None)
        if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isascii() or not key.isprintable():
            raise Invalid(
                "Idempotency-Key header: must be 1 to 255 printable ASCII characters "
                f"(got {len(key)} characters)"
            )
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True)
        fingerprint = hashlib.sha256(f"{route}\n{canonical}".encode()).hexdigest()
        earlier = store.claim_idempotency_key(user, key, fingerprint)
        if earlier is not None:
            return earlier
        try:
            return create(key)
        except BaseException:
            store.release_idempotency_key(user, key)
            raise

    @app.get("/runs", response_model=RunPage, responses=ERRORS, tags=["runs"])
    def list_runs(user: User, limit: PageLimit = 1000, cursor: PageCursor = None) -> Response:
        """Your runs in creation order, a page at a time: follow `next` until it is null."""
        page = store.list_runs_json(user, limit=limit, cursor=cursor)
        return Response(page, media_type="application/json")

    @app.post(
        "/runs", response_model=RunOut, status_code=201, responses=CREATE_ERRORS, tags=["runs"]
    )
    def create_run(body: RunCreate, user: User, idempotency_key: IdempotencyKey = None) -> dict:
        return idempotent(
            user,
            idempotency_key,
            "POST /runs",
            body,
            lambda key: store.create_run(user, body.model_dump(), idempotency_key=key),
        )

    @app.get("/runs/{run_id}", response_model=RunOut, responses=ERRORS, tags=["runs"])
    def get_run(run_id: str, user: User) -> dict:
        return store.get_run(user, run_id)

    @app.delete(
        "/runs/{run_id}",
        status_code=204,
        response_class=Response,
        responses={**ERRORS, **CONFLICT},
        tags=["runs"],
    )
    def delete_run(run_id: str, user: User) -> Response:
        blobs.remove(store.delete_run(user, run_id))
        return Response(status_code=204)

    @app.patch("/runs/{run_id}/pin", response_model=RunOut, responses=ERRORS, tags=["runs"])
    def pin_run(run_id: str, user: User) -> dict:
        return store.set_pinned(user, run_id, True)

    @app.patch("/runs/{run_id}/unpin", response_model=RunOut, responses=ERRORS, tags=["runs"])
    def unpin_run(run_id: str, user: User) -> dict:
        return store.set_pinned(user, run_id, False)

    @app.get(
        "/runs/{run_id}/archive/upload-url",
        response_model=UploadUrl,
        responses={**ERRORS, **CONFLICT},
        tags=["runs"],
    )
    def run_upload_url(run_id: str, user: User, request: Request) -> dict:
        store.check_run_archive_writable(user, run_id)
        return {
            "upload_url": signed(request, "PUT", "runs", run_id),
            "expires_in": signer.ttl,
            "archive_uri": uri("runs", run_id),
        }

    @app.get("/runs/{run_id}/archive", response_model=DownloadUrl, responses=ERRORS, tags=["runs"])
    def run_download_url(run_id: str, user: User, request: Request) -> dict:
        if store.get_run(user, run_id)["archive_uri"] is None:
            raise NotFound(f"run {run_id} has no archive")
        return {"download_url": signed(request, "GET", "runs", run_id), "expires_in": signer.ttl}

    @app.delete(
        "/runs/{run_id}/archive",
        status_code=204,
        response_class=Response,
        responses={**ERRORS, **CONFLICT},
        tags=["runs"],
    )
    def delete_run_archive(run_id: str, user: User) -> Response:
        blobs.remove(store.clear_run_archive(user, run_id))
        return Response(status_code=204)

    # -- submissions ----------------------------------------------------------------------

    @app.get(
        "/submissions",
        response_model=SubmissionPage,
        responses=ERRORS,
        tags=["submissions"],
    )
    def list_submissions(user: User, limit: PageLimit = 1000, cursor: PageCursor = None) -> dict:
        """Your submissions in creation order, a page at a time: follow `next` until null."""
        return store.list_submissions(user, limit=limit, cursor=cursor)

    @app.post(
        "/submissions",
        response_model=SubmissionOut,
        status_code=201,
        responses=CREATE_ERRORS,
        tags=["submissions"],
    )
    def create_submission(
        body: SubmissionCreate, user: User, idempotency_key: IdempotencyKey = None
    ) -> dict:
        return idempotent(
            user,
            idempotency_key,
            "POST /submissions",
            body,
            lambda key: store.create_submission(
                user, body.model_dump(mode="json"), idempotency_key=key
            ),
        )

    @app.get(
        "/submissions/{sub_id}",
        response_model=SubmissionDetail,
        responses=ERRORS,
        tags=["submissions"],
    )
    def get_submission(sub_id: str, user: User, include_runs: bool = False) -> dict:
        return store.get_submission(user, sub_id, include_runs=include_runs)

    @app.patch(
        "/submissions/{sub_id}",
        response_model=SubmissionOut,
        responses={**ERRORS, **CONFLICT, **REVIEW_ONLY},
        tags=["submissions"],
    )
    def update_submission(sub_id: str, body: SubmissionUpdate, user: User) -> dict:
        changes = body.model_dump(mode="json", exclude_unset=True)
        return store.update_submission(user, sub_id, changes)

    @app.delete(
        "/submissions/{sub_id}",
        response_model=SubmissionOut,
        responses={**ERRORS, **CONFLICT},
        tags=["submissions"],
    )
    def withdraw_submission(sub_id: str, user: User) -> dict:
        return store.withdraw_submission(user, sub_id)

    @app.post(
        "/submissions/{sub_id}/runs/{run_id}",
        response_model=SubmissionOut,
        responses={**ERRORS, **CONFLICT},
        tags=["submissions"],
    )
    def add_submission_run(sub_id: str, run_id: str, user: User) -> dict:
        return store.add_submission_run(user, sub_id, run_id)

    @app.delete(
        "/submissions/{sub_id}/runs/{run_id}",
        response_model=SubmissionOut,
        responses={**ERRORS, **CONFLICT},
        tags=["submissions"],
    )
    def remove_submission_run(sub_id: str, run_id: str, user: User) -> dict:
        return store.remove_submission_run(user, sub_id, run_id)

    @app.get(
        "/submissions/{sub_id}/archive/upload-url",
        response_model=UploadUrl,
        responses={**ERRORS, **CONFLICT},
        tags=["submissions"],
    )
    def submission_upload_url(sub_id: str, user: User, request: Request) -> dict:
        store.check_bundle_accepted(user, sub_id)
        return {
            "upload_url": signed(request, "PUT", "submissions", sub_id),
            "expires_in": signer.ttl,
            "archive_uri": uri("submissions", sub_id),
        }

    @app.get(
        "/submissions/{sub_id}/archive",
        response_model=DownloadUrl,
        responses=ERRORS,
        tags=["submissions"],
    )
    def submission_download_url(sub_id: str, user: User, request: Request) -> dict:
        if store.get_submission(user, sub_id)["archive_uri"] is None:
            raise NotFound(f"submission {sub_id} has no archive")
        return {
            "download_url": signed(request, "GET", "submissions", sub_id),
            "expires_in": signer.ttl,
        }

    @app.delete(
        "/submissions/{sub_id}/archive",
        status_code=204,
        response_class=Response,
        responses={**ERRORS, **CONFLICT},
        tags=["submissions"],
    )
    def delete_submission_archive(sub_id: str, user: User) -> Response:
        blobs.remove(store.clear_submission_archive(user, sub_id))
        return Response(status_code=204)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(docs_page(app.openapi()))

    # -- signed storage -------------------------------------------------------------------

    def verify_signature(request: Request, kind: str) -> None:
        if kind not in KINDS:
            raise HTTPException(404, "no such storage area")
        problem = signer.check(
            request.method,
            request.url.path,
            request.query_params.get("expires"),
            request.query_params.get("signature"),
        )
        if problem:
            raise HTTPException(403, problem)

    @app.put("/storage/{kind}/{object_id}/archive", include_in_schema=False)
    async def put_archive(kind: str, object_id: str, request: Request) -> JSONResponse:
        verify_signature(request, kind)
        length_header = request.headers.get("content-length")
        if length_header is None:
            raise HTTPException(411, "Content-Length is required for uploads")
        try:
            length = int(length_header)
        except ValueError as err:
            raise HTTPException(400, f"malformed Content-Length {length_header!r}") from err
        if length > config.max_upload_bytes:
            raise HTTPException(
                413,
                f"archive of {length} bytes exceeds this server's limit of "
                f"{config.max_upload_bytes} bytes",
            )
        store.check_upload_target(kind, object_id)
        upload = blobs.start_upload(kind, object_id, check_gzip_tar=(kind == "runs"))
        try:
            await receive_into(request, upload, length)
            await anyio.to_thread.run_sync(upload.finish)
            if kind == "runs":
                return JSONResponse(await anyio.to_thread.run_sync(store_run_archive, upload))
            return JSONResponse(await anyio.to_thread.run_sync(store_bundle, upload))
        finally:
            upload.discard()

    async def receive_into(request: Request, upload: Upload, length: int) -> None:
        """Stream the body into ``upload``, never accepting more than ``length`` bytes.

        Bytes are counted as they arrive, whatever the headers said (a chunked body behind a
        small Content-Length once wrote a 49 MB ``.part``), and a body that stalls for
        ``upload_idle_timeout`` seconds is abandoned so its ``.part`` is released.
        """
        pending = bytearray()  # batch uvicorn's ~64 KiB pieces: one thread hop per MiB
        received = 0
        chunks = request.stream().__aiter__()
        try:
            while True:
                with anyio.move_on_after(config.upload_idle_timeout) as idle:
                    try:
                        chunk = await chunks.__anext__()
                    except StopAsyncIteration:
                        break
                if idle.cancelled_caught:
                    raise HTTPException(
                        408,
                        f"upload stalled: no bytes for {config.upload_idle_timeout:g} s "
                        f"after {received} of {length} bytes; start the upload again",
                    )
                received += len(chunk)
                if received > length:
                    raise HTTPException(
                        413,
                        f"upload is longer than its Content-Length of {length} bytes "
                        f"(this server's limit is {config.max_upload_bytes} bytes); "
                        "send the archive's exact size",
                    )
                pending += chunk
                if len(pending) >= WRITE_BATCH:
                    await anyio.to_thread.run_sync(upload.write, bytes(pending))
                    pending.clear()
            if pending:
                await anyio.to_thread.run_sync(upload.write, bytes(pending))
        except ClientDisconnect as err:
            raise HTTPException(400, "upload interrupted: the connection closed early") from err
        if upload.size != length:
            raise HTTPException(
                400, f"upload truncated: got {upload.size} of {length} bytes (Content-Length)"
            )

    def store_run_archive(upload: Upload) -> dict:
        object_id = upload.object_id
        relpath = upload.commit()
        try:
            replaced = store.set_run_archive(object_id, relpath, upload.size, upload.sha256)
        except StoreError:
            blobs.remove(relpath)  # the run was deleted while its archive streamed in
            raise
        blobs.remove(replaced)
        return StoredArchive(
            archive_uri=uri("runs", object_id),
            archive_size=upload.size,
            archive_sha256=upload.sha256,
        ).model_dump(mode="json", exclude_none=True)

    def store_bundle(upload: Upload) -> dict:
        object_id = upload.object_id
        verdict = compliance.check_bundle(upload.tmp_path, blobs.scratch_dir())
        relpath = upload.commit()
        try:
            replaced, status = store.set_submission_archive(
                object_id, relpath, upload.size, upload.sha256, verdict.report, verdict.passed
            )
        except StoreError:
            blobs.remove(relpath)
            raise
        blobs.remove(replaced)
        return StoredArchive(
            archive_uri=uri("submissions", object_id),
            archive_size=upload.size,
            archive_sha256=upload.sha256,
            status=status,
            compliance_passed=verdict.passed,
        ).model_dump(mode="json", exclude_none=True)

    @app.get("/storage/{kind}/{object_id}/archive", include_in_schema=False)
    def get_archive(kind: str, object_id: str, request: Request) -> FileResponse:
        verify_signature(request, kind)
        stored = store.archive_of(kind, object_id)
        if stored is None or not blobs.path(stored[0]).is_file():
            raise NotFound(f"{kind[:-1]} {object_id} has no archive")
        return FileResponse(
            blobs.path(stored[0]),
            media_type="application/octet-stream",
            headers={"X-Archive-SHA256": stored[2]},
        )

    if config.enable_fault_injection:
        from prism_server.faults import FaultInjector

        return FaultInjector(app)
    return app


def readable_errors(errors: Any) -> str:
    """FastAPI's list of validation errors as one line: ``division: Input should be ...``."""
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            parts.append(f"request body is not valid JSON ({reason})".replace(" ()", ""))
            continue
        location = [str(item) for item in error.get("loc", ()) if item != "body"]
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        where = ".".join(location) or "body"
        value = error.get("input")
        shown = f" (got {value!r})" if isinstance(value, (str, int, float)) and location else ""
        parts.append(f"{where}: {message}{shown}")
    return "; ".join(parts) or "invalid request"


def docs_page(schema: dict) -> str:
    """An offline HTML page listing the endpoints of ``schema``; /openapi.json has the detail."""
    rows = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            summary = operation.get("summary") or ""
            params = ", ".join(p["name"] for p in operation.get("parameters", ()))
            rows.append(
                f"<tr><td><code>{html.escape(method.upper())}</code></td>"
                f"<td><code>{html.escape(path)}</code></td><td>{html.escape(summary)}</td>"
                f"<td>{html.escape(params)}</td></tr>"
            )
    title = html.escape(schema.get("info", {}).get("title", "API"))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h1>{title}</h1><p>The full schema, with every request and response shape, is "
        "<a href='/openapi.json'>/openapi.json</a> (load it into any OpenAPI viewer). Calls "
        "need the <code>X-API-Key</code> header.</p>"
        "<table border='1' cellpadding='4'><tr><th>method</th><th>path</th><th>summary</th>"
        f"<th>parameters</th></tr>{''.join(rows)}</table></body></html>"
    )
