"""What phones joining together are shown, made once for all of them.

A room scanning the join QR code, or coming back after a Wi-Fi blip, asks for the same
render hundreds of times in a few seconds. One is kept per event and language: for the
revision it was made at, for one coalescing interval at most, and forgotten on any announced
change but a tally, here or in another process (what the phones are shown has no counts).
The phones' step (realtime/steps.py) and a new phone's page (fresh_pages.py) are kept so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from facilitation.services.announcements import Change, TallyChanged
from facilitation.services.live_event import LiveEvent

T = TypeVar("T")


class KeptForJoining(Generic[T]):
    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        self.interval = interval
        self.clock = clock
        # (code, lang) -> (revision, when kept, value)
        self._kept: dict[tuple[str, str], tuple[int, float, T]] = {}

    def get(self, live: LiveEvent, lang: str) -> T | None:
        """The value kept for this event and language, if still current."""
        found = self._kept.get((live.code, lang))
        if found is None or found[0] != live.state.revision:
            return None
        if self.clock() - found[1] >= self.interval:
            return None
        return found[2]

    def put(self, live: LiveEvent, lang: str, value: T, revision: int) -> None:
        """`value`, made at `revision` of the event's state."""
        self._kept[(live.code, lang)] = (revision, self.clock(), value)

    def forget(self, change: Change) -> None:
        if not isinstance(change, TallyChanged):
            self._kept = {key: kept for key, kept in self._kept.items() if key[0] != change.code}

    def forget_all(self) -> None:
        self._kept = {}
