"""The phones' step as last rendered, kept for the sockets that join together
(presenters/kept.py): a room of phones arriving at once (a room scanning the QR code, a
reconnect storm after a Wi-Fi blip) would otherwise cost one render each of the same fragment.
Only the timer is made again for each phone, since each sets its clock by it. Screens and
consoles show counts: they are not kept.
"""

from __future__ import annotations

import asyncio
from typing import Any

from facilitation.presenters.kept import KeptForJoining
from facilitation.presenters.live import LiveViews
from facilitation.presenters.views import Audience
from facilitation.services.announcements import Change
from facilitation.services.events import now_ms
from facilitation.services.live_event import LiveEvent


class SharedSteps:
    def __init__(self, views: LiveViews, interval: float) -> None:
        self.views = views
        # the loop's clock, as the coalescing of pushes uses
        self._kept: KeptForJoining[dict[str, Any]] = KeptForJoining(
            interval, lambda: asyncio.get_running_loop().time()
        )

    async def fragment(self, live: LiveEvent, audience: Audience, lang: str) -> dict[str, Any]:
        """What a joining socket of `audience` is sent first."""
        if audience != "participant":
            return await self.views.render(live, audience, lang)
        kept = self._kept.get(live, lang)
        if kept is not None:
            return {**kept, "timer": live.state.timer.to_json(now_ms())}
        return self.keep(live, audience, lang, await self.views.render(live, audience, lang))

    def keep(
        self, live: LiveEvent, audience: Audience, lang: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """A render just pushed to a room: a phone joining now is sent the same."""
        if audience == "participant":
            self._kept.put(live, lang, payload, payload["revision"])
        return payload

    def forget(self, change: Change) -> None:
        self._kept.forget(change)

    def forget_all(self) -> None:
        self._kept.forget_all()
