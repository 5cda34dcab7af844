"""Rotations for 300 people x 10 rounds, pass-around for 500 items x 5 rounds, and the seating
rows of issue 14 (time as the median of several seeds, repeats over those seeds, next to the
lower bound and the best known).

Run: python tests/bench/bench_grouping.py   (prints time and repeat encounters; no assertions)
"""

from __future__ import annotations

import random
import statistics
import time

from facilitation.core.grouping import (
    count_repeats,
    expected_random_repeats,
    form_groups,
    mixing_rounds,
    pass_around,
)
from facilitation.core.grouping.plans import seating_plan

# (people, table size, rounds): issue 14's rows, then a large workshop
SEATING_ROWS = [(16, 4, 5), (25, 5, 6), (15, 3, 7), (32, 4, 9), (32, 4, 10), (300, 5, 10)]
SEEDS = range(5)


def seating_rows() -> None:
    for n, size, rounds in SEATING_ROWS:
        people = [f"p{i:03d}" for i in range(n)]
        times, found = [], []
        for seed in SEEDS:
            start = time.perf_counter()
            plan = seating_plan(people, "tables", size, random.Random(seed), rounds)
            times.append(time.perf_counter() - start)
            found.append(plan.repeats)
        known = "unknown" if plan.best_known is None else plan.best_known
        print(
            f"{n:3} people, tables of {size}, {rounds:2} rounds: "
            f"{statistics.median(times) * 1000:8.1f} ms (median of {len(times)} seeds), "
            f"repeats min/mean/max {min(found)}/{statistics.mean(found):.1f}/{max(found)}, "
            f"lower bound {plan.lower_bound}, best known {known}"
        )


def main() -> None:
    seating_rows()
    people = [f"p{i:03d}" for i in range(300)]
    for label, size in (("pairs", 2), ("groups of 4", 4), ("groups of 6", 6)):
        start = time.perf_counter()
        schedule = mixing_rounds(people, 10, random.Random(1), size=size)
        elapsed = time.perf_counter() - start
        rng = random.Random(1)
        chance = count_repeats([form_groups(people, rng=rng, size=size) for _ in range(10)])
        expected = expected_random_repeats([len(g.members) for g in schedule[0]], 10)
        print(
            f"300 people x 10 rounds, {label:12} {elapsed * 1000:8.1f} ms, "
            f"repeat encounters {count_repeats(schedule)} (random regrouping: {chance} in one "
            f"draw, {expected:.1f} on average)"
        )
    readers = [f"p{i:03d}" for i in range(500)]
    items = {f"card{i:03d}": readers[i] for i in range(500)}
    start = time.perf_counter()
    schedule_pass = pass_around(items, readers, 5, random.Random(1))
    elapsed = time.perf_counter() - start
    own = sum(1 for r in schedule_pass for item, reader in r.items() if items[item] == reader)
    seen = sum(len(r) for r in schedule_pass) - len(
        {(item, reader) for r in schedule_pass for item, reader in r.items()}
    )
    print(
        f"pass-around 500 cards x 5 rounds: {elapsed * 1000:8.1f} ms, own cards {own}, "
        f"cards seen twice {seen}"
    )


if __name__ == "__main__":
    main()
