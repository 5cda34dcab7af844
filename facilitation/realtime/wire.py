"""How socket.io messages are read off the wire, so that a message nobody can read is still
answered: socket.io's own reader raises on an integer over 100 digits or JSON nested deeper
than Python recurses, before the message reaches a handler, and the phone's call then waits
for an answer that never comes (while the server logs a traceback).
"""

from __future__ import annotations

import json
from typing import Any

from socketio import packet

# The event a message nobody could read becomes: the catch-all handler answers it "malformed".
UNREADABLE = "\0unreadable"
MAX_DIGITS = 100


def _integer(text: str) -> int | float:
    # too long to be a count anyone meant: infinity, which every check refuses as a number
    return int(text) if len(text) <= MAX_DIGITS else float("inf")


_DECODER = json.JSONDecoder(parse_int=_integer)


class _Json:
    """The json module as socket.io's packets use it (dumps, loads)."""

    @staticmethod
    def dumps(data: Any, **options: Any) -> str:
        return json.dumps(data, **options)

    @staticmethod
    def loads(text: str | bytes, **options: Any) -> Any:
        try:
            if options or not isinstance(text, str):
                return json.loads(text, parse_int=_integer, **options)
            # one decoder for every message: `json.loads` with an option builds a new one
            return _DECODER.decode(text)
        except (ValueError, RecursionError):
            return [UNREADABLE]


class Packet(packet.Packet):  # type: ignore[misc]
    """Socket.io's packet, reading its JSON with `_Json`; engine.io's are left as they are."""

    json = _Json
