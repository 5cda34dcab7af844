from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitation.core.engine import EventState, Timer, VoteState
from facilitation.storage import StorageError, Store
from facilitation.storage.opening import open_store
from facilitation.storage.postgres import Storage as ServerStorage
from facilitation.storage.sqlite import SCHEMA_VERSION, Storage, state_from_json, state_to_json
from facilitation.storage.sqlite.schema import migrations, schema_version, statements


async def make_event(
    storage: Store, votes: dict[str, VoteState] | None = None, code: str = "ABCDEF"
) -> int:
    """An event of a one-line format with vote "v" open (or `votes`); its id."""
    state = EventState(votes=votes or {"v": VoteState("open")})
    row = await storage.create_event(
        code=code,
        secret="s",
        format_id="f",
        format_name="f.yaml",
        format_source="id: f",
        roster=[],
        params={},
        lang="fr",
        seed=1,
        state=state,
        now=1,
    )
    return row.id


def test_wal_mode_and_schema(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    mode = storage.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


async def test_one_ballot_per_participant_per_vote_is_a_constraint(database: str) -> None:
    storage = open_store(database)
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    assert await storage.put_ballot(event, "v", alice.id, {"choice": "x"}, 2)
    assert await storage.put_ballot(event, "v", alice.id, {"choice": "y"}, 3)  # a change
    assert [b.ballot for b in storage.ballots(event, "v")] == [{"choice": "y"}]
    insert = (
        "INSERT INTO ballots(event_id, vote_id, participant_id, ballot_json, cast_at, updated_at)"
        " VALUES ({0}, 'v', {0}, '{{}}', 1, 1)"
    )
    if isinstance(storage, ServerStorage):
        with psycopg.connect(database) as other, pytest.raises(psycopg.errors.UniqueViolation):
            other.execute(insert.format("%s"), (event, alice.id))
    else:
        other = sqlite3.connect(database)
        with pytest.raises(sqlite3.IntegrityError):
            other.execute(insert.format("?"), (event, alice.id))
        other.close()
    storage.close()


async def test_closed_vote_refuses_ballots_in_the_same_statement(database: str) -> None:
    storage = open_store(database)
    event = await make_event(storage, {"v": VoteState("closed")})
    bob = await storage.add_participant(event, "tok-b", 1)
    assert not await storage.put_ballot(event, "v", bob.id, {"choice": "x"}, 2)
    assert storage.count_ballots(event, "v") == 0


async def test_state_survives_reopening_the_database(database: str) -> None:
    storage = open_store(database)
    event = await make_event(storage)
    state = EventState(
        cursor=3,
        reached=5,
        revision=7,
        timer=Timer(60_000, 30_000, None),
        votes={"v": VoteState("closed", True, 1)},
    )
    await storage.save_state(event, state, now=5, actor="facilitator", action="next")
    storage.close()
    again = open_store(database)
    assert again.load_state(event) == state
    assert [e["action"] for e in again.log_entries(event)] == ["create", "next"]


def test_a_file_that_is_not_a_database_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as caught:
        Storage(path)
    assert "not a usable SQLite database" in str(caught.value)


@given(
    st.integers(0, 500),
    st.integers(0, 500),
    st.integers(0, 10**6),
    st.one_of(st.none(), st.integers(0, 10**7)),
    st.integers(-(10**6), 10**7),
    st.one_of(st.none(), st.integers(0, 2 * 10**12)),
)
def test_state_json_round_trip(
    cursor: int,
    extra: int,
    revision: int,
    duration: int | None,
    remaining: int,
    deadline: int | None,
) -> None:
    state = EventState(
        cursor=cursor,
        reached=cursor + extra,
        revision=revision,
        timer=Timer(duration, remaining, deadline),
    )
    assert state_from_json(state_to_json(state), {}) == state


@pytest.mark.parametrize("storage", [Storage, ServerStorage], ids=["sqlite", "postgresql"])
def test_storage_has_exactly_the_methods_of_the_store_protocol(storage: type) -> None:
    """The rest of the code sees the protocol: a method missing from it, or with another
    signature there, would be a method callers cannot rely on."""
    protocol = {n for n in dir(Store) if not n.startswith("_")}
    public = {n for n in dir(storage) if not n.startswith("_")}
    assert public == protocol
    for name in sorted(protocol):
        assert inspect.signature(getattr(storage, name)) == inspect.signature(
            getattr(Store, name)
        ), name
        # a write awaited through the protocol must be one in the store, and no read may be
        assert inspect.iscoroutinefunction(getattr(storage, name)) == (
            inspect.iscoroutinefunction(getattr(Store, name))
        ), name


async def test_reads_return_values_not_cursors(database: str) -> None:
    """Results outlive the call (the writer thread hands its own over): lists and rows."""
    storage = open_store(database)
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    await storage.put_wish(event, alice.id, alice.id, "want", 2)
    for result in [
        storage.list_events(),
        storage.participants(event),
        storage.ballots(event, "v"),
        storage.items(event),
        storage.feedback(event),
        storage.scores(event, "s"),
        storage.wishes(event),
        storage.wishes_from(event, alice.id),
        storage.log_entries(event),
    ]:
        assert isinstance(result, list)
    assert storage.wishes(event) == [(alice.id, alice.id, "want")]


def test_migrations_are_numbered_from_one_to_the_schema_version() -> None:
    found = migrations()
    assert [m.version for m in found] == list(range(1, SCHEMA_VERSION + 1))
    assert found[0].name == "0001_initial.sql"


def test_migration_scripts_split_where_statements_end() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x TEXT DEFAULT 'a;b');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 'c;d'; END;\n"
        "-- the end\n"
    )
    found = list(statements(script))
    assert len(found) == 2 and found[1].lstrip().startswith("CREATE TRIGGER")
    db = sqlite3.connect(":memory:")
    for statement in found:
        db.execute(statement)
    db.execute("INSERT INTO t DEFAULT VALUES")
    assert db.execute("SELECT x FROM t").fetchall() == [("c;d",)]


def test_a_new_file_records_the_latest_schema_version(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    assert schema_version(storage.db) == SCHEMA_VERSION


async def test_the_seating_version_moves_with_what_seats_show(database: str) -> None:
    """Bumped in the transaction of each write that changes a seat, and by no other."""
    storage = open_store(database)
    event = await make_event(storage)
    seen = [storage.seating_version(event)]

    def moved() -> bool:
        seen.append(storage.seating_version(event))
        return seen[-1] > seen[-2]

    alice = await storage.add_participant(event, "tok-a", 1)
    assert moved()
    await storage.add_participant(event, "tok-a", 2)  # the same phone again: nobody new
    assert not moved()
    await storage.set_participant_name(alice.id, "Alice")
    assert moved()
    await storage.invite(event, token="tok-h", role="holder", name="Holder", now=3)
    assert moved()
    await storage.save_seatings(event, "tables", {0: [{"table": 1, "members": [alice.id]}]}, 4)
    assert moved()
    card = await storage.add_item(event, "cards", alice.id, {"idea": "x"}, 5, None)
    assert card is not None and not moved()  # cards only show once seated
    await storage.put_score(event, "pass", 1, card.id, alice.id, 3)
    assert moved()
    await storage.set_profile(alice.id, {"organisation": "Mairie"})
    await storage.put_ballot(event, "v", alice.id, {"choice": "x"}, 5)
    await storage.put_wish(event, alice.id, alice.id, "want", 6)
    assert not moved()
    assert storage.seating_version(event + 1) == 0  # no such event
    storage.close()
