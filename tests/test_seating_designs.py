"""Seating rounds ahead of the day: designs with no repeat, the tabu search, the bounds."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.core.grouping import (
    Group,
    best_known_repeats,
    count_repeats,
    design_rounds,
    expected_random_repeats,
    group_sizes,
    mixing_rounds,
    repeats_lower_bound,
    world_cafe_hosts,
)
from facilitation.core.grouping.designs import Field, _spread_cosets, prime_power
from facilitation.core.grouping.golfer_solutions import KNOWN_SCHEDULES
from facilitation.core.grouping.plans import seating_plan
from facilitation.core.grouping.repeat_search import lower_repeats

# (people, table size, rounds) of issue 14, each with a known schedule without any repeat
TABLE_ROWS = [(16, 4, 5), (25, 5, 6), (15, 3, 7), (32, 4, 9), (32, 4, 10)]


def as_rounds(schedule: list[list[list[int]]]) -> list[tuple[Group, ...]]:
    return [
        tuple(Group(t, tuple(str(m) for m in table)) for t, table in enumerate(tables, 1))
        for tables in schedule
    ]


def check_partition(tables: list[list[int]] | tuple[Group, ...], people: list, sizes: list) -> None:
    members = [list(t.members) if isinstance(t, Group) else t for t in tables]
    assert sorted(m for table in members for m in table) == sorted(people), "once each"
    assert sorted(len(t) for t in members) == sorted(sizes)


@pytest.mark.parametrize("q", [2, 3, 4, 5, 7, 8, 9])
def test_finite_fields_are_fields(q: int) -> None:
    pk = prime_power(q)
    assert pk is not None
    field = Field(*pk)
    for a in range(1, q):
        assert sorted(field.mul[a]) == list(range(q)), "multiplying by a non-zero is a bijection"
    for a, b, c in [(1, 2 % q, (q - 1)), (q - 1, q - 1, 1)]:
        # distributivity, and addition a group
        assert field.mul[a][field.add[b][c]] == field.add[field.mul[a][b]][field.mul[a][c]]
    assert all(0 in row for row in field.add)
    assert prime_power(6) is None and prime_power(12) is None


# 128 at tables of 4: the partial spreads of GF(2)^7, now that 32 at 4 is served by kept data
@pytest.mark.parametrize(
    ("n", "size", "rounds"), [*TABLE_ROWS, (27, 3, 13), (64, 4, 21), (128, 4, 12)]
)
def test_designs_have_no_repeat(n: int, size: int, rounds: int) -> None:
    schedule = design_rounds(n, size, rounds, random.Random(1))
    assert len(schedule) == rounds
    for tables in schedule:
        check_partition(tables, list(range(n)), [size] * (n // size))
    assert count_repeats(as_rounds(schedule)) == 0


def test_designs_give_what_they_can_and_nothing_else() -> None:
    # 32 people at tables of 4: 9 subspaces of GF(2)^5 meeting only in 0 is the most there are,
    # hence the kept 8-4-10 schedule, which gives its 10 rounds and no more
    assert len(_spread_cosets(2, 5, 2, 10, random.Random(0))) == 9
    assert len(design_rounds(32, 4, 12, random.Random(0))) == 10
    assert design_rounds(30, 4, 3, random.Random(0)) == []  # 4 does not divide 30
    assert design_rounds(24, 4, 3, random.Random(0)) == []  # no geometry of 24 points


@pytest.mark.parametrize(("n", "size"), sorted(KNOWN_SCHEDULES))
def test_kept_schedules_are_plans_without_repeat(n: int, size: int) -> None:
    kept = KNOWN_SCHEDULES[(n, size)]
    assert len(KNOWN_SCHEDULES[(32, 4)]) == 10, "the social golfer 8-4-10"
    met: set[tuple[int, int]] = set()
    for tables in kept:
        check_partition([list(t) for t in tables], list(range(n)), [size] * (n // size))
        for table in tables:
            for pair in combinations(sorted(table), 2):
                assert pair not in met, f"{pair} meet twice"
                met.add(pair)
    for rounds in range(1, len(kept) + 1):
        prefix = design_rounds(n, size, rounds, random.Random(rounds))
        assert prefix == [[list(t) for t in tables] for tables in kept[:rounds]]


@pytest.mark.parametrize(("n", "size", "rounds"), TABLE_ROWS)
def test_table_rows_reach_the_best_known(n: int, size: int, rounds: int) -> None:
    people = [f"p{i:02d}" for i in range(n)]
    schedule = mixing_rounds(people, rounds, random.Random(7), size=size)
    for groups in schedule:
        check_partition(groups, people, [size] * (n // size))
    known = best_known_repeats(n, size, rounds)
    assert known == 0
    assert count_repeats(schedule) == known
    plan = seating_plan(people, "tables", size, random.Random(7), rounds)
    assert (plan.repeats, plan.lower_bound, plan.best_known) == (0, 0, 0)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(6, 30),
    st.integers(2, 6),
    st.integers(1, 7),
    st.integers(0, 10_000),
    st.booleans(),
)
def test_tabu_search_keeps_tables_never_worsens_and_replays(
    n: int, size: int, rounds: int, seed: int, with_hosts: bool
) -> None:
    rng = random.Random(seed)
    sizes = group_sizes(n, size=size)
    hosts = list(range(len(sizes))) if with_hosts else []
    start = []
    for _ in range(rounds):
        order = [p for p in range(n) if p not in hosts]
        rng.shuffle(order)
        tables, at = [], 0
        for t, s in enumerate(sizes):
            seated = ([hosts[t]] if hosts else []) + order[at : at + s - (1 if hosts else 0)]
            at += s - (1 if hosts else 0)
            tables.append(seated)
        start.append(tables)
    out = lower_repeats(start, n, random.Random(seed), fixed=hosts, work=20_000)
    again = lower_repeats(start, n, random.Random(seed), fixed=hosts, work=20_000)
    assert out == again, "same seed, same plan"
    assert len(out) == rounds
    for tables in out:
        check_partition(tables, list(range(n)), sizes)
        if hosts:
            assert [t[0] for t in tables] == hosts, "hosts stay at their tables"
    assert count_repeats(as_rounds(out)) <= count_repeats(as_rounds(start))
    assert count_repeats(as_rounds(out)) >= repeats_lower_bound(n, sizes, rounds, hosts=len(hosts))


@settings(max_examples=30, deadline=None)
@given(st.integers(4, 36), st.integers(3, 6), st.integers(2, 8), st.integers(0, 10_000))
def test_planned_rounds_stay_under_random_average_and_replay(
    n: int, size: int, rounds: int, seed: int
) -> None:
    people = [f"p{i}" for i in range(n)]
    # the search on a smaller budget than live: thirty instances stay quick, and the same
    # budget must still give the same plan
    schedule = mixing_rounds(people, rounds, random.Random(seed), size=size, work=100_000)
    assert schedule == mixing_rounds(people, rounds, random.Random(seed), size=size, work=100_000)
    sizes = group_sizes(n, size=size)
    for groups in schedule:
        check_partition(groups, people, sizes)
    repeats = count_repeats(schedule)
    assert repeats <= expected_random_repeats(sizes, rounds) + 1e-6
    assert repeats >= repeats_lower_bound(n, sizes, rounds)


def test_three_hundred_people_ten_rounds_tables_of_five() -> None:
    people = [f"p{i:03d}" for i in range(300)]
    schedule = mixing_rounds(people, 10, random.Random(1), size=5)
    assert len(schedule) == 10
    for groups in schedule:
        check_partition(groups, people, [5] * 60)
    assert count_repeats(schedule) <= expected_random_repeats([5] * 60, 10)


def test_world_cafe_hosts_stay_and_the_search_helps() -> None:
    people = [f"p{i:02d}" for i in range(30)]
    hosts = world_cafe_hosts(people, 5, random.Random(2))
    assert len(hosts) == 6 and len(set(hosts)) == 6
    schedule = mixing_rounds(people, 4, random.Random(2), size=5, hosts=hosts)
    for groups in schedule:
        assert [g.members[0] for g in groups] == hosts
    sizes = [5] * 6
    bound = repeats_lower_bound(30, sizes, 4, hosts=6)
    assert bound == 0
    assert count_repeats(schedule) == 0, "24 travellers, 6 hosts, 4 rounds: no one need meet twice"


def test_world_cafe_hosts_stay_where_a_kept_schedule_exists() -> None:
    # the kept 8-4-10 schedule serves tables without hosts only: hosts must never move
    people = [f"p{i:02d}" for i in range(32)]
    hosts = world_cafe_hosts(people, 4, random.Random(3))
    schedule = mixing_rounds(people, 3, random.Random(3), size=4, hosts=hosts)
    for groups in schedule:
        assert [g.members[0] for g in groups] == hosts
        check_partition(groups, people, [4] * 8)
    assert count_repeats(schedule) == repeats_lower_bound(32, [4] * 8, 3, hosts=8) == 0


def brute_force_fewest(n: int, size: int, rounds: int) -> int:
    """The fewest repeats over every schedule (the first round fixed, by symmetry)."""
    people = list(range(n))
    partitions: list[list[tuple[int, ...]]] = []

    def split(rest: list[int], done: list[tuple[int, ...]]) -> None:
        if not rest:
            partitions.append(list(done))
            return
        first = rest[0]
        for others in combinations(rest[1:], size - 1):
            table = (first, *others)
            split([p for p in rest if p not in table], [*done, table])

    split(people, [])
    best = None

    def extend(schedule: list[list[tuple[int, ...]]]) -> None:
        nonlocal best
        if len(schedule) == rounds:
            found = count_repeats(as_rounds([[list(t) for t in r] for r in schedule]))
            best = found if best is None else min(best, found)
            return
        for p in partitions:
            extend([*schedule, p])

    extend([partitions[0]])
    assert best is not None
    return best


@pytest.mark.parametrize(
    ("n", "size", "rounds"), [(4, 2, 4), (4, 2, 5), (6, 3, 3), (6, 3, 4), (8, 4, 3)]
)
def test_lower_bound_never_exceeds_the_true_fewest(n: int, size: int, rounds: int) -> None:
    fewest = brute_force_fewest(n, size, rounds)
    bound = repeats_lower_bound(n, [size] * (n // size), rounds)
    assert bound <= fewest
    assert bound > 0, "these instances have more rounds than a design allows"


def test_best_known_follows_the_theorems() -> None:
    assert best_known_repeats(16, 4, 5) == 0
    assert best_known_repeats(16, 4, 6) is None  # 15 others, 3 a round: 5 rounds at most
    assert best_known_repeats(21, 3, 10) == 0  # a Kirkman triple system of 21
    assert best_known_repeats(28, 4, 9) == 0  # 28 = 4 (mod 12)
    assert best_known_repeats(32, 4, 10) == 0  # the social golfer 8-4-10
    assert best_known_repeats(30, 5, 7) is None
    assert best_known_repeats(30, 5, 2) == 0  # 6 tables of 5: the second round mixes fully


def test_plans_say_how_good_they_are() -> None:
    people = [f"p{i}" for i in range(25)]
    plan = seating_plan(people, "tables", 5, random.Random(0), 6)
    assert (plan.repeats, plan.lower_bound, plan.best_known) == (0, 0, 0)
    plan = seating_plan(people, "tables", 5, random.Random(0), 7)
    assert plan.lower_bound == 50  # each meets 28 times 24 others: 4 beyond, counted twice
    assert plan.repeats >= plan.lower_bound
    troika = seating_plan(people[:9], "troika", 3, random.Random(0))
    assert len(troika.rounds) == 3 and troika.repeats == troika.lower_bound == 3 * 3 * 2
