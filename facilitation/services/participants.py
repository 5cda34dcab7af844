"""The people of an event: anonymous phones that join by QR code, and the personal links the
facilitator hands out (holders, jury, partners…).

A participant is always read again from storage by token: no copy kept per connection
decides anything, so a change made through one socket or page is seen by all the others.
"""

from __future__ import annotations

import math
import time

from facilitation.core.admission import Allowance
from facilitation.core.formats import Role
from facilitation.core.inputs import clean_name, count_in_range
from facilitation.security import new_participant_token
from facilitation.services.admission import Admission, LocalAdmission
from facilitation.services.events import RefusedError, now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.storage import ParticipantRow, Store

__all__ = ["INVITED_ROLES", "ParticipantRow", "Participants", "TooManyNewIdentities"]

# Roles the organiser hands out by link; everyone else joins by the public QR code.
INVITED_ROLES: tuple[Role, ...] = ("holder", "jury", "partner", "decider", "observer")
# A sheet of tickets is printed at once; more than this is a typo, not a room.
MAX_TICKETS = 500


class TooManyNewIdentities(RefusedError):
    """This address made its share of identities lately; `wait` says for how many seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__("new_identity_limit", f"too many new identities, wait {wait:.0f} s")
        self.wait = max(1, math.ceil(wait))


class Participants:
    def __init__(self, storage: Store, admission: Admission | None = None) -> None:
        self.storage = storage
        self.admission = admission or LocalAdmission(Allowance(per_minute=0, burst=1))

    def by_token(self, live: LiveEvent, token: str | None) -> ParticipantRow | None:
        return self.storage.participant_by_token(live.id, token) if token else None

    async def join(self, live: LiveEvent, origin: str | None = None) -> ParticipantRow:
        """A new anonymous participant, known from now on by the token it is given; `origin`
        is the client address it came from, limited in how many it makes (TooManyNewIdentities)
        and kept to review bursts of identities."""
        if origin is not None:
            wait = await self.admission.admit(origin, time.time())
            if wait is not None:
                raise TooManyNewIdentities(wait)
        return await self.storage.add_participant(
            live.id, new_participant_token(), now_ms(), origin
        )

    async def rename(self, participant: ParticipantRow, raw: object) -> str:
        """Set the display name; RefusedError("malformed") if it is not text."""
        name = clean_name(raw)
        if name is None:
            raise RefusedError("malformed", "a name is text")
        await self.storage.set_participant_name(participant.id, name)
        return name

    def invitable_roles(self, live: LiveEvent) -> list[Role]:
        return [r for r in live.format.roles if r in INVITED_ROLES]

    async def invite(
        self, live: LiveEvent, role: object, raw_name: object, project: object = None
    ) -> ParticipantRow:
        """A personal link for someone with a role the format has. A holder holds one of the
        event's projects when it has some (without one they pitch nothing, are matched for
        no need and may vote for their own project); a name already given is refused, since
        two people of one name cannot be told apart on agendas and in results."""
        name = clean_name(raw_name)
        if role not in self.invitable_roles(live) or not name:
            raise RefusedError("malformed", "an invitation needs a name and a role of the format")
        project_id = None
        if role == "holder" and live.plan.projects:  # a workshop's holder brings a challenge
            if not isinstance(project, str) or project not in {p.id for p in live.plan.projects}:
                raise RefusedError("holder_project", "a project holder needs one of the projects")
            project_id = project
        taken = {p.name.casefold() for p in self.storage.invited(live.id)}
        if name.casefold() in taken:
            raise RefusedError("duplicate_name", f"someone is already called {name!r}")
        return await self.storage.invite(
            live.id,
            token=new_participant_token(),
            role=str(role),
            name=name,
            now=now_ms(),
            project_id=project_id,
        )

    def invited(self, live: LiveEvent) -> list[ParticipantRow]:
        return self.storage.invited(live.id)

    def invited_person(self, live: LiveEvent, person_id: int) -> ParticipantRow | None:
        """Someone with a personal link: an invited person or a voting ticket."""
        people = [*self.storage.invited(live.id), *self.storage.tickets(live.id)]
        return next((p for p in people if p.id == person_id), None)

    async def make_tickets(self, live: LiveEvent, raw_count: object) -> list[ParticipantRow]:
        """Voting tickets: each is a personal link that makes one phone a ticketed voter."""
        count = count_in_range(raw_count, MAX_TICKETS)
        if not count:
            raise RefusedError("malformed", f"a number of tickets from 1 to {MAX_TICKETS}")
        tokens = [new_participant_token() for _ in range(count)]
        return await self.storage.add_tickets(live.id, tokens, now_ms())

    def tickets(self, live: LiveEvent) -> list[ParticipantRow]:
        return self.storage.tickets(live.id)
