"""Signed storage URLs and what the server does with bad uploads."""

from __future__ import annotations

import gzip
import socket
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from prism_server.signing import Signer, load_or_create_secret


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


def assert_no_archive(api, prism, run_id: str) -> None:
    assert api.get(f"/runs/{run_id}").json()["archive_uri"] is None
    assert not (prism.data_dir / "archives" / "runs" / run_id).exists()
    assert not list((prism.data_dir / "tmp").glob("*.part"))


def test_tampered_signature_is_403(api, upload_url, tar_gz, http):
    bad = with_query(upload_url, signature="0" * 64)
    response = http.put(bad, content=tar_gz({"r/a": b"x"}))
    assert response.status_code == 403
    assert "signature does not match" in response.json()["detail"]
    later = with_query(upload_url, expires=str(int(time.time()) + 10**6))
    assert http.put(later, content=tar_gz({"r/a": b"x"})).status_code == 403
    bare = upload_url.split("?")[0]
    assert http.put(bare, content=b"x").status_code == 403


def test_signature_is_bound_to_method_and_object(api, make_run, upload_url, tar_gz, http):
    # An upload URL does not download, and does not upload to another run.
    assert http.get(upload_url).status_code == 403
    other = make_run()["id"]
    parts = urlsplit(upload_url)
    moved = parts._replace(path=f"/storage/runs/{other}/archive").geturl()
    assert http.put(moved, content=tar_gz({"r/a": b"x"})).status_code == 403


def test_expired_signature_is_403(prism, api, run_id, http):
    signer = Signer(load_or_create_secret(prism.data_dir), ttl_seconds=-5)
    expired = signer.sign(prism.url, "PUT", f"/storage/runs/{run_id}/archive")
    response = http.put(expired, content=b"x")
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]


def test_signed_url_ttl_and_public_url_are_configurable(configured_prism, run_body, http):
    server = configured_prism
    headers = {"X-API-Key": server.new_token("ttl")}
    run = http.post(f"{server.url}/runs", json=run_body(), headers=headers).json()
    signed = http.get(f"{server.url}/runs/{run['id']}/archive/upload-url", headers=headers).json()
    assert signed["expires_in"] == 1
    public = "https://prism.example.test/base"
    assert signed["upload_url"].startswith(f"{public}/storage/runs/{run['id']}/archive?")
    # The signature covers path and expiry, not the host: send it to where the server listens.
    local = signed["upload_url"].replace(public, server.url)
    expires = int(parse_qs(urlsplit(local).query)["expires"][0])
    time.sleep(max(0.0, expires - time.time()) + 1.05)
    response = http.put(local, content=b"x")
    assert response.status_code == 403 and "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "archive is empty"),
        (b"this is not gzip at all" * 100, "not a valid .tar.gz"),
        (gzip.compress(b"gzip of plain text, not a tar" * 100, mtime=0), "gzip but not a tar file"),
    ],
    ids=["empty", "not-gzip", "gzip-not-tar"],
)
def test_run_archive_must_be_a_gzip_tar(prism, api, run_id, upload_url, content, detail, http):
    response = http.put(upload_url, content=content)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert_no_archive(api, prism, run_id)


def test_truncated_gzip_is_refused(prism, api, run_id, upload_url, tar_gz, http):
    whole = tar_gz({"r/events.jsonl": bytes(range(256)) * 4000})
    response = http.put(upload_url, content=whole[: len(whole) // 2])
    assert response.status_code == 400
    assert "truncated" in response.json()["detail"]
    assert_no_archive(api, prism, run_id)


def test_upload_needs_content_length(prism, api, run_id, upload_url, tar_gz, http):
    def chunks():
        yield tar_gz({"r/a": b"x"})

    response = http.put(upload_url, content=chunks())  # chunked transfer encoding
    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]
    assert_no_archive(api, prism, run_id)


def test_body_shorter_than_content_length_stores_nothing(prism, api, run_id, upload_url):
    # A client that promises 1 MB, sends 1 kB and hangs up: no archive may appear.
    parts = urlsplit(upload_url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(
            f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n".encode()
            + b"\x1f\x8b"
            + bytes(1000)
        )
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(10)
        reply = sock.recv(65536)
    assert b" 200 " not in reply.split(b"\r\n")[0]
    time.sleep(0.2)
    assert_no_archive(api, prism, run_id)


def test_oversized_upload_is_413(configured_prism, run_body, http):
    server = configured_prism
    headers = {"X-API-Key": server.new_token("big")}
    run = http.post(f"{server.url}/runs", json=run_body(), headers=headers).json()
    # This server's signed URLs live 1 s (for the expiry tests): on a loaded machine the PUT can
    # arrive after that, which says nothing about the size limit, so take a fresh URL then.
    for _attempt in range(5):
        signed = http.get(f"{server.url}/runs/{run['id']}/archive/upload-url", headers=headers)
        local = signed.json()["upload_url"].replace("https://prism.example.test/base", server.url)
        response = http.put(local, content=bytes(100_001))
        if response.status_code != 403:
            break
    assert response.status_code == 413
    assert "exceeds this server's limit of 100000 bytes" in response.json()["detail"]
    assert not list((server.data_dir / "archives").rglob("*.tar.gz"))
    assert not list((server.data_dir / "tmp").iterdir())


def test_upload_to_a_deleted_run_is_404(api, run_id, upload_url, tar_gz, http):
    assert api.delete(f"/runs/{run_id}").status_code == 204
    response = http.put(upload_url, content=tar_gz({"r/a": b"x"}))
    assert response.status_code == 404
