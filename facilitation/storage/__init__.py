"""Storage: everything the application keeps, behind one protocol.

- `rows`: the immutable values the store returns;
- `protocol`: `Store`, the methods the rest of the code calls, and `StorageError`;
- `sqlite`: the SQLite implementation, the only code that touches the database;
- `migrations`: the numbered SQL files that build and upgrade its schema.

Import rows and the protocol from here; only the place that opens the database imports
`facilitation.storage.sqlite`.
"""

from facilitation.storage.protocol import StorageError, Store
from facilitation.storage.rows import (
    BallotRow,
    EventRow,
    FeedbackRow,
    ItemRow,
    LogEntry,
    OwnWish,
    ParticipantRow,
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
    "ScoreRow",
    "SeatingPlan",
    "StorageError",
    "Store",
    "WishRow",
]
