"""Seating plans made ahead of the day: every round of one scheme for a known list of people,
with how good it is (repeat encounters, the fewest possible, the fewest known reachable)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from facilitation.core.grouping.designs import best_known_repeats, repeats_lower_bound
from facilitation.core.grouping.rotations import (
    count_repeats,
    mixing_rounds,
    pair_rounds,
    station_rotation,
    troika_rounds,
    world_cafe_hosts,
)
from facilitation.core.grouping.tables import Group, GroupingError, Round, form_groups

Scheme = Literal["pairs", "tables", "world-cafe", "troika", "stations"]
SCHEMES: tuple[Scheme, ...] = ("pairs", "tables", "world-cafe", "troika", "stations")
# rounds when none are asked: a World Café's usual three, or what the scheme itself sets
DEFAULT_ROUNDS = {"pairs": 5, "tables": 3, "world-cafe": 3}


@dataclass(frozen=True)
class SeatingPlan:
    scheme: Scheme
    rounds: list[Round]
    repeats: int
    lower_bound: int
    best_known: int | None  # None: nothing known beyond the lower bound


def seating_plan(
    people: Sequence[str],
    scheme: Scheme,
    size: int,
    rng: random.Random,
    rounds: int | None = None,
) -> SeatingPlan:
    """The rounds of `scheme` for `people` at tables of `size` (pairs: 2). Troika and stations
    keep groups of `size` together all along (the client changes, or the station), so their
    repeats are the scheme's own: the bound and the best known are those repeats."""
    people = list(dict.fromkeys(people))
    if len(people) < 2:
        raise GroupingError("at least 2 people are needed")
    if size < 2 and scheme != "pairs":
        raise GroupingError("tables need at least 2 seats")
    if rounds is not None and rounds < 1:
        raise GroupingError("at least 1 round is needed")
    if scheme in ("troika", "stations"):
        groups = form_groups(people, rng=rng, size=size)
        if scheme == "troika":
            schedule = troika_rounds(groups)[:rounds] if rounds else troika_rounds(groups)
        else:
            visits = station_rotation(len(groups), len(groups), rounds)
            schedule = [
                tuple(Group(s, g.members, g.roles) for g, s in zip(groups, visit, strict=True))
                for visit in visits
            ]
        repeats = count_repeats(schedule)
        return SeatingPlan(scheme, list(schedule), repeats, repeats, repeats)
    wanted = rounds if rounds is not None else DEFAULT_ROUNDS[scheme]
    n = len(people)
    if scheme == "pairs":
        size = 2
        schedule = pair_rounds(people, wanted, rng)
        hosts = 0
    elif scheme == "tables":
        schedule = mixing_rounds(people, wanted, rng, size=size)
        hosts = 0
    else:
        chosen = world_cafe_hosts(people, size, rng)
        schedule = mixing_rounds(people, wanted, rng, size=size, hosts=chosen)
        hosts = len(chosen)
    sizes = [len(g.members) for g in schedule[0]] if schedule else []
    if scheme == "pairs" and n % 2:
        sizes.append(1)  # the one sitting out meets nobody
    bound = repeats_lower_bound(n, sizes, wanted, hosts=hosts)
    repeats = count_repeats(schedule)
    known = best_known_repeats(n, size, wanted) if not hosts else None
    if scheme == "pairs" and n % 2 and wanted <= n:
        known = 0  # the circle method, one person sitting out in turn
    if repeats == bound:
        known = bound  # reached the bound: nothing can do better
    return SeatingPlan(scheme, schedule, repeats, bound, known)
