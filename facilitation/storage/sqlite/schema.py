"""Bring a database file to the schema this code knows, with the shipped migrations.

The version lives where the first versions put it, `meta.schema_version` (a file without it
is at version 0, i.e. new). Pending migrations run in order in one transaction: a failed
upgrade leaves the file as it was, and two servers starting on one file cannot both apply
them. A file from a newer facilitation is refused rather than written to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from facilitation.storage.migrations import SCHEMA_VERSION, Migration, migrations
from facilitation.storage.protocol import StorageError

__all__ = ["SCHEMA_VERSION", "Migration", "migrations", "schema_version", "statements", "upgrade"]


def statements(script: str) -> Iterator[str]:
    """The statements of a script, one by one: `executescript` would commit the transaction
    the migrations run in."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        # a ; inside a string, a comment or a trigger body does not end the statement
        if sqlite3.complete_statement(pending):
            lines = (line.strip() for line in pending[:-1].splitlines())
            if any(line and not line.startswith("--") for line in lines):
                yield pending
            pending = ""


def schema_version(db: sqlite3.Connection) -> int:
    """The version `meta` records; ValueError if what it records is not one."""
    if not db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return 0
    if not str(row[0]).isdigit():
        raise ValueError(f"meta records {row[0]!r} as its schema version")
    return int(row[0])


def upgrade(db: sqlite3.Connection, path: str) -> None:
    """Apply the migrations the file lacks, or refuse a file this code cannot read."""
    db.execute("BEGIN IMMEDIATE")
    try:
        try:
            version = schema_version(db)
        except ValueError as error:
            raise StorageError(f"{path} is not a facilitation database: {error}") from None
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{path} was written by a newer version of facilitation (database schema "
                f"version {version}; this one knows up to {SCHEMA_VERSION}). Upgrade "
                "facilitation to open it; the file was not changed."
            )
        for migration in migrations():
            if migration.version <= version:
                continue
            try:
                for statement in statements(migration.sql):
                    db.execute(statement)
            except sqlite3.Error as error:
                raise StorageError(
                    f"{path}: the schema upgrade {migration.name} failed ({error}); "
                    "the file was not changed"
                ) from None
        if version < SCHEMA_VERSION:
            db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
