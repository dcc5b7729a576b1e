"""What a multi-step ``submissions`` command has done, so a failure can be resumed or undone.

A journal is one small JSON file per operation under the user state directory
(``$XDG_STATE_HOME/endpoints-submission-cli/journal/``, default ``~/.local/state/...``). Its name
is derived from what the command was asked to do (operation, API URL, sorted run ids, flags), so
re-running the same command finds the same journal and continues where the last attempt stopped
instead of creating a second submission. Each step is written (atomically) the moment it has
happened on the server or in git, never before.

The journal never holds the PRISM token, nor anything derived from it.

``locked`` holds an exclusive ``flock`` on the operation's lock file for the whole command, so two
copies of one command on one machine cannot both create (the second stops with a message).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import CliError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, the journal still works
    fcntl = None  # type: ignore[assignment]

APP_DIR = "endpoints-submission-cli"


def state_dir() -> Path:
    """``$XDG_STATE_HOME/endpoints-submission-cli`` (XDG default ``~/.local/state``)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / APP_DIR


def journal_dir() -> Path:
    return state_dir() / "journal"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def journal_key(operation: str, identity: dict[str, Any]) -> str:
    """Stable key: the same operation with the same inputs always maps to the same file."""
    canonical = json.dumps({"operation": operation, **identity}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


@contextmanager
def locked(operation: str, identity: dict[str, Any]) -> Iterator[None]:
    """Hold this operation's lock (non-blocking: a second copy is refused, never queued)."""
    path = state_dir() / "locks" / f"{operation}-{journal_key(operation, identity)}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CliError(
                    f"another copy of this command is running right now (it holds {path})",
                    hint="wait for it to finish; run the command again only if it failed",
                ) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class Journal:
    """The recorded steps of one operation; every change is persisted before returning."""

    def __init__(self, path: Path, data: dict[str, Any], *, resumed: bool):
        self.path = path
        self.data = data
        self.resumed = resumed

    @classmethod
    def open(cls, operation: str, identity: dict[str, Any]) -> Journal:
        """Load the journal of this exact operation, or start a new (not yet saved) one."""
        key = journal_key(operation, identity)
        path = journal_dir() / f"{operation}-{key}.json"
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict) or not isinstance(data.get("steps"), dict):
                    raise ValueError("not a journal object")
            except (OSError, ValueError) as exc:
                raise CliError(
                    f"the journal {path} is unreadable ({exc})",
                    hint="inspect it; delete it only if you are sure the operation it recorded "
                    "left nothing on the server",
                ) from exc
            return cls(path, data, resumed=True)
        data = {
            "operation": operation,
            "identity": identity,
            "created_at": _now(),
            "status": "in_progress",
            "steps": {},
        }
        return cls(path, data, resumed=False)

    # -- reading --------------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self.data.get("status", "in_progress")

    @property
    def created_at(self) -> str:
        return self.data["created_at"]

    def get(self, step: str) -> dict[str, Any] | None:
        return self.data["steps"].get(step)

    def has(self, step: str) -> bool:
        return step in self.data["steps"]

    # -- writing --------------------------------------------------------------------------

    def record(self, step: str, **values: Any) -> None:
        self.data["steps"][step] = {**values, "at": _now()}
        self.save()

    def set_status(self, status: str) -> None:
        self.data["status"] = status
        self.save()

    def save(self) -> None:
        """Atomic replace, so a crash mid-write never leaves half a journal."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
