"""uvicorn's h11 protocol with the two bounds it lacks: a deadline and a size for the head.

uvicorn (0.54, h11 impl) arms its only timer, the keep-alive one, after a response: a
connection that sends nothing, or half a request line, or headers one byte a minute, is
held for ever (150 half-sent requests stayed open for as long as their clients wished).
h11 bounds a head that arrives in pieces to 16 KiB and uvicorn answers that with a bare
400; a head that arrives in one read is not bounded at all. This subclass:

* gives every request head `head_timeout_s` from the first byte it waits for (connection
  made, or the previous response sent) to its blank line; past it the connection is closed
  (with a 408 when part of a head had come);
* refuses a head that passes `MAX_HEAD_BYTES` without ending: 414 while the request line
  has not ended, 431 after. Heads under that size are judged precisely, with the one error
  shape, by `app.web.guard` once parsed.

`tensor-playground serve` uses it; plain `uvicorn app.main:app` cannot (its `--http` takes
only built-in names), so there put the documented reverse proxy in front.
"""

from __future__ import annotations

import asyncio
import http
import json
import re

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.web.guard import MAX_HEADER_BYTES, MAX_URL_BYTES
from app.web.headers import SECURITY_HEADERS

MAX_HEAD_BYTES = MAX_URL_BYTES + MAX_HEADER_BYTES + 1024
"""Past this a head is refused here; below it the guard sees it and answers precisely."""
H11_MAX_INCOMPLETE_EVENT_BYTES = 2 * MAX_HEAD_BYTES
"""h11's own bound (chunk headers, trailers), kept above ours so ours answers first."""
_BLANK_LINE = re.compile(b"\n\r?\n")


def raw_error(status: int, code: str, detail: str) -> bytes:
    """A whole HTTP/1.1 error response in the one shape, for a head h11 never parsed."""
    body = json.dumps({"error": code, "detail": detail}).encode()
    lines = [
        f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class BoundedH11Protocol(H11Protocol):
    head_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        self.conn.receive_data(data)
        if self.conn.their_state is h11.IDLE and self._refuse_oversized_head():
            return
        self.handle_events()
        if self.conn.their_state is not h11.IDLE:
            self._disarm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm_head_timer()

    def _refuse_oversized_head(self) -> bool:
        buffered, _ = self.conn.trailing_data
        if len(buffered) <= MAX_HEAD_BYTES or _BLANK_LINE.search(buffered, 0, MAX_HEAD_BYTES):
            return False
        if b"\n" not in buffered[: MAX_URL_BYTES + 64]:
            response = raw_error(414, "uri_too_long", f"the URL is over {MAX_URL_BYTES} bytes")
        else:
            response = raw_error(
                431, "headers_too_large", f"the headers are over {MAX_HEADER_BYTES} bytes"
            )
        self._close_with(response)
        return True

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:
            detail = f"the request head did not arrive within {self.head_timeout_s:g} s"
            self._close_with(raw_error(408, "request_timeout", detail))
        else:
            self.transport.close()

    def _close_with(self, response: bytes) -> None:
        self._disarm_head_timer()
        self.transport.write(response)
        self.transport.close()


def bounded_protocol(head_timeout_s: float) -> type[BoundedH11Protocol]:
    """The protocol class uvicorn instantiates per connection, with this server's deadline."""
    return type("BoundedH11Protocol", (BoundedH11Protocol,), {"head_timeout_s": head_timeout_s})
