"""The writer thread: writes leave the event loop free, and are committed when awaited.

Nothing here measures time: each test holds the writer (or the database's write lock) by hand
and checks what happened in which order.
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest

from facilitation.storage import StorageError, Store
from facilitation.storage.opening import open_store
from facilitation.storage.sqlite import Storage
from facilitation.storage.tables.base import Connection, OneStatement
from tests.conftest import ROOT
from tests.data.make_db_v1 import snapshot
from tests.databases import fetch_one
from tests.test_storage import make_event


async def an_open_vote(storage: Store) -> tuple[int, int]:
    """(event, participant) with vote "v" open."""
    event = await make_event(storage, code="WRITER")
    person = await storage.add_participant(event, "tok-a", 1)
    return event, person.id


def writers() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "facilitation-writer")


async def test_the_loop_runs_while_the_writer_is_busy(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    event, alice = await an_open_vote(storage)
    started, release = threading.Event(), threading.Event()

    def slow(db: sqlite3.Connection) -> None:  # a write that takes as long as the test wants
        started.set()
        release.wait(60)

    busy = asyncio.create_task(storage._write(slow))
    ballot = asyncio.create_task(storage.put_ballot(event, "v", alice, {"choice": "x"}, 2))
    assert await asyncio.to_thread(started.wait, 60)  # the writer thread is in `slow`
    beats = 0
    for _ in range(100):  # other coroutines go on while the writer thread is held
        await asyncio.sleep(0)
        beats += 1
    assert beats == 100
    assert storage.count_ballots(event, "v") == 0  # and reads answer at once
    assert not busy.done() and not ballot.done()  # the ballot waits its turn, behind
    release.set()
    assert await ballot is True
    assert busy.done()
    assert storage.count_ballots(event, "v") == 1
    storage.close()


async def test_a_write_waiting_for_the_lock_does_not_freeze_the_loop(tmp_path: Path) -> None:
    """Another process (or a backup) holds the write lock: the ballot waits on the writer
    thread, not on the loop, and reads still answer (WAL)."""
    path = tmp_path / "db.sqlite3"
    storage = Storage(path)
    event, alice = await an_open_vote(storage)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ballot = asyncio.create_task(storage.put_ballot(event, "v", alice, {"choice": "x"}, 2))
    beats = 0
    for _ in range(20):  # the loop goes round while the ballot waits for the lock
        await asyncio.sleep(0)
        beats += 1
    assert beats == 20 and not ballot.done()
    assert storage.count_ballots(event, "v") == 0
    other.execute("COMMIT")
    other.close()
    assert await ballot is True
    assert storage.count_ballots(event, "v") == 1
    storage.close()


async def test_a_write_is_committed_when_its_await_returns(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    storage = Storage(path)
    event, alice = await an_open_vote(storage)
    assert await storage.put_ballot(event, "v", alice, {"choice": "x"}, 2)
    fresh = sqlite3.connect(path)  # as a server started after a kill -9 would read
    try:
        found = fresh.execute(
            "SELECT ballot_json FROM ballots WHERE event_id = ? AND participant_id = ?",
            (event, alice),
        ).fetchall()
    finally:
        fresh.close()
    assert found == [('{"choice": "x"}',)]
    storage.close()


async def test_reads_see_a_write_as_soon_as_its_await_returns(tmp_path: Path) -> None:
    """No read method leaves the read connection on an older snapshot."""
    path = tmp_path / "db-v1.sqlite3"
    shutil.copyfile(ROOT / "tests" / "data" / "db-v1.sqlite3", path)
    storage = Storage(path)
    for event in storage.list_events():
        snapshot(storage)  # every read method of the store
        before = storage.count_participants(event.id)
        person = await storage.add_participant(event.id, f"new-{event.id}", 1)
        assert storage.count_participants(event.id) == before + 1
        assert storage.participant_by_token(event.id, person.token) == person
        snapshot(storage)
        await storage.set_participant_name(person.id, "Nouvelle")
        assert storage.participants(event.id)[-1].name == "Nouvelle"
    storage.close()


async def test_a_failed_write_reaches_its_caller_and_leaves_nothing(database: str) -> None:
    storage = open_store(database)
    event, alice = await an_open_vote(storage)

    def half_then_fail(db: Connection) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES ('half', 'done')")
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await storage._write(half_then_fail)  # type: ignore[attr-defined]
    assert storage.db.execute("SELECT 1 FROM meta WHERE key = 'half'").fetchone() is None  # type: ignore[attr-defined]
    # a constraint, raised in the writer thread
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        await storage.put_score(event, "pass", 1, 12345, alice, 3)
    assert await storage.put_ballot(event, "v", alice, {"choice": "x"}, 2)  # it goes on
    storage.close()


async def test_a_cancelled_caller_does_not_take_its_write_back(database: str) -> None:
    storage = open_store(database)
    event, alice = await an_open_vote(storage)
    gone = asyncio.create_task(storage.put_ballot(event, "v", alice, {"choice": "x"}, 2))
    await asyncio.sleep(0)  # queued
    gone.cancel()
    await storage.add_participant(event, "tok-b", 3)  # queued after it, so done after it
    assert gone.cancelled()
    assert [b.ballot for b in storage.ballots(event, "v")] == [{"choice": "x"}]
    storage.close()


async def test_close_finishes_the_queued_writes_then_refuses_more(database: str) -> None:
    storage = open_store(database)
    event, _ = await an_open_vote(storage)
    queued = [
        asyncio.create_task(storage.add_participant(event, f"late-{n}", 2)) for n in range(20)
    ]
    await asyncio.sleep(0)  # each task has put its write in the queue
    storage.close()
    storage.close()  # a second close is harmless
    assert len(await asyncio.gather(*queued)) == 20
    with pytest.raises(StorageError):
        await storage.add_participant(event, "too-late", 3)
    again = open_store(database)
    assert again.count_participants(event) == 21
    again.close()


async def test_each_store_has_one_writer_thread_until_closed_or_dropped(tmp_path: Path) -> None:
    gc.collect()
    running = writers()
    storage = Storage(tmp_path / "db.sqlite3")
    assert writers() == running + 1
    storage.close()
    assert writers() == running
    dropped = Storage(tmp_path / "db.sqlite3")
    await an_open_vote(dropped)
    del dropped
    gc.collect()  # a store nobody closed drains and ends its thread when it is collected
    assert writers() == running


def test_a_store_can_be_used_from_one_event_loop_after_another(database: str) -> None:
    """Start-up code writes in asyncio.run before the server's loop runs."""
    storage = open_store(database)
    event, _ = asyncio.run(an_open_vote(storage))
    asyncio.run(storage.add_participant(event, "tok-b", 2))
    assert storage.count_participants(event) == 2
    storage.close()


async def test_writes_queued_together_commit_together_and_fail_alone(database: str) -> None:
    """Group commit: what waits in the queue runs in one transaction, each unit under its own
    savepoint, so a failing unit loses only its own work and gets its own exception."""
    storage = open_store(database)
    event, _ = await an_open_vote(storage)
    people = [(await storage.add_participant(event, f"tok-{i}", 1)).id for i in range(20)]
    started, release = threading.Event(), threading.Event()

    def slow(db: Connection) -> None:
        started.set()
        release.wait(60)

    def failing(db: Connection) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES ('half', 'done')")
        raise ValueError("this unit fails")

    def seen(db: Connection) -> tuple[int, int]:
        """Ballots as this transaction sees them, and as another connection does."""
        inside = db.execute("SELECT count(*) AS n FROM ballots").fetchone()["n"]
        (outside,) = fetch_one(database, "SELECT count(*) FROM ballots")
        return inside, int(str(outside))

    write = storage._write  # type: ignore[attr-defined]
    busy = asyncio.create_task(write(slow))
    assert await asyncio.to_thread(started.wait, 60)
    first = [
        asyncio.create_task(storage.put_ballot(event, "v", p, {"choice": "x"}, 2))
        for p in people[:10]
    ]
    broken = asyncio.create_task(write(failing))
    rest = [
        asyncio.create_task(storage.put_ballot(event, "v", p, {"choice": "x"}, 2))
        for p in people[10:]
    ]
    look = asyncio.create_task(write(seen))
    for _ in range(10):  # let every task reach the queue while the writer is held
        await asyncio.sleep(0)
    release.set()
    await busy
    assert await asyncio.gather(*first, *rest) == [True] * 20
    with pytest.raises(ValueError, match="this unit fails"):
        await broken
    # the batch's own writes are visible inside it, not yet outside: one transaction
    assert await look == (20, 0)
    assert storage.count_ballots(event, "v") == 20
    assert fetch_one(database, "SELECT count(*) FROM meta WHERE key = 'half'") == (0,)
    assert fetch_one(database, "SELECT count(*) FROM ballots") == (20,)
    storage.close()


async def test_a_one_statement_unit_fails_alone_without_a_savepoint(database: str) -> None:
    """SQLite runs a OneStatement unit of a batch without a savepoint: its failed statement
    is undone whole (here the first of the two rows it inserts), the batch around it kept."""
    storage = open_store(database)
    await an_open_vote(storage)
    started, release = threading.Event(), threading.Event()

    def slow(db: Connection) -> None:
        started.set()
        release.wait(60)

    def before(db: Connection) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES ('before', '1')")

    def two_rows_the_second_refused(db: Connection) -> None:
        db.execute(
            "INSERT INTO meta(key, value) SELECT 'first', '1' UNION ALL SELECT 'before', '2'"
        )

    def after(db: Connection) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES ('after', '1')")

    write = storage._write  # type: ignore[attr-defined]
    busy = asyncio.create_task(write(slow))
    assert await asyncio.to_thread(started.wait, 60)
    tasks = [
        asyncio.create_task(write(before)),
        asyncio.create_task(write(OneStatement(two_rows_the_second_refused))),
        asyncio.create_task(write(after)),
    ]
    for _ in range(10):  # every task in the queue while the writer is held
        await asyncio.sleep(0)
    release.set()
    await busy
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], Exception) and "unique" in str(outcomes[1]).lower()
    keys = "SELECT count(*) FROM meta WHERE key IN ('before', 'first', 'after')"
    assert fetch_one(database, keys) == (2,)
    assert fetch_one(database, "SELECT value FROM meta WHERE key = 'before'") == ("1",)
    storage.close()
