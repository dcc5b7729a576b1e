"""SQLite persistence for tokens, runs and submissions — the server's only database code.

Every operation opens its own connection (cheap for SQLite) so request threads never share one;
the database runs in WAL mode with a busy timeout, and every write is a ``BEGIN IMMEDIATE``
transaction, which is what keeps 20 parallel uploads from corrupting anything. A ``schema_version``
table records the layout so a later release can migrate an existing data dir.

Rules of the API that are about data (user scoping, the 409s, run expiry) live here too, so the
HTTP layer only translates: :class:`NotFound` → 404, :class:`Conflict` → 409 and
:class:`Invalid` → 422.
Archive *files* are not touched here: methods that drop an archive return its path, and the
caller deletes the file after the transaction has committed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

DB_FILE = "prism.sqlite3"  # the database's name inside a data dir
SCHEMA_VERSION = 2
TOKEN_PREFIX = "mlc_"
LIVE = "s.status != 'WITHDRAWN'"
RUN_LIST_FROZEN = ("FINALIZED", "PUBLISHED", "WITHDRAWN")
# The runs of a submission in these states, and their archives, are evidence: read-only.
EVIDENCE_FROZEN = ("FINALIZED", "PUBLISHED")
# Set only by the review side (`prism-server admin set-status`), never by a submitter's token.
REVIEW_STATES = ("FINALIZED", "PUBLISHED")
# Which status a submission may move to, from which status. REVIEW_PENDING is only ever reached by
# passing the checker; a submitter may only withdraw (before PUBLISHED); the review side finalizes
# and publishes.
STATUS_MOVES = {
    "FINALIZED": ("REVIEW_PENDING",),
    "PUBLISHED": ("FINALIZED",),
    "WITHDRAWN": ("COMPLIANCE_CHECKING", "REVIEW_PENDING", "FINALIZED"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cli_version TEXT NOT NULL,
    benchmark_version TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    system_info TEXT NOT NULL,
    config TEXT NOT NULL,
    result_summary TEXT NOT NULL,
    model TEXT,
    concurrency INTEGER,
    point_config TEXT,
    system_power TEXT,
    is_test INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL,
    expires_at TEXT,
    archive_path TEXT,
    archive_size INTEGER,
    archive_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS runs_user ON runs (user_id, created_at);
CREATE INDEX IF NOT EXISTS runs_listing ON runs (
    user_id, created_at, id, model, concurrency, started_at, finished_at, pinned, expires_at
);
CREATE INDEX IF NOT EXISTS runs_expiry ON runs (expires_at) WHERE pinned = 0;
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    cli_version TEXT NOT NULL,
    division TEXT NOT NULL,
    scenario TEXT NOT NULL,
    availability TEXT NOT NULL,
    early_publish INTEGER NOT NULL,
    is_test INTEGER NOT NULL DEFAULT 0,
    publication_cycle TEXT,
    target_availability_date TEXT,
    embargo_date TEXT,
    pr_url TEXT,
    pr_number INTEGER,
    archive_path TEXT,
    archive_size INTEGER,
    archive_sha256 TEXT,
    compliance_report TEXT,
    created_at TEXT NOT NULL,
    compliance_passed_at TEXT,
    finalized_at TEXT,
    withdrawn_at TEXT
);
CREATE INDEX IF NOT EXISTS submissions_user ON submissions (user_id, created_at);
CREATE TABLE IF NOT EXISTS submission_runs (
    submission_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (submission_id, run_id)
);
CREATE INDEX IF NOT EXISTS submission_runs_run ON submission_runs (run_id);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
"""

# Statements that bring a data dir of schema version N-1 to N (key N). Version 2 stores the
# round v1.0 fields of checker-v1.0 A3.5.
MIGRATIONS = {
    2: (
        "ALTER TABLE runs ADD COLUMN point_config TEXT",
        "ALTER TABLE runs ADD COLUMN system_power TEXT",
        "ALTER TABLE runs ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE submissions ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0",
    ),
}


class StoreError(Exception):
    """A refusal the client should see; ``str(err)`` is the ``detail``."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass


class Invalid(StoreError):
    pass


class Forbidden(StoreError):
    """Allowed to no user token, whatever the object (403)."""


class InProgress(Conflict):
    """An Idempotency-Key whose first request has not finished yet (409)."""


def encode_cursor(created_at: str, object_id: str) -> str:
    """The opaque ``next`` of a page: where the following page starts (creation order)."""
    return base64.urlsafe_b64encode(f"{created_at}|{object_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, object_id = raw.split("|")
        datetime.fromisoformat(created_at)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid(
            f"cursor: {cursor[:40]!r} is not a cursor this server issued; "
            "pass the 'next' value of the previous page unchanged"
        ) from None
    return created_at, object_id


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | str | None) -> str | None:
    """One fixed UTC text form, so timestamps compare correctly as strings in SQL."""
    if moment is None:
        return None
    if isinstance(moment, str):  # a validated, timezone-aware ISO-8601 value
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def run_model_and_concurrency(config: dict, summary: dict) -> tuple[str | None, int | None]:
    """RunSummary's ``model`` and ``concurrency``, read the way cli.md §2 reads a run folder."""
    model = _dig(config, "model_params", "name") or _dig(config, "submission_ref", "model")
    concurrency = _dig(config, "settings", "load_pattern", "target_concurrency")
    if concurrency is None:
        concurrency = _dig(summary, "run_config", "load_pattern", "target_concurrency")
    # Not an integer, or none that an SQLite INTEGER holds (no real run comes close): unknown.
    if not isinstance(concurrency, int) or isinstance(concurrency, bool):
        return (str(model) if model is not None else None), None
    if not 0 <= concurrency < 2**63:
        concurrency = None
    return (str(model) if model is not None else None), concurrency


def open_store(data_dir: Path, *, run_expiry_days: float = 30.0) -> Store:
    """The data dir's database (created on first use); also what `token create` uses."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return Store(data_dir / DB_FILE, run_expiry_days=run_expiry_days)


class Store:
    """The data dir's database. Cheap to construct; safe to use from any thread or process."""

    def __init__(self, db_path: Path, *, run_expiry_days: float = 30.0):
        self.db_path = Path(db_path)
        self.run_expiry = timedelta(days=run_expiry_days)
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            # executescript() would COMMIT on its own; run the statements inside this transaction.
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                conn.execute("ROLLBACK")
                raise RuntimeError(
                    f"{self.db_path} has schema version {row[0]}, newer than this prism-server "
                    f"({SCHEMA_VERSION}); upgrade prism-server"
                )
            elif row[0] < SCHEMA_VERSION:
                for version in range(row[0] + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[version]:
                        conn.execute(statement)
                conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
            conn.execute("COMMIT")

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection. Connections are kept open per thread (never shared), both
        to save the open and because SQLite checkpoints and fsyncs the WAL whenever the last
        connection closes, which made every write cost ~25 ms."""
        conn = getattr(self._local, "conn", None)
        # A forked server worker must not use its parent's connection (SQLite forbids carrying
        # one across fork()); it opens its own and leaves the inherited one alone.
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- tokens ---------------------------------------------------------------------------

    def create_token(self, user: str) -> tuple[str, str]:
        """A new token for ``user`` (created on first use); returns (token id, token).

        Only the SHA-256 of the token is stored, so the token can be shown exactly once.
        """
        if not user or not user.strip():
            raise Invalid("user name must not be empty")
        token = TOKEN_PREFIX + secrets.token_urlsafe(24)
        token_id = "tok_" + secrets.token_hex(6)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO tokens (id, user_id, prefix, token_sha256, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_id, user.strip(), token[:8], hash_token(token), iso(utcnow())),
            )
        return token_id, token

    def list_tokens(self) -> list[dict]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, user_id, prefix, created_at, revoked_at FROM tokens"
                " ORDER BY user_id, created_at"
            ).fetchall()
        return [dict(row) for row in rows]

    def revoke_token(self, token_id: str) -> None:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (iso(utcnow()), token_id),
            )
            if cur.rowcount == 0:
                exists = conn.execute("SELECT 1 FROM tokens WHERE id = ?", (token_id,)).fetchone()
                if not exists:
                    raise NotFound(f"no such token {token_id}")

    def user_for_token(self, token: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT user_id FROM tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                (hash_token(token),),
            ).fetchone()
        return row["user_id"] if row else None

    # -- idempotency keys -------------------------------------------------------------------

    def claim_idempotency_key(self, user: str, key: str, fingerprint: str) -> dict | None:
        """Start a creating request under ``key`` (IETF idempotency-key draft semantics).

        Returns None when the request should go ahead (the key is now held as in progress), or
        the first request's answer when the same request comes again. Raises Invalid when the key
        was used for a different request, InProgress while its first request is still running.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT fingerprint, response FROM idempotency_keys WHERE user_id = ? AND key = ?",
                (user, key),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (user, key, fingerprint, iso(utcnow())),
                )
                return None
        if row["fingerprint"] != fingerprint:
            raise Invalid(
                f"Idempotency-Key {key!r} was already used for a different request; "
                "use a new key for a new request"
            )
        if row["response"] is None:
            raise InProgress(
                f"the first request with Idempotency-Key {key!r} is still being processed; "
                "retry in a moment to get its answer"
            )
        return json.loads(row["response"])

    def release_idempotency_key(self, user: str, key: str) -> None:
        """The request under ``key`` failed and created nothing: a retry may run it again."""
        with self._write() as conn:
            conn.execute(
                "DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND response IS NULL",
                (user, key),
            )

    def release_abandoned_idempotency_keys(self) -> int:
        """At start-up no request is in flight: keys still marked in progress belong to requests
        a crash cut short, which created nothing (creation and answer commit together)."""
        with self._write() as conn:
            return conn.execute("DELETE FROM idempotency_keys WHERE response IS NULL").rowcount

    def _answer_key(
        self, conn: sqlite3.Connection, user: str, key: str | None, answer: dict
    ) -> dict:
        if key is not None:
            conn.execute(
                "UPDATE idempotency_keys SET response = ? WHERE user_id = ? AND key = ?",
                (json.dumps(answer), user, key),
            )
        return answer

    # -- runs -----------------------------------------------------------------------------

    def create_run(self, user: str, body: dict, *, idempotency_key: str | None = None) -> dict:
        """Insert a run from a validated RunCreate (python-mode dict with datetimes).

        With ``idempotency_key`` (claimed first with :meth:`claim_idempotency_key`) the answer is
        recorded under the key in the same transaction, so a crash never separates the two."""
        now = utcnow()
        pinned = bool(body.get("pinned"))
        expires_at = None if pinned else body.get("expires_at") or now + self.run_expiry
        model, concurrency = run_model_and_concurrency(body["config"], body["result_summary"])
        run_id = str(uuid.uuid4())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO runs (id, user_id, created_at, cli_version, benchmark_version,"
                " started_at, finished_at, system_info, config, result_summary, model,"
                " concurrency, pinned, expires_at, point_config, system_power, is_test)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    user,
                    iso(now),
                    body["cli_version"],
                    body["benchmark_version"],
                    iso(body["started_at"]),
                    iso(body["finished_at"]),
                    json.dumps(body["system_info"]),
                    json.dumps(body["config"]),
                    json.dumps(body["result_summary"]),
                    model,
                    concurrency,
                    int(pinned),
                    iso(expires_at),
                    _json_or_null(body.get("point_config")),
                    _json_or_null(body.get("system_power")),
                    int(bool(body.get("is_test"))),
                ),
            )
            return self._answer_key(conn, user, idempotency_key, self._run(conn, user, run_id))

    def list_runs_json(self, user: str, *, limit: int, cursor: str | None = None) -> str:
        """One page of RunSummary fields in creation order, as the JSON text of
        ``{"items": [...], "next": ...}``.

        SQLite writes the page's JSON itself from a covering index: building and validating
        1,000 dicts in Python held a listing to ~40 requests per second."""
        where, params = "user_id = ?", [user]
        if cursor:
            where += " AND (created_at, id) > (?, ?)"
            params += decode_cursor(cursor)
        with self._connect() as conn:
            conn.execute("BEGIN")  # one snapshot for the page and its cursor
            try:
                items = conn.execute(
                    "SELECT group_concat(item, ',') FROM (SELECT json_object('id', id,"
                    " 'model', model, 'concurrency', concurrency, 'started_at', started_at,"
                    " 'finished_at', finished_at,"
                    " 'pinned', json(CASE WHEN pinned THEN 'true' ELSE 'false' END),"
                    f" 'expires_at', expires_at) AS item FROM runs WHERE {where}"
                    " ORDER BY created_at, id LIMIT ?)",
                    (*params, limit),
                ).fetchone()[0]
                # The page's last row and the one after it, if any: then there is a next page.
                edge = conn.execute(
                    f"SELECT created_at, id FROM runs WHERE {where}"
                    " ORDER BY created_at, id LIMIT 2 OFFSET ?",
                    (*params, limit - 1),
                ).fetchall()
            finally:
                conn.execute("COMMIT")
        after = encode_cursor(edge[0]["created_at"], edge[0]["id"]) if len(edge) == 2 else None
        return f'{{"items":[{items or ""}],"next":{json.dumps(after)}}}'

    def _page(
        self, select: str, user: str, limit: int, cursor: str | None
    ) -> tuple[list[sqlite3.Row], str | None]:
        """Rows of ``select`` (filtered on user_id) after ``cursor``, and the next cursor.

        Keyset pagination on (created_at, id): stable while rows are added or deleted, and as
        fast for the last page as for the first."""
        params: list[Any] = [user]
        if cursor:
            select += " AND (created_at, id) > (?, ?)"
            params += decode_cursor(cursor)
        with self._connect() as conn:
            rows = conn.execute(
                f"{select} ORDER BY created_at, id LIMIT ?", (*params, limit + 1)
            ).fetchall()
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], encode_cursor(last["created_at"], last["id"])

    def get_run(self, user: str, run_id: str) -> dict:
        with self._connect() as conn:
            return self._run(conn, user, run_id)

    def delete_run(self, user: str, run_id: str) -> str | None:
        """Delete a run unless a live submission holds it; returns its archive path, if any."""
        with self._write() as conn:
            row = self._run_row(conn, user, run_id)
            holder = conn.execute(
                f"SELECT s.id, s.status FROM submission_runs sr JOIN submissions s"
                f" ON s.id = sr.submission_id WHERE sr.run_id = ? AND {LIVE}",
                (run_id,),
            ).fetchone()
            if holder:
                raise Conflict(
                    f"run {run_id} belongs to submission {holder['id']} ({holder['status']}); "
                    "remove it from the submission or withdraw the submission first"
                )
            conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            return row["archive_path"]

    def set_pinned(self, user: str, run_id: str, pinned: bool) -> dict:
        """Pin: never expires. Unpin: the default expiry counted from now, so unpinning an old
        run gives its owner the full expiry period instead of deleting it on the spot."""
        expires_at = None if pinned else iso(utcnow() + self.run_expiry)
        with self._write() as conn:
            self._run_row(conn, user, run_id)
            if pinned:
                conn.execute(
                    "UPDATE runs SET pinned = 1, expires_at = NULL WHERE id = ?", (run_id,)
                )
            else:
                conn.execute(
                    "UPDATE runs SET expires_at = ?, pinned = 0 WHERE id = ? AND pinned = 1",
                    (expires_at, run_id),
                )
            return self._run(conn, user, run_id)

    def check_run_archive_writable(self, user: str, run_id: str) -> None:
        """Before handing out an upload URL: the run exists and is not frozen evidence."""
        with self._connect() as conn:
            self._run_row(conn, user, run_id)
            self._check_not_evidence(conn, run_id)

    def _check_not_evidence(self, conn: sqlite3.Connection, run_id: str) -> None:
        marks = ", ".join("?" * len(EVIDENCE_FROZEN))
        holder = conn.execute(
            "SELECT s.id, s.status FROM submission_runs sr JOIN submissions s"
            f" ON s.id = sr.submission_id WHERE sr.run_id = ? AND s.status IN ({marks})",
            (run_id, *EVIDENCE_FROZEN),
        ).fetchone()
        if holder:
            raise Conflict(
                f"run {run_id} belongs to submission {holder['id']}, which is "
                f"{holder['status']}: the run and its archive are read-only"
            )

    def set_run_archive(self, run_id: str, path: str, size: int, sha256: str) -> str | None:
        """Record a stored archive; returns the replaced file's path (the caller deletes it)."""
        with self._write() as conn:
            row = conn.execute("SELECT archive_path FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFound(f"no such run {run_id}")
            self._check_not_evidence(conn, run_id)
            conn.execute(
                "UPDATE runs SET archive_path = ?, archive_size = ?, archive_sha256 = ?"
                " WHERE id = ?",
                (path, size, sha256, run_id),
            )
            return row["archive_path"]

    def clear_run_archive(self, user: str, run_id: str) -> str:
        with self._write() as conn:
            row = self._run_row(conn, user, run_id)
            if not row["archive_path"]:
                raise NotFound(f"run {run_id} has no archive")
            self._check_not_evidence(conn, run_id)
            conn.execute(
                "UPDATE runs SET archive_path = NULL, archive_size = NULL, archive_sha256 = NULL"
                " WHERE id = ?",
                (run_id,),
            )
            return row["archive_path"]

    def sweep_expired(self) -> list[str]:
        """Delete expired unpinned runs that no live submission holds; returns archive paths."""
        with self._connect() as conn:
            due = conn.execute(
                "SELECT 1 FROM runs WHERE pinned = 0 AND expires_at <= ? LIMIT 1",
                (iso(utcnow()),),
            ).fetchone()
        if not due:
            return []
        with self._write() as conn:
            rows = conn.execute(
                "SELECT id, archive_path FROM runs WHERE pinned = 0 AND expires_at <= ?"
                " AND id NOT IN (SELECT sr.run_id FROM submission_runs sr JOIN submissions s"
                f" ON s.id = sr.submission_id WHERE {LIVE})",
                (iso(utcnow()),),
            ).fetchall()
            conn.executemany("DELETE FROM runs WHERE id = ?", [(row["id"],) for row in rows])
        return [row["archive_path"] for row in rows if row["archive_path"]]

    def referenced_archives(self) -> set[str]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT archive_path FROM runs WHERE archive_path IS NOT NULL UNION "
                "SELECT archive_path FROM submissions WHERE archive_path IS NOT NULL"
            ).fetchall()
        return {row[0] for row in rows}

    def _run_row(self, conn: sqlite3.Connection, user: str, run_id: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM runs WHERE id = ? AND user_id = ?", (run_id, user)
        ).fetchone()
        if row is None:
            raise NotFound(f"no such run {run_id}")
        return row

    def _run(self, conn: sqlite3.Connection, user: str, run_id: str) -> dict:
        return _run_out(self._run_row(conn, user, run_id))

    # -- submissions ----------------------------------------------------------------------

    def create_submission(
        self, user: str, body: dict, *, idempotency_key: str | None = None
    ) -> dict:
        """Insert a submission from a validated SubmissionCreate (see :meth:`create_run` for
        ``idempotency_key``)."""
        now = iso(utcnow())
        sub_id = str(uuid.uuid4())
        with self._write() as conn:
            run_ids = self._own_runs(conn, user, body["run_ids"])
            conn.execute(
                "INSERT INTO submissions (id, user_id, status, cli_version, division, scenario,"
                " availability, early_publish, publication_cycle, target_availability_date,"
                " embargo_date, created_at, is_test) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    sub_id,
                    user,
                    "COMPLIANCE_CHECKING",
                    body["cli_version"],
                    body["division"],
                    body["scenario"],
                    body["availability"],
                    int(bool(body.get("early_publish"))),
                    body.get("publication_cycle"),
                    _date(body.get("target_availability_date")),
                    iso(body.get("embargo_date")),
                    now,
                    int(bool(body.get("is_test"))),
                ),
            )
            self._replace_runs(conn, sub_id, run_ids)
            out = self._submission(conn, user, sub_id)
            return self._answer_key(conn, user, idempotency_key, out)

    def list_submissions(self, user: str, *, limit: int, cursor: str | None = None) -> dict:
        """One page of SubmissionOut in creation order: ``{"items": [...], "next": ...}``."""
        rows, after = self._page("SELECT * FROM submissions WHERE user_id = ?", user, limit, cursor)
        run_ids: dict[str, list[str]] = {row["id"]: [] for row in rows}
        with self._connect() as conn:
            for chunk in range(0, len(rows), 500):  # one query per 500, not one per submission
                ids = [row["id"] for row in rows[chunk : chunk + 500]]
                for link in conn.execute(
                    "SELECT submission_id, run_id FROM submission_runs WHERE submission_id IN"
                    f" ({', '.join('?' * len(ids))}) ORDER BY submission_id, position",
                    ids,
                ):
                    run_ids[link["submission_id"]].append(link["run_id"])
            items = [self._submission_out(conn, row, run_ids[row["id"]]) for row in rows]
        return {"items": items, "next": after}

    def get_submission(self, user: str, sub_id: str, *, include_runs: bool = False) -> dict:
        with self._connect() as conn:
            out = self._submission(conn, user, sub_id, detail=True)
            if include_runs:
                rows = conn.execute(
                    "SELECT r.* FROM submission_runs sr JOIN runs r ON r.id = sr.run_id"
                    " WHERE sr.submission_id = ? ORDER BY sr.position",
                    (sub_id,),
                ).fetchall()
                out["runs"] = [_run_out(row) for row in rows]
            return out

    def update_submission(self, user: str, sub_id: str, changes: dict) -> dict:
        """Apply a partial SubmissionUpdate (only the keys present in ``changes``)."""
        with self._write() as conn:
            row = self._submission_row(conn, user, sub_id)
            status = row["status"]
            fields: dict[str, Any] = {}
            if "run_ids" in changes:
                new_ids = self._own_runs(conn, user, changes["run_ids"] or [])
                if new_ids != self._run_ids(conn, sub_id):
                    self._check_run_list_open(row)
                    self._replace_runs(conn, sub_id, new_ids)
                    if status == "REVIEW_PENDING":
                        # The checked bundle no longer describes these runs: check again.
                        status = "COMPLIANCE_CHECKING"
                        fields.update(status=status, compliance_passed_at=None)
            for key in ("publication_cycle", "pr_url", "pr_number"):
                if key in changes:
                    fields[key] = changes[key]
            if "target_availability_date" in changes:
                fields["target_availability_date"] = _date(changes["target_availability_date"])
            if "embargo_date" in changes:
                fields["embargo_date"] = iso(changes["embargo_date"])
            new_status = changes.get("status")
            if new_status is not None and new_status != status:
                if new_status in REVIEW_STATES:
                    raise Forbidden(
                        f"status: {new_status} is set by PRISM's review of submission {sub_id}, "
                        "not by the submitter; a submitter may only withdraw (WITHDRAWN)"
                    )
                fields.update(_status_move(sub_id, status, new_status))
            # Setting a field to the value it has is no change (clients retry PATCHes).
            fields = {key: value for key, value in fields.items() if row[key] != value}
            if row["status"] in ("WITHDRAWN", "PUBLISHED") and fields:
                raise Conflict(f"submission {sub_id} is {row['status']} and can no longer change")
            if fields:
                assignments = ", ".join(f"{key} = ?" for key in fields)
                conn.execute(
                    f"UPDATE submissions SET {assignments} WHERE id = ?",
                    (*fields.values(), sub_id),
                )
            return self._submission(conn, user, sub_id)

    def withdraw_submission(self, user: str, sub_id: str) -> dict:
        """Withdraw (idempotent: withdrawing a withdrawn submission answers it unchanged)."""
        with self._write() as conn:
            row = self._submission_row(conn, user, sub_id)
            if row["status"] != "WITHDRAWN":
                fields = _status_move(sub_id, row["status"], "WITHDRAWN")
                conn.execute(
                    "UPDATE submissions SET status = ?, withdrawn_at = ? WHERE id = ?",
                    (fields["status"], fields["withdrawn_at"], sub_id),
                )
            return self._submission(conn, user, sub_id)

    def review_set_status(self, sub_id: str, status: str) -> dict:
        """The review side (any user's submission): move ``sub_id`` along STATUS_MOVES."""
        with self._write() as conn:
            row = conn.execute("SELECT * FROM submissions WHERE id = ?", (sub_id,)).fetchone()
            if row is None:
                raise NotFound(f"no such submission {sub_id}")
            if row["status"] != status:
                fields = _status_move(sub_id, row["status"], status)
                assignments = ", ".join(f"{key} = ?" for key in fields)
                conn.execute(
                    f"UPDATE submissions SET {assignments} WHERE id = ?",
                    (*fields.values(), sub_id),
                )
            return self._submission(conn, row["user_id"], sub_id)

    def add_submission_run(self, user: str, sub_id: str, run_id: str) -> dict:
        with self._write() as conn:
            row = self._submission_row(conn, user, sub_id)
            self._run_row(conn, user, run_id)
            run_ids = self._run_ids(conn, sub_id)
            if run_id not in run_ids:
                self._check_run_list_open(row)
                self._replace_runs(conn, sub_id, [*run_ids, run_id])
                self._recheck_after_run_change(conn, row)
            return self._submission(conn, user, sub_id)

    def remove_submission_run(self, user: str, sub_id: str, run_id: str) -> dict:
        """Remove a run (idempotent: removing a run that is not listed changes nothing)."""
        with self._write() as conn:
            row = self._submission_row(conn, user, sub_id)
            run_ids = self._run_ids(conn, sub_id)
            if run_id not in run_ids:
                self._run_row(conn, user, run_id)  # a 404 for ids that do not exist at all
            else:
                self._check_run_list_open(row)
                self._replace_runs(conn, sub_id, [r for r in run_ids if r != run_id])
                self._recheck_after_run_change(conn, row)
            return self._submission(conn, user, sub_id)

    def check_bundle_accepted(self, user: str, sub_id: str) -> None:
        """Refuse a new bundle for a submission whose contents are settled."""
        with self._connect() as conn:
            row = self._submission_row(conn, user, sub_id)
            if row["status"] in RUN_LIST_FROZEN:
                raise Conflict(
                    f"submission {sub_id} is {row['status']}; its bundle can no longer change"
                )

    def set_submission_archive(
        self, sub_id: str, path: str, size: int, sha256: str, report: dict, passed: bool
    ) -> tuple[str | None, str]:
        """Record a checked bundle and move the status; returns (replaced path, new status)."""
        with self._write() as conn:
            row = conn.execute("SELECT * FROM submissions WHERE id = ?", (sub_id,)).fetchone()
            if row is None:
                raise NotFound(f"no such submission {sub_id}")
            if row["status"] in RUN_LIST_FROZEN:
                raise Conflict(
                    f"submission {sub_id} is {row['status']}; its bundle can no longer change"
                )
            status = "REVIEW_PENDING" if passed else "COMPLIANCE_CHECKING"
            passed_at = iso(utcnow()) if passed else None
            conn.execute(
                "UPDATE submissions SET archive_path = ?, archive_size = ?, archive_sha256 = ?,"
                " compliance_report = ?, status = ?, compliance_passed_at = ? WHERE id = ?",
                (path, size, sha256, json.dumps(report), status, passed_at, sub_id),
            )
            return row["archive_path"], status

    def clear_submission_archive(self, user: str, sub_id: str) -> str:
        with self._write() as conn:
            row = self._submission_row(conn, user, sub_id)
            if not row["archive_path"]:
                raise NotFound(f"submission {sub_id} has no archive")
            if row["status"] in RUN_LIST_FROZEN:
                raise Conflict(
                    f"submission {sub_id} is {row['status']}; its bundle can no longer change"
                )
            conn.execute(
                "UPDATE submissions SET archive_path = NULL, archive_size = NULL,"
                " archive_sha256 = NULL WHERE id = ?",
                (sub_id,),
            )
            return row["archive_path"]

    def archive_of(self, kind: str, object_id: str) -> tuple[str, int, str] | None:
        """(path, size, sha256) of a run's or submission's stored archive, for downloads."""
        table = {"runs": "runs", "submissions": "submissions"}[kind]
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT archive_path, archive_size, archive_sha256 FROM {table} WHERE id = ?",
                (object_id,),
            ).fetchone()
        if row is None or not row["archive_path"]:
            return None
        return row["archive_path"], row["archive_size"], row["archive_sha256"]

    def check_upload_target(self, kind: str, object_id: str) -> None:
        """Before a signed PUT streams in: the object must still exist (and accept a bundle)."""
        with self._connect() as conn:
            if kind == "runs":
                if not conn.execute("SELECT 1 FROM runs WHERE id = ?", (object_id,)).fetchone():
                    raise NotFound(f"no such run {object_id}")
                self._check_not_evidence(conn, object_id)
                return
            row = conn.execute(
                "SELECT status FROM submissions WHERE id = ?", (object_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no such submission {object_id}")
            if row["status"] in RUN_LIST_FROZEN:
                raise Conflict(
                    f"submission {object_id} is {row['status']}; its bundle can no longer change"
                )

    def _own_runs(self, conn: sqlite3.Connection, user: str, run_ids: list[str]) -> list[str]:
        seen: set[str] = set()
        for run_id in run_ids:
            if run_id in seen:
                raise Invalid(f"run_ids: run {run_id} is listed twice")
            seen.add(run_id)
            found = conn.execute(
                "SELECT 1 FROM runs WHERE id = ? AND user_id = ?", (run_id, user)
            ).fetchone()
            if not found:
                raise Invalid(f"run_ids: no such run {run_id} (it must be one of your runs)")
        return list(run_ids)

    def _run_ids(self, conn: sqlite3.Connection, sub_id: str) -> list[str]:
        rows = conn.execute(
            "SELECT run_id FROM submission_runs WHERE submission_id = ? ORDER BY position",
            (sub_id,),
        ).fetchall()
        return [row[0] for row in rows]

    def _replace_runs(self, conn: sqlite3.Connection, sub_id: str, run_ids: list[str]) -> None:
        conn.execute("DELETE FROM submission_runs WHERE submission_id = ?", (sub_id,))
        conn.executemany(
            "INSERT INTO submission_runs (submission_id, run_id, position) VALUES (?, ?, ?)",
            [(sub_id, run_id, position) for position, run_id in enumerate(run_ids)],
        )

    def _check_run_list_open(self, row: sqlite3.Row) -> None:
        if row["status"] in RUN_LIST_FROZEN:
            raise Conflict(
                f"submission {row['id']} is {row['status']}; its runs can no longer change"
            )

    def _recheck_after_run_change(self, conn: sqlite3.Connection, row: sqlite3.Row) -> None:
        if row["status"] == "REVIEW_PENDING":
            conn.execute(
                "UPDATE submissions SET status = 'COMPLIANCE_CHECKING',"
                " compliance_passed_at = NULL WHERE id = ?",
                (row["id"],),
            )

    def _submission_row(self, conn: sqlite3.Connection, user: str, sub_id: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM submissions WHERE id = ? AND user_id = ?", (sub_id, user)
        ).fetchone()
        if row is None:
            raise NotFound(f"no such submission {sub_id}")
        return row

    def _submission(
        self, conn: sqlite3.Connection, user: str, sub_id: str, *, detail: bool = False
    ) -> dict:
        row = self._submission_row(conn, user, sub_id)
        out = self._submission_out(conn, row)
        if detail:
            report = row["compliance_report"]
            out["compliance_report"] = json.loads(report) if report else None
        return out

    def _submission_out(
        self, conn: sqlite3.Connection, row: sqlite3.Row, run_ids: list[str] | None = None
    ) -> dict:
        return {
            "id": row["id"],
            "user_id": row["user_id"],
            "status": row["status"],
            "division": row["division"],
            "scenario": row["scenario"],
            "availability": row["availability"],
            "run_ids": self._run_ids(conn, row["id"]) if run_ids is None else run_ids,
            "early_publish": bool(row["early_publish"]),
            "is_test": bool(row["is_test"]),
            "publication_cycle": row["publication_cycle"],
            "target_availability_date": row["target_availability_date"],
            "embargo_date": row["embargo_date"],
            "pr_url": row["pr_url"],
            "pr_number": row["pr_number"],
            "archive_uri": _archive_uri("submissions", row),
            "created_at": row["created_at"],
            "compliance_passed_at": row["compliance_passed_at"],
            "finalized_at": row["finalized_at"],
            "withdrawn_at": row["withdrawn_at"],
        }


def _status_move(sub_id: str, current: str, target: str) -> dict[str, Any]:
    if current not in STATUS_MOVES.get(target, ()):
        raise Conflict(f"submission {sub_id} cannot move from {current} to {target}")
    fields: dict[str, Any] = {"status": target}
    if target == "FINALIZED":
        fields["finalized_at"] = iso(utcnow())
    elif target == "WITHDRAWN":
        fields["withdrawn_at"] = iso(utcnow())
    return fields


def _date(value: Any) -> str | None:
    return None if value is None else str(value)


def _json_or_null(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _json_or_none(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _archive_uri(kind: str, row: sqlite3.Row) -> str | None:
    if not row["archive_path"]:
        return None
    return f"prism-local://{kind}/{row['id']}/archive.tar.gz"


def _run_out(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "model": row["model"],
        "concurrency": row["concurrency"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "pinned": bool(row["pinned"]),
        "expires_at": row["expires_at"],
        "benchmark_version": row["benchmark_version"],
        "cli_version": row["cli_version"],
        "system_info": json.loads(row["system_info"]),
        "config": json.loads(row["config"]),
        "result_summary": json.loads(row["result_summary"]),
        "point_config": _json_or_none(row["point_config"]),
        "system_power": _json_or_none(row["system_power"]),
        "is_test": bool(row["is_test"]),
        "archive_uri": _archive_uri("runs", row),
        "archive_size": row["archive_size"],
        "archive_sha256": row["archive_sha256"],
        "created_at": row["created_at"],
    }
