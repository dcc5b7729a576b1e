"""Fixtures shared by every test package."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

import pytest

pytest_plugins = ["prism_server.testing"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "tests" / "data"
SAMPLES_DIR = DATA_DIR / "samples" / "inference-endpoint"


@pytest.fixture
def samples_dir() -> Path:
    """The real inference-endpoint run folders vendored under ``tests/data`` (read-only)."""
    return SAMPLES_DIR


@pytest.fixture
def sample_copy(tmp_path: Path, samples_dir: Path):
    """Copy one real run folder into a writable temp dir: ``sample_copy("llama2-70b_c1")``."""

    def _copy(name: str) -> Path:
        dest = tmp_path / "samples" / name
        shutil.copytree(samples_dir / name, dest)
        for path in [dest, *dest.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return dest

    return _copy


# Skips that say nothing about the clone: the test cannot fail when run as root.
ALLOWED_SKIP_REASONS = ("root ",)


def _unexpected_skips(config) -> list:
    """Under CI, skips for any other reason (a missing file, tool or sample)."""
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return []
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    return [r for r in skipped if not _skip_reason(r).startswith(ALLOWED_SKIP_REASONS)]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """A clone must be self-contained: ``.ci/run`` sets ``CI=true``, and there a silent skip
    would hide a test that never ran, so it fails the run."""
    if _unexpected_skips(session.config) and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    unexpected = _unexpected_skips(config)
    if unexpected:
        terminalreporter.section("skips not allowed under CI", red=True)
        for report in unexpected:
            terminalreporter.write_line(f"{report.nodeid}: {_skip_reason(report)}")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


class DelayingProxy:
    """A TCP proxy on 127.0.0.1 in front of a real server that can hold chosen requests.

    ``hold(b"POST /submissions ", seconds)`` delays forwarding the next request that starts
    with those bytes: the client times out and gives up while the server has not even seen the
    request; the server then gets it (the proxy keeps its side of the connection open) and
    processes it normally, exactly like a slow server whose answer is lost. ``held_answered``
    is set once the server has answered a held request (the client is gone by then).
    """

    def __init__(self, upstream_url: str) -> None:
        import socket
        import threading
        from urllib.parse import urlsplit

        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname, parts.port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._holds: list[list] = []
        self.held = 0
        self.held_answered = threading.Event()
        self._held_upstreams: set = set()
        self._lock = threading.Lock()
        self._sockets: list = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._start(self._accept)

    def _start(self, target, *args) -> None:
        import threading

        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def hold(self, prefix: bytes, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._holds.append([prefix, seconds, times])

    def _accept(self) -> None:
        import socket

        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._upstream)
            self._sockets += [client, upstream]
            self._start(self._client_to_server, client, upstream)
            self._start(self._server_to_client, upstream, client)

    def _hold_for(self, data: bytes) -> float:
        with self._lock:
            for rule in self._holds:
                if data.startswith(rule[0]) and rule[2] > 0:
                    rule[2] -= 1
                    self.held += 1
                    return rule[1]
        return 0.0

    def _client_to_server(self, client, upstream) -> None:
        # When the client goes away, the server side stays open: the server must not notice.
        while True:
            try:
                data = client.recv(65536)
            except OSError:
                return
            if not data:
                return
            delay = self._hold_for(data)
            if delay:
                time.sleep(delay)
                self._held_upstreams.add(upstream)
            try:
                upstream.sendall(data)
            except OSError:
                return

    def _server_to_client(self, upstream, client) -> None:
        try:
            while data := upstream.recv(65536):
                if upstream in self._held_upstreams:
                    self.held_answered.set()
                client.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        """Stop every proxy thread before the next test: a thread left running would, for
        example, keep the checker from forking (it forks only while no other thread runs)."""
        import socket

        self._closed = True
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept/recv
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=10)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Client backoff without real waiting; the list records every pause the client asked for
    (the retry logic itself is tested in tests/runs)."""
    from endpoints_submission_cli import prism as prism_client

    pauses: list[float] = []
    policy = prism_client.RetryPolicy(base_delay=0.001, max_delay=0.01, sleep=pauses.append)
    monkeypatch.setattr(prism_client, "DEFAULT_RETRY", policy)
    return pauses


@pytest.fixture
def patient_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short read timeout, real (short) pauses while watching the list after a lost answer: for
    ``delaying_proxy`` tests whose held request outlasts the client's timeout."""
    from endpoints_submission_cli import prism as prism_client

    monkeypatch.setattr(prism_client, "JSON_TIMEOUT", prism_client.httpx.Timeout(0.5))
    monkeypatch.setattr(prism_client, "LOST_ANSWER_POLL_DELAYS", (0.25,) * 12)
    policy = prism_client.RetryPolicy(base_delay=0.01, max_delay=0.05)
    monkeypatch.setattr(prism_client, "DEFAULT_RETRY", policy)


@pytest.fixture
def delaying_proxy(prism):
    """A :class:`DelayingProxy` in front of the test's prism-server (``.url``, ``.hold``)."""
    proxy = DelayingProxy(prism.url)
    try:
        yield proxy
    finally:
        proxy.close()
