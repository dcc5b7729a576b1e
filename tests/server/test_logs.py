"""No token or signed-URL signature ever reaches the server's log, access log included."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import httpx

from prism_server.serving import RedactSecrets, redact


def test_tokens_and_signatures_are_redacted_from_the_access_log(prism_factory, run_body, tar_gz):
    server = prism_factory(log_level="info")
    token = server.new_token("logged")
    headers = {"X-API-Key": token}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/runs", params={"token": token}, headers=headers).status_code == 200
        assert client.get(f"/runs/{token}", headers=headers).status_code == 404
        run = client.post("/runs", json=run_body(), headers=headers).json()
        url = client.get(f"/runs/{run['id']}/archive/upload-url", headers=headers).json()
        upload_url = url["upload_url"]
        assert client.put(upload_url, content=tar_gz({"r/a": b"x"})).status_code == 200
        bad = upload_url.replace("signature=", "signature=0")
        assert client.put(bad, content=b"x").status_code == 403
    server.stop()
    log = server.log()
    signature = parse_qs(urlsplit(upload_url).query)["signature"][0]
    assert "GET /runs?token=[redacted] HTTP/1.1" in log  # the lines are there, masked
    assert "GET /runs/mlc_[redacted] HTTP/1.1" in log
    assert f"PUT /storage/runs/{run['id']}/archive?expires=" in log
    assert token not in log and token[4:] not in log
    assert signature not in log and signature[:16] not in log


def test_the_filter_masks_messages_arguments_and_tracebacks():
    secret = "mlc_" + "A1b2" * 8
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "key %s", (secret,), None)
    try:
        raise ValueError(f"bad {secret} in /s?signature=abcdef0123&expires=1")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert secret not in text and "abcdef0123" not in text
    assert "key mlc_[redacted]" in text and "signature=[redacted]&expires=1" in text
    assert redact("no secrets here") == "no secrets here"
