"""What every table group shares, whichever database holds the tables.

The table groups (`events`, `participants`, `ballots`, …) are written once, in SQL that
SQLite and PostgreSQL both read: `?` placeholders, `ON CONFLICT … DO UPDATE` / `DO NOTHING`
upserts, `RETURNING id`. A database's `Database` subclass gives them `db`, the connection
reads use on the caller's thread, and `_write`, which runs a unit of work (a function of the
writer's connection) in one transaction away from the event loop and returns once it is
committed. SQLite's connection is handed over as it is (nothing in its path costs more for
sharing the SQL); PostgreSQL's is wrapped to turn `?` into the driver's `%s`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Generic, Protocol, TypeVar

T = TypeVar("T")
# A row read by column name: sqlite3.Row, or the dict psycopg's dict_row makes.
Row = Any


class Cursor(Protocol):
    """What the tables use of a cursor: rows by name, and how many rows a write changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


# A write of the store: a function of the writer's connection, run in one transaction.
Unit = Callable[[Connection], T]


class OneStatement(Generic[T]):
    """A unit that is one statement with nothing after it that can fail (a ballot). Queued
    with others, each unit runs under a savepoint so that a failing one loses only its own
    work; a failed statement of SQLite's already leaves the rest of its transaction as it
    was, so SQLite runs such a unit without one (two statements fewer for every ballot)."""

    __slots__ = ("unit",)

    def __init__(self, unit: Unit[T]) -> None:
        self.unit = unit

    def __call__(self, db: Connection) -> T:
        return self.unit(db)


class Tables:
    """The base of the table groups: what a database must give them, and the SQL they share
    about the `meta` table, the log and the seating version."""

    db: Connection
    # Whether writes lock the rows they check (a vote open, an author's count) until the
    # commit: PostgreSQL's writers in other processes run at the same time. SQLite needs
    # none, as its writes take the whole database's lock (BEGIN IMMEDIATE).
    _locks_rows: ClassVar[bool] = False

    async def _write(self, unit: Unit[T]) -> T:
        """`unit` in one transaction away from the loop, committed when this returns."""
        raise NotImplementedError

    def _snapshot(self) -> AbstractContextManager[Connection]:
        """Several reads that must agree, without blocking the writer."""
        raise NotImplementedError

    @staticmethod
    def _log(
        db: Connection,
        event_id: int,
        now: int,
        actor: str,
        action: str,
        detail: Mapping[str, Any],
    ) -> None:
        db.execute(
            "INSERT INTO log(event_id, at, actor, action, detail_json) VALUES (?, ?, ?, ?, ?)",
            (event_id, now, actor, action, json.dumps(detail, ensure_ascii=False)),
        )

    @staticmethod
    def _seating_changed(db: Connection, event_id: int) -> None:
        """What phones show of their seats changed: `Seating` computes them again, in every
        process sharing the database, because it keys its caches on this number."""
        db.execute(
            "UPDATE events SET seating_version = seating_version + 1 WHERE id = ?", (event_id,)
        )

    # --- keys kept in meta ----------------------------------------------------------------

    def _meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"])

    def organiser_key(self) -> str:
        """The secret of the organiser home, made once per database."""
        return self._meta("organiser_key")

    def signing_key(self) -> str:
        """Signs CSRF tokens; kept in the database so forms stay valid across restarts."""
        return self._meta("signing_key")

    def session_epoch(self, scope: str) -> int:
        row = self.db.execute(
            "SELECT value FROM meta WHERE key = ?", (f"session_epoch:{scope}",)
        ).fetchone()
        return int(row["value"]) if row else 0

    async def bump_session_epoch(self, scope: str) -> int:
        key = f"session_epoch:{scope}"

        def bump(db: Connection) -> int:
            row = db.execute(
                "INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE"
                " SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT) RETURNING value",
                (key,),
            ).fetchall()[0]
            return int(row["value"])

        return await self._write(bump)
