"""The exact model: meetings and slots chosen together, as an integer program solved by HiGHS.

A binary variable per (meeting, slot) where both people are free; at most one slot per meeting,
one meeting per person and slot, the tables of each slot, each person's maximum, and a soft
minimum (a missed meeting costs its penalty). Used when the fast path (a min-cost flow, then an
edge colouring) cannot prove its answer optimal: restricted availability that leaves a chosen
meeting unplaced, or same-side musts, which are not bipartite. The time limit is the caller's;
when it is reached the answer says so and carries HiGHS's proven bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass(frozen=True)
class Assignment:
    slots: tuple[int, ...]  # per pair: its slot from 0, or -1 when left out
    objective: int
    bound: int  # no assignment scores more (equal to `objective` when proven optimal)

    @property
    def optimal(self) -> bool:
        return self.bound <= self.objective


def solve_assignment(
    people: int,
    slots: int,
    u: Sequence[int],
    v: Sequence[int],
    allowed: Sequence[int],
    weight: Sequence[int],
    *,
    room: Sequence[int] | None = None,
    high: Sequence[int] | None = None,
    low: Sequence[int] | None = None,
    penalty: int = 0,
    time_limit: float | None = None,
) -> Assignment | None:
    """Choose a slot (bit of `allowed`) or none for each pair u–v, maximising the weights kept
    minus `penalty` per meeting missing below `low`. `room`: tables left per slot. None when the
    time limit is reached before any assignment is found."""
    pair_of: list[int] = []
    slot_of: list[int] = []
    for k, mask in enumerate(allowed):
        while mask:
            bit = mask & -mask
            pair_of.append(k)
            slot_of.append(bit.bit_length() - 1)
            mask ^= bit
    n_x = len(pair_of)
    if n_x == 0:
        return Assignment(tuple([-1] * len(allowed)), 0, 0)
    pair = np.asarray(pair_of, dtype=np.int64)
    slot = np.asarray(slot_of, dtype=np.int64)
    pu, pv = np.asarray(u, dtype=np.int64)[pair], np.asarray(v, dtype=np.int64)[pair]
    lows = np.zeros(people, dtype=np.int64) if low is None else np.asarray(low, dtype=np.int64)
    soft = np.flatnonzero(lows > 0) if penalty else np.zeros(0, dtype=np.int64)
    n_y = len(soft)
    columns = np.arange(n_x)
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, float, float]] = []
    # One slot per meeting, one meeting per person and slot.
    rows.append((pair, columns, np.ones(n_x), -np.inf, 1.0))
    rows.append((pu * slots + slot + len(allowed), columns, np.ones(n_x), -np.inf, 1.0))
    rows.append((pv * slots + slot + len(allowed), columns, np.ones(n_x), -np.inf, 1.0))
    blocks = [_block(rows, len(allowed) + people * slots, n_x + n_y)]
    upper: list[np.ndarray] = [np.ones(len(allowed) + people * slots)]
    lower: list[np.ndarray] = [np.full(len(allowed) + people * slots, -np.inf)]
    if room is not None:
        blocks.append(_matrix(slot, columns, np.ones(n_x), slots, n_x + n_y))
        upper.append(np.asarray(room, dtype=np.float64))
        lower.append(np.full(slots, -np.inf))
    if high is not None:
        blocks.append(_degree(pu, pv, columns, people, n_x + n_y))
        upper.append(np.asarray(high, dtype=np.float64))
        lower.append(np.full(people, -np.inf))
    if n_y:
        degree = _degree(pu, pv, columns, people, n_x + n_y).tocsr()[soft]
        shortfall = sparse.csr_matrix(
            (np.ones(n_y), (np.arange(n_y), n_x + np.arange(n_y))), shape=(n_y, n_x + n_y)
        )
        blocks.append(degree + shortfall)
        upper.append(np.full(n_y, np.inf))
        lower.append(lows[soft].astype(np.float64))
    matrix = sparse.vstack(blocks, format="csr")
    keep = matrix.getnnz(axis=1) > 1  # a row on one variable is only its own bound
    keep |= np.concatenate(lower) > 0
    gains = np.asarray(weight, dtype=np.float64)[pair]
    cost = np.concatenate((-gains, np.full(n_y, float(penalty))))
    options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "disp": False}
    if time_limit is not None:
        options["time_limit"] = max(time_limit, 0.01)
    result = milp(
        cost,
        constraints=LinearConstraint(
            matrix[keep], np.concatenate(lower)[keep], np.concatenate(upper)[keep]
        ),
        integrality=np.concatenate((np.ones(n_x), np.zeros(n_y))),
        bounds=Bounds(
            np.zeros(n_x + n_y), np.concatenate((np.ones(n_x), lows[soft].astype(np.float64)))
        ),
        options=options,
    )
    if result.x is None:
        return None
    chosen = np.flatnonzero(result.x[:n_x] > 0.5)
    placed = [-1] * len(allowed)
    for x in chosen.tolist():
        placed[pair_of[x]] = slot_of[x]
    objective = round(-float(result.fun))
    bound = objective
    if result.status != 0:
        dual = getattr(result, "mip_dual_bound", None)
        bound = math.floor(-float(dual) + 1e-6) if dual is not None else objective
        bound = max(bound, objective)
    return Assignment(tuple(placed), objective, bound)


def _matrix(
    rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n_rows: int, n_cols: int
) -> sparse.coo_matrix:
    return sparse.coo_matrix((data, (rows, cols)), shape=(n_rows, n_cols))


def _block(
    parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, float, float]],
    n_rows: int,
    n_cols: int,
) -> sparse.coo_matrix:
    return _matrix(
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        n_rows,
        n_cols,
    )


def _degree(
    pu: np.ndarray, pv: np.ndarray, columns: np.ndarray, people: int, n_cols: int
) -> sparse.coo_matrix:
    return _matrix(
        np.concatenate((pu, pv)),
        np.concatenate((columns, columns)),
        np.ones(2 * len(columns)),
        people,
        n_cols,
    )
