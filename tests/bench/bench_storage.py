"""Ballots written per second and the cost of a read, SQLite against PostgreSQL.

Run: python tests/bench/bench_storage.py [--ballots 3000] [--repeat 5] [--dir DIR]

Each run makes a fresh database (a SQLite file in DIR; a new database on a PostgreSQL server
this script starts on a free port, with fsync and synchronous commits on, as a real server
has them), an event with an open vote and 1,000 phones, then:

- burst: --ballots ballots cast by 100 coroutines at once (a room voting together: the
  writer's group commit at work), ballots per second;
- one by one: 300 ballots, each awaited before the next (a lone phone), ballots per second;
- read: what a socket message reads (the participant by token, the ballots counted), the
  median and p99 time of one read on the loop's thread, in µs.

The two databases take turns, run after run; the figures are medians of --repeat runs.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from facilitation.storage import Store
from facilitation.storage.opening import open_store
from tests.databases import PostgresServer
from tests.test_storage import make_event

PHONES = 1000
AT_ONCE = 100
ONE_BY_ONE = 300
READS = 2000


async def measure(store: Store, ballots: int) -> dict[str, float]:
    event = await make_event(store, code="BENCH")
    tickets = await store.add_tickets(event, [f"tok-{i}" for i in range(PHONES)], 1)
    people = [p.id for p in tickets]
    queue = [people[i % PHONES] for i in range(ballots)]

    async def phone(k: int) -> None:
        for n in range(k, len(queue), AT_ONCE):
            await store.put_ballot(event, "v", queue[n], {"choice": f"o{n % 7}"}, n)

    start = time.perf_counter()
    await asyncio.gather(*(phone(k) for k in range(AT_ONCE)))
    burst = ballots / (time.perf_counter() - start)
    start = time.perf_counter()
    for n in range(ONE_BY_ONE):
        await store.put_ballot(event, "v", people[n], {"choice": "o1"}, n)
    alone = ONE_BY_ONE / (time.perf_counter() - start)
    reads: list[float] = []
    calls: list[Callable[[], object]] = [
        lambda: store.participant_by_token(event, "tok-7"),
        lambda: store.count_ballots(event, "v"),
    ]
    for n in range(READS):
        begin = time.perf_counter()
        calls[n % 2]()
        reads.append((time.perf_counter() - begin) * 1e6)
    reads.sort()
    return {
        "burst": burst,
        "alone": alone,
        "read_p50": reads[len(reads) // 2],
        "read_p99": reads[int(len(reads) * 0.99)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default=None, help="where the SQLite files go (a temp dir)")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="bench-storage-"))
    server = PostgresServer(durable=True).start()
    runs: dict[str, list[dict[str, float]]] = {"SQLite": [], "PostgreSQL": []}
    try:
        for r in range(args.repeat):
            order = ["SQLite", "PostgreSQL"] if r % 2 == 0 else ["PostgreSQL", "SQLite"]
            for name in order:
                db = str(folder / f"run-{r}.sqlite3") if name == "SQLite" else None
                store = open_store(db or server.new_database())
                runs[name].append(asyncio.run(measure(store, args.ballots)))
                store.close()
    finally:
        server.remove()
    print(f"{args.ballots} ballots from {AT_ONCE} coroutines, {ONE_BY_ONE} one by one,")
    print(f"{READS} reads; medians of {args.repeat} alternating runs\n")
    print(f"{'database':<12}{'burst/s':>10}{'alone/s':>10}{'read p50 µs':>14}{'read p99 µs':>14}")
    for name, found in runs.items():
        median = {k: statistics.median(run[k] for run in found) for k in found[0]}
        print(
            f"{name:<12}{median['burst']:>10.0f}{median['alone']:>10.0f}"
            f"{median['read_p50']:>14.0f}{median['read_p99']:>14.0f}"
        )


if __name__ == "__main__":
    main()
