"""Server bounds over raw sockets: upload sizes whatever the headers say, stalled uploads,
half-sent requests and connection floods (all bounded: a few hundred sockets, a few seconds)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tarfile
import threading
import time
import zlib
from urllib.parse import urlsplit

import httpx
import pytest

LIMIT = 100_000


@pytest.fixture(scope="module")
def bounded_prism(tmp_path_factory):
    """A server with small limits, shared by this module's tests."""
    from prism_server.testing import PrismProcess

    process = PrismProcess(
        tmp_path_factory.mktemp("bounded-prism"),
        fault_injection=False,
        max_upload_bytes=LIMIT,
        upload_idle_timeout=1,
        header_timeout=1,
        max_connections=200,
    ).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def bounded(bounded_prism, run_body):
    """(server, headers, run id, signed upload URL split into parts)."""
    headers = {"X-API-Key": bounded_prism.new_token("bounds")}
    with httpx.Client(base_url=bounded_prism.url, headers=headers, timeout=30) as client:
        run = client.post("/runs", json=run_body()).json()
        url = client.get(f"/runs/{run['id']}/archive/upload-url").json()["upload_url"]
    return bounded_prism, headers, run["id"], urlsplit(url)


def _gzip_pieces(count: int, size: int = 64 * 1024):
    """The start of a valid, endless .tar.gz (stored blocks): only a size bound can stop it."""
    deflate = zlib.compressobj(level=0, wbits=31)
    header = tarfile.TarInfo("run/events.jsonl")
    header.size = 1 << 40
    yield deflate.compress(header.tobuf()) + deflate.flush(zlib.Z_SYNC_FLUSH)
    for _ in range(count):
        yield deflate.compress(os.urandom(size)) + deflate.flush(zlib.Z_SYNC_FLUSH)


def _gzip_start() -> bytes:
    return b"".join(_gzip_pieces(1, 32_000))


class PartWatcher(threading.Thread):
    """Records the largest ``.part`` file seen in the server's tmp dir while it runs."""

    def __init__(self, data_dir):
        super().__init__(daemon=True)
        self.tmp = data_dir / "tmp"
        self.largest = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for part in self.tmp.glob("*.part"):
                with contextlib.suppress(FileNotFoundError):
                    self.largest = max(self.largest, part.stat().st_size)
            time.sleep(0.005)


def _read_reply(sock: socket.socket) -> bytes:
    """One whole HTTP response (head and Content-Length body), or what came before EOF."""
    reply = b""
    while b"\r\n\r\n" not in reply or len(reply.partition(b"\r\n\r\n")[2]) < int(
        re.search(rb"content-length: (\d+)", reply, re.IGNORECASE).group(1)
    ):
        data = sock.recv(65536)
        if not data:
            break
        reply += data
    return reply


def _status(reply: bytes) -> int:
    return int(reply.split(b"\r\n", 1)[0].split()[1])


def _wait_no_part(server) -> None:
    deadline = time.monotonic() + 10
    while list((server.data_dir / "tmp").glob("*.part")):
        assert time.monotonic() < deadline, "the .part file was never released"
        time.sleep(0.05)


def test_chunked_body_behind_a_lying_content_length_stops_at_the_limit(bounded):
    server, headers, run_id, url = bounded
    watcher = PartWatcher(server.data_dir)
    watcher.start()
    reply = b""
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            "Content-Type: application/octet-stream\r\nContent-Length: 1\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        try:
            for piece in _gzip_pieces(5 * 16):  # 5 MB, 50 times the limit
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close the connection once it refused the upload
        with contextlib.suppress(OSError):
            reply = sock.recv(65536)
    _wait_no_part(server)
    watcher.done.set()
    watcher.join()
    assert watcher.largest <= LIMIT, f"a {watcher.largest}-byte .part was written"
    if reply:
        assert _status(reply) in (400, 413), reply[:200]
    stored = httpx.get(f"{server.url}/runs/{run_id}", headers=headers).json()
    assert stored["archive_uri"] is None


def test_a_stalled_upload_releases_its_part_file(bounded):
    server, headers, run_id, url = bounded
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Length: {LIMIT}\r\n\r\n".encode()
            + _gzip_start()
        )
        deadline = time.monotonic() + 10
        while not list((server.data_dir / "tmp").glob("*.part")):
            assert time.monotonic() < deadline, "the upload never started"
            time.sleep(0.02)
        # Then send nothing: the server must give up on its own, answer and drop the .part.
        reply = _read_reply(sock)
    assert _status(reply) == 408
    assert b"upload stalled" in reply
    _wait_no_part(server)
    assert httpx.get(f"{server.url}/runs/{run_id}", headers=headers).json()["archive_uri"] is None


def _half_sent(server, count: int) -> list[socket.socket]:
    """``count`` connections that each send part of a request head and then nothing."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, port), timeout=10)
        sock.sendall(b"GET /runs HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        sockets.append(sock)
    return sockets


def test_half_sent_request_heads_are_closed_after_the_header_timeout(bounded):
    server, headers, _run_id, _url = bounded
    sockets = _half_sent(server, 20)
    try:
        for sock in sockets:
            sock.settimeout(10)  # header timeout is 1 s; 10 s only bounds a broken server
            assert sock.recv(65536) == b""  # closed by the server, no response started
    finally:
        for sock in sockets:
            sock.close()
    assert httpx.get(f"{server.url}/runs", headers=headers, timeout=10).status_code == 200


def test_a_flood_of_idle_connections_does_not_starve_the_api(bounded):
    """300 half-sent requests against a cap of 200: the excess gets 503 at once, the rest is
    closed by the header timeout, and GET /runs answers again within a few seconds."""
    server, headers, _run_id, _url = bounded
    sockets = _half_sent(server, 300)
    try:
        busy = 0
        for sock in sockets[200:]:
            sock.settimeout(10)
            reply = sock.recv(65536)
            busy += reply.startswith(b"HTTP/1.1 503")
        assert busy == 100
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(f"{server.url}/runs", headers=headers, timeout=5)
                if response.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "GET /runs never answered after the flood"
            time.sleep(0.2)
    finally:
        for sock in sockets:
            sock.close()
    log = server.log()
    assert "Too many open files" not in log and "Traceback" not in log


def test_a_stalled_json_body_is_refused(bounded):
    server, headers, _run_id, _url = bounded
    url = urlsplit(server.url)
    before = httpx.get(f"{server.url}/runs", headers=headers).json()["items"]
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            f"POST /runs HTTP/1.1\r\nHost: {url.netloc}\r\nX-API-Key: {headers['X-API-Key']}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{".encode()
        )
        reply = _read_reply(sock)  # the upload idle timeout (1 s) applies to API bodies too
    assert _status(reply) == 408 and b"stalled" in reply
    assert httpx.get(f"{server.url}/runs", headers=headers).json()["items"] == before


def test_an_oversized_request_head_is_refused(bounded):
    server, headers, _run_id, _url = bounded
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may close before all is sent
            big = "b" * 100_000
            sock.sendall(f"GET /runs HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n".encode())
        reply = _read_reply(sock)
    assert _status(reply) == 431
    assert httpx.get(f"{server.url}/runs", headers=headers).status_code == 200
