"""The PostgreSQL writer's session: each batch of units in one transaction, on a connection
of the pool, and what a failure means for the room.

A batch runs its units one after the other in one transaction and commits once. Most units
succeed: a savepoint around each would cost two round trips more per unit, so the batch runs
without them, and only if a unit fails is it rolled back and run again with a savepoint per
unit (the failing one gets its exception, the others are kept), as SQLite's session does
from the start.

A batch whose connection broke before its COMMIT was sent (a server restarted while the
connection sat idle), or that PostgreSQL rolled back to break a deadlock between processes,
is run again from the start: nothing of it was kept. A connection lost during the COMMIT, a
server that is down, a full disk or a lock held too long: each unit gets a
StorageUnavailableError, and nothing was acknowledged that is not committed.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool

from facilitation.storage.postgres.statements import Statements, unavailable
from facilitation.storage.tables.base import Unit
from facilitation.storage.writer import Outcome

# a deadlock or a serialization failure: PostgreSQL rolled the batch back, run it again
_AGAIN = (errors.DeadlockDetected, errors.SerializationFailure)
ATTEMPTS = 3


class _Failed(Exception):
    """A unit failed in a batch run without savepoints: run the batch again with them."""


class _Lost(Exception):
    """The connection broke before the COMMIT was sent: nothing of the batch was kept."""


class Session:
    def __init__(self, pool: ConnectionPool[Any], wait_s: float) -> None:
        self.pool = pool
        self.wait_s = wait_s

    def run(self, units: list[Unit[Any]]) -> list[Outcome]:
        careful = False
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.pool.connection(timeout=self.wait_s) as conn:
                    return _batch(conn, units, careful)
            except _Failed:
                careful = True
            except (_Lost, *_AGAIN) as error:
                if attempt == ATTEMPTS:
                    return _refused(units, error.__cause__ or error)
                # the other idle connections may be as stale as this one was
                self.pool.check()
            except psycopg.Error as error:
                return _refused(units, error)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """The pool is the store's: it closes it after the writer thread ends."""


def _refused(units: list[Unit[Any]], error: BaseException) -> list[Outcome]:
    return [(None, unavailable(error))] * len(units)


def _batch(conn: psycopg.Connection[Any], units: list[Unit[Any]], careful: bool) -> list[Outcome]:
    db = Statements(conn)
    outcomes: list[Outcome] = []
    sent = False
    try:
        with conn.transaction():
            for unit in units:
                outcomes.append(_run(conn, db, unit) if careful else (unit(db), None))
            sent = True  # leaving the block sends the COMMIT
    except _AGAIN:
        raise
    except psycopg.OperationalError as error:
        if conn.broken and not sent:
            raise _Lost from error
        raise
    except Exception as error:
        if careful:
            raise
        raise _Failed from error
    return outcomes


def _run(conn: psycopg.Connection[Any], db: Statements, unit: Unit[Any]) -> Outcome:
    try:
        with conn.transaction():  # a savepoint
            return unit(db), None
    except (*_AGAIN, psycopg.OperationalError):
        raise  # the whole batch's
    except Exception as error:  # the caller's to handle, not this thread's
        return None, error
