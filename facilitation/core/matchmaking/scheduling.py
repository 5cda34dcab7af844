"""Matchmaking: profiles and wishes -> scored candidates -> chosen meetings -> slots and tables.

Pure: no I/O, no clock; randomness only from `MatchConfig.seed`, and only to break ties. The web
layer and the CLI drive the same values:

    draft = run_draft(profiles, wishes, MatchConfig(slots=12, tables=40))
    draft = move_meeting(draft, ("p008", "p002"), slot=3)   # organiser edits, refused with a reason
    draft = publish_draft(draft)                             # what phones show
    draft = refill_draft(draft, profiles + late_arrivals)    # fills empty slots, moves nothing

Pipeline:

1. Scoring. A pair is a candidate when someone wished the meeting or when one offers what the
   other needs; "no" from either side excludes it. Pairs on the same side (two project holders,
   two partners) are candidates only when one of them marked the meeting "must": peers rarely need
   an organiser, but a must is a must.
2. Selection: a maximum-weight bipartite b-matching, solved exactly as a min-cost flow (primal-dual:
   scipy's Dijkstra keeps node potentials, scipy's Dinic max-flow augments along every shortest
   path of a phase). Large events start from each person's best candidates and add the excluded
   pairs whose reduced cost proves them useful, until the potentials certify optimality over all
   candidates. Minimum numbers of meetings are soft: a missing one costs `SHORTFALL_PENALTY`.
   Same-side must meetings are not bipartite, so they are committed before the flow.
3. Scheduling: a bipartite edge colouring. With everyone available it uses exactly
   max(Δ, ceil(M / tables)) slots (König), then levels colour classes along alternating paths so
   that no slot needs more than ceil(M / slots used) tables. With unavailability, a most-constrained
   -first greedy repaired by Kempe-chain swaps; whatever still fails is reported with a reason.
4. Organiser operations return a new `Draft`, or raise `EditError` with a sentence to show.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from facilitation.core.matchmaking.profiles import (
    EditError,
    MatchConfig,
    MatchError,
    Pair,
    Profile,
    Wish,
    WishLevel,
)
from facilitation.core.matchmaking.scoring import (
    Candidate,
    pair_order,
    score_pair,
    score_profiles,
)
from facilitation.core.matchmaking.selection import Shortfall, select_meetings

# Kempe repair walks at most this many edges per meeting it tries to place.
_REPAIR_BUDGET = 20_000


@dataclass(frozen=True)
class Meeting(Candidate):
    slot: int  # from 1
    table: int  # from 1 within the slot
    locked: bool = False
    published: bool = False  # unchanged since the last publication


@dataclass(frozen=True)
class Unplaced:
    candidate: Candidate
    problem: str


@dataclass(frozen=True)
class Schedule:
    meetings: tuple[Meeting, ...]
    unplaced: tuple[Unplaced, ...]


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


@dataclass(frozen=True)
class Draft:
    """Everything the organiser reviews; every operation returns a new Draft.

    `published` is the snapshot phones see; `revision` grows with every change (iCalendar
    SEQUENCE numbers come from it). `removed` keeps the meetings the organiser removed, so that
    a re-run does not bring them back and calendars can be told they are cancelled.
    """

    config: MatchConfig
    profiles: tuple[Profile, ...]
    wishes: tuple[Wish, ...]
    meetings: tuple[Meeting, ...]
    unplaced: tuple[Unplaced, ...] = ()
    removed: tuple[Meeting, ...] = ()
    published: tuple[Meeting, ...] = ()
    revision: int = 1
    published_revision: int = 0

    @cached_property
    def people(self) -> Mapping[str, Profile]:
        return {p.id: p for p in self.profiles}

    @cached_property
    def _by_pair(self) -> Mapping[Pair, Meeting]:
        return {m.pair: m for m in self.meetings}

    @cached_property
    def _by_person(self) -> Mapping[str, tuple[Meeting, ...]]:
        found: dict[str, list[Meeting]] = {}
        for m in self.meetings:
            found.setdefault(m.a, []).append(m)
            found.setdefault(m.b, []).append(m)
        return {person: tuple(sorted(ms, key=_slot_order)) for person, ms in found.items()}

    def meeting(self, pair: Pair) -> Meeting | None:
        """The meeting between two people, whichever order they are given in."""
        found = self._by_pair.get(pair)
        return found if found is not None else self._by_pair.get((pair[1], pair[0]))

    def meetings_of(self, person: str) -> tuple[Meeting, ...]:
        return self._by_person.get(person, ())

    def name(self, person: str) -> str:
        profile = self.people.get(person)
        return profile.name if profile is not None else person


# --- scheduling ----------------------------------------------------------------------------


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Colouring:
    """Proper edge colouring (colour = slot) with Kempe-chain repair; mutable, internal."""

    def __init__(self, people: int, slots: int, cap: int | None) -> None:
        self.slots = slots
        self.cap = cap
        self.all = (1 << slots) - 1
        self.at = [[-1] * slots for _ in range(people)]
        self.busy = [0] * people
        self.load = [0] * slots
        self.members: list[set[int]] = [set() for _ in range(slots)]
        self.full = 0  # colours whose tables are all taken
        self.u: list[int] = []
        self.v: list[int] = []
        self.allowed: list[int] = []
        self.fixed: list[bool] = []
        self.colour: list[int] = []

    def add_edge(self, u: int, v: int, allowed: int, colour: int = -1) -> int:
        e = len(self.u)
        self.u.append(u)
        self.v.append(v)
        self.allowed.append(allowed)
        self.fixed.append(colour >= 0)
        self.colour.append(-1)
        if colour >= 0:
            if self.busy[u] >> colour & 1 or self.busy[v] >> colour & 1:
                raise MatchError(f"two fixed meetings share a person in slot {colour + 1}")
            self.assign(e, colour)
        return e

    def assign(self, e: int, c: int) -> None:
        u, v = self.u[e], self.v[e]
        self.colour[e] = c
        self.at[u][c] = e
        self.at[v][c] = e
        self.busy[u] |= 1 << c
        self.busy[v] |= 1 << c
        self.load[c] += 1
        self.members[c].add(e)
        if self.cap is not None and self.load[c] >= self.cap:
            self.full |= 1 << c

    def unassign(self, e: int) -> None:
        c = self.colour[e]
        u, v = self.u[e], self.v[e]
        self.colour[e] = -1
        self.at[u][c] = -1
        self.at[v][c] = -1
        self.busy[u] &= ~(1 << c)
        self.busy[v] &= ~(1 << c)
        self.load[c] -= 1
        self.members[c].discard(e)
        self.full &= ~(1 << c)

    def place(self, e: int, spread: bool, budget: int = _REPAIR_BUDGET) -> bool:
        u, v = self.u[e], self.v[e]
        free = self.allowed[e] & ~self.busy[u] & ~self.busy[v] & ~self.full
        if free:
            if spread:
                self.assign(e, min(_bits(free), key=lambda c: (self.load[c], c)))
            else:
                self.assign(e, (free & -free).bit_length() - 1)
            return True
        return self._repair(e, budget)

    def _path(self, start: int, a: int, b: int, budget: list[int]) -> tuple[list[int], set[int]]:
        edges: list[int] = []
        seen = {start}
        x, c = start, a
        while budget[0] > 0:
            e = self.at[x][c]
            if e < 0:
                break
            budget[0] -= 1
            edges.append(e)
            x = self.v[e] if self.u[e] == x else self.u[e]
            seen.add(x)
            c = b if c == a else a
        else:
            return [], seen
        return edges, seen

    def _flip(self, edges: Sequence[int], a: int, b: int) -> None:
        old = [self.colour[e] for e in edges]
        for e in edges:
            self.unassign(e)
        for e, c in zip(edges, old, strict=True):
            self.assign(e, b if c == a else a)

    def _flippable(self, edges: Sequence[int], a: int, b: int) -> bool:
        for e in edges:
            if self.fixed[e]:
                return False
            new = b if self.colour[e] == a else a
            if not self.allowed[e] >> new & 1:
                return False
        return True

    def _repair(self, e: int, steps: int) -> bool:
        u, v = self.u[e], self.v[e]
        allowed = self.allowed[e]
        budget = [steps]
        for x, y in ((u, v), (v, u)):
            # a: free at x but taken at y; b: free at y. Flip the a/b chain from y, then use a.
            # Colours allowed for this meeting come first: in the König case the first try works.
            free_y = self.all & ~self.busy[y]
            for a in _bits(allowed & ~self.busy[x] & self.busy[y] & ~self.full):
                for b in [*_bits(free_y & allowed), *_bits(free_y & ~allowed)]:
                    edges, seen = self._path(y, a, b, budget)
                    if budget[0] <= 0:
                        return False
                    if x in seen or not self._flippable(edges, a, b):
                        continue
                    on_a = sum(1 for f in edges if self.colour[f] == a)
                    after_b = self.load[b] + 2 * on_a - len(edges)
                    if self.cap is not None and after_b > self.cap:
                        continue
                    self._flip(edges, a, b)
                    self.assign(e, a)
                    return True
        # Free at both but no table left: move another meeting of that slot elsewhere.
        for a in _bits(allowed & ~self.busy[u] & ~self.busy[v] & self.full):
            for f in sorted(self.members[a]):
                if self.fixed[f]:
                    continue
                fu, fv = self.u[f], self.v[f]
                other = self.allowed[f] & ~self.busy[fu] & ~self.busy[fv] & ~self.full
                if other:
                    self.unassign(f)
                    self.assign(f, (other & -other).bit_length() - 1)
                    self.assign(e, a)
                    return True
        return False

    def balance(self, colours: Sequence[int]) -> None:
        """Level colour classes by flipping alternating paths that have one more α than β."""
        stuck: set[tuple[int, int]] = set()
        while True:
            by_load = sorted(colours, key=lambda c: (self.load[c], c))
            pair = next(
                (
                    (hi, lo)
                    for hi in reversed(by_load)
                    for lo in by_load
                    if self.load[hi] - self.load[lo] >= 2 and (hi, lo) not in stuck
                ),
                None,
            )
            if pair is None:
                return
            if self._level(*pair):
                stuck.clear()
            else:
                stuck.add(pair)

    def _level(self, alpha: int, beta: int) -> bool:
        wanted = (self.load[alpha] - self.load[beta]) // 2
        done = 0
        for e in sorted(self.members[alpha]):
            if done >= wanted:
                break
            if self.colour[e] != alpha:
                continue
            for x in (self.u[e], self.v[e]):
                if self.at[x][beta] >= 0:
                    continue
                edges, _ = self._path(x, alpha, beta, [len(self.u) + 1])
                if len(edges) % 2 == 1 and self._flippable(edges, alpha, beta):
                    self._flip(edges, alpha, beta)
                    done += 1
                    break
        return done > 0


def schedule_meetings(
    candidates: Sequence[Candidate],
    profiles: Sequence[Profile],
    config: MatchConfig,
    *,
    fixed: Sequence[Meeting] = (),
) -> Schedule:
    """Put meetings into slots and tables; `fixed` meetings stay exactly where they are."""
    people = {p.id: p for p in profiles}
    index = {pid: i for i, pid in enumerate(sorted(people))}
    slots = config.slots
    everything = (1 << slots) - 1
    avail = [0] * len(index)
    for pid, i in index.items():
        chosen = people[pid].available_slots
        avail[i] = sum(1 << (s - 1) for s in chosen) if chosen else everything
    for c in candidates:
        for person in (c.a, c.b):
            if person not in index:
                raise MatchError(f"meeting {c.a}–{c.b} involves unknown person {person!r}")

    colouring = _Colouring(len(index), slots, config.tables)
    for m in fixed:
        colouring.add_edge(index[m.a], index[m.b], 1 << (m.slot - 1), m.slot - 1)
    first_new = len(fixed)
    for c in candidates:
        colouring.add_edge(index[c.a], index[c.b], avail[index[c.a]] & avail[index[c.b]])
    new_edges = range(first_new, first_new + len(candidates))

    degree = [0] * len(index)
    for e in new_edges:
        degree[colouring.u[e]] += 1
        degree[colouring.v[e]] += 1
    rng = np.random.default_rng(config.seed)
    tiebreak = rng.permutation(len(candidates)).tolist()
    everyone_free = (
        not fixed
        and all(colouring.allowed[e] == everything for e in new_edges)
        and _is_bipartite(colouring, new_edges)
    )
    failed: list[int] = []
    if everyone_free and candidates:
        delta = max(degree)
        used = delta
        if config.tables is not None:
            used = max(used, -(-len(candidates) // config.tables))
        if used <= slots:
            # König: a bipartite graph of maximum degree Δ has a proper Δ-edge-colouring, and
            # alternating-path flips always succeed within the first `used` colours.
            compact = (1 << used) - 1
            colouring.cap = None
            for e in new_edges:
                colouring.allowed[e] = compact
            for e in sorted(new_edges, key=lambda e: tiebreak[e - first_new]):
                if not colouring.place(e, spread=False, budget=4 * len(colouring.u) + 4):
                    failed.append(e)
            for e in new_edges:
                colouring.allowed[e] = everything
            colouring.cap = config.tables
            colouring.balance(range(used))
        else:
            everyone_free = False
    if not everyone_free:
        order = sorted(
            new_edges,
            key=lambda e: (
                colouring.allowed[e].bit_count(),
                -(degree[colouring.u[e]] + degree[colouring.v[e]]),
                tiebreak[e - first_new],
            ),
        )
        for e in order:
            if not colouring.place(e, spread=True):
                failed.append(e)
        for e in list(failed):  # later placements may have opened a path
            if colouring.place(e, spread=True):
                failed.remove(e)
        colouring.balance(range(slots))

    names = sorted(index, key=index.__getitem__)
    unplaced = tuple(
        Unplaced(candidates[e - first_new], _why_unplaced(colouring, e, names, people, avail))
        for e in failed
    )
    meetings = _number_tables(colouring, candidates, fixed, config)
    return Schedule(meetings=meetings, unplaced=unplaced)


def _is_bipartite(colouring: _Colouring, edges: Iterable[int]) -> bool:
    neighbours: dict[int, list[int]] = {}
    for e in edges:
        neighbours.setdefault(colouring.u[e], []).append(colouring.v[e])
        neighbours.setdefault(colouring.v[e], []).append(colouring.u[e])
    side: dict[int, int] = {}
    for start in neighbours:
        if start in side:
            continue
        side[start] = 0
        queue = deque([start])
        while queue:
            x = queue.popleft()
            for y in neighbours[x]:
                if y not in side:
                    side[y] = 1 - side[x]
                    queue.append(y)
                elif side[y] == side[x]:
                    return False
    return True


def _slot_list(mask: int) -> str:
    numbers = [str(c + 1) for c in _bits(mask)]
    return ("slot " if len(numbers) == 1 else "slots ") + ", ".join(numbers)


def _why_unplaced(
    colouring: _Colouring,
    e: int,
    names: Sequence[str],
    people: Mapping[str, Profile],
    avail: Sequence[int],
) -> str:
    u, v = colouring.u[e], colouring.v[e]
    name_u, name_v = people[names[u]].name, people[names[v]].name
    free_u = avail[u] & ~colouring.busy[u]
    free_v = avail[v] & ~colouring.busy[v]
    for x, name in ((u, name_u), (v, name_v)):
        if not avail[x] & ~colouring.busy[x]:
            return f"{name} has more meetings than available slots"
    if not avail[u] & avail[v]:
        return f"{name_u} is unavailable in every slot where {name_v} is available"
    if not free_u & free_v:
        sides = ((name_u, u, name_v, free_v), (name_v, v, name_u, free_u))
        for x_name, x, y_name, y_free in sides:
            if not avail[x] & y_free:
                return f"{x_name} is unavailable in every slot where {y_name} is free"
        for x_name, x, y_name, y_free in sides:
            if not y_free & ~avail[x]:
                return f"{x_name} is already booked in every slot where {y_name} is free"
        return f"{name_u} is unavailable or already booked in every slot where {name_v} is free"
    if free_u & free_v & colouring.full == free_u & free_v:
        return f"no table left in {_slot_list(free_u & free_v)}"
    return "no common slot could be freed without moving locked or published meetings"


def _number_tables(
    colouring: _Colouring,
    candidates: Sequence[Candidate],
    fixed: Sequence[Meeting],
    config: MatchConfig,
) -> tuple[Meeting, ...]:
    """Tables from 1 in each slot; the `a` person keeps their table from slot to slot if free."""
    first_new = len(fixed)
    by_slot: list[list[int]] = [[] for _ in range(config.slots)]
    for e in range(first_new, len(colouring.u)):
        if colouring.colour[e] >= 0:
            by_slot[colouring.colour[e]].append(e)
    last_table: dict[str, int] = {}
    meetings: list[Meeting] = list(fixed)
    fixed_by_slot: dict[int, list[Meeting]] = {}
    for m in fixed:
        fixed_by_slot.setdefault(m.slot, []).append(m)
    for c in range(config.slots):
        here = fixed_by_slot.get(c + 1, [])
        taken = {m.table for m in here}
        for m in here:
            last_table[m.a] = m.table
        # Keeping numbers within the slot's meeting count keeps tables per slot balanced.
        highest = len(by_slot[c]) + len(here)
        waiting: list[int] = []
        placed: dict[int, int] = {}
        for e in sorted(by_slot[c]):
            wish = last_table.get(candidates[e - first_new].a)
            if wish is not None and wish not in taken and wish <= highest:
                taken.add(wish)
                placed[e] = wish
            else:
                waiting.append(e)
        free_tables = (t for t in itertools.count(1) if t not in taken)
        for e in waiting:
            placed[e] = next(free_tables)
        for e, t in placed.items():
            candidate = candidates[e - first_new]
            last_table[candidate.a] = t
            meetings.append(_meeting(candidate, c + 1, t))
    return tuple(sorted(meetings, key=_slot_order))


def _meeting(candidate: Candidate, slot: int, table: int) -> Meeting:
    if isinstance(candidate, Meeting):
        return replace(candidate, slot=slot, table=table, published=False)
    return Meeting(
        a=candidate.a,
        b=candidate.b,
        score=candidate.score,
        reason=candidate.reason,
        a_wish=candidate.a_wish,
        b_wish=candidate.b_wish,
        a_gives=candidate.a_gives,
        b_gives=candidate.b_gives,
        slot=slot,
        table=table,
    )


def _slot_order(m: Meeting) -> tuple[int, int, str, str]:
    return (m.slot, m.table, m.a, m.b)


# --- the organiser's draft -----------------------------------------------------------------


def run_draft(profiles: Sequence[Profile], wishes: Sequence[Wish], config: MatchConfig) -> Draft:
    """Score, select and schedule: the first draft the organiser reviews."""
    selection = select_meetings(score_profiles(profiles, wishes, config))
    schedule = schedule_meetings(selection.candidates, profiles, config)
    return Draft(
        config=config,
        profiles=tuple(sorted(profiles, key=lambda p: p.id)),
        wishes=tuple(wishes),
        meetings=schedule.meetings,
        unplaced=schedule.unplaced,
    )


def refill_draft(
    draft: Draft,
    profiles: Sequence[Profile] | None = None,
    wishes: Sequence[Wish] | None = None,
    *,
    people: Collection[str] | None = None,
) -> Draft:
    """Add meetings in empty slots for new or under-served people; nothing placed moves.

    `people` defaults to everyone not in the draft before, everyone below their minimum and
    everyone without a meeting. Meetings the organiser removed are not proposed again.
    """
    profiles = tuple(draft.profiles if profiles is None else profiles)
    wishes = tuple(draft.wishes if wishes is None else wishes)
    known = {p.id for p in profiles}
    for m in draft.meetings:
        for person in (m.a, m.b):
            if person not in known:
                raise MatchError(
                    f"{draft.name(person)} has meetings in the draft; remove them first"
                )
    if people is None:
        count: dict[str, int] = {}
        for m in draft.meetings:
            count[m.a] = count.get(m.a, 0) + 1
            count[m.b] = count.get(m.b, 0) + 1
        people = {
            p.id
            for p in profiles
            if p.id not in draft.people or count.get(p.id, 0) < max(1, _minimum(p, draft.config))
        }
    table = score_profiles(
        profiles,
        wishes,
        draft.config,
        fixed=draft.meetings,
        eligible=people,
        excluded=[m.pair for m in draft.removed],
    )
    selection = select_meetings(table)
    schedule = schedule_meetings(selection.candidates, profiles, draft.config, fixed=draft.meetings)
    return replace(
        draft,
        profiles=tuple(sorted(profiles, key=lambda p: p.id)),
        wishes=wishes,
        meetings=schedule.meetings,
        unplaced=schedule.unplaced,
        revision=draft.revision + 1,
    )


def _minimum(profile: Profile, config: MatchConfig) -> int:
    return profile.min_meetings if profile.min_meetings is not None else config.min_meetings


def _maximum(profile: Profile, config: MatchConfig) -> int:
    top = profile.max_meetings if profile.max_meetings is not None else config.max_meetings
    return config.slots if top is None else top


def _find(draft: Draft, pair: Pair) -> Meeting:
    found = draft.meeting(pair)
    if found is None:
        raise EditError(f"no meeting between {draft.name(pair[0])} and {draft.name(pair[1])}")
    return found


def _unlocked(draft: Draft, pair: Pair) -> Meeting:
    found = _find(draft, pair)
    if found.locked:
        raise EditError(
            f"the meeting of {draft.name(found.a)} and {draft.name(found.b)} is locked; "
            "unlock it first"
        )
    return found


def _with_meetings(
    draft: Draft, meetings: Iterable[Meeting], removed: tuple[Meeting, ...] | None = None
) -> Draft:
    return replace(
        draft,
        meetings=tuple(sorted(meetings, key=_slot_order)),
        removed=draft.removed if removed is None else removed,
        revision=draft.revision + 1,
    )


def _check_place(
    draft: Draft, a: str, b: str, slot: int, table: int | None, ignore: Collection[Pair]
) -> int:
    """The table to use for a meeting of a and b in `slot`, or EditError saying why not."""
    config = draft.config
    if not 1 <= slot <= config.slots:
        raise EditError(f"slot {slot} does not exist (slots 1–{config.slots})")
    others = [m for m in draft.meetings if m.slot == slot and m.pair not in ignore]
    for person in (a, b):
        profile = draft.people.get(person)
        if profile is None:
            raise EditError(f"unknown person {person!r}")
        if profile.available_slots and slot not in profile.available_slots:
            raise EditError(f"{profile.name} is not available in slot {slot}")
        clash = next((m for m in others if m.involves(person)), None)
        if clash is not None:
            raise EditError(
                f"{profile.name} already meets {draft.name(clash.other(person))} in slot {slot}"
            )
    taken = {m.table for m in others}
    if table is None:
        table = next(t for t in range(1, len(taken) + 2) if t not in taken)
    if table < 1:
        raise EditError("tables are numbered from 1")
    if table in taken:
        holder = next(m for m in others if m.table == table)
        raise EditError(
            f"table {table} in slot {slot} is taken by {draft.name(holder.a)} and "
            f"{draft.name(holder.b)}"
        )
    if config.tables is not None and table > config.tables:
        if len(taken) >= config.tables:
            raise EditError(f"no table left in slot {slot}")
        raise EditError(f"table {table} does not exist (tables 1–{config.tables})")
    return table


def move_meeting(draft: Draft, pair: Pair, slot: int, table: int | None = None) -> Draft:
    """Move a meeting to another slot (and table: the first free one if not given)."""
    m = _unlocked(draft, pair)
    table = _check_place(draft, m.a, m.b, slot, table, {m.pair})
    moved = replace(m, slot=slot, table=table, published=False)
    return _with_meetings(draft, [moved if x.pair == m.pair else x for x in draft.meetings])


def swap_meetings(draft: Draft, first: Pair, second: Pair) -> Draft:
    """Exchange the slots and tables of two meetings."""
    m1, m2 = _unlocked(draft, first), _unlocked(draft, second)
    if m1.pair == m2.pair:
        return draft
    # Each meeting leaves its slot and table to the other: ignore both when checking clashes.
    both = {m1.pair, m2.pair}
    _check_place(draft, m1.a, m1.b, m2.slot, m2.table, both)
    _check_place(draft, m2.a, m2.b, m1.slot, m1.table, both)
    new1 = replace(m1, slot=m2.slot, table=m2.table, published=False)
    new2 = replace(m2, slot=m1.slot, table=m1.table, published=False)
    swapped = {m1.pair: new1, m2.pair: new2}
    return _with_meetings(draft, [swapped.get(x.pair, x) for x in draft.meetings])


def remove_meeting(draft: Draft, pair: Pair) -> Draft:
    """Remove a meeting; a re-run will not propose it again."""
    m = _unlocked(draft, pair)
    return _with_meetings(
        draft, [x for x in draft.meetings if x.pair != m.pair], removed=(*draft.removed, m)
    )


def add_meeting(
    draft: Draft, first: str, second: str, slot: int | None = None, table: int | None = None
) -> Draft:
    """Add a meeting by hand (in the first slot that suits both if `slot` is None)."""
    for person in (first, second):
        if person not in draft.people:
            raise EditError(f"unknown person {person!r}")
    if first == second:
        raise EditError("a meeting needs two different people")
    if draft.meeting((first, second)) is not None:
        raise EditError(f"{draft.name(first)} and {draft.name(second)} already meet")
    levels = {(w.source, w.target): w.level for w in draft.wishes}
    for source, target in ((first, second), (second, first)):
        if levels.get((source, target)) == "no":
            raise EditError(f"{draft.name(source)} does not want to meet {draft.name(target)}")
    one, two = draft.people[first], draft.people[second]
    candidate = score_pair(one, two, levels.get((first, second)), levels.get((second, first)))
    if candidate is None:
        a, b = sorted((one, two), key=pair_order)
        candidate = Candidate(a.id, b.id, 0, "added by the organiser", None, None, (), ())
    if slot is None:
        slot = next(
            (s for s in range(1, draft.config.slots + 1) if _fits(draft, first, second, s)), None
        )
        if slot is None:
            raise EditError(f"{one.name} and {two.name} have no free slot in common")
    table = _check_place(draft, first, second, slot, table, set())
    removed = tuple(m for m in draft.removed if m.pair != candidate.pair)
    return _with_meetings(
        draft, [*draft.meetings, _meeting(candidate, slot, table)], removed=removed
    )


def _fits(draft: Draft, a: str, b: str, slot: int) -> bool:
    try:
        _check_place(draft, a, b, slot, None, set())
    except EditError:
        return False
    return True


def lock_meeting(draft: Draft, pair: Pair) -> Draft:
    """Lock a meeting: edits refuse to touch it."""
    return _set_lock(draft, pair, locked=True)


def unlock_meeting(draft: Draft, pair: Pair) -> Draft:
    return _set_lock(draft, pair, locked=False)


def _set_lock(draft: Draft, pair: Pair, *, locked: bool) -> Draft:
    m = _find(draft, pair)
    if m.locked == locked:
        return draft
    changed = replace(m, locked=locked)
    return _with_meetings(draft, [changed if x.pair == m.pair else x for x in draft.meetings])


def publish_draft(draft: Draft) -> Draft:
    """Make the current meetings the ones phones and downloads show."""
    meetings = tuple(replace(m, published=True) for m in draft.meetings)
    return replace(
        draft,
        meetings=meetings,
        published=meetings,
        revision=draft.revision + 1,
        published_revision=draft.revision + 1,
    )


def published_view(draft: Draft) -> Draft:
    """The draft as last published (what participants see)."""
    return replace(draft, meetings=draft.published, unplaced=(), revision=draft.published_revision)


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
        Shortfall(p.id, _minimum(p, config), count[p.id])
        for p in draft.profiles
        if count[p.id] < min(_minimum(p, config), _maximum(p, config))
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
