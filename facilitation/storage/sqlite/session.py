"""The SQLite writer's session: each batch of units in one BEGIN IMMEDIATE … COMMIT."""

from __future__ import annotations

import functools
import sqlite3
from typing import Any, TypeVar

from facilitation.storage.protocol import StorageUnavailableError
from facilitation.storage.tables.base import OneStatement, Unit
from facilitation.storage.writer import Outcome

T = TypeVar("T")


class Session:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def run(self, units: list[Unit[Any]]) -> list[Outcome]:
        return [_unavailable(o) for o in _outcomes(self.db, units)]

    def close(self) -> None:
        self.db.close()


# SQLite's primary result codes (the low byte of the extended ones)
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13
_UNAVAILABLE = {
    _SQLITE_FULL: "disk_full",
    _SQLITE_BUSY: "database_busy",
    _SQLITE_LOCKED: "database_busy",
}


def _unavailable(outcome: Outcome) -> Outcome:
    """A full disk or a lock held too long by another process, as the error the handlers
    answer with a clear refusal; anything else as it was raised."""
    result, raised = outcome
    if isinstance(raised, sqlite3.OperationalError):
        code = _UNAVAILABLE.get(getattr(raised, "sqlite_errorcode", 0) & 0xFF)
        if code is not None:
            unavailable = StorageUnavailableError(code, str(raised))
            unavailable.__cause__ = raised
            return result, unavailable
    return outcome


def _outcomes(db: sqlite3.Connection, units: list[Unit[Any]]) -> list[Outcome]:
    """Each unit's result or exception, all committed in one transaction."""
    if len(units) == 1:
        try:
            return [(_transaction(db, units[0]), None)]
        except BaseException as error:  # the caller's to handle, not this thread's
            return [(None, error)]
    try:
        return _transaction(db, functools.partial(_each_in_a_savepoint, units))
    except BaseException as error:  # the COMMIT failed: nothing of the batch was kept
        return [(None, error)] * len(units)


def _each_in_a_savepoint(units: list[Unit[Any]], db: sqlite3.Connection) -> list[Outcome]:
    out: list[Outcome] = []
    for unit in units:
        # a failed statement of SQLite's is undone whole: a one-statement unit needs none
        savepoint = not isinstance(unit, OneStatement)
        if savepoint:
            db.execute("SAVEPOINT unit")
        try:
            out.append((unit(db), None))
        except BaseException as error:
            if not db.in_transaction:
                # SQLite rolled the whole transaction back itself (a full disk does): the
                # batch fails with this error, the units before it were not kept either
                raise
            if savepoint:
                db.execute("ROLLBACK TO unit")
            out.append((None, error))
        if savepoint:
            db.execute("RELEASE unit")
    return out


def _transaction(db: sqlite3.Connection, unit: Unit[T]) -> T:
    # IMMEDIATE takes the write lock at once, so a check and the write it allows see the same
    # database (and another process holding the lock is waited for here, not on the loop)
    db.execute("BEGIN IMMEDIATE")
    try:
        result = unit(db)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # a failed COMMIT can leave it open
            db.execute("ROLLBACK")
        raise
    return result
