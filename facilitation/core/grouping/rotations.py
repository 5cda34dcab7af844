"""Rounds: stations in turn, pairs and larger tables that mix people, troikas; and how
many times people meet again (the bound is stated in the package docstring)."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations

from facilitation.core.grouping.designs import design_rounds, repeats_lower_bound
from facilitation.core.grouping.repeat_search import lower_repeats
from facilitation.core.grouping.tables import Group, Round, group_sizes

# Swap evaluations the tabu search may spend on one schedule: about a second of this machine
# for 300 people x 10 rounds, at most.
SEARCH_WORK = 3_000_000


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


def world_cafe_hosts(people: Sequence[str], size: int, rng: random.Random) -> list[str]:
    """Who hosts a World Café: one per table of `size`, drawn at random."""
    order = list(dict.fromkeys(people))
    rng.shuffle(order)
    return order[: max(1, -(-len(order) // max(1, size)))]


def mixing_rounds(
    people: Sequence[str],
    rounds: int,
    rng: random.Random,
    *,
    size: int,
    else_size: int | None = None,
    hosts: Sequence[str] = (),
    work: int = SEARCH_WORK,
) -> list[Round]:
    """New groups each round, meeting as few people again as possible. With `hosts` (World
    Café), table t keeps hosts[t - 1] every round and the others move. The greedy seating
    bounds the repeats (see the package docstring); a design, where one exists, and the tabu
    search (`repeat_search`, about `work` steps) only ever lower them."""
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
    schedule = _greedy_rounds(travellers, hosts, sizes, rounds, rng, {})
    index = {p: i for i, p in enumerate(people)}
    as_numbers = [[[index[m] for m in table] for table in tables] for tables in schedule]
    if not hosts and len(set(sizes)) == 1:
        order = list(range(len(people)))
        rng.shuffle(order)  # which person stands for which point of the design
        design = [
            [[order[x] for x in table] for table in tables]
            for tables in design_rounds(len(people), sizes[0], rounds, rng)
        ]
        if design:
            # the design's rounds, then greedy ones seated knowing whom the design made meet
            met: dict[str, set[str]] = defaultdict(set)
            for tables in design:
                for table in tables:
                    for a, b in combinations(table, 2):
                        met[people[a]].add(people[b])
                        met[people[b]].add(people[a])
            rest = _greedy_rounds(people, [], sizes, rounds - len(design), rng, met)
            extended = design + [[[index[m] for m in t] for t in tables] for tables in rest]
            if _repeats_of(extended) <= _repeats_of(as_numbers):
                as_numbers = extended
    bound = repeats_lower_bound(len(people), sizes, rounds, hosts=len(hosts))
    improved = lower_repeats(
        as_numbers, len(people), rng, fixed={index[h] for h in hosts}, work=work, target=bound
    )
    return [
        tuple(
            Group(t, tuple(people[m] for m in table), {people[table[0]]: "host"} if hosts else {})
            for t, table in enumerate(tables, start=1)
        )
        for tables in improved
    ]


def _repeats_of(schedule: Sequence[Sequence[Sequence[int]]]) -> int:
    met: Counter[tuple[int, int]] = Counter()
    for tables in schedule:
        for table in tables:
            met.update((min(a, b), max(a, b)) for a, b in combinations(table, 2))
    return sum(n - 1 for n in met.values() if n > 1)


def _greedy_rounds(
    travellers: Sequence[str],
    hosts: Sequence[str],
    sizes: Sequence[int],
    rounds: int,
    rng: random.Random,
    met: dict[str, set[str]],
) -> list[list[list[str]]]:
    """Rounds seated one after the other by `_seat_round`, then improved by swaps, given who
    has already met whom (`met`, updated)."""
    met = defaultdict(set, met)
    out: list[list[list[str]]] = []
    for _ in range(rounds):
        tables = _seat_round(travellers, hosts, sizes, met, rng)
        _improve(tables, met, fixed=set(hosts))
        for members in tables:
            for a, b in combinations(members, 2):
                met[a].add(b)
                met[b].add(a)
        out.append(tables)
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


def troika_rounds(groups: Sequence[Group], rounds: int | None = None) -> list[Round]:
    """Troika consulting: in round r, member r of each group is the client and the others
    consult; rounds = the largest group unless given (the plan's, made before the groups),
    so each member is client exactly once (members of smaller groups sit out the extra
    rounds)."""
    if rounds is None:
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
