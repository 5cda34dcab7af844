"""The room index does what python-socketio's own bookkeeping does, operation for operation,
and a socket leaving costs its own rooms only."""

from __future__ import annotations

from typing import Any

import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.realtime.rooms import LocalRooms

SIDS = [f"s{i}" for i in range(4)]
ROOMS = ["EV:participant:fr", "EV:p:1:fr", "EV:screen:en"]
NS = "/"

operations = st.lists(
    st.one_of(
        st.tuples(st.just("connect"), st.sampled_from(SIDS)),
        st.tuples(st.just("enter"), st.sampled_from(SIDS), st.sampled_from(ROOMS)),
        st.tuples(st.just("leave"), st.sampled_from(SIDS), st.sampled_from(ROOMS)),
        st.tuples(st.just("close"), st.sampled_from(ROOMS)),
        st.tuples(st.just("disconnect"), st.sampled_from(SIDS)),
    ),
    max_size=40,
)


def apply(manager: Any, operation: tuple[str, ...], connected: set[str]) -> None:
    kind, *args = operation
    if kind == "connect" and args[0] not in connected:
        sid = args[0]
        manager.basic_enter_room(sid, NS, None, eio_sid="e" + sid)  # as pre_connect does
        manager.basic_enter_room(sid, NS, sid, eio_sid="e" + sid)
        manager.pending_connect.setdefault(NS, []).append(sid)
        connected.add(sid)
    elif kind == "enter" and args[0] in connected:
        manager.basic_enter_room(args[0], NS, args[1])
    elif kind == "leave":
        manager.basic_leave_room(args[0], NS, args[1])
    elif kind == "close":
        manager.basic_close_room(args[0], NS)
    elif kind == "disconnect":
        manager.callbacks[args[0]] = {}
        manager.basic_disconnect(args[0], NS)
        connected.discard(args[0])


def picture(manager: Any) -> Any:
    rooms = {
        ns: {room: dict(members) for room, members in by_room.items()}
        for ns, by_room in manager.rooms.items()
    }
    return rooms, dict(manager.callbacks), manager.pending_connect


@settings(max_examples=300, deadline=None)
@given(operations)
def test_the_index_keeps_the_same_rooms_as_the_library(ops: list[tuple[str, ...]]) -> None:
    library, indexed = socketio.AsyncManager(), LocalRooms()
    seen_library: set[str] = set()
    seen_indexed: set[str] = set()
    for operation in ops:
        apply(library, operation, seen_library)
        apply(indexed, operation, seen_indexed)
        assert picture(indexed) == picture(library)
        for sid in SIDS:
            assert sorted(indexed.get_rooms(sid, NS)) == sorted(library.get_rooms(sid, NS))


def test_a_socket_leaving_tests_only_its_own_rooms() -> None:
    manager = LocalRooms()
    for i in range(2000):
        sid = f"s{i}"
        manager.basic_enter_room(sid, NS, None, eio_sid=f"e{i}")
        manager.basic_enter_room(sid, NS, sid)
        manager.basic_enter_room(sid, NS, f"EV:p:{i}:fr")
    rooms = manager.rooms[NS]
    tested: list[object] = []

    class Watched(type(rooms[None])):  # type: ignore[misc]
        def __contains__(self, sid: object) -> bool:
            tested.append(sid)
            return super().__contains__(sid)

    for name in list(rooms):
        watched = Watched()
        watched.update(rooms[name])
        rooms[name] = watched
    manager.basic_disconnect("s7", NS)
    assert "s7" not in manager.rooms[NS][None]
    assert "s7" not in manager.rooms[NS] and "EV:p:7:fr" not in manager.rooms[NS]
    assert len(tested) < 10  # the library's own scan tests all 4,001 rooms
