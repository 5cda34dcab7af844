"""The facilitator's commands: move the event on, moderate items, seat people again.

Each command commits through the services that own the data, then announces once, so that
whatever shows the event (realtime) hears about it after it is saved.
"""

from __future__ import annotations

from facilitation.core.engine import Action, EventState
from facilitation.services.announcements import Announcer, SeatsChanged, StateChanged
from facilitation.services.events import Events, now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.services.presence import Presence
from facilitation.services.seating import Seating


class Console:
    def __init__(
        self, events: Events, seating: Seating, presence: Presence, announcer: Announcer
    ) -> None:
        self.events = events
        self.seating = seating
        self.presence = presence
        self.announcer = announcer

    async def act(self, live: LiveEvent, action: Action) -> EventState:
        """Apply an action (EngineError if it does not apply); a stage that seats people
        seats those present before anyone is told about it."""
        state = await self.events.act(live, action)
        await self.seating.ensure(live, await self.presence.people(live.code))
        await self.announcer.announce(StateChanged(live.code))
        return state

    async def regroup(self, live: LiveEvent) -> None:
        """Form the current step's groups again with the people present now."""
        present = await self.presence.people(live.code)
        await self.seating.regroup(live, present, salt=live.state.revision + now_ms())
        await self.announcer.announce(SeatsChanged(live.code))

    async def seat_late(self, live: LiveEvent) -> None:
        """Seat the people who arrived after the groups were formed, in the smallest ones."""
        await self.seating.add_late(live, await self.presence.people(live.code))
        await self.announcer.announce(SeatsChanged(live.code))
