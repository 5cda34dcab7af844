"""Pass-around: who reads which card each round, and the scores they give."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

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
    ceil(items / readers) items a round. GroupingError if that cannot be done.

    The rounds are planned as a whole, not one after the other (which can paint itself into a
    corner that a full schedule avoids): first who reads what over all rounds, a flow problem
    (each item to `rounds` readers, each reader at most `capacity * rounds` items); then the
    rounds themselves, an edge colouring with `rounds` colours of that bipartite graph once
    each reader is split into `capacity` seats, which always exists (König's theorem).

    Nobody sits a round out while the cards allow otherwise: with at least as many cards as
    readers, each reader gets at least `rounds` cards over the rounds (a flow with lower
    bounds), and those fill their first seat, which the colouring gives a card every round."""
    readers = list(dict.fromkeys(people))
    if len(readers) < 2:
        raise GroupingError("pass-around needs at least two readers")
    if rounds > len(readers) - 1 and any(a in readers for a in items.values()):
        raise GroupingError(
            f"{rounds} rounds: with {len(readers)} readers an item can only reach "
            f"{len(readers) - 1} readers who did not write it"
        )
    if rounds > len(readers):
        raise GroupingError(f"{rounds} rounds: only {len(readers)} readers to pass items to")
    names = sorted(items)
    if not names or rounds <= 0:
        return [{} for _ in range(max(rounds, 0))]
    rng.shuffle(readers)
    capacity = max(1, math.ceil(len(names) / len(readers)))
    least = min(rounds, len(names) * rounds // len(readers))
    try:
        reads = _who_reads_what(items, names, readers, rounds, capacity, least)
    except GroupingError:
        if not least:
            raise
        reads = _who_reads_what(items, names, readers, rounds, capacity, 0)
    seats: dict[str, int] = defaultdict(int)  # reader -> items given to their seats so far
    edges = []
    for item, reader in reads:
        # a reader's first `rounds` items fill their first seat: it then has one every round
        seat = readers.index(reader) * capacity + seats[reader] // rounds
        seats[reader] += 1
        edges.append((names.index(item), seat))
    colours = _colour_edges(edges, len(names), len(readers) * capacity, rounds)
    out: list[dict[str, str]] = [{} for _ in range(rounds)]
    for (item, reader), colour in zip(reads, colours, strict=True):
        out[colour][item] = reader
    return out


def _who_reads_what(
    items: Mapping[str, str | None],
    names: list[str],
    readers: list[str],
    rounds: int,
    capacity: int,
    least: int,
) -> list[tuple[str, str]]:
    """(item, reader) pairs: each item to `rounds` readers who did not write it, each reader
    between `least` and `capacity * rounds` items; GroupingError if that cannot be done.

    A flow with lower bounds, as one maximum flow (the textbook reduction): the bounds
    become supplies from a new source S and demands to a new sink T, and the old sink flows
    back to the old source; every item's `rounds` and every reader's `least` must get
    through from S to T."""
    n_items, n_readers = len(names), len(readers)
    source, sink = 0, n_items + n_readers + 1
    supply, demand = sink + 1, sink + 2
    rows, cols, caps = [], [], []

    def edge(u: int, v: int, cap: int) -> None:
        if cap > 0:
            rows.append(u)
            cols.append(v)
            caps.append(cap)

    for i, item in enumerate(names):
        edge(supply, 1 + i, rounds)  # source -> item, exactly `rounds`
        for j, reader in enumerate(readers):
            if reader != items[item]:
                edge(1 + i, 1 + n_items + j, 1)
    edge(source, demand, n_items * rounds)
    for j in range(n_readers):
        edge(1 + n_items + j, sink, capacity * rounds - least)
        edge(1 + n_items + j, demand, least)
    edge(supply, sink, n_readers * least)
    edge(sink, source, n_items * rounds)
    size = demand + 1
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(size, size))
    result = maximum_flow(graph, supply, demand)
    if result.flow_value < n_items * rounds + n_readers * least:
        raise GroupingError(
            f"{n_items} items, {n_readers} readers, {rounds} rounds: the items' authors leave "
            "too few other readers for every item to be read each round"
        )
    flow = result.flow.tocoo()
    return [
        (names[int(u) - 1], readers[int(v) - 1 - n_items])
        for u, v, f in zip(flow.row, flow.col, flow.data, strict=True)
        if f > 0 and 1 <= u <= n_items and n_items < v <= n_items + n_readers
    ]


def _colour_edges(edges: list[tuple[int, int]], left: int, right: int, colours: int) -> list[int]:
    """A proper colouring of a bipartite multigraph of maximum degree <= `colours` with that
    many colours (alternating-path recolouring: for bipartite graphs it never fails)."""
    # at[side][node][colour] = the edge of that colour at the node, or -1
    at = [[[-1] * colours for _ in range(left)], [[-1] * colours for _ in range(right)]]
    colour = [-1] * len(edges)

    def free(side: int, node: int) -> int:
        return at[side][node].index(-1)

    for e, (u, v) in enumerate(edges):
        a, b = free(0, u), free(1, v)
        if at[1][v][a] != -1:
            # a is taken at v: swap a and b along the path from v that alternates them; in a
            # bipartite graph it cannot come back to u, and afterwards a is free at v
            path, side, node, c = [], 1, v, a
            while (f := at[side][node][c]) != -1:
                path.append(f)
                side, node = 1 - side, edges[f][0] if side == 1 else edges[f][1]
                c = b if c == a else a
            for f in path:
                x, y = edges[f]
                at[0][x][colour[f]] = at[1][y][colour[f]] = -1
            for f in path:
                x, y = edges[f]
                colour[f] = b if colour[f] == a else a
                at[0][x][colour[f]] = at[1][y][colour[f]] = f
        colour[e] = a
        at[0][u][a] = at[1][v][a] = e
    return colour


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
