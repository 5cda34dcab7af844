"""Socket.io's room bookkeeping, with each socket's own rooms kept beside it.

python-socketio finds the rooms a socket is in by testing every room of the namespace, at
each disconnect (`basic_disconnect`) and each `rooms(sid)`. Every socket has a room of its
own and every phone one per person, so an event of N phones has 2N rooms and a Wi-Fi blip
that drops all of them costs N × 2N tests: at 2,500 phones, 12.5 million, and a reconnect
storm's phones waited for that before they could come back. Here the rooms of each socket
are kept in a set as it enters and leaves them, and leaving everything costs its own rooms.

The rest of what `basic_disconnect` does (callbacks, the pending lists) is the library's
own code, kept in the same order.
"""

from __future__ import annotations

from typing import Any

import socketio

Room = str | None  # None: the namespace's room of every connected socket


class IndexedRooms:
    """Mixed in before a python-socketio manager class."""

    rooms: dict[str, dict[Room, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set[Room]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Room, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Room) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        own = self._rooms_of.get((namespace, sid))
        if own is not None:
            own.discard(room)
            if not own:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        if namespace not in self.rooms:
            return
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[str]:
        return [r for r in self._rooms_of.get((namespace, sid), ()) if r is not None]


class LocalRooms(IndexedRooms, socketio.AsyncManager):  # type: ignore[misc]
    """One process's sockets."""


class SharedRooms(IndexedRooms, socketio.AsyncRedisManager):  # type: ignore[misc]
    """Sockets of several processes, emits relayed through Redis."""
