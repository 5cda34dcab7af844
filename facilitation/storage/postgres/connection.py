"""The connections to PostgreSQL, and what every table group shares there.

One psycopg pool serves both paths. Writes go to the writer thread (`writer.Writer` with
`session.Session`), which takes a connection of the pool for each batch, so that a connection
broken by a restart of the server is replaced by the pool and never reused. Reads run on the
caller's thread (the event loop): each is one statement on an idle connection of the pool in
autocommit, its rows fetched at once, so it sees every write whose await has returned. On
loopback one costs a round trip to the server (tests/bench/bench_storage.py measures it).

When the server goes away, reads and writes raise StorageUnavailableError ("database_
unavailable": the phones are told, the console shows the banner) instead of waiting: after
a first failure the pool is not waited for until a statement succeeds again. The pool keeps
trying to connect in the background, so the room recovers by itself when the server is back.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from facilitation.storage.postgres.schema import upgrade
from facilitation.storage.postgres.session import Session
from facilitation.storage.postgres.statements import Statements, address, dialect, unavailable
from facilitation.storage.protocol import StorageError, StorageUnavailableError
from facilitation.storage.tables.base import Connection, Tables, Unit
from facilitation.storage.writer import Writer

T = TypeVar("T")
POOL_SIZE = 4
# how long a read or a batch waits for a connection of the pool while the server is up
WAIT_S = 5.0
# and once it failed, until a statement succeeds again: the loop must not stall meanwhile
FAILING_WAIT_S = 0.05
# after a connection found broken: long enough for the pool to connect again on loopback
RECONNECT_WAIT_S = 1.0
CONNECT_TIMEOUT_S = 5


class Rows:
    """The rows of a read, fetched before its connection went back to the pool."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows
        self._next = iter(rows)

    @property
    def rowcount(self) -> int:
        return len(self._rows)

    def fetchone(self) -> Any:
        return next(self._next, None)

    def fetchall(self) -> list[Any]:
        return list(self._next)

    def __iter__(self) -> Iterator[Any]:
        return self._next


class _Stale(Exception):
    """The connection the pool handed over had broken (the server restarted)."""


class Reads:
    """`db` of the PostgreSQL store: reads on the caller's thread, on the pool."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self.pool = pool
        self.failing = False

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Rows:
        query = dialect(sql)
        return Rows(self.on_pool(lambda conn: conn.execute(query, parameters).fetchall()))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Rows:
        raise StorageError("reads do not write")  # writes go through the writer thread

    def on_pool(self, read: Callable[[psycopg.Connection[Any]], T]) -> T:
        try:
            return self._once(read, FAILING_WAIT_S if self.failing else WAIT_S)
        except _Stale:
            self.pool.check()  # the other idle connections may be as stale
            try:
                return self._once(read, RECONNECT_WAIT_S)
            except _Stale as stale:
                self.failing = True
                raise unavailable(stale.__cause__ or stale) from None

    def _once(self, read: Callable[[psycopg.Connection[Any]], T], wait_s: float) -> T:
        try:
            with self.pool.connection(wait_s) as conn:
                try:
                    result = read(conn)
                except psycopg.OperationalError as error:
                    if conn.broken:
                        raise _Stale from error
                    raise
        except psycopg.OperationalError as error:
            self.failing = True
            raise unavailable(error) from error
        self.failing = False
        return result


def _configure(lock_timeout_ms: int, conn: psycopg.Connection[Any]) -> None:
    # a write waits this long for a row another process holds, then the room is told
    conn.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")


def _connect_once(url: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(
            url,
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=CONNECT_TIMEOUT_S,
            client_encoding="utf8",
        )
    except psycopg.OperationalError as error:
        # libpq says "connection to server at …, port … failed: <why>", then a hint
        first = (str(error).strip().splitlines() or ["no answer"])[0]
        reason = " ".join(first.rpartition("failed: ")[2].split()) or first
        raise StorageUnavailableError(
            "database_unavailable",
            f"cannot reach PostgreSQL at {address(url)} ({reason}). Check that the server "
            "is running and accepts connections there, and the user, password and database "
            "name given with --db (or FACILITATION_DB).",
        ) from None
    except psycopg.ProgrammingError as error:  # a URL libpq cannot read
        raise StorageError(f"not a PostgreSQL URL libpq can read: {error}") from None


def _close(writer: Writer, pool: ConnectionPool[Any]) -> None:
    writer.close()  # the writes already queued first
    pool.close()


class Database(Tables):
    """`Database(url)` connects, brings the schema up to date and opens the pool;
    StorageUnavailableError if the server cannot be reached, StorageError if the database
    is not one facilitation can use."""

    _locks_rows = True

    def __init__(self, url: str, *, busy_timeout_s: float = 10.0) -> None:
        self.url = url
        self.address = address(url)
        first = _connect_once(url)
        try:
            upgrade(first, self.address)
        finally:
            first.close()
        self.pool: ConnectionPool[Any] = ConnectionPool(
            url,
            min_size=2,
            max_size=POOL_SIZE,
            kwargs={"autocommit": True, "row_factory": dict_row, "client_encoding": "utf8"},
            configure=functools.partial(_configure, round(busy_timeout_s * 1000)),
            # A connection attempt that failed is tried again after 1 s, 2 s, 4 s…: give it up
            # soon, so that the next statement asked for, once the server is back, has the
            # pool connect at once rather than at the end of a long back-off.
            reconnect_timeout=2.0,
            name="facilitation",
            open=True,
        )
        self.db: Connection = Reads(self.pool)
        # the thread must not hold the store, or a dropped store would never be finalised
        self._writer = Writer(functools.partial(_session, self.pool))
        self._closing = weakref.finalize(self, _close, self._writer, self.pool)

    def close(self) -> None:
        """Run the writes already queued, stop the writer thread, close the pool."""
        self._closing()

    async def _write(self, unit: Unit[T]) -> T:
        return await self._writer.run(unit)

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """Several reads that must agree: one connection, one REPEATABLE READ transaction."""
        reads = self.db
        assert isinstance(reads, Reads)
        try:
            with reads.pool.connection(WAIT_S) as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield Statements(conn)
        except psycopg.OperationalError as error:
            raise unavailable(error) from error

    def write_failure(self) -> str | None:
        return self._writer.failure


def _session(pool: ConnectionPool[Any]) -> Session:
    return Session(pool, WAIT_S)
