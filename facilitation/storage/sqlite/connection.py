"""The two connections to the SQLite file, and what every table group shares.

Writes go to the writer thread (`writer.Writer`), which owns the connection that writes.
Reads run on the caller's thread (the event loop) on `db`, a connection that may not write:
in WAL mode a reader never waits for the writer, and each read statement starts a new read
transaction that sees every commit made before it, so a read after `await store.write(...)`
sees that write. A read that left a statement half-stepped would pin an old snapshot for the
next reads of `db`: read methods consume their cursors at once (lists, `fetchone()` on a
temporary cursor), and `_snapshot` ends its transaction whatever happens.
"""

from __future__ import annotations

import functools
import os
import secrets
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from facilitation.storage.protocol import StorageError
from facilitation.storage.sqlite.schema import upgrade
from facilitation.storage.sqlite.session import Session
from facilitation.storage.tables.base import Connection, Tables, Unit
from facilitation.storage.writer import Writer

T = TypeVar("T")


def _connect(
    path: str, *, check_same_thread: bool, busy_timeout_s: float = 10.0
) -> sqlite3.Connection:
    try:
        # autocommit (isolation_level=None): transactions are the explicit ones
        db = sqlite3.connect(
            path,
            isolation_level=None,
            check_same_thread=check_same_thread,
            timeout=busy_timeout_s,
        )
    except sqlite3.Error as error:
        raise StorageError(f"cannot open database {path}: {error}") from None
    db.row_factory = sqlite3.Row
    return db


def _create_private(path: str) -> None:
    """A new database file readable by its owner only: it holds the keys and everyone's
    answers. SQLite gives the -wal and -shm files it makes the permissions of this file."""
    if path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    except OSError as error:
        raise StorageError(f"cannot create database {path}: {error.strerror}") from None


def _open_writer(path: str, busy_timeout_s: float) -> sqlite3.Connection:
    """The writer's connection, on its thread: the schema brought up to date, the keys made."""
    _create_private(path)
    db = _connect(path, check_same_thread=True, busy_timeout_s=busy_timeout_s)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives a crash or kill -9 of the server (the WAL is
        # in the OS's hands); only a power cut can lose the last moments.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        upgrade(db, path)
        # made here, once per database, so that reading them never needs the writer
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
            [
                ("organiser_key", secrets.token_urlsafe(18)),
                ("signing_key", secrets.token_hex(32)),
            ],
        )
        db.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        db.close()
        raise StorageError(f"{path} is not a usable SQLite database: {error}") from None
    except BaseException:
        db.close()
        raise
    return db


def _open_session(path: str, busy_timeout_s: float) -> Session:
    return Session(_open_writer(path, busy_timeout_s))


def _close(writer: Writer, reader: sqlite3.Connection) -> None:
    # the reader first: the writer's connection, closed last, checkpoints the WAL into the file
    reader.close()
    writer.close()


class Database(Tables):
    """`Database(path)` opens (or creates) the file and upgrades its schema, on the writer
    thread; StorageError if it is not a usable database or was written by a newer version."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 10.0) -> None:
        self.path = str(path)
        # the thread must not hold the store, or a dropped store would never be finalised
        self._writer = Writer(functools.partial(_open_session, self.path, busy_timeout_s))
        try:
            # the loop's thread is not always the one that opened the store (a test client
            # runs the app in a thread of its own)
            self.db = _connect(self.path, check_same_thread=False)
            self.db.execute("PRAGMA query_only=ON")
        except BaseException:
            self._writer.close()
            raise
        # a store dropped without close() still drains its queue and ends its thread
        self._closing = weakref.finalize(self, _close, self._writer, self.db)

    def close(self) -> None:
        """Run the writes already queued, stop the writer thread, close both connections."""
        self._closing()

    async def _write(self, unit: Unit[T]) -> T:
        return await self._writer.run(unit)

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """Several reads that must agree, without blocking the writer (WAL)."""
        self.db.execute("BEGIN")
        try:
            yield self.db
        finally:
            self.db.execute("COMMIT")

    def write_failure(self) -> str | None:
        return self._writer.failure

    async def _limit_pages_for_tests(self, pages: int | None) -> None:
        """Test hook: the writer may grow the file to `pages` pages at most (its current size
        if smaller), None for no limit, as a nearly full disk would."""
        # 0 would mean "leave it as it is" to SQLite: 1 is clamped to the current size
        limit = 1_073_741_823 if pages is None else max(pages, 1)

        def apply(db: Connection) -> None:
            db.execute(f"PRAGMA max_page_count = {int(limit)}")

        await self._write(apply)
