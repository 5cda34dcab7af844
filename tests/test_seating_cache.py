"""Seating keeps what every phone shows of its seat until the database says it changed.

The key is the seating version the database keeps (bumped by the writes that change seats),
not a count kept by one process: a second process sharing the database, or a rename, shows.
"""

from __future__ import annotations

from pathlib import Path

from facilitation.services.events import Events
from facilitation.services.live_event import LiveEvent
from facilitation.services.participants import Participants
from facilitation.services.seating import Seating
from facilitation.storage import ParticipantRow, Store
from facilitation.storage.opening import open_store
from facilitation.storage.sqlite import Storage

TABLES = """\
format: 1
id: tables-test
version: 1.0.0
title: Tables
roles: [facilitator, participant]
steps:
  - {id: tables, kind: groups, size: 2}
"""


async def an_event(storage: Store, people: int) -> tuple[LiveEvent, list[ParticipantRow]]:
    live = await Events(storage).create(
        format_source=TABLES, format_name="tables.yaml", roster=(), params={}
    )
    joined = [await Participants(storage).join(live) for _ in range(people)]
    assert live.stage.kind == "groups"
    return live, joined


async def test_a_seating_made_by_another_process_shows_in_this_one(database: str) -> None:
    # as two server processes would open it: one SQLite file, or one PostgreSQL database
    here, there = open_store(database), open_store(database)
    try:
        live, people = await an_event(here, 4)
        elsewhere = Events(there).get(live.code)
        assert elsewhere is not None
        ours, theirs = Seating(here), Seating(there)
        assert all(s.get("waiting") for s in theirs.seats(elsewhere, "en").values())

        await ours.ensure(live, [p.id for p in people])

        seats = theirs.seats(elsewhere, "en")
        assert sorted(s["table"] for s in seats.values()) == [1, 1, 2, 2]
        assert set(theirs.tables_of(elsewhere, "tables")) == {p.id for p in people}
        # and the other way round, over what this process keeps
        ours.seats(live, "en")
        ours.tables_of(live, "tables")
        await theirs.regroup(elsewhere, [p.id for p in people], salt=99)
        afresh = Seating(here)
        assert ours.seats(live, "en") == afresh.seats(live, "en")
        assert ours.tables_of(live, "tables") == afresh.tables_of(live, "tables")
    finally:
        here.close()
        there.close()


async def test_renaming_someone_changes_what_their_tablemates_see(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "rename.sqlite3")
    try:
        live, people = await an_event(storage, 4)
        seating = Seating(storage)
        await seating.ensure(live, [p.id for p in people])
        seats = seating.seats(live, "en")  # computed, and kept
        zoe = people[0]
        mate = next(
            pid
            for pid, seat in seats.items()
            if pid != zoe.id and seat["table"] == seats[zoe.id]["table"]
        )
        assert seats[mate]["with"] == [] and seats[mate]["unnamed"] == 1

        await Participants(storage).rename(zoe, "Zoé")

        seat = seating.seats(live, "en")[mate]
        assert seat["with"] == ["Zoé"] and seat["unnamed"] == 0
    finally:
        storage.close()


async def test_a_late_arrival_is_seen_by_every_seat(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "late.sqlite3")
    try:
        live, people = await an_event(storage, 2)
        seating = Seating(storage)
        await seating.ensure(live, [p.id for p in people])
        assert len(seating.seats(live, "en")) == 2
        late = await Participants(storage).join(live)
        assert seating.seats(live, "en")[late.id]["table"] is None  # not seated yet, but shown
    finally:
        storage.close()
