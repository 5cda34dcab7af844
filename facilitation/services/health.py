"""Whether the database is taking writes: what the console's banner says, and the error the
handlers answer with when it is not (a full disk, a lock another process held too long).

The store notes the last such failure and forgets it once a write commits again, so the room
recovers by itself: nothing here retries or waits.
"""

from __future__ import annotations

from facilitation.storage import StorageUnavailableError, Store

__all__ = ["StorageHealth", "StorageUnavailableError"]


class StorageHealth:
    def __init__(self, store: Store) -> None:
        self.store = store

    def problem(self) -> str | None:
        """The refusal code of the failure saving is in now ("disk_full", "database_busy")."""
        return self.store.write_failure()
