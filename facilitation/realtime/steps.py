"""The phones' step as last rendered, shared by the sockets that join within one interval.

A room of phones arriving together (a room scanning the QR code, a reconnect storm after a
Wi-Fi blip) would otherwise cost one render each of the same fragment. A render is kept for
one coalescing interval at most, for its revision only, and forgotten on any announced change
but a tally (the phones' step shows no counts); only the timer is made again for each phone,
since each sets its clock by it. Screens and consoles show counts: they are not kept.
"""

from __future__ import annotations

import asyncio
from typing import Any

from facilitation.presenters.live import LiveViews
from facilitation.presenters.views import Audience
from facilitation.services.announcements import Change, TallyChanged
from facilitation.services.events import now_ms
from facilitation.services.live_event import LiveEvent


class SharedSteps:
    def __init__(self, views: LiveViews, interval: float) -> None:
        self.views = views
        self.interval = interval
        # (code, lang) -> (revision, when rendered, payload)
        self._kept: dict[tuple[str, str], tuple[int, float, dict[str, Any]]] = {}

    async def fragment(self, live: LiveEvent, audience: Audience, lang: str) -> dict[str, Any]:
        """What a joining socket of `audience` is sent first."""
        if audience != "participant":
            return await self.views.render(live, audience, lang)
        now = asyncio.get_running_loop().time()
        kept = self._kept.get((live.code, lang))
        if kept and kept[0] == live.state.revision and now - kept[1] < self.interval:
            return {**kept[2], "timer": live.state.timer.to_json(now_ms())}
        return self.keep(live, audience, lang, await self.views.render(live, audience, lang))

    def keep(
        self, live: LiveEvent, audience: Audience, lang: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """A render just pushed to a room: a phone joining now is sent the same."""
        if audience != "participant":
            return payload
        when = asyncio.get_running_loop().time()
        self._kept[(live.code, lang)] = (payload["revision"], when, payload)
        return payload

    def forget(self, change: Change) -> None:
        """Any change but a tally may change what the phones' step shows."""
        if not isinstance(change, TallyChanged):
            self._kept = {key: kept for key, kept in self._kept.items() if key[0] != change.code}

    def forget_all(self) -> None:
        self._kept = {}
