"""What waits for the next coalesced push of an event, and who makes that push.

Ballots, upvotes and reactions arrive by the hundred a second; each room gets at most one
push per interval. The first change of an interval `mark`s the key and is told to make the
push once the interval is over; the changes until then only add what the push must cover (the
authors whose group list changed, the reactions by kind), and the push `take`s it. With
several server processes the marks are shared (`processes.pending`), so an event gets a few
pushes a second in all, not a few per process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Protocol


class Pending(Protocol):
    async def mark(self, key: str, counts: Mapping[str, int] | None = None) -> bool:
        """Add `counts` to what waits under `key`; True if the caller must push after one
        interval (nobody else is about to)."""

    async def take(self, key: str) -> Counter[str]:
        """At push time: what gathered under `key`, forgotten here (the next mark pushes
        again)."""


class LocalPending:
    """One process: exact in memory."""

    def __init__(self) -> None:
        self._waiting: dict[str, Counter[str]] = {}

    async def mark(self, key: str, counts: Mapping[str, int] | None = None) -> bool:
        first = key not in self._waiting
        self._waiting.setdefault(key, Counter()).update(counts or {})
        return first

    async def take(self, key: str) -> Counter[str]:
        return self._waiting.pop(key, Counter())
