"""PrismClient: the only module that speaks HTTP (prism-api.md).

One ``httpx.Client`` per command. The API key travels only in the ``X-API-Key`` header of API
requests, added per request — never as a client default — so requests to signed storage URLs
cannot carry it by accident, and it never appears in a URL, a log line or an exception.

Retries follow prism-api.md: connect errors, timeouts, dropped connections, 429, 500, 502, 503
and 504 are retried with exponential backoff and full jitter, ``Retry-After`` is honoured, at
most 5 tries — but only for idempotent requests (GET, DELETE, PATCH, PUT to a signed URL). A
POST is resent only when it certainly never reached the server (connection refused) or when the
server said 429; any other failure after sending marks the error ``outcome_unknown`` so the
caller lists and matches instead of creating a duplicate. 500 is retried although the contract's
list omits it: for an idempotent request a repeat is harmless, and transient 500s are common.

Every creating POST carries the caller's ``Idempotency-Key`` (a server that honours it answers a
repeated key with the original record); lists follow ``next`` cursors page by page; an id that
could change the request's path (empty, ``..``, a slash) is refused before any request.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from . import DEFAULT_API_URL as DEFAULT_API_URL  # re-exported: the API this client speaks to
from . import __version__
from .errors import (
    AuthError,
    ChecksumError,
    ClientTooOldError,
    CliError,
    ConflictError,
    NetworkError,
    NotFoundError,
    PrismError,
    ServerError,
    StorageError,
)
from .progress import ByteProgress, byte_progress

T = TypeVar("T")
TOKEN_PATTERN = re.compile(r"mlc_[A-Za-z0-9_-]{16,}")
CHUNK = 1024 * 1024
JSON_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
TRANSFER_TIMEOUT = httpx.Timeout(300.0, connect=10.0)  # idle: a slow steady transfer never ends it
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# After a creating POST whose answer was lost, the server may still be working on it: look for the
# record this long (pauses between looks, about a minute in all — twice the read timeout) before
# deciding it was never made.
LOST_ANSWER_POLL_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
LOST_ANSWER_WAIT = sum(LOST_ANSWER_POLL_DELAYS)
LIST_PAGE_LIMIT = 1000  # the contract's default page; the server allows up to 10000
MAX_LIST_PAGES = 100_000  # a server that never stops sending cursors cannot hold us forever
# Ids are opaque to the client but always travel as one path segment: letters, digits and
# ``._:-``, starting with a letter or digit (so never "", "." or "..").
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def normalise_api_url(url: str) -> str:
    """One spelling per server: ``http://localhost:8000/`` ≡ ``http://127.0.0.1:8000``.

    Used where "the same command" must be recognised (journal names, idempotency keys), so a
    re-run that spells the server differently still finds what the first run did.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host in ("localhost", "::1", "ip6-localhost"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port is None or port == default else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def validate_id(value: str, kind: str) -> str:
    """Return ``value`` if it can be a PRISM id; refuse it before any request otherwise."""
    if not isinstance(value, str) or ID_PATTERN.fullmatch(value) is None:
        raise CliError(
            f"{kind} id {value!r} is not a valid id: expected 1 to 128 letters, digits, '.', "
            "'_', ':' or '-', starting with a letter or digit",
            hint=f"copy the id from `endpoints-submission-cli {kind}s list`",
            exit_code=2,
        )
    return value


def validate_token(token: str | None) -> str:
    """Return the token if it looks like a PRISM token; refuse it before any request otherwise."""
    if not token or not token.strip():
        raise AuthError(
            "no PRISM token: pass --token or set PRISM_USER_API_TOKEN",
            hint="create a token in the PRISM web UI (or `prism-server token create` locally)",
        )
    token = token.strip()
    if TOKEN_PATTERN.fullmatch(token) is None:
        shown = token[:4]
        raise AuthError(
            f"malformed PRISM token (starts with {shown!r}, {len(token)} characters): "
            "expected 'mlc_' followed by at least 16 letters, digits, '-' or '_'",
            hint="copy the whole token; PRISM_USER_API_TOKEN may hold a stale value",
        )
    return token


@dataclass
class RetryPolicy:
    """Backoff settings; tests pass a tiny ``base_delay`` or a recording ``sleep``."""

    max_tries: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 120.0  # a server asking for a longer pause gets an error instead
    sleep: Callable[[float], None] = field(default=time.sleep)

    def pause(self, attempt: int, retry_after: float | None) -> None:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # "equal jitter"
        if retry_after is not None:
            delay = max(delay, retry_after)
        self.sleep(delay)


DEFAULT_RETRY = RetryPolicy()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        return detail if isinstance(detail, str) else str(detail)[:300]
    return str(body)[:300]


def _network_reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for data"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection without a complete response"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return f"the connection was closed mid-transfer ({exc})"
    return f"the connection failed ({type(exc).__name__}: {exc})"


def _json(response: httpx.Response) -> Any:
    """Lenient body parsing: empty → None; a list may come bare or inside {"items": [...]}."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ServerError(
            f"PRISM answered {response.request.method} {response.request.url.path} with "
            "something that is not JSON",
            status=response.status_code,
        ) from None


def _as_list(body: Any) -> list[Any]:
    if body is None:
        return []
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    if isinstance(body, list):
        return body
    raise ServerError("PRISM answered a list request with something that is not a list")


def _signed(body: Any, key: str) -> dict[str, Any]:
    """An upload/download-URL answer, checked: callers may rely on ``body[key]``."""
    url = body.get(key) if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ServerError(f"PRISM did not answer with a usable {key}", hint="try again later")
    return body


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PrismClient:
    """Typed-by-convention access to PRISM: every method returns plain JSON data."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = validate_token(token)
        self._retry = retry
        self._http = httpx.Client(
            timeout=timeout or JSON_TIMEOUT,
            headers={"User-Agent": f"endpoints-submission-cli/{__version__}"},
            follow_redirects=False,
        )

    def __enter__(self) -> PrismClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:  # never show the token
        return f"PrismClient({self.base_url!r})"

    @property
    def retry(self) -> RetryPolicy:
        return self._retry or DEFAULT_RETRY

    # -- core ------------------------------------------------------------------------------

    def _url(self, *segments: str) -> str:
        return self.base_url + "/" + "/".join(quote(str(s), safe="") for s in segments)

    def _attempts(
        self,
        send: Callable[[], httpx.Response],
        *,
        idempotent: bool,
        what: str,
        keyed: bool = False,
    ) -> httpx.Response:
        """Run ``send`` until it gives a final answer, retrying what is safe to retry.

        ``keyed``: a POST carrying an Idempotency-Key. A 409 with ``Retry-After`` to it means
        "the first request with this key is still being processed" (only a server that honours
        keys sends it), so it is asked again after the pause: the answer will be that request's.
        """
        policy = self.retry
        for attempt in range(1, policy.max_tries + 1):
            last = attempt == policy.max_tries
            try:
                response = send()
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if (idempotent or never_sent) and not last:
                    policy.pause(attempt, None)
                    continue
                tries = f" (after {attempt} tries)" if attempt > 1 else ""
                raise NetworkError(
                    f"{what}: {_network_reason(exc)}{tries}",
                    hint="check the network and --api-url, then run the command again",
                    outcome_unknown=not (idempotent or never_sent),
                ) from None
            status = response.status_code
            in_progress = keyed and status == 409 and "retry-after" in response.headers
            if in_progress and not last:
                policy.pause(attempt, min(_retry_after(response) or 0.0, policy.max_retry_after))
                continue
            if status in RETRY_STATUSES and (idempotent or status == 429) and not last:
                retry_after = _retry_after(response)
                if retry_after is None or retry_after <= policy.max_retry_after:
                    policy.pause(attempt, retry_after)
                    continue
            return response
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def poll_after_lost_answer(self, find: Callable[[], T | None]) -> T | None:
        """Call ``find`` until it returns something or ``LOST_ANSWER_WAIT`` seconds have passed."""
        found = find()
        for delay in LOST_ANSWER_POLL_DELAYS:
            if found is not None:
                return found
            self.retry.sleep(delay)
            found = find()
        return found

    @property
    def user_fingerprint(self) -> str:
        """A one-way digest of the token: tells users apart in idempotency keys, reveals nothing."""
        return hashlib.sha256(b"endpoints-submission-cli user\0" + self._token.encode()).hexdigest()

    def _api(
        self,
        method: str,
        *segments: str,
        subject: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        url = self._url(*segments)
        idempotent = method != "POST"
        what = f"{method} {self.base_url}/{'/'.join(segments)}"
        headers = {"X-API-Key": self._token}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key

        def send() -> httpx.Response:
            return self._http.request(method, url, json=json, params=params, headers=headers)

        keyed = idempotency_key is not None
        response = self._attempts(send, idempotent=idempotent, what=what, keyed=keyed)
        if response.is_success:
            return _json(response)
        error = self._api_error(response, what=what, subject=subject, idempotent=idempotent)
        if keyed and response.status_code == 409 and "retry-after" in response.headers:
            error.outcome_unknown = True  # still being processed: it may yet create the record
        raise error

    @staticmethod
    def _api_error(
        response: httpx.Response, *, what: str, subject: str | None, idempotent: bool
    ) -> PrismError:
        status = response.status_code
        detail = _detail(response)
        if status in (401, 403):
            return AuthError(
                "authentication failed: check your PRISM token",
                hint="pass a valid token with --token or PRISM_USER_API_TOKEN",
                status=status,
            )
        if status == 404:
            return NotFoundError(
                f"no such {subject}" if subject else f"{what}: {detail}", status=status
            )
        if status == 409:
            return ConflictError(detail, status=status)
        if status == 426:
            # checker-v1.0.md A3.4: the server's own words, on one line, nothing added after.
            return ClientTooOldError(
                f"this client version is too old: {' '.join(detail.split())}", status=status
            )
        if status >= 500:
            return ServerError(
                f"{what}: PRISM server error {status}: {detail}",
                hint="PRISM is having trouble; try again in a few minutes",
                status=status,
                outcome_unknown=not idempotent,
            )
        return PrismError(f"{what}: PRISM refused the request ({status}): {detail}", status=status)

    # -- runs ------------------------------------------------------------------------------

    def _list_all(self, collection: str) -> list[dict[str, Any]]:
        """Every item of a list, following ``next`` cursors; a bare list is the whole list."""
        return list(self.iter_list(collection))

    def iter_list(self, collection: str) -> Iterator[dict[str, Any]]:
        """The items of a list as its pages arrive (``collection``: "runs" or "submissions"),
        so a long list can be printed while the next page is on its way."""
        params: dict[str, Any] = {"limit": LIST_PAGE_LIMIT}
        seen: set[str] = set()
        for _ in range(MAX_LIST_PAGES):
            body = self._api("GET", collection, params=params)
            yield from _as_list(body)
            cursor = body.get("next") if isinstance(body, dict) else None
            if not cursor:
                return
            if not isinstance(cursor, str) or cursor in seen:
                raise ServerError(
                    f"PRISM answered GET /{collection} with a page cursor it already sent "
                    f"({str(cursor)[:40]!r}): the list would never end",
                    hint="try again later; report it to the PRISM operators if it persists",
                )
            seen.add(cursor)
            params = {"limit": LIST_PAGE_LIMIT, "cursor": cursor}
        raise ServerError(f"PRISM's list of {collection} has more than {MAX_LIST_PAGES} pages")

    def list_runs(self) -> list[dict[str, Any]]:
        return self._list_all("runs")

    def create_run(
        self, payload: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._api("POST", "runs", json=payload, idempotency_key=idempotency_key)

    def get_run(self, run_id: str) -> dict[str, Any]:
        validate_id(run_id, "run")
        return self._api("GET", "runs", run_id, subject=f"run {run_id}")

    def delete_run(self, run_id: str) -> None:
        validate_id(run_id, "run")
        self._api("DELETE", "runs", run_id, subject=f"run {run_id}")

    def pin_run(self, run_id: str) -> dict[str, Any]:
        validate_id(run_id, "run")
        return self._api("PATCH", "runs", run_id, "pin", subject=f"run {run_id}")

    def unpin_run(self, run_id: str) -> dict[str, Any]:
        validate_id(run_id, "run")
        return self._api("PATCH", "runs", run_id, "unpin", subject=f"run {run_id}")

    def run_upload_url(self, run_id: str) -> dict[str, Any]:
        validate_id(run_id, "run")
        body = self._api("GET", "runs", run_id, "archive", "upload-url", subject=f"run {run_id}")
        return _signed(body, "upload_url")

    def run_download_url(self, run_id: str) -> dict[str, Any]:
        validate_id(run_id, "run")
        body = self._api("GET", "runs", run_id, "archive", subject=f"archive of run {run_id}")
        return _signed(body, "download_url")

    def delete_run_archive(self, run_id: str) -> None:
        validate_id(run_id, "run")
        self._api("DELETE", "runs", run_id, "archive", subject=f"archive of run {run_id}")

    # -- submissions -----------------------------------------------------------------------

    def list_submissions(self) -> list[dict[str, Any]]:
        return self._list_all("submissions")

    def create_submission(
        self, payload: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._api("POST", "submissions", json=payload, idempotency_key=idempotency_key)

    def get_submission(self, sid: str, include_runs: bool = True) -> dict[str, Any]:
        validate_id(sid, "submission")
        params = {"include_runs": "true"} if include_runs else None
        return self._api("GET", "submissions", sid, subject=f"submission {sid}", params=params)

    def update_submission(self, sid: str, fields: dict[str, Any]) -> dict[str, Any]:
        validate_id(sid, "submission")
        return self._api("PATCH", "submissions", sid, subject=f"submission {sid}", json=fields)

    def withdraw_submission(self, sid: str) -> dict[str, Any]:
        validate_id(sid, "submission")
        return self._api("DELETE", "submissions", sid, subject=f"submission {sid}")

    def add_submission_run(self, sid: str, run_id: str) -> dict[str, Any]:
        validate_id(sid, "submission")
        validate_id(run_id, "run")
        # Adding the same run twice has the same effect as once: safe to retry, unlike a create.
        return self._api_idempotent_post(
            "submissions", sid, "runs", run_id, subject=f"submission {sid} or run {run_id}"
        )

    def remove_submission_run(self, sid: str, run_id: str) -> dict[str, Any]:
        validate_id(sid, "submission")
        validate_id(run_id, "run")
        return self._api(
            "DELETE",
            "submissions",
            sid,
            "runs",
            run_id,
            subject=f"submission {sid} or run {run_id}",
        )

    def submission_upload_url(self, sid: str) -> dict[str, Any]:
        validate_id(sid, "submission")
        body = self._api(
            "GET", "submissions", sid, "archive", "upload-url", subject=f"submission {sid}"
        )
        return _signed(body, "upload_url")

    def submission_download_url(self, sid: str) -> dict[str, Any]:
        validate_id(sid, "submission")
        body = self._api(
            "GET", "submissions", sid, "archive", subject=f"archive of submission {sid}"
        )
        return _signed(body, "download_url")

    def delete_submission_archive(self, sid: str) -> None:
        validate_id(sid, "submission")
        self._api("DELETE", "submissions", sid, "archive", subject=f"archive of submission {sid}")

    def _api_idempotent_post(self, *segments: str, subject: str) -> Any:
        url = self._url(*segments)
        what = f"POST {self.base_url}/{'/'.join(segments)}"

        def send() -> httpx.Response:
            return self._http.post(url, headers={"X-API-Key": self._token})

        response = self._attempts(send, idempotent=True, what=what)
        if response.is_success:
            return _json(response)
        raise self._api_error(response, what=what, subject=subject, idempotent=True)

    # -- signed storage URLs ---------------------------------------------------------------

    @staticmethod
    def _storage_error(response: httpx.Response, *, action: str) -> PrismError:
        status = response.status_code
        detail = _detail(response)
        if status >= 500:
            return ServerError(
                f"storage server error {status} during {action}: {detail}",
                hint="try again in a few minutes",
                status=status,
            )
        if status == 403:
            return StorageError(
                f"the storage URL for the {action} was refused (403: {detail}); signed URLs "
                "expire, so it has probably expired",
                hint="run the command again: it asks PRISM for a fresh URL",
                status=status,
            )
        return StorageError(f"storage refused the {action} ({status}): {detail}", status=status)

    def upload_file(
        self, url: str, path: Path, *, size: int, progress_label: str = "uploading"
    ) -> dict[str, Any]:
        """PUT ``path`` to a signed URL, streamed from disk in 1 MiB chunks; returns the body.

        A retry re-opens the file and starts again from byte 0 (signed URLs take whole objects).
        """
        actual = os.path.getsize(path)
        if actual != size:
            raise StorageError(f"{path} is {actual} bytes, expected {size}: it changed on disk")
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        what = f"upload to {_host(url)}"
        with byte_progress(size, progress_label) as advance:

            def chunks() -> Iterator[bytes]:
                advance.reset()
                with open(path, "rb") as fh:
                    while chunk := fh.read(CHUNK):
                        advance(len(chunk))
                        yield chunk

            def send() -> httpx.Response:
                return self._http.put(
                    url, content=chunks(), headers=headers, timeout=TRANSFER_TIMEOUT
                )

            response = self._attempts(send, idempotent=True, what=what)
        if not response.is_success:
            raise self._storage_error(response, action="upload")
        body = _json(response) if response.content else None
        return body if isinstance(body, dict) else {}

    def download_file(
        self,
        url: str,
        dest_path: Path,
        *,
        expected_size: int | None = None,
        expected_sha256: str | None = None,
        progress_label: str = "downloading",
    ) -> tuple[int, str]:
        """GET a signed URL into ``dest_path`` (via a .part file); verify size and SHA-256."""
        dest_path = Path(dest_path)
        part = dest_path.with_name(dest_path.name + ".part")
        try:
            dest_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unwritable(dest_path, exc) from None
        what = f"download from {_host(url)}"
        result: dict[str, Any] = {}
        with byte_progress(expected_size or 0, progress_label) as advance:

            def send() -> httpx.Response:
                return self._download_once(url, part, advance, result)

            try:
                response = self._attempts(send, idempotent=True, what=what)
            except BaseException:
                # what is raised says why; a .part that cannot be removed must not hide it
                with contextlib.suppress(OSError):
                    part.unlink(missing_ok=True)
                raise
        if not response.is_success:
            part.unlink(missing_ok=True)
            raise self._storage_error(response, action="download")
        size, digest = result["size"], result["sha256"]
        problems = []
        if expected_size is not None and size != expected_size:
            problems.append(f"{size} bytes instead of {expected_size}")
        if expected_sha256 and digest != expected_sha256.lower():
            problems.append(f"SHA-256 {digest} instead of {expected_sha256}")
        if problems:
            part.unlink(missing_ok=True)
            raise ChecksumError(
                f"the downloaded archive is corrupt: {'; '.join(problems)}",
                hint="run the command again; if it persists, the stored archive is damaged",
            )
        part.replace(dest_path)
        return size, digest

    def download_archive(
        self, url: str, dest_path: Path, *, record: dict[str, Any], progress_label: str
    ) -> dict[str, Any]:
        """Download the archive of ``record`` (a run or submission), checked against the size
        and SHA-256 the record carries; ``verified`` says whether there was a checksum to check.
        """
        size, sha256 = self.download_file(
            url,
            dest_path,
            expected_size=record.get("archive_size"),
            expected_sha256=record.get("archive_sha256"),
            progress_label=progress_label,
        )
        verified = record.get("archive_sha256") is not None
        return {"path": str(dest_path), "size": size, "sha256": sha256, "verified": verified}

    def _download_once(
        self, url: str, part: Path, advance: ByteProgress, result: dict[str, Any]
    ) -> httpx.Response:
        advance.reset()
        sha = hashlib.sha256()
        size = 0
        headers = {"Accept-Encoding": "identity"}  # the archive's own bytes, not a re-encoding
        with self._http.stream("GET", url, headers=headers, timeout=TRANSFER_TIMEOUT) as response:
            if not response.is_success:
                response.read()
                return response
            try:
                with open(part, "wb") as fh:
                    for chunk in response.iter_bytes(CHUNK):
                        fh.write(chunk)
                        sha.update(chunk)
                        size += len(chunk)
                        advance(len(chunk))
            except OSError as exc:
                raise _unwritable(part, exc) from None
        result["size"], result["sha256"] = size, sha.hexdigest()
        return response


def _unwritable(path: Path, exc: OSError) -> CliError:
    """A download that cannot be written locally: a clear error naming the path, not a crash."""
    return CliError(
        f"cannot write the download to {path}: {exc.strerror or exc}",
        hint="download into a directory you can write to, with enough free space",
    )
