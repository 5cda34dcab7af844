"""The writer thread: the one connection that writes, and the queue of work it runs.

A write of the store is a unit of work, a function of that connection, run on this thread in
one transaction by the database's `Session` (`sqlite.session`, `postgres.session`). The
coroutine that queued it awaits an asyncio future the thread resolves only after the COMMIT,
so what the caller does next (a socket ack, a redirect) still means "saved", while the event
loop goes on serving everyone else during the write, a wait for a lock, or the WAL
checkpoint a commit sometimes runs.

The thread answers with `loop.call_soon_threadsafe` on a plain asyncio future rather than
through `concurrent.futures.Future` + `asyncio.wrap_future` or `loop.run_in_executor`: it
was the cheapest of the three per write (tests/bench/bench_writer.py measures them).

Group commit: the thread takes every unit already waiting in the queue (up to `MAX_BATCH`);
the session runs each under a SAVEPOINT (a failing one rolls back to it and gets its
exception, the others are kept) and COMMITs once; the thread then answers them all with one
wake-up of each loop. A burst of 2,000 ballots costs tens of commits instead of 2,000; a
lone write is still committed at once, since nothing waits for a batch to fill.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from facilitation.storage.protocol import StorageError, StorageUnavailableError
from facilitation.storage.tables.base import Unit

T = TypeVar("T")
# each unit's result, or the exception it raised
Outcome = tuple[object, BaseException | None]


class Session(Protocol):
    """The writer's connection to one database."""

    def run(self, units: list[Unit[Any]]) -> list[Outcome]:
        """Each unit's outcome, all committed in one transaction (or each failed); a write
        refused for now raises StorageUnavailableError as its outcome."""
        ...

    def close(self) -> None: ...


_Job = tuple[Unit[Any], asyncio.AbstractEventLoop, asyncio.Future[Any]]
_Answer = tuple[asyncio.Future[Any], object, BaseException | None]
# enough to drain a room's burst in a few transactions, few enough that one transaction
# stays short for the readers of other processes
MAX_BATCH = 256


class Writer:
    """`Writer(open_)` starts the thread, which opens its session with `open_()` (and
    brings the schema up to date there); an error doing so is raised here."""

    def __init__(self, open_: Callable[[], Session]) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        # the code of the last write refused for want of space or of the lock, None once one
        # commits again (written by this thread, read by the loop: one reference, no lock)
        self.failure: str | None = None
        opened: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._serve, args=(open_, opened), name="facilitation-writer", daemon=True
        )
        self._thread.start()
        try:
            opened.result()
        except BaseException:
            self._closed = True
            raise

    async def run(self, unit: Unit[T]) -> T:
        """Run `unit` in its own transaction on the writer thread; its result once committed,
        or its exception once rolled back. Cancelling the caller (a phone that went away)
        does not take back a unit already queued: it is committed all the same."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._closed:
                raise StorageError("the database is closed")
            self._queue.put((unit, loop, future))
        return await future

    def close(self) -> None:
        """Finish the work already queued, then stop the thread and close its connection."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _serve(self, open_: Callable[[], Session], opened: Future[None]) -> None:
        try:
            session = open_()
        except BaseException as error:
            opened.set_exception(error)
            return
        opened.set_result(None)
        try:
            stop = False
            while not stop:
                batch, stop = self._take()
                if not batch:
                    continue
                outcomes = session.run([job[0] for job in batch])
                self._note(outcomes)
                waiting = [(job[1], job[2]) for job in batch]
                # A unit holds its store: let go of it before answering, or a store nobody
                # closed could outlive its last awaited write (and keep this thread running).
                del batch
                answers: dict[asyncio.AbstractEventLoop, list[_Answer]] = {}
                for (loop, future), (result, raised) in zip(waiting, outcomes, strict=True):
                    answers.setdefault(loop, []).append((future, result, raised))
                del waiting, outcomes
                for loop, settled in answers.items():
                    _answer(loop, settled)
        finally:
            session.close()

    def _note(self, outcomes: list[Outcome]) -> None:
        for _, raised in outcomes:
            if raised is None:
                self.failure = None
            elif isinstance(raised, StorageUnavailableError):
                self.failure = raised.code

    def _take(self) -> tuple[list[_Job], bool]:
        """The next unit (waiting for one), with those already queued behind it; True once
        close() has been asked (its marker is last in the queue)."""
        job = self._queue.get()
        if job is None:
            return [], True
        batch = [job]
        while len(batch) < MAX_BATCH:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return batch, True
            batch.append(job)
        return batch, False


def _answer(loop: asyncio.AbstractEventLoop, settled: list[_Answer]) -> None:
    # a loop that has closed has nobody waiting for the answer (the work is committed)
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle_all, settled)


def _settle_all(settled: list[_Answer]) -> None:
    for future, result, error in settled:
        _settle(future, result, error)


def _settle(future: asyncio.Future[Any], result: object, error: BaseException | None) -> None:
    if future.done():  # the awaiting coroutine was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
