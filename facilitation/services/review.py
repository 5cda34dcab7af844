"""The facilitator's review of a vote against the room: the head count they typed in, and the
ballots of identities made in bursts, which they may set aside (not counted) and restore.

Both are logged like the other facilitator actions, and nothing is deleted: a ballot set aside
is kept, shown on the review page, and counts again once restored.
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitation.core.bursts import Burst, Identity, find_bursts
from facilitation.core.inputs import count_in_range
from facilitation.services.announcements import Announcer, TallyChanged
from facilitation.services.events import RefusedError, now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.storage import Store

# A room does not count more people than this; a bigger number is a typo.
MAX_HEAD_COUNT = 100_000
# What a burst is unless the facilitator says otherwise: five identities or more from one
# address, each within ten seconds of the one before (phones in a room take longer than
# that to scan, and each has its own address).
BURST_WITHIN_S = 10
BURST_AT_LEAST = 5


@dataclass(frozen=True)
class BurstBallots:
    burst: Burst
    ballots: int  # phone ballots of its members in the vote
    set_aside: int  # of which set aside


class BallotReview:
    def __init__(self, storage: Store, announcer: Announcer) -> None:
        self.storage = storage
        self.announcer = announcer

    def head_count(self, live: LiveEvent) -> int | None:
        return self.storage.head_count(live.id)

    async def set_head_count(self, live: LiveEvent, raw: object) -> None:
        """The number of people the facilitator counted; an empty field forgets it."""
        count = count_in_range(raw, MAX_HEAD_COUNT)
        if count is None and not (isinstance(raw, str) and raw.strip() == ""):
            raise RefusedError("malformed", "a head count is a whole number")
        await self.storage.set_head_count(live.id, count, now_ms())
        await self.announcer.announce(TallyChanged(live.code))

    def bursts(
        self,
        live: LiveEvent,
        vote_id: str,
        within_s: int = BURST_WITHIN_S,
        at_least: int = BURST_AT_LEAST,
    ) -> list[BurstBallots]:
        identities = [
            Identity(p.id, p.origin, p.created_at)
            for p in self.storage.participants(live.id)
            if p.origin is not None and not p.ticketed
        ]
        ballots = [b for b in self.storage.ballots(live.id, vote_id) if not b.paper]
        found = []
        for burst in find_bursts(identities, within_s * 1000, at_least):
            members = set(burst.members)
            mine = [b for b in ballots if b.participant_id in members]
            found.append(BurstBallots(burst, len(mine), sum(b.set_aside for b in mine)))
        return found

    async def set_aside(
        self,
        live: LiveEvent,
        vote_id: object,
        key: object,
        aside: bool,
        within_s: int = BURST_WITHIN_S,
        at_least: int = BURST_AT_LEAST,
    ) -> int:
        """Set aside (or restore) the ballots of one burst in a vote; how many changed."""
        if not isinstance(vote_id, str) or vote_id not in live.format.vote_steps():
            raise RefusedError("no_vote", "there is no such vote")
        found = next(
            (f.burst for f in self.bursts(live, vote_id, within_s, at_least) if f.burst.key == key),
            None,
        )
        if found is None:
            raise RefusedError("nothing_selected", "no such burst (anymore)")
        detail = {"vote": vote_id, "origin": found.origin, "identities": len(found.members)}
        changed = await self.storage.set_ballots_aside(
            live.id, vote_id, found.members, aside, now_ms(), detail
        )
        await self.announcer.announce(TallyChanged(live.code))
        return changed
