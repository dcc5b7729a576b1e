"""Fixtures for the client-hardening tests: a recording loopback HTTP stub, a CLI runner."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

from endpoints_submission_cli.cli import main

Route = Callable[[str, str, dict[str, list[str]]], tuple[int, Any]]


@dataclass
class Stub:
    """A tiny HTTP server on 127.0.0.1: ``route(method, path, query) -> (status, json body)``
    or ``(status, json body, headers)``.

    It records every request (method, path, query, headers) so a test can assert that none was
    sent, or what was sent.
    """

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    route: Route = lambda _m, _p, _q: (404, {"detail": "no route"})  # noqa: E731


@pytest.fixture
def stub() -> Iterator[Stub]:
    holder: dict[str, Stub] = {}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = parse_qs(parts.query)
            current = holder["stub"]
            current.requests.append(
                {
                    "method": self.command,
                    "path": parts.path,
                    "query": query,
                    "headers": dict(self.headers),
                    "body": body,
                }
            )
            status, payload, *extra = current.route(self.command, parts.path, query)
            data = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _answer

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["stub"] = Stub(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["stub"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


TOKEN = "mlc_" + "T3stT0kenAbcdefgh1234"


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("PRISM_USER_API_TOKEN", raising=False)
    monkeypatch.delenv("MLPERF_API_BASE_URL", raising=False)


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """``run_cli(*args, env=None)``: the CLI in-process, stderr kept apart from stdout."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], env=env)

    return invoke
