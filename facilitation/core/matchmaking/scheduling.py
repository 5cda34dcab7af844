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
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import dijkstra, maximum_flow

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
    IntArray,
    ScoreTable,
    pair_order,
    score_pair,
    score_profiles,
)

# A missed minimum costs more than any one meeting scores: the solver gives up a meeting to
# lift someone to their minimum whenever it can.
SHORTFALL_PENALTY = 1000

# Above this many candidate pairs the flow starts from each person's best candidates and
# adds pairs by pricing; below it every candidate is in from the start.
_PRUNE_ABOVE = 40_000
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
class Shortfall:
    person: str
    minimum: int
    meetings: int


@dataclass(frozen=True)
class Selection:
    candidates: tuple[Candidate, ...]
    total_score: int
    shortfalls: tuple[Shortfall, ...]

    @property
    def objective(self) -> int:
        """What the solver maximised: scores minus the penalty for missed minimums."""
        missing = sum(s.minimum - s.meetings for s in self.shortfalls)
        return self.total_score - SHORTFALL_PENALTY * missing


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


# --- selection -----------------------------------------------------------------------------


def select_meetings(table: ScoreTable) -> Selection:
    """The candidates that maximise total score within everyone's quotas (exact)."""
    high = table.high.copy()
    low = table.low.copy()
    capacity = table.table_capacity
    chosen: list[Candidate] = []
    index = table.index
    for candidate in table.same_side:
        i, j = index[candidate.a], index[candidate.b]
        if high[i] > 0 and high[j] > 0 and capacity > 0:
            chosen.append(candidate)
            high[i] -= 1
            high[j] -= 1
            low[i] -= 1
            low[j] -= 1
            capacity -= 1
    offer = np.array(table.offer_side, dtype=np.int64)
    need = np.array(table.need_side, dtype=np.int64)
    scores = table.scores.copy()
    if len(offer) and len(need):
        scores[high[offer] <= 0, :] = 0
        scores[:, high[need] <= 0] = 0
    rows, cols = _solve_b_matching(
        scores,
        table.wished,
        np.maximum(low[offer], 0),
        np.maximum(high[offer], 0),
        np.maximum(low[need], 0),
        np.maximum(high[need], 0),
        capacity,
    )
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        found = table.candidate(
            table.profiles[table.offer_side[r]].id, table.profiles[table.need_side[c]].id
        )
        if found is None:  # pragma: no cover - the matrix only holds candidates
            raise AssertionError("scored pair is not a candidate")
        chosen.append(found)

    degree = np.zeros(len(table.profiles), dtype=np.int64)
    for candidate in chosen:
        degree[index[candidate.a]] += 1
        degree[index[candidate.b]] += 1
    shortfalls = tuple(
        Shortfall(p.id, int(table.low[i]), int(degree[i]))
        for i, p in enumerate(table.profiles)
        if degree[i] < table.low[i]
    )
    return Selection(
        candidates=tuple(chosen),
        total_score=sum(c.score for c in chosen),
        shortfalls=shortfalls,
    )


def _solve_b_matching(
    scores: npt.NDArray[np.int32],
    wished: npt.NDArray[np.bool_],
    low_rows: IntArray,
    high_rows: IntArray,
    low_cols: IntArray,
    high_cols: IntArray,
    capacity: int,
) -> tuple[IntArray, IntArray]:
    """Maximum-weight b-matching with soft lower bounds on a dense bipartite score matrix."""
    positive = scores > 0
    if not positive.any() or capacity <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    if int(positive.sum()) <= _PRUNE_ABOVE:
        active = positive
    else:
        active = _best_pairs(scores, high_rows, high_cols) | (wished & positive)
    network = _MatchingNetwork(scores, active, low_rows, high_rows, low_cols, high_cols, capacity)
    while True:
        # Reduced cost of a pair left out: negative means the flow would gain from it.
        row_potential, col_potential = network.potentials()
        reduced = row_potential[:, None] - col_potential[None, :] - scores
        missing = positive & ~active & (reduced < 0)
        if not missing.any():
            return network.pairs()
        active |= missing
        network.add_pairs(*np.nonzero(missing))


def _best_pairs(
    scores: npt.NDArray[np.int32], high_rows: IntArray, high_cols: IntArray
) -> npt.NDArray[np.bool_]:
    n_rows, n_cols = scores.shape
    keep = np.zeros(scores.shape, dtype=bool)
    per_row = min(n_cols, 2 * int(high_rows.max(initial=0)) + 5)
    per_col = min(n_rows, 3 * int(high_cols.max(initial=0)) + 5)
    # Scores fit in 16 bits; partitioning contiguous rows of small integers is the fast path.
    negative = (-scores).astype(np.int16)
    if per_row < n_cols:
        best = np.argpartition(negative, per_row - 1, axis=1)[:, :per_row]
        keep[np.arange(n_rows)[:, None], best] = True
    else:
        keep[:] = True
    if per_col < n_rows:
        best = np.argpartition(np.ascontiguousarray(negative.T), per_col - 1, axis=1)
        keep[best[:, :per_col], np.arange(n_cols)[:, None]] = True
    else:
        keep[:] = True
    return keep & (scores > 0)


class _MatchingNetwork:
    """The b-matching as a min-cost flow, kept between pricing rounds (internal, mutable).

    Nodes: source, hub (total table capacity), rows, cols, a gadget per row and per col whose
    arc carries the minimum at cost -SHORTFALL_PENALTY, sink. A zero-cost source->sink bypass
    keeps the sink reachable, so the final potentials satisfy every reduced-cost condition and
    certify the pricing of pairs left out.
    """

    def __init__(
        self,
        scores: npt.NDArray[np.int32],
        active: npt.NDArray[np.bool_],
        low_rows: IntArray,
        high_rows: IntArray,
        low_cols: IntArray,
        high_cols: IntArray,
        capacity: int,
    ) -> None:
        n_rows, n_cols = scores.shape
        self.scores = scores
        ei, ej = np.nonzero(active)
        weights = scores[ei, ej].astype(np.int64)
        low_rows = np.minimum(low_rows, high_rows)
        low_cols = np.minimum(low_cols, high_cols)
        self.source, hub = 0, 1
        self.row0 = row0 = 2
        self.col0 = col0 = row0 + n_rows
        row_gadget = col0 + n_cols
        col_gadget = row_gadget + n_rows
        self.sink = sink = col_gadget + n_cols
        self.n = sink + 1
        self.big = int(high_rows.sum()) + 1
        rows, cols = np.arange(n_rows), np.arange(n_cols)
        penalty_rows = np.full(n_rows, -SHORTFALL_PENALTY)
        penalty_cols = np.full(n_cols, -SHORTFALL_PENALTY)
        parts = [
            ([0], [hub], [min(capacity, self.big)], [0]),
            ([0], [sink], [1], [0]),
            (np.full(n_rows, hub), row0 + rows, high_rows - low_rows, np.zeros(n_rows)),
            (np.full(n_rows, hub), row_gadget + rows, low_rows, penalty_rows),
            (row_gadget + rows, row0 + rows, low_rows, np.zeros(n_rows)),
            (row0 + ei, col0 + ej, np.ones(len(ei)), -weights),
            (col0 + cols, np.full(n_cols, sink), high_cols - low_cols, np.zeros(n_cols)),
            (col0 + cols, col_gadget + cols, low_cols, penalty_cols),
            (col_gadget + cols, np.full(n_cols, sink), low_cols, np.zeros(n_cols)),
        ]
        tail, head, cap, cost = (
            np.concatenate([np.asarray(p[k], dtype=np.int64) for p in parts]) for k in range(4)
        )
        keep = cap > 0
        self.tail, self.head, self.cap, self.cost = tail[keep], head[keep], cap[keep], cost[keep]
        self.flow = np.zeros(len(self.tail), dtype=np.int64)

        # Shortest distances in the acyclic network at zero flow are the first potentials.
        potential = np.zeros(self.n, dtype=np.float64)
        row_pot = np.where(low_rows > 0, -SHORTFALL_PENALTY, 0).astype(np.float64)
        potential[row0:col0] = row_pot
        potential[row_gadget:col_gadget] = -SHORTFALL_PENALTY
        col_pot = np.full(n_cols, np.inf)
        np.minimum.at(col_pot, ej, row_pot[ei] - weights)
        through = np.concatenate(
            (col_pot[high_cols > low_cols], col_pot[low_cols > 0] - SHORTFALL_PENALTY, [0.0])
        )
        sink_pot = float(np.min(through))
        col_pot[~np.isfinite(col_pot)] = sink_pot + SHORTFALL_PENALTY
        potential[col0:row_gadget] = col_pot
        potential[col_gadget:sink] = col_pot - SHORTFALL_PENALTY
        potential[sink] = sink_pot
        self.potential = potential
        self._route(self.source, sink, required=None)
        self.circulating = False

    def potentials(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        cols_end = self.col0 + self.scores.shape[1]
        return self.potential[self.row0 : self.col0], self.potential[self.col0 : cols_end]

    def pairs(self) -> tuple[IntArray, IntArray]:
        used = (
            (self.tail >= self.row0)
            & (self.tail < self.col0)
            & (self.head >= self.col0)
            & (self.head < self.col0 + self.scores.shape[1])
            & (self.flow > 0)
        )
        return self.tail[used] - self.row0, self.head[used] - self.col0

    def add_pairs(self, rows: IntArray, cols: IntArray) -> None:
        """Add pairs whose reduced cost is negative, saturated, then restore balance.

        Saturating keeps every reduced cost non-negative but leaves each new pair's row a unit
        short and its col a unit over; routing those units (a min-cost flow from a super-source
        on the cols to a super-sink on the rows) restores a flow that is optimal again.
        """
        if not self.circulating:
            # With the flow's value free, a sink->source arc makes it a circulation. It replaces
            # the bypass (which never carries flow): both at once would be parallel arcs, which
            # a sparse matrix would silently add up.
            bypass = (self.tail == self.source) & (self.head == self.sink)
            assert not self.flow[bypass].any()
            keep = ~bypass
            self.tail, self.head = self.tail[keep], self.head[keep]
            self.cap, self.cost, self.flow = self.cap[keep], self.cost[keep], self.flow[keep]
            value = int(self.flow[self.tail == self.source].sum())
            self._append([self.sink], [self.source], [self.big], [0], [value])
            self.circulating = True
        weights = self.scores[rows, cols].astype(np.int64)
        self._append(
            self.row0 + rows, self.col0 + cols, np.ones(len(rows)), -weights, np.ones(len(rows))
        )
        keep = len(self.tail)
        over_cols, over = np.unique(self.col0 + cols, return_counts=True)
        short_rows, short = np.unique(self.row0 + rows, return_counts=True)
        top, bottom = self.n, self.n + 1
        self.n += 2
        self.potential = np.concatenate(
            (
                self.potential,
                [self.potential[over_cols].max(), self.potential[short_rows].min()],
            )
        )
        self._append(np.full(len(over_cols), top), over_cols, over, np.zeros(len(over)), 0)
        self._append(short_rows, np.full(len(short_rows), bottom), short, np.zeros(len(short)), 0)
        self._route(top, bottom, required=len(rows))
        self.tail, self.head = self.tail[:keep], self.head[:keep]
        self.cap, self.cost, self.flow = self.cap[:keep], self.cost[:keep], self.flow[:keep]
        self.n -= 2
        self.potential = self.potential[: self.n]

    def _append(
        self,
        tail: npt.ArrayLike,
        head: npt.ArrayLike,
        cap: npt.ArrayLike,
        cost: npt.ArrayLike,
        flow: npt.ArrayLike,
    ) -> None:
        size = len(np.atleast_1d(np.asarray(tail)))
        self.tail = np.concatenate((self.tail, np.asarray(tail, dtype=np.int64)))
        self.head = np.concatenate((self.head, np.asarray(head, dtype=np.int64)))
        self.cap = np.concatenate((self.cap, np.asarray(cap, dtype=np.int64)))
        self.cost = np.concatenate((self.cost, np.asarray(cost, dtype=np.int64)))
        self.flow = np.concatenate((self.flow, np.broadcast_to(np.asarray(flow), size)))

    def _route(self, source: int, sink: int, required: int | None) -> None:
        """Primal-dual min-cost flow from source to sink.

        Each phase finds shortest paths on reduced costs (all >= 0: Dijkstra), then saturates
        every shortest path at once with a max-flow on the zero-reduced-cost arcs. Costs are
        integers, so phases are few (one per distinct path cost) and comparisons exact. With
        `required` None it stops when the cheapest path no longer gains anything.
        """
        n, tail, head, cap, cost = self.n, self.tail, self.head, self.cap, self.cost
        sent = 0
        arcs = np.arange(len(tail))
        while required is None or sent < required:
            flow, potential = self.flow, self.potential
            forward = flow < cap
            backward = flow > 0
            r_tail = np.concatenate((tail[forward], head[backward]))
            r_head = np.concatenate((head[forward], tail[backward]))
            r_arc = np.concatenate((arcs[forward], arcs[backward]))
            r_cost = np.concatenate((cost[forward], -cost[backward])).astype(np.float64)
            reduced = r_cost + potential[r_tail] - potential[r_head]
            graph = sparse.csr_matrix((reduced, (r_tail, r_head)), shape=(n, n))
            distance = dijkstra(graph, directed=True, indices=source)
            if not np.isfinite(distance[sink]):  # pragma: no cover - a bypass always exists
                raise AssertionError("min-cost flow: sink unreachable")
            potential = potential + np.minimum(distance, distance[sink])
            self.potential = potential
            if required is None and potential[sink] - potential[source] >= 0:
                return
            reduced = r_cost + potential[r_tail] - potential[r_head]
            admissible = reduced == 0
            room = np.concatenate((cap[forward] - flow[forward], flow[backward]))[admissible]
            network = sparse.csr_matrix(
                (room.astype(np.int32), (r_tail[admissible], r_head[admissible])), shape=(n, n)
            )
            result = maximum_flow(network, source, sink, method="dinic")
            sent += int(result.flow_value)
            pushed = result.flow.tocoo()
            found = pushed.row.astype(np.int64) * n + pushed.col
            order = np.argsort(found)
            found, values = found[order], np.asarray(pushed.data, dtype=np.int64)[order]
            # Only admissible arcs can carry new flow; the flow matrix is antisymmetric, so
            # the entry in the arc's own direction is its net change.
            marked = np.zeros(len(tail), dtype=bool)
            marked[r_arc[admissible]] = True
            touched = np.flatnonzero(marked)
            keys = tail[touched] * n + head[touched]
            at = np.minimum(np.searchsorted(found, keys), len(found) - 1)
            change = np.where(found[at] == keys, values[at], 0)
            self.flow = flow.copy()
            self.flow[touched] += change


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
