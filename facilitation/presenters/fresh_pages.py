"""The page a phone is shown when it joins, kept for the phones that join with it (kept.py).

Its render was most of what a join cost the server: a new phone's page request took half the
CPU without it (0.8 against 1.6 ms, the two measured alternately). A new identity has sent
nothing, chosen nothing and meets nobody yet, so its page differs from another new identity's
in two values only: its CSRF token and the server's clock. So, unless the phone is seated at
once (a late arrival given a table), its page is rendered with a placeholder for the token
and kept; each phone gets it with its own token and the clock of the moment. A page with a
running clock is not kept at all.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from facilitation.presenters.kept import KeptForJoining
from facilitation.services.announcements import Change
from facilitation.services.live_event import LiveEvent

# the server's time (ms) wherever a page carries it, for the phone to set its clock by
_SERVER_NOW = re.compile(rb'data-server-now="\d*"')
# what a page shows of a clock that runs (a step's timer, the meetings' slots) is of the
# moment it was rendered, to the second: such a page is not kept
_RUNNING_CLOCKS = (b'data-running="true"', b"data-slot-clock")


class FreshPages:
    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        # the shape of a CSRF token (tests/test_fresh_pages.py), unknown outside this process:
        # nobody can put it in a text of theirs for it to be replaced
        self.placeholder = secrets.token_hex(16)
        self._pages: KeptForJoining[bytes] = KeptForJoining(interval, clock)

    def kept(self, live: LiveEvent, lang: str) -> bytes | None:
        """The page kept for a new identity of this event and language, if still current."""
        return self._pages.get(live, lang)

    def keep(self, live: LiveEvent, lang: str, page: bytes) -> None:
        """A page just rendered for a new identity with `placeholder` as its token."""
        if not any(clock in page for clock in _RUNNING_CLOCKS):
            self._pages.put(live, lang, page, live.state.revision)

    def filled(self, page: bytes, csrf: str, now_ms: int) -> bytes:
        """A kept page with this phone's token and the server's time now."""
        own = page.replace(self.placeholder.encode(), csrf.encode())
        return _SERVER_NOW.sub(f'data-server-now="{now_ms}"'.encode(), own)

    async def on_change(self, change: Change) -> None:
        self._pages.forget(change)

    def forget_all(self) -> None:
        self._pages.forget_all()
