"""Socket messages and pushes of audience questions and reactions.

Phones `ask`, `upvote` (or take it back) and `react`; the answer is the ack. What everyone
sees is coalesced like tallies: however many upvotes arrive, each room gets the question list
at most once per interval, rendered once per language; reactions reach the projector as
counts per interval, never one message per tap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from facilitation.core.languages import LANGUAGES
from facilitation.presenters.interaction import InteractionViews
from facilitation.realtime.hub import Hub, room
from facilitation.services.announcements import Announcer, Change, QuestionsChanged, ReactionsSent
from facilitation.services.interaction import Interaction
from facilitation.services.live_event import LiveEvent
from facilitation.services.participants import ParticipantRow


class InteractionHub:
    def __init__(
        self, hub: Hub, interaction: Interaction, views: InteractionViews, announcer: Announcer
    ) -> None:
        self.hub = hub
        self.interaction = interaction
        self.views = views
        announcer.subscribe(self.on_change)
        for name, handler in {
            "ask": self._ask,
            "upvote": self._upvote,
            "react": self._react,
        }.items():
            hub.sio.on(name, hub.handler(handler))

    # --- phone messages ------------------------------------------------------------------

    async def _ask(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        row = await self.interaction.ask(
            live, participant, payload.get("text"), payload.get("name")
        )
        return {"ok": True, "question": {"id": row.id, "state": row.state, "text": row.text}}

    async def _upvote(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        up = await self.interaction.upvote(
            live, participant, payload.get("question"), payload.get("up", True)
        )
        return {"ok": True, "question": payload["question"], "up": up}

    async def _react(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        await self.interaction.react(live, participant, payload.get("kind"))
        return {"ok": True, "kind": payload["kind"]}

    # --- pushes --------------------------------------------------------------------------

    async def on_change(self, change: Change) -> None:
        pending = self.hub.pending
        match change:
            case QuestionsChanged(code=code):
                if await pending.mark(f"{code}:questions"):
                    self._later(self._flush_questions, code)
            case ReactionsSent(code=code, kind=kind):
                if await pending.mark(f"{code}:reactions", {kind: 1}):
                    self._later(self._flush_reactions, code)

    def _later(self, flush: Callable[[str], Coroutine[Any, Any, None]], code: str) -> None:
        # the coroutine is made when the timer fires: a loop that stops first leaves none
        # behind unawaited
        asyncio.get_running_loop().call_later(
            self.hub.interval, lambda: asyncio.ensure_future(flush(code))
        )

    async def _flush_questions(self, code: str) -> None:
        await self.hub.pending.take(f"{code}:questions")
        live = self.hub.events.get(code)
        if live is None:
            return
        # the console and the projector show the questions inside their step
        await self.hub.push(live, ("screen", "console"))
        in_use = await self.hub.presence.rooms(code)
        sends = []
        for lang in LANGUAGES:
            if ("participant", lang) in in_use:
                payload = self.views.questions_payload(live, lang)
                if payload is not None:
                    name = room(code, "participant", lang)
                    sends.append(self.hub.sio.emit("questions", payload, room=name))
        await asyncio.gather(*sends)

    async def _flush_reactions(self, code: str) -> None:
        counts = await self.hub.pending.take(f"{code}:reactions")
        live = self.hub.events.get(code)
        if live is None or not counts:
            return
        payload = {"step": live.stage.step_id, "counts": dict(counts)}
        in_use = await self.hub.presence.rooms(code)
        await asyncio.gather(
            *(
                self.hub.sio.emit("reactions", payload, room=room(code, "screen", lang))
                for lang in LANGUAGES
                if ("screen", lang) in in_use
            )
        )
