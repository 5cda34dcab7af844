"""Storage: everything the application keeps, behind one protocol.

- `rows`: the immutable values the store returns;
- `protocol`: `Store`, the methods the rest of the code calls, and `StorageError`;
- `opening`: `open_store(db)`, a PostgreSQL store for a postgresql:// URL, else a SQLite one;
- `tables`: the table groups, in SQL both databases read; `writer`: the writer thread;
- `sqlite`, `postgres`: the connections of each database, the only code that touches one;
- `migrations`: the numbered SQL files that build and upgrade each database's schema.

Import rows and the protocol from here; only the place that opens the database imports
`facilitation.storage.opening`.

Writes and reads do not travel the same way. A write is awaited: the store queues it to one
writer thread, which commits it before the await returns, so that a slow write, a wait for a
lock or a WAL checkpoint never freezes the event loop (every phone's socket), and an
acknowledgement sent after the await still means "saved". Reads stay plain synchronous calls
on the caller's thread (SQLite: a second connection, in WAL mode never waiting for the writer;
PostgreSQL: an idle connection of the pool): they are short indexed queries, and they are
most of the calls (each page, each push), so a hop to a thread and back for each would cost
more than it saves. Each read sees every write whose await has returned.
"""

from facilitation.storage.protocol import StorageError, StorageUnavailableError, Store
from facilitation.storage.rows import (
    BallotRow,
    EventRow,
    FeedbackRow,
    ItemRow,
    LogEntry,
    OwnWish,
    ParticipantRow,
    QuestionRow,
    QuestionSettings,
    ScoreRow,
    SeatingPlan,
    WishRow,
)

__all__ = [
    "BallotRow",
    "EventRow",
    "FeedbackRow",
    "ItemRow",
    "LogEntry",
    "OwnWish",
    "ParticipantRow",
    "QuestionRow",
    "QuestionSettings",
    "ScoreRow",
    "SeatingPlan",
    "StorageError",
    "StorageUnavailableError",
    "Store",
    "WishRow",
]
