"""Statistics of a draft: what the organiser checks before publishing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from facilitation.core.matchmaking.drafts import Draft
from facilitation.core.matchmaking.profiles import (
    MatchConfig,
    Pair,
    Profile,
    WishLevel,
    maximum_meetings,
    minimum_meetings,
)
from facilitation.core.matchmaking.selection import SHORTFALL_PENALTY, Shortfall

# Why a must is not met. "clash": it cannot be met together with the musts that are (slots,
# quotas or tables); "not_found": the search stopped at its time limit, or the draft was edited.
MustProblem = Literal["refused", "availability", "quota", "removed", "clash", "not_found"]


@dataclass(frozen=True)
class UnmetMust:
    a: str
    b: str
    problem: MustProblem


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
    musts_met: int  # pairs with a must (from either side) that meet
    musts_possible: int  # proven: no plan meets more
    unmet_musts: tuple[UnmetMust, ...]
    score_bound: int | None  # proven: no plan meeting as many musts scores more; None: unknown
    gap: int | None  # score_bound - total_score; 0: proven optimal


def draft_statistics(draft: Draft) -> Statistics:
    found = draft.views.get(Statistics)
    if not isinstance(found, Statistics):
        found = draft.views[Statistics] = _statistics(draft)
    return found


def _statistics(draft: Draft) -> Statistics:
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
    musts = _must_pairs(draft, levels)
    met_musts = sum(1 for pair in musts if pair in met)
    alone = {pair: _problem_alone(draft, pair, levels) for pair in musts if pair not in met}
    possible = sum(1 for pair in musts if pair in met or alone[pair] is None)
    if draft.musts_bound is not None:
        possible = min(possible, max(draft.musts_bound, met_musts))
    all_met = met_musts >= possible
    unmet = tuple(
        UnmetMust(a, b, problem or ("clash" if all_met else "not_found"))
        for (a, b), problem in alone.items()
    )
    total = sum(m.score for m in draft.meetings)
    gap = None
    if draft.objective_bound is not None:
        missing = sum(max(0, minimum_meetings(p, config) - count[p.id]) for p in draft.profiles)
        gap = max(0, draft.objective_bound - (total - SHORTFALL_PENALTY * missing))
    return Statistics(
        people=len(draft.profiles),
        meetings=len(draft.meetings),
        unplaced=len(draft.unplaced),
        total_score=total,
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
        musts_met=met_musts,
        musts_possible=possible,
        unmet_musts=unmet,
        score_bound=None if gap is None else total + gap,
        gap=gap,
    )


def _must_pairs(draft: Draft, levels: dict[Pair, WishLevel]) -> list[Pair]:
    """Each pair someone marked "must" (a later wish replaces an earlier one), once."""
    found: dict[Pair, None] = {}
    for (source, target), level in levels.items():
        if level == "must" and source in draft.people and target in draft.people:
            found.setdefault((source, target) if source < target else (target, source))
    return list(found)


def _problem_alone(draft: Draft, pair: Pair, levels: dict[Pair, WishLevel]) -> MustProblem | None:
    """What keeps this must from being met even on its own, if anything."""
    a, b = pair
    if "no" in (levels.get(pair), levels.get((b, a))):
        return "refused"
    if any(m.pair in (pair, (b, a)) for m in draft.removed):
        return "removed"
    config = draft.config
    one, two = draft.people[a], draft.people[b]
    if not _slots(one, config) & _slots(two, config):
        return "availability"
    if min(maximum_meetings(one, config), maximum_meetings(two, config)) <= 0:
        return "quota"
    return None


def _slots(profile: Profile, config: MatchConfig) -> frozenset[int]:
    return profile.available_slots or frozenset(range(1, config.slots + 1))
