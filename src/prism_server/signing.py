"""Signed storage URLs: HMAC-SHA256 over method, path and expiry, like S3 presigned URLs.

A signed URL needs no API key, so it must not be forgeable or reusable for another object or
another method: the signature covers all three, and the secret lives in the data dir (created
once, mode 0600) so URLs stay valid across a server restart on the same data dir.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

SECRET_FILE = "signing.key"


def load_or_create_secret(data_dir: Path) -> bytes:
    path = data_dir / SECRET_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(tmp, path)  # fails if another process created it first: then use theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


class Signer:
    def __init__(self, secret: bytes, ttl_seconds: int):
        self.secret = secret
        self.ttl = ttl_seconds

    def _signature(self, method: str, path: str, expires: int) -> str:
        message = f"{method.upper()}\n{path}\n{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def sign(self, base_url: str, method: str, path: str) -> str:
        """An absolute URL for ``method path`` valid for ``ttl`` seconds from now."""
        expires = int(time.time()) + self.ttl
        query = urlencode({"expires": expires, "signature": self._signature(method, path, expires)})
        return f"{base_url.rstrip('/')}{path}?{query}"

    def check(self, method: str, path: str, expires: str | None, signature: str | None) -> str:
        """The reason a signed request is refused, or '' when it is valid."""
        if not expires or not signature:
            return "missing signature: use the URL exactly as the API returned it"
        try:
            expires_at = int(expires)
        except ValueError:
            return "malformed signature expiry"
        expected = self._signature(method, path, expires_at)
        if not hmac.compare_digest(expected, signature):
            return "signature does not match this URL (tampered or for another method)"
        if expires_at < time.time():
            return "signed URL has expired: ask the API for a new one"
        return ""
