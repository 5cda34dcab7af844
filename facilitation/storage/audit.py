"""Counting what a database holds, read-only, from outside the server that writes it.

The load test asks how many ballots were stored, not how many the server says it stored: it
opens the file itself, read-only (the server keeps writing; WAL lets both be).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def stored_ballots(path: str | Path, code: str, vote_id: str) -> int:
    """Ballots of `vote_id` in event `code` that came from phones (not paper)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no database at {path}")
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        row = db.execute(
            "SELECT count(*) FROM ballots b JOIN events e ON e.id = b.event_id"
            " WHERE e.code = ? AND b.vote_id = ? AND b.paper = 0",
            (code, vote_id),
        ).fetchone()
    finally:
        db.close()
    return int(row[0])
