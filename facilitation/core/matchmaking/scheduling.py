"""Scheduling: chosen meetings into slots (when) and tables (where).

A bipartite edge colouring, the colour being the slot. With everyone available it uses exactly
max(Δ, ceil(M / tables)) slots (König), then levels colour classes along alternating paths so
that no slot needs more than ceil(M / slots used) tables. With unavailability, a most-constrained
-first greedy repaired by Kempe-chain swaps; when that still leaves meetings out, the exact model
(`assignment`, within the caller's time limit) places as many as can be placed, musts first, and
only what no placement fits is reported, with a reason. Tables are then levelled over every
slot: at most ceil(M / slots) per slot wherever availability allows.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from facilitation.core.matchmaking.assignment import solve_assignment
from facilitation.core.matchmaking.profiles import MatchConfig, MatchError, Profile
from facilitation.core.matchmaking.scoring import Candidate, is_must

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

    def place_in(self, e: int, c: int) -> bool:
        """Put meeting e in colour c if both people are free there and a table is left."""
        if (self.busy[self.u[e]] | self.busy[self.v[e]] | self.full) >> c & 1:
            return False
        self.assign(e, c)
        return True

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
    chosen_slots: Sequence[int] | None = None,
    time_limit: float | None = None,
) -> Schedule:
    """Put meetings into slots and tables; `fixed` meetings stay exactly where they are.

    `chosen_slots` (one per candidate, from 1) are slots already chosen by the exact model:
    they are kept, up to the levelling of tables. `time_limit` (seconds) bounds the exact
    model when the fast colouring leaves meetings out."""
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
    if chosen_slots is not None:
        for e, slot in zip(new_edges, chosen_slots, strict=True):
            if not colouring.allowed[e] >> (slot - 1) & 1 or not colouring.place_in(e, slot - 1):
                raise MatchError(
                    f"slot {slot} does not suit meeting {candidates[e - first_new].pair}"
                )
        everyone_free = True
        colouring.balance(range(slots))
    elif everyone_free and candidates:
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
            # Beyond the `used` slots of the colouring, spreading over every slot keeps each
            # slot's tables within ceil(M / slots).
            colouring.balance(range(slots))
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
        if failed:
            failed = _place_exactly(colouring, new_edges, candidates, first_new, failed, time_limit)
        colouring.balance(range(slots))

    names = sorted(index, key=index.__getitem__)
    unplaced = tuple(
        Unplaced(candidates[e - first_new], _why_unplaced(colouring, e, names, people, avail))
        for e in failed
    )
    meetings = _number_tables(colouring, candidates, fixed, config)
    return Schedule(meetings=meetings, unplaced=unplaced)


def _place_exactly(
    colouring: _Colouring,
    new_edges: range,
    candidates: Sequence[Candidate],
    first_new: int,
    failed: list[int],
    time_limit: float | None,
) -> list[int]:
    """Re-place every new meeting with the exact model; the meetings it cannot place either."""
    people, slots = len(colouring.busy), colouring.slots
    booked = [0] * people
    load = [0] * slots
    for e in range(first_new):
        booked[colouring.u[e]] |= 1 << colouring.colour[e]
        booked[colouring.v[e]] |= 1 << colouring.colour[e]
        load[colouring.colour[e]] += 1
    edges = list(new_edges)
    u = [colouring.u[e] for e in edges]
    v = [colouring.v[e] for e in edges]
    masks = [
        colouring.allowed[e] & ~booked[a] & ~booked[b] for e, a, b in zip(edges, u, v, strict=True)
    ]
    # Musts first, then as many meetings as fit.
    weight = [1 + (len(edges) + 1) * is_must(candidates[e - first_new]) for e in edges]
    room = None if colouring.cap is None else [max(0, colouring.cap - n) for n in load]
    result = solve_assignment(people, slots, u, v, masks, weight, room=room, time_limit=time_limit)
    placed_before = sum(weight) - sum(weight[e - first_new] for e in failed)
    if result is None or result.objective <= placed_before:
        return failed
    for e in edges:
        if colouring.colour[e] >= 0:
            colouring.unassign(e)
    for e, slot in zip(edges, result.slots, strict=True):
        if slot >= 0:
            colouring.assign(e, slot)
    return [e for e, slot in zip(edges, result.slots, strict=True) if slot < 0]


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
            meetings.append(meeting_at(candidate, c + 1, t))
    return tuple(sorted(meetings, key=slot_order))


def meeting_at(candidate: Candidate, slot: int, table: int) -> Meeting:
    if isinstance(candidate, Meeting):
        return replace(candidate, slot=slot, table=table, published=False)
    # The candidate's fields as they are, plus where: filled in directly, as a frozen
    # dataclass's __init__ sets its twelve fields one call at a time (a quarter of scheduling
    # 25,000 meetings). Meeting has no __post_init__ to skip.
    meeting = object.__new__(Meeting)
    fields = meeting.__dict__
    fields.update(candidate.__dict__)
    fields.update(slot=slot, table=table, locked=False, published=False)
    return meeting


def slot_order(m: Meeting) -> tuple[int, int, str, str]:
    return (m.slot, m.table, m.a, m.b)
