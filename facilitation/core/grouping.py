"""Groups, rotations and pass-around: who sits where, with whom, and who reads which card.

Pure functions of participant ids (strings); randomness only from the `random.Random` passed
in, so a seed replays a workshop exactly. Tables are numbered from 1.

Rules, stated once:
- Group sizes "size, else else_size" (e.g. "3, else 4"): as many groups as possible of exactly
  `size`, the others of `else_size`, everybody placed. When no mix of the two sizes adds up to
  the number of people (5 people, "3, else 4"), groups are made as even as possible around
  `size` (here one group of 5 is avoided: 3 + 2). With only `count`, that many groups, as even as
  possible (sizes differ by at most one).
- Pairs in rounds use the circle method: with n people (n even) no pair meets twice in the first
  n - 1 rounds; with n odd one person sits out each round, in turn.
- Larger groups in rounds are seated one person at a time by the method of conditional
  expectations, then improved by swaps. Bound (proved in `_seat_round`, checked by the tests):
  the schedule never has more repeat encounters (`count_repeats`) than random regrouping into
  the same tables has on average (`expected_random_repeats`); a few repeats are unavoidable once
  rounds exceed what a perfect design allows.
- Pass-around: every round each item goes to one reader who is not its author and has not read
  it before, readers get as equal a share as possible (at most ceil(items / readers) a round).
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching


class GroupingError(ValueError):
    """Impossible as asked (e.g. pass-around with one participant)."""


@dataclass(frozen=True)
class Group:
    table: int
    members: tuple[str, ...]
    roles: Mapping[str, str] = field(default_factory=dict)  # person -> role in this group


Round = tuple[Group, ...]


# --- sizes -----------------------------------------------------------------------------------


def group_sizes(
    n: int, *, size: int | None = None, else_size: int | None = None, count: int | None = None
) -> list[int]:
    """Sizes of the groups for n people (see the module's rules), largest first."""
    if n <= 0:
        return []
    if count is not None:
        count = max(1, min(count, n))
        base, extra = divmod(n, count)
        return [base + 1] * extra + [base] * (count - extra)
    if size is None or size < 1:
        raise GroupingError("give a group size or a number of groups")
    if n <= size:
        return [n]
    if else_size is not None and else_size != size and else_size >= 1:
        # most groups of `size`: try every count of `else_size` groups, fewest first
        for others in range(0, n // else_size + 1):
            rest = n - others * else_size
            if rest >= 0 and rest % size == 0:
                return sorted([size] * (rest // size) + [else_size] * others, reverse=True)
    groups = max(1, round(n / size))
    return group_sizes(n, count=groups)


# --- forming groups --------------------------------------------------------------------------


def _cut(people: Sequence[str], sizes: Sequence[int]) -> Round:
    out, start = [], 0
    for table, size in enumerate(sizes, start=1):
        out.append(Group(table, tuple(people[start : start + size])))
        start += size
    return tuple(out)


def form_groups(
    people: Sequence[str],
    *,
    rng: random.Random,
    size: int | None = None,
    else_size: int | None = None,
    count: int | None = None,
    mode: Literal["random", "balanced", "self"] = "random",
    attribute: Mapping[str, str] | None = None,
    choices: Mapping[str, str] | None = None,
) -> Round:
    """Groups of everyone, once each. `balanced` spreads each value of `attribute` (e.g. role,
    organisation) evenly over the groups; `self` keeps people who chose the same label together
    (an overfull choice is split, people without a choice fill the gaps)."""
    people = list(dict.fromkeys(people))
    sizes = group_sizes(len(people), size=size, else_size=else_size, count=count)
    if mode == "random":
        shuffled = list(people)
        rng.shuffle(shuffled)
        return _cut(shuffled, sizes)
    if mode == "balanced":
        return _balanced(people, sizes, attribute or {}, rng)
    return _self_selected(
        people, sizes, choices or {}, rng, size or max(sizes, default=1), else_size
    )


def _balanced(
    people: Sequence[str], sizes: Sequence[int], attribute: Mapping[str, str], rng: random.Random
) -> Round:
    """Deal people value by value round the tables (skipping full ones), then swap until every
    value is spread within one per table wherever swaps can get it there."""
    by_value: dict[str, list[str]] = defaultdict(list)
    for person in people:
        by_value[attribute.get(person, "")].append(person)
    members: list[list[str]] = [[] for _ in sizes]
    table = 0
    for value in sorted(by_value, key=lambda v: (-len(by_value[v]), v)):
        group = list(by_value[value])
        rng.shuffle(group)
        for person in group:
            while len(members[table]) >= sizes[table]:
                table = (table + 1) % len(sizes)
            members[table].append(person)
            table = (table + 1) % len(sizes)
    _spread(members, attribute)
    return tuple(Group(t + 1, tuple(m)) for t, m in enumerate(members))


def _spread(members: list[list[str]], attribute: Mapping[str, str]) -> None:
    def count(table: list[str], value: str) -> int:
        return sum(1 for m in table if attribute.get(m, "") == value)

    values = sorted({attribute.get(m, "") for table in members for m in table})
    for _ in range(len(values) * sum(len(t) for t in members)):
        worst = None
        for value in values:
            counts = [count(t, value) for t in members]
            if max(counts) - min(counts) > 1:
                worst = (value, counts.index(max(counts)), counts.index(min(counts)))
                break
        if worst is None:
            return
        value, high, low = worst
        swapped = False
        for i, a in enumerate(members[high]):
            if attribute.get(a, "") != value:
                continue
            for j, b in enumerate(members[low]):
                other = attribute.get(b, "")
                # moving b to the high table must not push b's value out of balance
                if other != value and count(members[high], other) <= count(members[low], other):
                    members[high][i], members[low][j] = b, a
                    swapped = True
                    break
            if swapped:
                break
        if not swapped:
            return


def _self_selected(
    people: Sequence[str],
    sizes: Sequence[int],
    choices: Mapping[str, str],
    rng: random.Random,
    size: int,
    else_size: int | None,
) -> Round:
    largest = max(size, else_size or size)
    chosen: dict[str, list[str]] = defaultdict(list)
    free: list[str] = []
    for person in people:
        label = choices.get(person)
        (chosen[label] if label else free).append(person)
    groups: list[list[str]] = []
    for label in sorted(chosen):
        members = chosen[label]
        parts = math.ceil(len(members) / largest)
        for part in group_sizes(len(members), count=parts):
            groups.append(members[:part])
            members = members[part:]
    rng.shuffle(free)
    for person in free:
        open_groups = [g for g in groups if len(g) < size]
        if open_groups:
            min(open_groups, key=len).append(person)
        else:
            groups.append([person])
    # people who ended alone (everyone else chose) join the smallest other group
    lonely = [g for g in groups if len(g) == 1 and len(groups) > 1]
    for group in lonely:
        groups.remove(group)
        min(groups, key=len).extend(group)
    return tuple(Group(t, tuple(g)) for t, g in enumerate(groups, start=1))


def merge_groups(previous: Sequence[Group], factor: int = 2) -> Round:
    """1 -> 2 -> 4: consecutive groups merge `factor` at a time; a group left over joins the
    last merged group rather than staying alone."""
    merged: list[list[str]] = []
    for start in range(0, len(previous), factor):
        members = [m for g in previous[start : start + factor] for m in g.members]
        if len(previous[start : start + factor]) < factor and merged:
            merged[-1].extend(members)
        else:
            merged.append(members)
    return tuple(Group(t, tuple(m)) for t, m in enumerate(merged, start=1))


# --- rotations -------------------------------------------------------------------------------


def station_rotation(groups: int, stations: int, rounds: int | None = None) -> list[list[int]]:
    """schedule[round][group] = station (from 1), a Latin square: each group visits every
    station once and no two groups share a station in a round — as long as groups <= stations.
    With more groups than stations, groups g and g + stations share a station."""
    rounds = rounds if rounds is not None else stations
    return [[(g + r) % stations + 1 for g in range(groups)] for r in range(rounds)]


def pair_rounds(people: Sequence[str], rounds: int, rng: random.Random) -> list[Round]:
    """Speed networking: new pairs each round by the circle method (see the module's rules)."""
    order = list(dict.fromkeys(people))
    rng.shuffle(order)
    if len(order) % 2:
        order.append("")  # the one who meets "" sits this round out
    n = len(order)
    out: list[Round] = []
    for r in range(rounds):
        turn = r % max(1, n - 1)
        rotated = [order[0], *(order[1:][-turn:] + order[1:][:-turn] if turn else order[1:])]
        pairs = [(rotated[i], rotated[n - 1 - i]) for i in range(n // 2)]
        groups = [tuple(p for p in pair if p) for pair in pairs]
        out.append(tuple(Group(t, g) for t, g in enumerate((g for g in groups if g), start=1)))
    return out


def mixing_rounds(
    people: Sequence[str],
    rounds: int,
    rng: random.Random,
    *,
    size: int,
    else_size: int | None = None,
    hosts: Sequence[str] = (),
) -> list[Round]:
    """New groups each round, meeting as few people again as possible. With `hosts` (World
    Café), table t keeps hosts[t - 1] every round and the others move."""
    people = list(dict.fromkeys(people))
    if size == 2 and not hosts and else_size in (None, 3):
        return pair_rounds(people, rounds, rng)
    hosts = [h for h in hosts if h in people]
    travellers = [p for p in people if p not in hosts]
    sizes = (
        group_sizes(len(people), count=len(hosts))
        if hosts
        else group_sizes(len(people), size=size, else_size=else_size)
    )
    met: dict[str, set[str]] = defaultdict(set)  # who each person has already sat with
    out: list[Round] = []
    for _ in range(rounds):
        tables = _seat_round(travellers, hosts, sizes, met, rng)
        _improve(tables, met, fixed=set(hosts))
        for members in tables:
            for a, b in combinations(members, 2):
                met[a].add(b)
                met[b].add(a)
        out.append(
            tuple(
                Group(t, tuple(m), {m[0]: "host"} if hosts else {})
                for t, m in enumerate(tables, start=1)
            )
        )
    return out


def _seat_round(
    travellers: Sequence[str],
    hosts: Sequence[str],
    sizes: Sequence[int],
    met: Mapping[str, set[str]],
    rng: random.Random,
) -> list[list[str]]:
    """One round's tables, seating people one at a time by the method of conditional
    expectations: each person takes the open seat that keeps lowest the expected number of
    pairs meeting again if everyone still standing sat at random. That expectation never rises,
    so the round ends with at most the repeats of a random seating given the same history,
    and, round after round, the schedule with at most the expected repeats of random
    regrouping (the bound `expected_random_repeats` states, and the tests check)."""
    tables: list[list[str]] = [[h] for h in hosts] if hosts else [[] for _ in sizes]
    where: dict[str, int] = {h: t for t, h in enumerate(hosts)}
    standing = set(travellers)
    free = [size - len(table) for size, table in zip(sizes, tables, strict=True)]
    # for everyone: how many people they already met are still standing
    waiting = {p: sum(1 for q in met.get(p, ()) if q in standing) for p in [*hosts, *travellers]}
    # per table: pairs (seated there, standing) that met before; and such pairs among the standing
    across = [sum(waiting[m] for m in table) for table in tables]
    among = sum(waiting[p] for p in standing) // 2
    order = list(travellers)
    rng.shuffle(order)
    # the most-connected first, while their tables still have room
    order.sort(key=lambda p: -len(met.get(p, ())))
    for person in order:
        seats = sum(free)
        own = waiting[person]  # standing people this person met
        others = among - own  # met pairs among the other standing people
        known_at = Counter(where[q] for q in met.get(person, ()) if q in where)
        after = seats - 1

        best, best_key = -1, (math.inf, 0, 0.0)
        for t in range(len(sizes)):
            if free[t] == 0:
                continue
            # the part of the conditional expectation that depends on the table chosen
            cost = float(known_at[t])
            if after > 0:
                cost += own * (free[t] - 1) / after
                cost -= (across[t] - known_at[t]) / after
            if after > 1:
                cost -= 2 * others * (free[t] - 1) / (after * (after - 1))
            key = (round(cost, 9), len(tables[t]), rng.random())
            if key < best_key:
                best, best_key = t, key
        tables[best].append(person)
        where[person] = best
        free[best] -= 1
        standing.discard(person)
        for other in met.get(person, ()):
            if other in waiting:
                waiting[other] -= 1
                if other in where:
                    across[where[other]] -= 1
        among -= own
        across[best] += own  # now seated there, with the standing people it met
    return tables


def expected_random_repeats(sizes: Sequence[int], rounds: int) -> float:
    """Repeat encounters expected when every round seats everyone at random in tables of
    `sizes`: a pair shares a table in a round with probability P, so it meets k times with
    binomial odds and repeats k - 1 of them."""
    people = sum(sizes)
    pairs = people * (people - 1) / 2
    if pairs == 0:
        return 0.0
    per_round = sum(s * (s - 1) / 2 for s in sizes)
    chance = per_round / pairs
    return rounds * per_round - pairs * (1 - (1 - chance) ** rounds)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _improve(
    tables: list[list[str]], met: Mapping[str, set[str]], fixed: set[str], passes: int = 3
) -> None:
    """Swap people who would meet someone again with people elsewhere, while that lowers the
    repeats of this round. Only people with a repeat are tried, which keeps it fast."""

    def cost(person: str, table: list[str], without: str | None = None) -> int:
        known = met.get(person, set())
        return sum(1 for q in table if q in known and q != without)

    for _ in range(passes):
        improved = False
        for a_index, a_table in enumerate(tables):
            for i in range(len(a_table)):
                a = a_table[i]
                if a in fixed or cost(a, a_table) == 0:
                    continue
                for b_index, b_table in enumerate(tables):
                    if b_index == a_index:
                        continue
                    for j, b in enumerate(b_table):
                        if b in fixed:
                            continue
                        before = cost(a, a_table) + cost(b, b_table)
                        after = cost(a, b_table, without=b) + cost(b, a_table, without=a)
                        if after < before:
                            a_table[i], b_table[j] = b, a
                            improved = True
                            break
                    if a_table[i] != a:
                        break
        if not improved:
            return


def troika_rounds(groups: Sequence[Group]) -> list[Round]:
    """Troika consulting: in round r, member r of each group is the client and the others
    consult; rounds = the largest group, so each member is client exactly once (members of
    smaller groups sit out the extra round)."""
    rounds = max((len(g.members) for g in groups), default=0)
    out: list[Round] = []
    for r in range(rounds):
        out.append(
            tuple(
                Group(
                    g.table,
                    g.members,
                    {m: ("client" if i == r else "consultant") for i, m in enumerate(g.members)}
                    if r < len(g.members)
                    else {m: "break" for m in g.members},
                )
                for g in groups
            )
        )
    return out


def count_repeats(rounds: Sequence[Sequence[Group]]) -> int:
    """Repeat encounters: for every pair of people, the meetings beyond their first."""
    met: Counter[tuple[str, str]] = Counter()
    for groups in rounds:
        for group in groups:
            for a, b in combinations(group.members, 2):
                met[_pair(a, b)] += 1
    return sum(n - 1 for n in met.values() if n > 1)


def place_of(person: str, groups: Sequence[Group]) -> tuple[Group, tuple[str, ...]] | None:
    """A person's group in a round and the others in it (what their phone shows)."""
    for group in groups:
        if person in group.members:
            return group, tuple(m for m in group.members if m != person)
    return None


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
