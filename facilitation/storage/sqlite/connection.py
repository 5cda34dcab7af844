"""The connection to the SQLite file, its transactions, and what every table group shares."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from facilitation.storage.protocol import StorageError
from facilitation.storage.sqlite.schema import upgrade


class Database:
    """One connection, used from the server's event loop, is the single writer. WAL mode
    lets exports and backups read while the event runs."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            # autocommit (isolation_level=None): transactions are the explicit ones below
            self.db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
        except sqlite3.Error as error:
            raise StorageError(f"cannot open database {self.path}: {error}") from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a crash or kill -9 of the server (the WAL is
            # in the OS's hands); only a power cut can lose the last moments.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            upgrade(self.db, self.path)
        except sqlite3.DatabaseError as error:
            self.db.close()
            raise StorageError(f"{self.path} is not a usable SQLite database: {error}") from None
        except StorageError:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Writes, and the reads they depend on, as one unit: IMMEDIATE takes the write lock
        at once, so a check and the write it allows see the same database."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that must agree, without blocking writers (WAL)."""
        self.db.execute("BEGIN")
        try:
            yield self.db
        finally:
            self.db.execute("COMMIT")

    @staticmethod
    def _log(
        db: sqlite3.Connection,
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

    # --- keys kept in meta ----------------------------------------------------------------

    def _meta_default(self, key: str, value: str) -> str:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, value))
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"])

    def organiser_key(self) -> str:
        """The secret of the organiser home, made once per database."""
        return self._meta_default("organiser_key", secrets.token_urlsafe(18))

    def signing_key(self) -> str:
        """Signs CSRF tokens; kept in the database so forms stay valid across restarts."""
        return self._meta_default("signing_key", secrets.token_hex(32))
