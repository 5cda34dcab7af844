"""The store in a PostgreSQL database, for a large event or one server for many events.

`Storage` implements `facilitation.storage.Store` with the same table groups as SQLite
(`facilitation.storage.tables`, their SQL read by both) over `connection.Database`: a psycopg
pool, the writer thread (`facilitation.storage.writer`, with `session`) and the reads on the
caller's thread. Its schema is the same numbered sequence as SQLite's, in PostgreSQL's
dialect (`schema`). Only `facilitation.storage.opening` (and tests) import this.
"""

from __future__ import annotations

from facilitation.storage.postgres.connection import Database
from facilitation.storage.tables import AllTables

__all__ = ["Storage"]


class Storage(AllTables, Database):
    """`Storage(url)` connects to the database of a postgresql:// URL and upgrades its
    schema; StorageUnavailableError if the server cannot be reached, StorageError if the
    database is not one facilitation can use."""
