"""Who is signed in as an event's facilitator or as the organiser: signed session cookies.

A key traded for a cookie used to be the cookie itself, for 30 days. A session is instead a
MAC (the app's signing key) over who it is for, when it was issued and the epoch of its scope,
kept in the database: it expires on its own, and "sign out everywhere" bumps the epoch, which
ends every session of that scope in every process sharing the file. `valid` is the one check,
for the console's pages, its socket and the organiser home alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from facilitation.security import facilitator_subject, session_issued_at, session_value
from facilitation.services.announcements import Announcer, SignedOut
from facilitation.services.live_event import LiveEvent
from facilitation.storage import Store

ORGANISER = "organiser"
# a clock a few seconds off between processes should not refuse a session just issued
CLOCK_SKEW_S = 60


def event_scope(live: LiveEvent) -> str:
    return f"event:{live.code}"


class Sessions:
    def __init__(
        self,
        store: Store,
        announcer: Announcer,
        *,
        facilitator_s: int,
        organiser_s: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.announcer = announcer
        self.key = store.signing_key()
        self.organiser_key = store.organiser_key()
        self.facilitator_s = facilitator_s
        self.organiser_s = organiser_s
        self.clock = clock

    def issue(self, scope: str, subject: str) -> str:
        epoch = self.store.session_epoch(scope)
        return session_value(self.key, subject, epoch, int(self.clock()))

    def valid(self, scope: str, subject: str, value: str | None, max_age_s: int) -> bool:
        if not value:
            return False  # no cookie: every phone's page, without reading the epoch
        epoch = self.store.session_epoch(scope)
        issued = session_issued_at(self.key, subject, epoch, value)
        now = self.clock()
        return issued is not None and now - max_age_s <= issued <= now + CLOCK_SKEW_S

    async def end_facilitator_sessions(self, live: LiveEvent) -> None:
        """Sign out everywhere: every console of the event, open ones included."""
        await self.store.bump_session_epoch(event_scope(live))
        await self.announcer.announce(SignedOut(live.code))

    async def end_organiser_sessions(self) -> None:
        await self.store.bump_session_epoch(ORGANISER)

    # --- the two kinds of session --------------------------------------------------------

    def for_facilitator(self, live: LiveEvent) -> str:
        return self.issue(event_scope(live), _facilitator(live))

    def is_facilitator(self, live: LiveEvent, value: str | None) -> bool:
        return self.valid(event_scope(live), _facilitator(live), value, self.facilitator_s)

    def for_organiser(self) -> str:
        return self.issue(ORGANISER, self._organiser())

    def is_organiser(self, value: str | None) -> bool:
        return self.valid(ORGANISER, self._organiser(), value, self.organiser_s)

    def _organiser(self) -> str:
        return f"organiser:{self.organiser_key}"


def _facilitator(live: LiveEvent) -> str:
    # the secret is part of what is signed: a session never outlives the key it was traded for
    return facilitator_subject(live.code, live.row.secret)
