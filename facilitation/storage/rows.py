"""What the store returns: immutable values, decoded (JSON columns are Python values).

They hold no connection and load nothing lazily, so they can be handed across threads and
kept after the store moved on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeAlias, TypedDict

# Groups steps keep a list of tables ({"table", "members", "roles", …}); pass-arounds keep
# card id -> reader id. The services own that shape; the store keeps it as JSON.
SeatingPlan: TypeAlias = Any


@dataclass(frozen=True)
class EventRow:
    id: int
    code: str
    secret: str
    format_id: str
    format_name: str
    format_source: str
    roster: list[dict[str, Any]]
    params: dict[str, Any]
    lang: str
    seed: int
    created_at: int
    nested: dict[str, list[str]] = field(default_factory=dict)  # ref -> [text, name]


@dataclass(frozen=True)
class ParticipantRow:
    id: int
    event_id: int
    token: str
    name: str
    role: str
    project_id: str | None = None
    invited: bool = False
    profile: dict[str, Any] = field(default_factory=dict)
    ticket: bool = False  # reached by a voting ticket the facilitator printed
    origin: str | None = None  # the client address an anonymous phone joined from
    created_at: int = 0

    @property
    def ticketed(self) -> bool:
        """Known to the facilitator as one person: a printed ticket or a personal link."""
        return self.ticket or self.invited


@dataclass(frozen=True)
class BallotRow:
    id: int
    participant_id: int | None  # None for a paper ballot
    name: str
    ballot: dict[str, Any]
    paper: bool
    updated_at: int
    set_aside: bool = False  # by the facilitator: kept, shown, not counted


@dataclass(frozen=True)
class ItemRow:
    id: int
    step_id: str
    participant_id: int | None
    fields: dict[str, Any]
    hidden: bool
    merged_into: int | None
    created_at: int
    author: str = ""


@dataclass(frozen=True)
class FeedbackRow:
    project_id: str
    fields: dict[str, Any]


# The timeline reads log entries as mappings (`entry["detail"].get("stage")`), hence a dict.
class LogEntry(TypedDict):
    at: int
    actor: str
    action: str
    detail: dict[str, Any]


# Scores and wishes are unpacked as tuples where they are used, hence named tuples.
class ScoreRow(NamedTuple):
    round: int
    item_id: int
    participant_id: int
    score: int


class WishRow(NamedTuple):
    source: int
    target: int
    level: str  # must, want or no


class OwnWish(NamedTuple):
    target: int
    level: str


@dataclass(frozen=True)
class QuestionRow:
    id: int
    step_id: str
    project_id: str | None
    participant_id: int | None
    text: str
    name: str | None  # shown with the question; None: anonymous
    state: str  # pending, shown or hidden
    answered: bool
    merged_into: int | None
    created_at: int  # milliseconds


@dataclass(frozen=True)
class QuestionSettings:
    focus: int | None  # the question on the projector
    moderation: str | None  # "post" or "pre" when the facilitator changed the format's
