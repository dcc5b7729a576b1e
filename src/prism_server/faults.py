"""Fault injection: make the server fail on purpose so clients can prove they survive it.

Only active with ``prism-server serve --enable-fault-injection`` (never by default). It is a raw
ASGI wrapper around the whole application, so a fault fires before any routing, authentication
or handler runs, and it can do what a handler cannot: close the TCP connection.

Endpoints (no API key; they exist only when fault injection is enabled):

- ``POST /_faults`` — body: one rule or a list of rules (JSON); answers the active rules.
- ``GET /_faults`` — the active rules, with their remaining ``times`` and ``skip``.
- ``DELETE /_faults`` — remove every rule.

A rule (every field but ``action`` is optional)::

    {"method": "PUT",          # HTTP method to match, or null for any
     "path": "^/runs$",        # regex searched in the URL path (not the query); default any
     "action": "status",       # "status" | "drop" | "drop_response" | "delay" | "cut"
     "status": 503,            # status: the status code to answer
     "detail": "injected",     # status: the {"detail": ...} text
     "retry_after": 1,         # status: a Retry-After header (seconds), or null for none
     "delay_s": 0.5,           # delay: seconds to sleep before handling normally
     "after_bytes": 1048576,   # cut: request-body bytes to read before closing the connection
     "times": 1,               # how many matching requests it fires on; null = forever
     "skip": 0}                # let this many matching requests through first

- ``status`` answers ``{"detail": ...}`` with that status without running the handler (the request
  body is read and discarded first, so even a large PUT sees the status, not a broken pipe).
- ``drop`` closes the connection before reading anything and without any response: the client
  sees "server disconnected without sending a response" (httpx ``RemoteProtocolError``).
- ``drop_response`` handles the request normally (a POST really creates), then closes the
  connection instead of answering: the outcome is unknown to the client, which must look
  before it creates again.
- ``delay`` sleeps, then handles the request normally (for timeout tests).
- ``cut`` reads ``after_bytes`` bytes of the request body, then closes the connection without a
  response — a network failure in the middle of an upload.

Rules are tried in the order they were added; the first one that matches and has no ``skip``
left fires. A rule that has fired ``times`` times is removed.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FAULTS_PATH = "/_faults"


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str | None = None
    path: str = ""
    action: Literal["status", "drop", "drop_response", "delay", "cut"]
    status: int = Field(503, ge=100, le=599)
    detail: str = "injected fault"
    retry_after: int | None = None
    delay_s: float = Field(0.0, ge=0)
    after_bytes: int = Field(0, ge=0)
    times: int | None = Field(1, ge=1)
    skip: int = Field(0, ge=0)

    @field_validator("path")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"path is not a valid regex: {err}") from err
        return value

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None


class FaultInjector:
    """ASGI middleware holding the active rules (in memory: faults do not survive a restart)."""

    def __init__(self, app: Any):
        self.app = app
        self.rules: list[FaultRule] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == FAULTS_PATH:
            await self._control(scope, receive, send)
            return
        rule = self._take(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.action == "delay":
            await asyncio.sleep(rule.delay_s)
            await self.app(scope, receive, send)
        elif rule.action == "status":
            await _drain(receive)
            headers = [(b"retry-after", str(rule.retry_after).encode())] if rule.retry_after else []
            await _send_json(send, rule.status, {"detail": rule.detail}, headers)
        elif rule.action == "drop":
            await _abort(send)
        elif rule.action == "drop_response":
            await self.app(scope, receive, _swallow)
            await _abort(send)
        else:  # cut
            await _drain(receive, limit=rule.after_bytes)
            await _abort(send)

    def _take(self, method: str, path: str) -> FaultRule | None:
        for rule in self.rules:
            if not rule.matches(method, path):
                continue
            if rule.skip:
                rule.skip -= 1
                continue
            if rule.times is not None:
                rule.times -= 1
                if rule.times == 0:
                    self.rules.remove(rule)
            return rule
        return None

    async def _control(self, scope: dict, receive: Any, send: Any) -> None:
        method = scope["method"]
        if method == "DELETE":
            self.rules.clear()
        elif method == "POST":
            body = await _drain(receive, keep=True)
            try:
                payload = json.loads(body or b"null")
                items = payload if isinstance(payload, list) else [payload]
                new_rules = [FaultRule.model_validate(item) for item in items]
            except (ValueError, ValidationError) as err:
                await _send_json(send, 422, {"detail": f"bad fault rule: {err}"})
                return
            self.rules.extend(new_rules)
        elif method != "GET":
            await _send_json(send, 405, {"detail": "use GET, POST or DELETE on /_faults"})
            return
        await _send_json(send, 200, [rule.model_dump() for rule in self.rules])


async def _drain(receive: Any, *, limit: int | None = None, keep: bool = False) -> bytes:
    """Read the request body (up to ``limit`` bytes when given), keeping it only if asked."""
    kept = bytearray()
    seen = 0
    while limit is None or seen < limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        if keep:
            kept += chunk
        if not message.get("more_body", False):
            break
    return bytes(kept)


async def _send_json(send: Any, status: int, payload: Any, headers: list | None = None) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _swallow(_message: dict) -> None:
    """A ``send`` that discards the response (for ``drop_response``)."""


async def _abort(send: Any) -> None:
    """Close the client's TCP connection at once, with no response at all.

    ASGI has no message for this, and an exception would make uvicorn answer 500, so reach the
    transport through uvicorn's ``send`` (a bound method of its request cycle).
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("fault injection cannot drop connections with this ASGI server")
    transport.abort()
    # Let the server notice the lost connection before we return, so it does not try to send
    # its "no response started" 500 on the way out.
    for _ in range(3):
        await asyncio.sleep(0)
