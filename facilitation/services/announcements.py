"""What changed, said once after each commit, for whoever shows it (realtime pushes it).

Services announce; they never push. A change names its event by code and carries no row, so
the same message can cross processes (the scale-out issue sends it over Redis) and every
listener reads what it needs from the services again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StateChanged:
    """The facilitator moved the event on: stage, timer, vote status or reveal."""

    code: str


@dataclass(frozen=True)
class TallyChanged:
    """A ballot, a paper ballot, a score, a table choice, a feedback or a wish came in:
    the counts the screen and the console show (pushed coalesced)."""

    code: str


@dataclass(frozen=True)
class ItemAdded:
    """A participant sent an idea (or any item of an input step)."""

    code: str
    author: int


@dataclass(frozen=True)
class ItemsModerated:
    """The facilitator hid, showed or merged items: every list changes."""

    code: str


@dataclass(frozen=True)
class QuestionsChanged:
    """A question was asked, upvoted or moderated, or the projector's focus changed (shown
    coalesced: never one push per upvote)."""

    code: str
    step_id: str


@dataclass(frozen=True)
class ReactionsSent:
    """A phone sent a reaction (the projector shows them coalesced)."""

    code: str
    step_id: str
    kind: str


@dataclass(frozen=True)
class SeatsChanged:
    """Tables or cards were formed again, or late arrivals were seated."""

    code: str


@dataclass(frozen=True)
class MeetingsChanged:
    """The organiser edited or published the meetings: phones fetch their schedule again."""

    code: str


@dataclass(frozen=True)
class SignedOut:
    """Every facilitator session of the event was ended: consoles still open are closed."""

    code: str


Change = (
    StateChanged
    | TallyChanged
    | ItemAdded
    | ItemsModerated
    | QuestionsChanged
    | ReactionsSent
    | SeatsChanged
    | MeetingsChanged
    | SignedOut
)
Listener = Callable[[Change], Awaitable[None]]

# What other server processes are told of: the changes that make what they keep of an event
# (its state, its items, the phones' step they render for a joining socket) out of date.
# Tallies and reactions change nothing kept: the push made here covers every process.
RELAYED: tuple[type[Change], ...] = (
    StateChanged,
    ItemAdded,
    ItemsModerated,
    QuestionsChanged,
    SeatsChanged,
    MeetingsChanged,
    SignedOut,
)


class Relay(Protocol):
    async def publish(self, change: Change) -> None:
        """Tell the other processes (never raises: a process that missed a change reads
        its events again when the link comes back)."""


class Announcer:
    """In-process delivery: each listener is awaited in turn, so a handler that awaits
    `announce` answers after the change has gone out (tests and acks can rely on it).

    The process that made a change pushes it (an emit reaches the sockets of every process);
    with a relay, the other processes hear of it and refresh what they keep."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._elsewhere: list[Listener] = []
        self.relay: Relay | None = None

    def subscribe(self, listener: Listener) -> None:
        """Called for the changes made in this process."""
        self._listeners.append(listener)

    def subscribe_elsewhere(self, listener: Listener) -> None:
        """Called for the changes another process made."""
        self._elsewhere.append(listener)

    async def announce(self, change: Change) -> None:
        for listener in self._listeners:
            await listener(change)
        if self.relay is not None and isinstance(change, RELAYED):
            await self.relay.publish(change)

    async def heard(self, change: Change) -> None:
        """A change another process announced (delivered by the relay)."""
        for listener in self._elsewhere:
            await listener(change)
