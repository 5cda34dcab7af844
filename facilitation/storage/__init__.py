"""Storage: everything the application keeps, behind one protocol.

- `rows`: the immutable values the store returns;
- `protocol`: `Store`, the methods the rest of the code calls, and `StorageError`;
- `sqlite`: the SQLite implementation, the only code that touches the database;
- `migrations`: the numbered SQL files that build and upgrade its schema.

Import rows and the protocol from here; only the place that opens the database imports
`facilitation.storage.sqlite`.

Writes and reads do not travel the same way. A write is awaited: the SQLite store queues it
to one writer thread with a connection of its own, which commits it before the await returns,
so that a slow write, a wait for the lock or a WAL checkpoint never freezes the event loop
(every phone's socket), and an acknowledgement sent after the await still means "saved".
Reads stay plain synchronous calls on a second connection used from the loop's thread: in WAL
mode they never wait for the writer, they are short indexed queries, and they are most of the
calls (each page, each push), so a hop to a thread and back for each would cost more than it
saves. Each read sees every write whose await has returned.
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
