"""Pass-around: who reads which card each round, and the scores they give."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from facilitation.core.grouping.tables import GroupingError

# --- pass-around -----------------------------------------------------------------------------


def pass_around(
    items: Mapping[str, str | None],
    people: Sequence[str],
    rounds: int,
    rng: random.Random,
) -> list[dict[str, str]]:
    """rounds[r][item] = reader. `items` maps each item to its author (None if the author is
    not a reader). Readers never get their own item nor an item twice; each reads at most
    ceil(items / readers) items a round. GroupingError if that cannot be done."""
    readers = list(dict.fromkeys(people))
    if len(readers) < 2:
        raise GroupingError("pass-around needs at least two readers")
    if rounds > len(readers) - 1 and any(a in readers for a in items.values()):
        raise GroupingError(
            f"{rounds} rounds: with {len(readers)} readers an item can only reach "
            f"{len(readers) - 1} readers who did not write it"
        )
    names = sorted(items)
    capacity = max(1, math.ceil(len(names) / len(readers)))
    seen: dict[str, set[str]] = {item: set() for item in names}
    out: list[dict[str, str]] = []
    for _ in range(rounds):
        order = list(readers)
        rng.shuffle(order)
        slots = [reader for reader in order for _ in range(capacity)]
        rows, cols = [], []
        for i, item in enumerate(names):
            for j, reader in enumerate(slots):
                if reader != items[item] and reader not in seen[item]:
                    rows.append(i)
                    cols.append(j)
        graph = csr_matrix(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(names), len(slots))
        )
        match = maximum_bipartite_matching(graph, perm_type="column")
        if (match < 0).any():
            raise GroupingError("not enough readers left who have not seen every item")
        assignment = {names[i]: slots[j] for i, j in enumerate(match)}
        for item, reader in assignment.items():
            seen[item].add(reader)
        out.append(assignment)
    return out


def sum_scores(scores: Sequence[tuple[str, int]]) -> dict[str, int]:
    """(item, score) pairs -> total per item."""
    totals: dict[str, int] = defaultdict(int)
    for item, score in scores:
        totals[item] += score
    return dict(totals)


def top_k(
    totals: Mapping[str, float],
    k: int,
    *,
    order: Literal["best", "countdown"] = "best",
    counts: Mapping[str, int] | None = None,
) -> list[tuple[int, str, float]]:
    """(place, item, total) of the k best; equal totals are broken by more scores received,
    then by item id, so the reveal is the same every time. `countdown` lists them last first."""
    counts = counts or {}
    ranked = sorted(totals, key=lambda i: (-totals[i], -counts.get(i, 0), i))[:k]
    places = [(place, item, totals[item]) for place, item in enumerate(ranked, start=1)]
    return list(reversed(places)) if order == "countdown" else places
