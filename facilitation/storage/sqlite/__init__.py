"""The store in a SQLite file: the only code that touches the database.

`Storage` implements `facilitation.storage.Store` with the table groups of
`facilitation.storage.tables` (SQL shared with PostgreSQL) over `connection.Database`: the
writer thread (`facilitation.storage.writer`, with `session`) owning the connection that
writes, opened and brought to the current schema (`schema`) when the store is made, and the
connection the reads use on the caller's thread. Only `facilitation.storage.opening` (and
tests) import this.
"""

from __future__ import annotations

from facilitation.storage.protocol import StorageError
from facilitation.storage.sqlite.connection import Database
from facilitation.storage.sqlite.schema import SCHEMA_VERSION
from facilitation.storage.tables import AllTables
from facilitation.storage.tables.events import state_from_json, state_to_json

__all__ = ["SCHEMA_VERSION", "Storage", "StorageError", "state_from_json", "state_to_json"]


class Storage(AllTables, Database):
    """`Storage(path)` opens (or creates) the file and upgrades its schema; StorageError if
    it is not a usable database or was written by a newer facilitation."""
