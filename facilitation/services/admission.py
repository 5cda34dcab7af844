"""Who may make a new identity now: the limit on new participants per client address.

Every page view without a participant cookie would make a voter, so a loop of page views
could vote again and again. `Admission` answers, per client address, whether one more may be
made (the rule is `core.admission`). `LocalAdmission` keeps the buckets in memory, exact for
one process; a second process would share them behind this same interface (as presence will).
"""

from __future__ import annotations

from typing import Protocol

from facilitation.core.admission import Allowance, Bucket, admit, is_full, wait_seconds

# Beyond this many addresses remembered, the full buckets (the same as none) are dropped.
_PRUNE_ABOVE = 10_000


class Admission(Protocol):
    async def admit(self, address: str, now: float) -> float | None:
        """None if `address` may make a new identity at `now` (and counts it), else how many
        seconds to wait."""


class LocalAdmission:
    def __init__(self, allowance: Allowance) -> None:
        self.allowance = allowance
        self._buckets: dict[str, Bucket] = {}

    async def admit(self, address: str, now: float) -> float | None:
        if self.allowance.unlimited:
            return None
        ok, bucket = admit(self._buckets.get(address), self.allowance, now)
        self._buckets[address] = bucket
        if len(self._buckets) > _PRUNE_ABOVE:
            self._buckets = {
                a: b for a, b in self._buckets.items() if not is_full(b, self.allowance, now)
            }
        return None if ok else wait_seconds(bucket, self.allowance, now)
