"""Counting what a database holds, read-only, from outside the server that writes it.

The load test asks how many ballots were stored, not how many the server says it stored: it
opens the file itself, read-only (the server keeps writing; WAL lets both be), or connects to
the PostgreSQL database itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_COUNT = (
    "SELECT count(*) FROM ballots b JOIN events e ON e.id = b.event_id"
    " WHERE e.code = {0} AND b.vote_id = {0} AND b.paper = 0"
)


def stored_ballots(path: str | Path, code: str, vote_id: str) -> int:
    """Ballots of `vote_id` in event `code` that came from phones (not paper), in a SQLite
    file or a postgresql:// database."""
    if str(path).startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(str(path), connect_timeout=10) as pg:
            found = pg.execute(_COUNT.format("%s"), (code, vote_id)).fetchone()
        return int(found[0]) if found else 0
    if not Path(path).is_file():
        raise FileNotFoundError(f"no database at {path}")
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        row = db.execute(_COUNT.format("?"), (code, vote_id)).fetchone()
    finally:
        db.close()
    return int(row[0])
