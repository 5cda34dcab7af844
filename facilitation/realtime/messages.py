"""What a phone sends over its socket, each message handed to the service that owns it; the
hub checks the sender and the payload first and turns a refusal into an error reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from facilitation.core.ballot_forms import fields_from_ballot
from facilitation.services.events import Events, RefusedError
from facilitation.services.live_event import LiveEvent
from facilitation.services.meetings import Meetings
from facilitation.services.participants import ParticipantRow, Participants
from facilitation.services.seating import Seating

Handler = Callable[[LiveEvent, ParticipantRow, dict[str, Any]], Awaitable[dict[str, Any]]]


class PayloadError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ParticipantMessages:
    def __init__(
        self, events: Events, participants: Participants, seating: Seating, meetings: Meetings
    ) -> None:
        self.events = events
        self.participants = participants
        self.seating = seating
        self.meetings = meetings

    def handlers(self) -> dict[str, Handler]:
        return {
            "vote": self.vote,
            "name": self.name,
            "item": self.item,
            "feedback": self.feedback,
            "score": self.score,
            "wish": self.wish,
            "profile": self.profile,
            "choose": self.choose,
        }

    async def vote(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        ballot = await self.events.cast(
            live,
            participant,
            payload.get("vote"),
            payload.get("ballot"),
            fields=payload.get("fields"),
        )
        return {
            "ok": True,
            "vote": payload["vote"],
            "ballot": ballot,
            "fields": fields_from_ballot(ballot),
        }

    async def item(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        item = await self.events.submit_item(
            live, participant, payload.get("step"), payload.get("fields")
        )
        return {"ok": True, "item": {"id": item.id, "step": item.step_id, "fields": item.fields}}

    async def feedback(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        values = await self.events.give_feedback(
            live, participant, payload.get("project"), payload.get("fields")
        )
        return {"ok": True, "project": payload["project"], "fields": values}

    async def score(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """A pass-around score for the card the phone holds this round."""
        score = await self.seating.score(
            live, participant, payload.get("card"), payload.get("score")
        )
        return {"ok": True, "card": payload["card"], "score": score}

    async def wish(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """ "I want to meet…" (must / want / no, or None to take it back)."""
        result = await self.meetings.wish(
            live,
            participant,
            payload.get("target"),
            payload.get("level"),
            payload.get("helps"),
        )
        return {"ok": True, **result, "target": payload.get("target")}

    async def profile(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        return {"ok": True, "profile": await self.meetings.set_profile(live, participant, payload)}

    async def choose(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """A table or topic chosen before self-selected groups are formed."""
        choice = await self.seating.choose(live, participant, payload.get("choice"))
        return {"ok": True, "choice": choice}

    async def name(
        self, live: LiveEvent, participant: ParticipantRow, payload: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            name = await self.participants.rename(participant, payload.get("name"))
        except RefusedError:
            raise PayloadError("malformed") from None
        return {"ok": True, "name": name}
