"""Statistics of a draft: what the organiser checks before publishing."""

from __future__ import annotations

from dataclasses import dataclass

from facilitation.core.matchmaking.drafts import Draft
from facilitation.core.matchmaking.profiles import (
    Pair,
    WishLevel,
    maximum_meetings,
    minimum_meetings,
)
from facilitation.core.matchmaking.selection import Shortfall


@dataclass(frozen=True)
class WishCount:
    level: WishLevel
    satisfied: int
    total: int


@dataclass(frozen=True)
class Statistics:
    people: int
    meetings: int
    unplaced: int
    total_score: int
    slots_used: int
    tables_per_slot: tuple[int, ...]  # index 0 is slot 1
    meetings_min: int
    meetings_mean: float
    meetings_max: int
    without_meeting: tuple[str, ...]
    below_minimum: tuple[Shortfall, ...]
    wishes: tuple[WishCount, ...]  # must, want
    locked: int
    published: int


def draft_statistics(draft: Draft) -> Statistics:
    config = draft.config
    count = {p.id: 0 for p in draft.profiles}
    tables = [0] * config.slots
    for m in draft.meetings:
        count[m.a] = count.get(m.a, 0) + 1
        count[m.b] = count.get(m.b, 0) + 1
        tables[m.slot - 1] += 1
    per_person = list(count.values()) or [0]
    met = {m.pair for m in draft.meetings} | {(m.b, m.a) for m in draft.meetings}
    wishes: list[WishCount] = []
    levels: dict[Pair, WishLevel] = {(w.source, w.target): w.level for w in draft.wishes}
    for level in ("must", "want"):
        asked = [pair for pair, lv in levels.items() if lv == level]
        wishes.append(WishCount(level, sum(1 for pair in asked if pair in met), len(asked)))
    below = tuple(
        Shortfall(p.id, minimum_meetings(p, config), count[p.id])
        for p in draft.profiles
        if count[p.id] < min(minimum_meetings(p, config), maximum_meetings(p, config))
    )
    return Statistics(
        people=len(draft.profiles),
        meetings=len(draft.meetings),
        unplaced=len(draft.unplaced),
        total_score=sum(m.score for m in draft.meetings),
        slots_used=sum(1 for t in tables if t),
        tables_per_slot=tuple(tables),
        meetings_min=min(per_person),
        meetings_mean=sum(per_person) / len(per_person),
        meetings_max=max(per_person),
        without_meeting=tuple(pid for pid, n in count.items() if n == 0),
        below_minimum=below,
        wishes=tuple(wishes),
        locked=sum(1 for m in draft.meetings if m.locked),
        published=sum(1 for m in draft.meetings if m.published),
    )
