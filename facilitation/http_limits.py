"""What uvicorn is told, and the one limit it lacks: a deadline for a request's headers.

uvicorn's `timeout_keep_alive` only runs between requests, and any byte received disarms it:
a connection that sends nothing, or one header byte now and then (slowloris), is kept for
ever, and enough of them use up the process's file descriptors, the facilitator's console
included. This protocol closes a connection whose request line and headers are not complete
within `header_timeout` seconds of its opening (or of the request's first byte, on a
kept-alive connection). Bodies are capped by the body-limit middleware, sockets by admission.
The size of the headers is bounded by llhttp itself (httptools; uvicorn's
`h11_max_incomplete_event_size` is the same bound for h11, which this protocol replaces).

What uvicorn cannot do, and this does not either: cap HTTP connections per client address
(only `limit_concurrency`, global, answering 503), bound the time a body takes to arrive, or
time out a socket.io client that opens the engine.io transport and never sends its connect
packet (engine.io's ping timeout ends it after about 45 s).
"""

from __future__ import annotations

import asyncio
import resource
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Descriptors kept for the database, logs and accepting: not given to connections.
SPARE_FILES = 256


class HeaderDeadlineProtocol(HttpToolsProtocol):
    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_with_deadline(header_timeout: float) -> type[HeaderDeadlineProtocol]:
    class Configured(HeaderDeadlineProtocol):
        pass

    Configured.header_timeout = header_timeout
    return Configured


def open_files_for(connections: int) -> int:
    """Raises this process's open-file limit as far as the system lets it, and returns how
    many connections fit in it: beyond, uvicorn answers 503 rather than failing to accept."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
            soft = new
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return connections
    return max(1, min(connections, soft - SPARE_FILES))
