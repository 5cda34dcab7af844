"""The tables' SQL on a psycopg connection, and what PostgreSQL's refusals mean for the room."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import errors

from facilitation.storage.protocol import StorageUnavailableError


@functools.lru_cache(maxsize=1024)
def dialect(sql: str) -> str:
    """The tables' SQL with psycopg's placeholders (they write `?`, as SQLite reads it)."""
    return sql.replace("%", "%%").replace("?", "%s")


def address(url: str) -> str:
    """host:port/name of a postgresql:// URL, without its user or password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"{host}:{parts.port or 5432}{parts.path or '/'}"


def unavailable(error: BaseException) -> BaseException:
    """A server that is down, a full disk or a lock held too long, as the error handlers
    answer with a clear refusal; anything else (a bug) as it was raised."""
    if isinstance(error, errors.DiskFull | errors.OutOfMemory):
        code = "disk_full"
    elif isinstance(error, errors.LockNotAvailable | errors.QueryCanceled):
        code = "database_busy"
    elif isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        code = "database_unavailable"
    else:
        return error
    refusal = StorageUnavailableError(code, f"PostgreSQL: {error}")
    refusal.__cause__ = error
    return refusal


class Statements:
    """A psycopg connection as the tables use one: `?` placeholders, `executemany` that
    answers with its cursor."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self.conn.execute(dialect(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self.conn.cursor()
        cursor.executemany(dialect(sql), parameters)
        return cursor
