"""Who may open a socket, and which calls are the connection's own lifecycle.

Kept apart from the hub, which handles what connected sockets say: this module answers only
"may this socket exist?".
"""

from __future__ import annotations

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
