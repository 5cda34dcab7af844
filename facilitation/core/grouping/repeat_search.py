"""Tabu search that lowers repeat encounters of a whole schedule of rounds (the social golfer
problem), after Dotú & Van Hentenryck, "Scheduling social golfers locally" (CPAIOR 2005): the
only move swaps two people of different tables within one round, one of them sitting with
someone they meet more than once; the partner of the best swap that is not tabu is taken, even
when it makes things worse, and the search restarts from its best schedule, shaken by random
swaps, when it has not improved for a while.

Work is bounded by a count of swap evaluations, not by a clock, so a seed replays exactly and
the core stays free of time. The search only ever returns a schedule at least as good as the one
it was given, which keeps the bound of the package docstring.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

Tables = list[list[int]]  # one round: tables of person indices


def _repeats(meets: Sequence[int]) -> int:
    return sum(m - 1 for m in meets if m > 1)


def lower_repeats(
    schedule: Sequence[Tables],
    people: int,
    rng: random.Random,
    *,
    fixed: Collection[int] = (),
    work: int = 3_000_000,
    target: int = 0,
) -> list[Tables]:
    """A schedule with the same table sizes in every round, `fixed` people never moved, and at
    most the repeats of `schedule`; about `work` swap evaluations at most, fewer once `target`
    repeats are reached."""
    n = people
    rounds: list[Tables] = []
    meets = [0] * (n * n)
    where: list[list[int]] = []
    repeated: set[tuple[int, int]] = set()  # pairs (a < b) meeting more than once
    current = 0

    def load(schedule: Sequence[Tables]) -> None:
        nonlocal rounds, where, current
        rounds = [[list(t) for t in tables] for tables in schedule]
        meets[:] = [0] * (n * n)
        where = [[0] * n for _ in rounds]
        for r, tables in enumerate(rounds):
            for t, members in enumerate(tables):
                for a in members:
                    where[r][a] = t
                    for b in members:
                        if a != b:
                            meets[a * n + b] += 1
        repeated.clear()
        repeated.update((a, b) for a in range(n) for b in range(a + 1, n) if meets[a * n + b] > 1)
        current = _repeats([meets[a * n + b] for a in range(n) for b in range(a + 1, n)])

    load(schedule)
    best, best_rounds = current, [[list(t) for t in tables] for tables in rounds]
    if current <= target or not rounds:
        return best_rounds
    frozen = set(fixed)
    # tabu[r][p]: the iteration until which p may not move in round r again
    tabu = [[0] * n for _ in rounds]
    # the tenure range and the patience before a restart follow the paper's orders of size
    tenure_low, tenure_high = 4, max(8, n // 4)
    patience = max(100, 4 * n)
    since_best = 0
    spent = 0

    def swap(r: int, p: int, q: int) -> None:
        tables = rounds[r]
        a_t, b_t = where[r][p], where[r][q]
        table_a, table_b = tables[a_t], tables[b_t]
        for x in table_a:
            if x != p:
                meet(p, x, -1)
                meet(q, x, +1)
        for y in table_b:
            if y != q:
                meet(q, y, -1)
                meet(p, y, +1)
        table_a[table_a.index(p)] = q
        table_b[table_b.index(q)] = p
        where[r][p], where[r][q] = b_t, a_t

    def meet(a: int, b: int, change: int) -> None:
        nonlocal current
        before = meets[a * n + b]
        after = before + change
        meets[a * n + b] = meets[b * n + a] = after
        current += max(0, after - 1) - max(0, before - 1)
        key = (a, b) if a < b else (b, a)
        if after > 1:
            repeated.add(key)
        else:
            repeated.discard(key)

    it = 0
    while spent < work and current > target:
        it += 1
        # the rounds where a repeated pair sits together, and who in them
        conflicted: dict[int, set[int]] = {}
        for a, b in repeated:
            for r in range(len(rounds)):
                if where[r][a] == where[r][b]:
                    conflicted.setdefault(r, set()).update(x for x in (a, b) if x not in frozen)
        best_move: tuple[int, float, int, int, int] | None = None
        for r in sorted(conflicted):
            tables = rounds[r]
            # lose[x]: pairs of x's table this round that x meets again elsewhere
            lose = [0] * n
            for members in tables:
                for x in members:
                    base = x * n
                    lose[x] = sum(1 for y in members if meets[base + y] > 1)
            spent += n * len(tables[0])
            for p in sorted(conflicted[r]):
                own_t = where[r][p]
                own = tables[own_t]
                base_p = p * n
                for t, others in enumerate(tables):
                    if t == own_t:
                        continue
                    add_p_all = sum(1 for y in others if meets[base_p + y] > 0)
                    for q in others:
                        if q in frozen:
                            continue
                        base_q = q * n
                        add_p = add_p_all - (meets[base_p + q] > 0)
                        add_q = sum(1 for x in own if x != p and meets[base_q + x] > 0)
                        delta = add_p - lose[p] + add_q - lose[q]
                        if tabu[r][q] >= it and tabu[r][p] >= it and current + delta >= best:
                            continue
                        key = (delta, rng.random())
                        if best_move is None or key < best_move[:2]:
                            best_move = (delta, key[1], r, p, q)
                spent += n * len(own)
        if best_move is None:
            break
        _, _, r, p, q = best_move
        swap(r, p, q)
        tabu[r][p] = it + rng.randint(tenure_low, tenure_high)
        tabu[r][q] = it + rng.randint(tenure_low, tenure_high)
        if current < best:
            best, best_rounds = current, [[list(t) for t in tables] for tables in rounds]
            since_best = 0
        else:
            since_best += 1
        if since_best >= patience:
            # restart from the best schedule, shaken so as not to fall back into the same valley
            load(best_rounds)
            movable = [x for x in range(n) if x not in frozen]
            for _ in range(max(2, len(rounds))):
                r = rng.randrange(len(rounds))
                p, q = rng.sample(movable, 2)
                if where[r][p] != where[r][q]:
                    swap(r, p, q)
            since_best = 0
    return best_rounds
