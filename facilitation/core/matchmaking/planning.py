"""Planning: the meetings and their slots, best first, with a proof of how good they are.

The fast path selects with the exact min-cost flow (which ignores which slots people share),
then colours. When every selected meeting is placed and there is no same-side must, the flow's
optimum bounds every schedule, so the plan is proven optimal. Otherwise meetings and slots are
chosen together by the exact model (`assignment`): over every candidate on small events, over
the flow's choice and every wished pair on large ones. Either way the plan carries a proven
upper bound on what any plan could reach, so the organiser sees the gap (0: optimal).

The objective, lexicographic through weights: musts met first (each weighs `must_weight`), then
score minus `SHORTFALL_PENALTY` per meeting missing below someone's minimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from facilitation.core.matchmaking.assignment import solve_assignment
from facilitation.core.matchmaking.profiles import MatchConfig, Profile
from facilitation.core.matchmaking.scheduling import Meeting, Schedule, schedule_meetings
from facilitation.core.matchmaking.scoring import Candidate, ScoreTable, is_must
from facilitation.core.matchmaking.selection import (
    SHORTFALL_PENALTY,
    must_weight,
    select_meetings,
)

# Above this many (meeting, slot) variables the exact model keeps only the flow's choice and
# the wished pairs; its bound then comes from the flow.
_FULL_MODEL_UP_TO = 60_000


@dataclass(frozen=True)
class Plan:
    schedule: Schedule
    objective_bound: int  # score minus penalties: no plan meeting as many musts does better
    musts_bound: int  # no plan meets more musts


def plan_meetings(
    table: ScoreTable,
    profiles: Sequence[Profile],
    config: MatchConfig,
    *,
    fixed: Sequence[Meeting] = (),
    time_limit: float | None = None,
) -> Plan:
    """The best plan of new meetings around `fixed` ones, with its proven bounds.

    `time_limit` (seconds) bounds each exact solve; reaching it leaves a gap, never a wrong claim.
    """
    weight = must_weight(table)
    selection = select_meetings(table)
    schedule = schedule_meetings(
        selection.candidates, profiles, config, fixed=fixed, time_limit=time_limit
    )
    if not table.same_side and not schedule.unplaced:
        return Plan(schedule, selection.objective, selection.musts)

    if table.same_side:
        relaxed = select_meetings(replace(table, same_side=()))
        extra = sum(c.score + weight * is_must(c) + 2 * SHORTFALL_PENALTY for c in table.same_side)
        flow_bound = weight * relaxed.musts + relaxed.objective + extra
    else:
        flow_bound = weight * selection.musts + selection.objective
    pairs = table.candidates()
    full = _variables(table, pairs) <= _FULL_MODEL_UP_TO
    if not full:
        chosen = {c.pair for c in selection.candidates}
        pairs = [c for c in pairs if c.pair in chosen or c.a_wish or c.b_wish]
    index = table.index
    free = table.free_masks
    u = [index[c.a] for c in pairs]
    v = [index[c.b] for c in pairs]
    result = solve_assignment(
        len(table.profiles),
        config.slots,
        u,
        v,
        [free[a] & free[b] for a, b in zip(u, v, strict=True)],
        [c.score + weight * is_must(c) for c in pairs],
        room=_room(config, fixed),
        high=table.high.tolist(),
        low=table.low.tolist(),
        penalty=SHORTFALL_PENALTY,
        time_limit=time_limit,
    )
    found = _value(schedule.meetings, fixed, table, weight)
    bound = flow_bound
    if result is not None:
        if full:
            bound = min(bound, result.bound)
        if result.objective >= found:  # ties too: its plan leaves nothing "not placed"
            kept = [(c, s + 1) for c, s in zip(pairs, result.slots, strict=True) if s >= 0]
            schedule = schedule_meetings(
                [c for c, _ in kept],
                profiles,
                config,
                fixed=fixed,
                chosen_slots=[s for _, s in kept],
            )
            found = _value(schedule.meetings, fixed, table, weight)
    bound = max(bound, found)
    keep = {f.pair for f in fixed}
    musts = sum(1 for m in schedule.meetings if m.pair not in keep and is_must(m))
    slack = SHORTFALL_PENALTY * int(table.low.sum())
    musts_bound = min(_must_pairs(table), (bound + slack) // weight)
    return Plan(schedule, bound - weight * musts, max(musts, musts_bound))


def _variables(table: ScoreTable, pairs: Sequence[Candidate]) -> int:
    index, free = table.index, table.free_masks
    return sum((free[index[c.a]] & free[index[c.b]]).bit_count() for c in pairs)


def _room(config: MatchConfig, fixed: Sequence[Meeting]) -> list[int] | None:
    if config.tables is None:
        return None
    load = [0] * config.slots
    for m in fixed:
        load[m.slot - 1] += 1
    return [max(0, config.tables - n) for n in load]


def _value(
    meetings: Sequence[Meeting], fixed: Sequence[Meeting], table: ScoreTable, weight: int
) -> int:
    """The objective of the new meetings of a schedule."""
    keep = {f.pair for f in fixed}
    new = [m for m in meetings if m.pair not in keep]
    degree = np.zeros(len(table.profiles), dtype=np.int64)
    for m in new:
        degree[table.index[m.a]] += 1
        degree[table.index[m.b]] += 1
    missing = int(np.maximum(table.low - degree, 0).sum())
    score = sum(m.score + weight * is_must(m) for m in new)
    return score - SHORTFALL_PENALTY * missing


def _must_pairs(table: ScoreTable) -> int:
    return int(table.musts.sum()) + sum(1 for c in table.same_side if is_must(c))
