"""The schema, as numbered SQL files applied in order: one sequence per database.

`NNNN_what.sql` here brings a SQLite database to schema version NNNN; `postgresql/NNNN_what.sql`
does the same for PostgreSQL, in its dialect, with the same tables, columns and meaning (a
test checks both sequences have the same numbers and end with the same columns). At start-up
the store applies, in one transaction, those above the version the database records in
`meta.schema_version`. A shipped file is never edited: databases people already have were
built by it. A change is a new file in both sequences.

SQLite: foreign keys are on while they run (`PRAGMA foreign_keys` cannot change inside a
transaction): a migration that rebuilds a table others refer to starts with
`PRAGMA defer_foreign_keys = ON`, so that they are checked at the commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

SCHEMA_VERSION = 6
_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
DIALECTS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: str = "sqlite") -> list[Migration]:
    """The shipped migrations of a database, 1 to SCHEMA_VERSION."""
    folder = resources.files(__name__)
    if dialect != "sqlite":
        folder = folder / dialect
    found = sorted(
        (
            Migration(int(match[1]), entry.name, entry.read_text(encoding="utf-8"))
            for entry in folder.iterdir()
            if (match := _NAME.fullmatch(entry.name))
        ),
        key=lambda m: m.version,
    )
    if [m.version for m in found] != list(range(1, SCHEMA_VERSION + 1)):
        # a broken install: without this, a new database would get a partial schema
        from facilitation.storage.protocol import StorageError

        raise StorageError(
            f"the {dialect} schema migrations shipped are not 1 to {SCHEMA_VERSION}: "
            f"{[m.name for m in found]}"
        )
    return found
