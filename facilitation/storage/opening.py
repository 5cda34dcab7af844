"""Which database a `--db` names, in one place: a postgresql:// URL, or else a SQLite file.

SQLite stays the default (`facilitation.sqlite3`, nothing to install). The rest of the code
opens its store here and types it on the `Store` protocol.
"""

from __future__ import annotations

from pathlib import Path

from facilitation.storage.protocol import Store

SCHEMES = ("postgresql://", "postgres://")


def is_server(db: str) -> bool:
    """Whether `db` names a PostgreSQL database rather than a SQLite file."""
    return db.startswith(SCHEMES)


def open_store(db: str, *, busy_timeout_s: float = 10.0) -> Store:
    """The store of `db`, its schema brought up to date. StorageUnavailableError if its
    server cannot be reached; StorageError if it is not a database facilitation can use."""
    if is_server(db):
        from facilitation.storage.postgres import Storage as ServerStorage

        return ServerStorage(db, busy_timeout_s=busy_timeout_s)
    from facilitation.storage.sqlite import Storage

    return Storage(db, busy_timeout_s=busy_timeout_s)


def describe(db: str) -> str:
    """Where the data goes, for the line `facilitation serve` prints (no password)."""
    if is_server(db):
        from facilitation.storage.postgres.statements import address

        return f"PostgreSQL {address(db)}"
    return f"{Path(db).resolve()} (SQLite, WAL)"
