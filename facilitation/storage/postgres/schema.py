"""Bring a PostgreSQL database to the schema this code knows, with its shipped migrations.

The same numbers as SQLite's (`facilitation/storage/migrations/postgresql/`), recorded the
same way: `meta.schema_version`, 0 for a database without the table. Pending migrations run
in order in one transaction, under an advisory lock, so that two servers starting together
cannot both apply them and a failed upgrade leaves the database as it was. A database from a
newer facilitation is refused rather than written to.
"""

from __future__ import annotations

import secrets
from typing import Any

import psycopg

from facilitation.storage.migrations import SCHEMA_VERSION, migrations
from facilitation.storage.protocol import StorageError

# pg_advisory_xact_lock's key for the upgrade: any number, the same in every process
_UPGRADE_LOCK = 0x66616369


def schema_version(conn: psycopg.Connection[Any]) -> int:
    """The version `meta` records; ValueError if what it records is not one."""
    row = conn.execute("SELECT to_regclass('meta') IS NOT NULL AS found").fetchone()
    if not row or not row["found"]:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return 0
    if not str(row["value"]).isdigit():
        raise ValueError(f"meta records {row['value']!r} as its schema version")
    return int(row["value"])


def upgrade(conn: psycopg.Connection[Any], where: str) -> None:
    """Apply the migrations the database lacks and make its keys, or refuse it."""
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_UPGRADE_LOCK,))
            _upgrade(conn, where)
    except psycopg.Error as error:
        raise StorageError(
            f"PostgreSQL at {where}: the schema upgrade failed ({error}); nothing was changed"
        ) from None


def _upgrade(conn: psycopg.Connection[Any], where: str) -> None:
    try:
        version = schema_version(conn)
    except ValueError as error:
        raise StorageError(
            f"PostgreSQL at {where} is not a facilitation database: {error}"
        ) from None
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"PostgreSQL at {where} was written by a newer version of facilitation (database "
            f"schema version {version}; this one knows up to {SCHEMA_VERSION}). Upgrade "
            "facilitation to open it; the database was not changed."
        )
    for migration in migrations("postgresql"):
        if migration.version > version:
            # a script without parameters: psycopg sends it whole, statements and all
            conn.execute(migration.sql.encode())
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('schema_version', %s), ('organiser_key', %s),"
        " ('signing_key', %s) ON CONFLICT(key) DO NOTHING",
        (str(SCHEMA_VERSION), secrets.token_urlsafe(18), secrets.token_hex(32)),
    )
    if version < SCHEMA_VERSION:
        conn.execute(
            "UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )
