"""Rotations for 300 people x 10 rounds and pass-around for 500 items x 5 rounds.

Run: python tests/bench/bench_grouping.py   (prints time and repeat encounters; no assertions)
"""

from __future__ import annotations

import random
import time

from facilitation.core.grouping import (
    count_repeats,
    expected_random_repeats,
    form_groups,
    mixing_rounds,
    pass_around,
)


def main() -> None:
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
