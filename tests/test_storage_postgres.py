"""What only a database server brings: it may be unreachable at start, go away during the
event and come back, and several processes write to it at once. Against real PostgreSQL
servers (tests/databases.py), the same numbered schema as SQLite's."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from facilitation.core.engine import EventState, VoteState
from facilitation.messages import refusal_message
from facilitation.settings import Settings
from facilitation.storage import StorageError, StorageUnavailableError
from facilitation.storage.migrations import SCHEMA_VERSION, migrations
from facilitation.storage.opening import open_store
from facilitation.storage.postgres import Storage as ServerStorage
from tests.conftest import CARREFOUR, MANY_PHONES, ROOT, free_port
from tests.databases import PostgresServer
from tests.inprocess import joined, serve
from tests.realtime_clients import Console
from tests.test_storage import make_event
from tests.test_web import vote_stage


def test_both_databases_have_the_same_numbered_migrations() -> None:
    sqlite, postgresql = migrations("sqlite"), migrations("postgresql")
    assert [m.version for m in sqlite] == [m.version for m in postgresql]
    assert [m.name for m in sqlite] == [m.name for m in postgresql]
    assert sqlite[-1].version == SCHEMA_VERSION


def test_both_databases_end_with_the_same_tables_and_columns(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    path = tmp_path / "db.sqlite3"
    open_store(str(path)).close()
    url = postgres_server.new_database()
    open_store(url).close()
    with sqlite3.connect(path) as db:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        in_sqlite = {
            t: [(c[1], bool(c[3]) or bool(c[5])) for c in db.execute(f"PRAGMA table_info({t})")]
            for t in tables
        }
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, is_nullable = 'NO' OR column_name IN"
            " (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            "  AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND i.indrelid ="
            "  c.table_name::regclass) FROM information_schema.columns c"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
        recorded = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    in_postgres: dict[str, list[tuple[str, bool]]] = {}
    for table, column, required in rows:
        in_postgres.setdefault(table, []).append((column, bool(required)))
    # the same tables, the same columns in the same order, required alike
    assert in_postgres == in_sqlite
    assert version == recorded == (str(SCHEMA_VERSION),)


def test_an_unreachable_server_at_start_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://facilitation:secret-password@127.0.0.1:{port}/events"
    with pytest.raises(StorageUnavailableError) as caught:
        open_store(url)
    assert caught.value.code == "database_unavailable"
    for command in (["--db", url], []):
        env = {"PATH": "/usr/bin:/bin", "FACILITATION_DB": url, "HOME": str(tmp_path)}
        done = subprocess.run(
            [sys.executable, "-m", "facilitation", "serve", str(CARREFOUR), *command],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env=env,
        )
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("facilitation: cannot reach PostgreSQL at ")
        assert f"127.0.0.1:{port}/events" in lines[0] and "Check that the server" in lines[0]
        assert "secret-password" not in lines[0] and "Traceback" not in done.stderr
        assert done.stdout == ""


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A server of this test's own, to stop and start again."""
    server = PostgresServer().start()
    yield server
    server.remove()


async def test_a_server_lost_during_the_event_refuses_writes_then_recovers_by_itself(
    own_server: PostgresServer,
) -> None:
    storage = open_store(own_server.new_database())
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    bob = await storage.add_participant(event, "tok-b", 1)
    assert await storage.put_ballot(event, "v", alice.id, {"choice": "x"}, 2)
    own_server.stop()
    with pytest.raises(StorageUnavailableError) as refused:
        await storage.put_ballot(event, "v", bob.id, {"choice": "y"}, 3)
    assert refused.value.code == "database_unavailable"
    assert storage.write_failure() == "database_unavailable"  # the console's banner
    with pytest.raises(StorageUnavailableError):
        storage.count_ballots(event, "v")
    # what a phone reads in its language, not the "could not read" of an unknown code
    assert refusal_message("en", "database_unavailable") != refusal_message("en", "malformed")
    own_server.start()
    assert await storage.put_ballot(event, "v", bob.id, {"choice": "y"}, 4)
    assert storage.write_failure() is None
    assert {b.participant_id: b.ballot for b in storage.ballots(event, "v")} == {
        alice.id: {"choice": "x"},
        bob.id: {"choice": "y"},
    }
    storage.close()


async def test_a_vote_closed_by_another_process_takes_no_ballot_after_its_close(
    postgres_server: PostgresServer,
) -> None:
    """Two stores on one database, as two server processes: ballots keep coming through one
    while the other closes the vote. Every acknowledged ballot is kept, and none lands once
    the close has committed (the close waits for the ballots that saw the vote open)."""
    url = postgres_server.new_database()
    phones_side, console_side = ServerStorage(url), ServerStorage(url)
    event = await make_event(phones_side)
    people = [(await phones_side.add_participant(event, f"tok-{i}", 1)).id for i in range(300)]

    acknowledged = 0
    under_way = asyncio.Event()  # set once a third of the ballots are acknowledged

    async def cast(person: int) -> bool:
        nonlocal acknowledged
        kept = await phones_side.put_ballot(event, "v", person, {"choice": "x"}, 2)
        acknowledged += 1
        if acknowledged == len(people) // 3:
            under_way.set()
        return kept

    async def phones(share: list[int]) -> list[bool]:
        return [await cast(person) for person in share]  # each phone line one after the other

    async def close() -> int:
        await under_way.wait()  # the close falls among the ballots, whatever the machine's pace
        closed = EventState(votes={"v": VoteState("closed")})
        await console_side.save_state(event, closed, now=3, actor="facilitator", action="close")
        return console_side.count_ballots(event, "v")

    closing = asyncio.create_task(close())
    lines = await asyncio.gather(*(phones(people[i::4]) for i in range(4)))
    at_close = await closing
    accepted = [kept for line in lines for kept in line]
    assert 0 < sum(accepted) < len(people), "the close did not fall among the ballots"
    assert phones_side.count_ballots(event, "v") == sum(accepted) == at_close
    assert not await phones_side.put_ballot(event, "v", people[0], {"choice": "y"}, 4)
    phones_side.close()
    console_side.close()


def at_version(url: str, version: int) -> None:
    """The database as facilitation left it at schema `version`: its migrations, recorded."""
    with psycopg.connect(url) as conn:
        for migration in migrations("postgresql")[:version]:
            conn.execute(migration.sql.encode())
        conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', %s)", (str(version),))


def recorded_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert row is not None
    return str(row[0])


async def test_a_database_at_schema_1_is_upgraded_with_its_rows(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.new_database()
    at_version(url, 1)
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO events(code, secret, format_id, format_name, format_source,"
            " roster_json, params_json, lang, seed, state_json, created_at, updated_at)"
            " VALUES ('OLDONE', 's', 'f', 'f.yaml', 'id: f', '[]', '{}', 'fr', 1,"
            ' \'{"cursor": 2, "revision": 3, "timer": {"duration_ms": null,'
            ' "remaining_ms": 0, "deadline_ms": null}}\', 1, 1)'
        )
    storage = open_store(url)
    assert recorded_version(url) == str(SCHEMA_VERSION)
    old = storage.event_by_code("oldone")
    assert old is not None and storage.load_state(old.id).cursor == 2
    assert storage.seating_version(old.id) == 0 and storage.head_count(old.id) is None
    await storage.add_tickets(old.id, ["t-1"], 5)  # a column of schema 4
    storage.close()
    open_store(url).close()  # and opening it again changes nothing
    assert recorded_version(url) == str(SCHEMA_VERSION)


def test_a_failed_upgrade_leaves_the_database_as_it_was(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.new_database()
    at_version(url, 4)  # before 0005, which makes questions, then cloud_hidden
    with psycopg.connect(url) as conn:  # in the way of 0005
        conn.execute("CREATE TABLE cloud_hidden (x TEXT)")
    with pytest.raises(StorageError, match="the schema upgrade failed"):
        open_store(url)
    assert recorded_version(url) == "4"
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'questions'"
        ).fetchone()
    assert found == (0,)  # nothing of the last migration was kept


@pytest.mark.parametrize("recorded", [str(SCHEMA_VERSION + 1), "banana"])
def test_a_database_from_a_newer_version_or_none_is_refused(
    postgres_server: PostgresServer, recorded: str
) -> None:
    url = postgres_server.new_database()
    at_version(url, SCHEMA_VERSION)
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (recorded,))
    with pytest.raises(StorageError) as caught:
        open_store(url)
    assert "newer version" in str(caught.value) or "not a facilitation database" in str(
        caught.value
    )
    assert recorded_version(url) == recorded


async def test_phones_are_told_while_the_server_is_away_and_vote_again_once_it_is_back(
    own_server: PostgresServer,
) -> None:
    settings = Settings(db_path=own_server.new_database(), default_lang="en", **MANY_PHONES)
    async with serve(settings) as served:
        code = served.live.code
        console = await Console(served.base, code).login(served.console_url)
        await console.act("jump", stage=vote_stage(served.live))
        choice = served.live.plan.lineup[0]
        phones = [await joined(served.base, code) for _ in range(2)]
        assert (await phones[0][0].vote("favourite", {"choice": choice}))["ok"]
        own_server.stop()
        away = refusal_message("en", "database_unavailable")
        ack = await phones[1][0].vote("favourite", {"choice": choice})
        assert ack == {"ok": False, "code": "database_unavailable", "error": away}
        own_server.start()
        # the first messages may find the pool still reconnecting: they are told so, not lost
        acks = []
        give_up = asyncio.get_running_loop().time() + 60
        while not (acks and acks[-1]["ok"]) and asyncio.get_running_loop().time() < give_up:
            acks.append(await phones[1][0].vote("favourite", {"choice": choice}))
        assert acks[-1]["ok"], acks
        assert all(a["code"] == "database_unavailable" for a in acks[:-1]), acks
        assert (await console.results())["votes"][0]["ballots"] == 2
        for phone, _ in phones:
            await phone.close()
        await console.close()


async def test_a_row_held_too_long_by_another_process_is_said_and_passes(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.new_database()
    storage = open_store(url, busy_timeout_s=0.2)
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    with psycopg.connect(url) as other:  # another process closing the vote, and stuck
        other.execute("SELECT * FROM votes FOR UPDATE")
        with pytest.raises(StorageUnavailableError) as refused:
            await storage.put_ballot(event, "v", alice.id, {"choice": "x"}, 2)
        assert refused.value.code == "database_busy"
        assert storage.write_failure() == "database_busy"
    assert await storage.put_ballot(event, "v", alice.id, {"choice": "x"}, 3)
    assert storage.write_failure() is None and storage.count_ballots(event, "v") == 1
    storage.close()
