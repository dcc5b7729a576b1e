"""pytest plugin: a real prism-server on 127.0.0.1 for HTTP tests.

Registered from tests/conftest.py with ``pytest_plugins = ["prism_server.testing"]``.

Fixtures:

- ``prism_server_process`` (session): one ``python -m prism_server serve`` subprocess with fault
  injection enabled, on a free loopback port, shared by the whole session (start-up costs ~1 s).
- ``prism`` (function): a :class:`PrismHandle` on that server with ``.url`` (no trailing slash),
  ``.token`` (a fresh user's token, so tests never see each other's runs), ``.new_token(user)``,
  ``.client(token=None)`` (an authenticated httpx.Client), ``.data_dir``, ``.pid``,
  ``.add_fault(**rule)``, ``.faults()`` and ``.clear_faults()``. Faults are cleared after every
  test. See :mod:`prism_server.faults` for the rule fields.
- ``prism_factory`` (function): call it (``prism_factory(**serve_options)``) to get a
  :class:`PrismProcess` of your own, e.g. ``signed_url_ttl=1`` or ``max_upload_bytes=1000``,
  with ``.kill()`` (SIGKILL), ``.stop()`` and ``.start()`` (same data dir) for crash tests.
  ``fresh_prism`` is one such server with default options. All are stopped after the test.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from prism_server.store import Store, open_store

START_TIMEOUT_S = 30.0
_users = itertools.count(1)
# One client for all control calls: creating an httpx.Client with TLS verification costs
# ~0.2 s, and these URLs are plain http on loopback.
_control = httpx.Client(timeout=10, verify=False)


class PrismProcess:
    """A prism-server subprocess bound to one data dir; can be killed and started again."""

    def __init__(self, data_dir: Path, *, fault_injection: bool = True, **options: Any):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.fault_injection = fault_injection
        self.options = options
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.log_path = self.data_dir / "server.log"
        self._store: Store | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server is not running"
        return self.proc.pid

    def start(self) -> PrismProcess:
        """Start the server (on a new free port) and wait until it answers HTTP."""
        ready = self.data_dir / f"ready-{os.getpid()}.url"
        ready.unlink(missing_ok=True)
        command = [
            sys.executable,
            "-m",
            "prism_server",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            str(self.data_dir),
            "--ready-file",
            str(ready),
        ]
        if self.fault_injection:
            command.append("--enable-fault-injection")
        for key, value in self.options.items():
            command += [f"--{key.replace('_', '-')}", str(value)]
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it open
        self.proc = subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prism-server exited at start-up:\n{self.log()}")
            if ready.exists() and ready.read_text():
                self.url = ready.read_text().strip()
                try:
                    _control.get(f"{self.url}/openapi.json", timeout=2).raise_for_status()
                    return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"prism-server did not answer within {START_TIMEOUT_S} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, like a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def new_token(self, user: str) -> str:
        """A token for ``user`` (created directly in the data dir's database)."""
        if self._store is None:
            self._store = open_store(self.data_dir)
        return self._store.create_token(user)[1]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class PrismHandle:
    """What a test sees of a server: its URL, a fresh user's token, and fault controls."""

    def __init__(self, process: PrismProcess, user: str):
        self.process = process
        self.url = process.url
        self.data_dir = process.data_dir
        self.user = user
        self.token = process.new_token(user)

    @property
    def pid(self) -> int:
        return self.process.pid

    def new_token(self, user: str) -> str:
        return self.process.new_token(user)

    def add_fault(self, **rule: Any) -> list[dict]:
        """Add one fault rule (fields as in prism_server.faults); returns the active rules."""
        response = _control.post(f"{self.url}/_faults", json=rule)
        response.raise_for_status()
        return response.json()

    def faults(self) -> list[dict]:
        """The active rules (a rule disappears once it has fired ``times`` times)."""
        return _control.get(f"{self.url}/_faults").raise_for_status().json()

    def clear_faults(self) -> None:
        _control.delete(f"{self.url}/_faults").raise_for_status()

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"X-API-Key": token or self.token}

    def client(self, token: str | None = None, **options: Any) -> httpx.Client:
        """An httpx.Client on this server, authenticated with ``token`` (default: ``.token``)."""
        options.setdefault("timeout", 30)
        return httpx.Client(base_url=self.url, headers=self.headers(token), verify=False, **options)


def _fresh_user(request: pytest.FixtureRequest) -> str:
    name = "".join(ch if ch.isalnum() else "-" for ch in request.node.name)[:40]
    return f"{name}-{os.getpid()}-{next(_users)}"


@pytest.fixture(scope="session")
def prism_server_process() -> Iterator[PrismProcess]:
    with tempfile.TemporaryDirectory(prefix="prism-server-") as tmp:
        process = PrismProcess(Path(tmp)).start()
        try:
            yield process
        finally:
            process.stop()


@pytest.fixture
def prism(prism_server_process: PrismProcess, request: pytest.FixtureRequest) -> Iterator:
    if prism_server_process.proc is None or prism_server_process.proc.poll() is not None:
        prism_server_process.start()  # a previous test killed it
    handle = PrismHandle(prism_server_process, _fresh_user(request))
    try:
        yield handle
    finally:
        handle.clear_faults()


@pytest.fixture
def prism_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    started: list[PrismProcess] = []

    def factory(*, data_dir: Path | None = None, fault_injection: bool = True, **options: Any):
        where = data_dir or tmp_path_factory.mktemp("prism-data")
        process = PrismProcess(where, fault_injection=fault_injection, **options).start()
        started.append(process)
        return process

    try:
        yield factory
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def fresh_prism(prism_factory: Any) -> PrismProcess:
    return prism_factory()
