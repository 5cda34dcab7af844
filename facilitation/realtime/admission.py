"""Who may open a socket, and which calls are the connection's own lifecycle.

Kept apart from the hub, which handles what connected sockets say: this module answers only
"may this socket exist?".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import socketio

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
