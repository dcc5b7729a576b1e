"""How ``prism-server serve`` runs under uvicorn: connection limits and log redaction.

Uvicorn bounds idle keep-alive connections (``timeout_keep_alive``), in-flight requests
(``limit_concurrency``, answered 503) and the size of a request head
(``h11_max_incomplete_event_size``), but it has no time limit for receiving a request's headers
and no cap on open connections: 20,000 half-sent requests once starved the server and filled its
log with "Too many open files". :func:`bounded_protocol` adds both to uvicorn's h11 protocol.

Every log line goes through :class:`RedactSecrets`, access log included, so an API token sent
in a query string or a signed URL's signature never reaches a log file.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

SECRETS = re.compile(
    r"(?P<token>mlc_)[A-Za-z0-9_\-]+"
    r"|(?P<param>(?:signature|token|api_key|x-api-key)=)[^&\s\"'<>]+",
    re.IGNORECASE,
)
MAX_REQUEST_HEAD_BYTES = 64 * 1024


def redact(text: str) -> str:
    """``text`` with every ``mlc_…`` token and signature/token query value masked."""
    return SECRETS.sub(
        lambda m: (m.group("token") or m.group("param")) + "[redacted]",
        text,
    )


class RedactSecrets(logging.Filter):
    """Masks secrets in the whole formatted record (message, arguments and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.stack_info:
            text += "\n" + record.stack_info
        record.msg, record.args = redact(text), None
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def log_config(level: str) -> dict[str, Any]:
    """logging.config.dictConfig settings: one stderr handler, every record redacted."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSecrets}},
        "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "plain",
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
    }


def _busy_response(max_connections: int) -> bytes:
    body = (
        f'{{"detail": "server busy: {max_connections} connections are open; retry shortly"}}'
    ).encode()
    return (
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
        b"retry-after: 1\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    )


_HEAD_TOO_LARGE_BODY = (
    f'{{"detail": "request head larger than {MAX_REQUEST_HEAD_BYTES} bytes"}}'.encode()
)
_HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s"
    % (len(_HEAD_TOO_LARGE_BODY), _HEAD_TOO_LARGE_BODY)
)


def bounded_protocol(*, header_timeout: float, max_connections: int) -> type[H11Protocol]:
    """Uvicorn's h11 protocol with a deadline for request headers and a connection cap.

    - A connection gets ``header_timeout`` seconds from its first byte (or from being opened)
      to deliver a complete request head, else it is closed; keep-alive idleness stays
      uvicorn's ``timeout_keep_alive``. The request body has its own idle timeout in the app.
    - Connection number ``max_connections + 1`` is answered 503 and closed at once, before it
      can hold a file descriptor for long.
    - A request head (request line and headers) over MAX_REQUEST_HEAD_BYTES is answered 431.
    """
    busy = _busy_response(max_connections)

    class BoundedH11Protocol(H11Protocol):
        _header_deadline: Any = None
        _head_bytes = 0

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                transport.write(busy)
                transport.close()
                return
            self._arm_header_deadline()

        def data_received(self, data: bytes) -> None:
            if self.conn.their_state is h11.IDLE:
                # h11 bounds only a head that is still incomplete when a read ends; a whole big
                # head arriving in one read would pass, so count the head's bytes here.
                end = data.find(b"\r\n\r\n")
                self._head_bytes += len(data) if end < 0 else end
                if self._head_bytes > MAX_REQUEST_HEAD_BYTES:
                    self.transport.write(_HEAD_TOO_LARGE)
                    self.transport.close()
                    return
            super().data_received(data)
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self._arm_header_deadline()  # a request head has started and is incomplete
            else:
                self._head_bytes = 0
                self._disarm_header_deadline()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_deadline()
            super().connection_lost(exc)

        def _arm_header_deadline(self) -> None:
            if self._header_deadline is None:
                self._header_deadline = self.loop.call_later(header_timeout, self._headers_late)

        def _disarm_header_deadline(self) -> None:
            if self._header_deadline is not None:
                self._header_deadline.cancel()
                self._header_deadline = None

        def _headers_late(self) -> None:
            self._header_deadline = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return BoundedH11Protocol
