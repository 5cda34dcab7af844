"""Who may open a socket, and which calls are the connection's own lifecycle.

Kept apart from the hub, which handles what connected sockets say: this module answers only
"may this socket exist?".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import socketio

from facilitation.messages import refusal_message
from facilitation.security import peer_address

# python-socketio dispatches a client's message event by its name, the same way it calls the
# real lifecycle handlers: without these checks `42["connect",{…}]` would run the connect
# handler with an environ of the client's choosing.
LIFECYCLE = frozenset({"connect", "disconnect"})


def genuine_connect(sio: socketio.AsyncServer, sid: str, environ: object) -> bool:
    """The server itself calls connect with the very environ it keeps for the socket, before
    the socket counts as connected; a forged message has a decoded copy, from a connected one."""
    return environ is sio.get_environ(sid) and not sio.manager.is_connected(sid, "/")


def genuine_disconnect(sio: socketio.AsyncServer, sid: str) -> bool:
    """The server marks a socket as leaving before it calls disconnect; a message can only come
    from a socket still fully connected."""
    return not sio.manager.is_connected(sid, "/")


def refusal(code: str, lang: str = "en") -> socketio.exceptions.ConnectionRefusedError:
    """A refused connect as the browser client reads it: `err.message` for people,
    `err.data.code` for the page's script (a single argument would only become a message)."""
    return socketio.exceptions.ConnectionRefusedError(refusal_message(lang, code), {"code": code})


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SameOrigin:
    """Engine.io's origin check (it asks only when the request has an Origin header).

    A browser always sends Origin on a websocket, and CORS never covers websockets: without
    this, a page elsewhere could open a socket with the facilitator's cookie and read the live
    tally and the console's CSRF token. Scripts that send no Origin (the load test, test
    clients) are not browsers carrying someone's cookie by surprise, and pass.
    """

    def __init__(self, public_url: str | None) -> None:
        self.public = origin_of(public_url) if public_url else None

    def __call__(self, origin: str | None, environ: dict[str, Any]) -> bool:
        if not origin:
            return True
        origin = origin.lower()
        if origin == self.public:
            return True
        scope = environ.get("asgi.scope") or {}
        # engine.io's own wsgi.url_scheme is only X-Forwarded-Proto: the scope knows TLS
        secure = scope.get("scheme") in ("https", "wss")
        host = environ.get("HTTP_HOST", "").lower()
        return bool(host) and origin == f"{'https' if secure else 'http'}://{host}"


@dataclass(frozen=True)
class Caps:
    """Anonymous sockets allowed at once (0: no cap). Phones and projectors need no account,
    so anyone can open them; the facilitator's sockets are never counted against these."""

    per_event: int
    screens_per_event: int
    per_address: int


class Admission:
    """Counts the anonymous sockets this process holds, by event, projector and address.

    Counted per process on purpose, unlike presence: what runs out is this process's file
    descriptors and memory. A socket that proves the facilitator's key (the console, a
    projector opened in the facilitator's browser, the load test's phones) is always let in:
    a room full of strangers' sockets must not lock the facilitator out.
    """

    def __init__(self, caps: Caps, *, trust_forwarded_for: bool = False) -> None:
        self.caps = caps
        self.trust_forwarded_for = trust_forwarded_for
        self._events: Counter[str] = Counter()
        self._screens: Counter[str] = Counter()
        self._addresses: Counter[str] = Counter()
        self._counted: dict[str, tuple[str, str, str]] = {}  # sid -> (event, audience, address)

    def address(self, environ: dict[str, Any]) -> str:
        """The socket's peer, as the per-address cap counts it (engine.io's own REMOTE_ADDR
        is always 127.0.0.1: the ASGI scope knows better)."""
        return peer_address(environ.get("asgi.scope") or {}, self.trust_forwarded_for)

    def admit(self, sid: str, code: str, audience: str, address: str, trusted: bool) -> bool:
        if trusted:
            return True
        caps = self.caps
        if (
            _full(self._events[code], caps.per_event)
            or (audience == "screen" and _full(self._screens[code], caps.screens_per_event))
            or _full(self._addresses[address], caps.per_address)
        ):
            return False
        self._events[code] += 1
        if audience == "screen":
            self._screens[code] += 1
        self._addresses[address] += 1
        self._counted[sid] = (code, audience, address)
        return True

    def release(self, sid: str) -> None:
        counted = self._counted.pop(sid, None)
        if counted is None:
            return
        code, audience, address = counted
        for counter, key in ((self._events, code), (self._addresses, address)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]
        if audience == "screen":
            self._screens[code] -= 1
            if self._screens[code] <= 0:
                del self._screens[code]


def _full(count: int, cap: int) -> bool:
    return cap > 0 and count >= cap
