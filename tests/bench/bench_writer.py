"""What the writer thread costs per write, and what it spares the event loop.

Run: python tests/bench/bench_writer.py [--writes 10000] [--repeat 5] [--dir DIR]

Each run casts --writes ballots (1,000 phones, each changing its ballot again and again) into
a fresh database in DIR, by one of these paths; the paths take turns, run after run, and the
figures are medians of --repeat runs. Prints figures; asserts nothing.

- sync: the statement run on the loop's thread in autocommit, as storage did before;
- sync + transaction: the same inside BEGIN IMMEDIATE … COMMIT, as the writer runs each unit,
  to tell the cost of the explicit transaction from the cost of the hop;
- writer: `await store.put_ballot(...)`, one after the other, each waiting for its commit;
- wrap_future, executor: the same units handed to a thread of ours through a
  concurrent.futures.Future and asyncio.wrap_future, or through loop.run_in_executor on a
  ThreadPoolExecutor(max_workers=1) whose initializer opens the connection: the two ways
  the writer was chosen against;
- writer, 100 at once: 100 coroutines casting together, so that the writer has a queue.

Next to the time per write, the loop's share of it: the whole write on the sync paths (the
loop runs nothing else meanwhile), the CPU time of the loop's thread on the others (where it
waits for the writer, it serves other coroutines).

On a virtual machine, a write awaited while the writer's vCPU sleeps pays for waking it:
about 250 µs on the 2-vCPU development VM, where `taskset -c 0` (both threads on one core)
shows the hop alone, about 25 µs. Writes that come together keep the writer awake.

Then the loop's lag while the ballots are written (sync, where the handler yields between two
writes as it does between two socket messages, against writer): how late a 1 ms ticker wakes
up, p99 and worst. A commit that checkpoints the WAL (and so syncs the file) stalls the sync
path's loop; the writer's loop does not wait for it.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import queue
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from facilitation.storage.sqlite import Storage
from facilitation.storage.sqlite.connection import _open_writer
from facilitation.storage.sqlite.session import _transaction
from facilitation.storage.tables.base import Unit
from tests.test_storage import make_event

PHONES = 1000
# BallotTables.put_ballot's statement, as the synchronous store ran it on the loop's thread
BALLOT = (
    "INSERT INTO ballots(event_id, vote_id, participant_id, ballot_json, cast_at,"
    " updated_at) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM votes"
    " WHERE event_id = ? AND vote_id = ? AND status = 'open')"
    " ON CONFLICT(event_id, vote_id, participant_id) DO UPDATE SET"
    " ballot_json = excluded.ballot_json, updated_at = excluded.updated_at"
)


class WrapFutureWriter:
    """A thread of ours answering through concurrent.futures.Future + asyncio.wrap_future."""

    def __init__(self, path: str) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, args=(path,), daemon=True)
        self._thread.start()

    def _serve(self, path: str) -> None:
        db = _open_writer(path)
        while (job := self._queue.get()) is not None:
            unit, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(_transaction(db, unit))
                except BaseException as error:
                    future.set_exception(error)
        db.close()

    async def run(self, unit: Unit[Any]) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((unit, future))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


class ExecutorWriter:
    """loop.run_in_executor on one worker whose initializer opens the connection."""

    def __init__(self, path: str) -> None:
        self._local = threading.local()
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, initializer=self._open, initargs=(path,)
        )

    def _open(self, path: str) -> None:
        self._local.db = _open_writer(path)

    def _call(self, unit: Unit[Any]) -> Any:
        return _transaction(self._local.db, unit)

    async def run(self, unit: Unit[Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._call, unit)

    def close(self) -> None:
        self._pool.submit(lambda: self._local.db.close()).result()
        self._pool.shutdown()


async def prepare(path: Path) -> tuple[int, list[int]]:
    """An event with vote "v" open and PHONES participants; (event, participant ids)."""
    storage = Storage(path)
    event = await make_event(storage, code="BENCH")
    people = [(await storage.add_participant(event, f"t{n}", 1)).id for n in range(PHONES)]
    storage.close()
    return event, people


def old_connection(path: Path) -> sqlite3.Connection:
    """The connection as the synchronous store configured it."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def ballot(n: int) -> dict[str, str]:
    return {"choice": f"option-{n % 7}"}


Run = tuple[float, float]  # seconds in all, seconds the loop's thread was busy


async def sync_path(
    path: Path, event: int, people: list[int], writes: int, transaction: bool, yields: bool
) -> Run:
    db = old_connection(path)
    start = time.perf_counter()
    for n in range(writes):
        values = (event, "v", people[n % PHONES], json.dumps(ballot(n)), n, n, event, "v")
        if transaction:
            db.execute("BEGIN IMMEDIATE")
        db.execute(BALLOT, values)
        if transaction:
            db.execute("COMMIT")
        if yields:
            await asyncio.sleep(0)
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed, elapsed


async def store_path(
    path: Path, event: int, people: list[int], writes: int, writer: str, width: int
) -> Run:
    storage = Storage(path)
    if writer != "writer":  # the same store, its units handed over another way
        storage._writer.close()
        alternative = {"wrap_future": WrapFutureWriter, "executor": ExecutorWriter}[writer]
        storage._writer = alternative(str(path))  # type: ignore[assignment]

    async def cast(first: int) -> None:
        for n in range(first, writes, width):
            await storage.put_ballot(event, "v", people[n % PHONES], ballot(n), n)

    start, busy = time.perf_counter(), time.thread_time()
    await asyncio.gather(*(cast(k) for k in range(width)))
    elapsed, busy = time.perf_counter() - start, time.thread_time() - busy
    storage._writer.close()
    storage.close()
    return elapsed, busy


async def lags_during(work: Awaitable[Run]) -> list[float]:
    """How late a 1 ms ticker wakes while `work` runs, in seconds."""
    lags: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - start - 0.001)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    await work
    done.set()
    await ticker
    return lags


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", help="where the databases are made (default: a temporary one)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-writer-", dir=args.dir))
    template = folder / "template.sqlite3"
    event, people = asyncio.run(prepare(template))
    runs = 0

    def fresh() -> Path:
        nonlocal runs
        runs += 1
        path = folder / f"run-{runs}.sqlite3"
        shutil.copyfile(template, path)
        return path

    n = args.writes
    paths: dict[str, Callable[[], Coroutine[Any, Any, Run]]] = {
        "sync": lambda: sync_path(fresh(), event, people, n, False, False),
        "sync + transaction": lambda: sync_path(fresh(), event, people, n, True, False),
        "writer": lambda: store_path(fresh(), event, people, n, "writer", 1),
        "wrap_future": lambda: store_path(fresh(), event, people, n, "wrap_future", 1),
        "executor": lambda: store_path(fresh(), event, people, n, "executor", 1),
        "writer, 100 at once": lambda: store_path(fresh(), event, people, n, "writer", 100),
    }
    times: dict[str, list[Run]] = {name: [] for name in paths}
    for _ in range(args.repeat):
        for name, run in paths.items():
            times[name].append(asyncio.run(run()))
    print(f"{n:,} put_ballot calls, {PHONES:,} phones, median of {args.repeat} alternating runs")
    base = statistics.median(t for t, _ in times["sync"]) / n
    for name, found in times.items():
        per = statistics.median(t for t, _ in found) / n
        busy = statistics.median(b for _, b in found) / n
        spread = ", ".join(f"{t:.2f}" for t, _ in found)
        print(
            f"  {name:20} {per * 1e6:6.1f} µs per write ({per / base:3.1f}× sync),"
            f" loop busy {busy * 1e6:5.1f} µs   runs: {spread} s"
        )

    stalls: dict[str, list[list[float]]] = {"sync": [], "writer": []}
    for _ in range(args.repeat):
        stalls["sync"].append(
            asyncio.run(lags_during(sync_path(fresh(), event, people, n, False, True)))
        )
        stalls["writer"].append(
            asyncio.run(lags_during(store_path(fresh(), event, people, n, "writer", 1)))
        )
    print(f"event loop lag while {n:,} ballots are written (1 ms ticker), median of runs")
    for name, found in stalls.items():
        p99 = statistics.median(percentile(lags, 0.99) for lags in found)
        worst = statistics.median(max(lags) for lags in found)
        print(f"  {name:20} p99 {p99 * 1000:6.2f} ms   worst {worst * 1000:6.2f} ms")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
