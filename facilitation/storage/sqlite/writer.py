"""The writer thread: the one connection that writes, and the queue of work it runs.

A write of the store is a unit of work, a function of that connection, run on this thread in
one transaction (BEGIN IMMEDIATE … COMMIT). The coroutine that queued it awaits an asyncio
future the thread resolves only after the COMMIT, so what the caller does next (a socket ack,
a redirect) still means "saved", while the event loop goes on serving everyone else during
the write, a wait for the lock, or the WAL checkpoint a commit sometimes runs.

The thread answers with `loop.call_soon_threadsafe` on a plain asyncio future rather than
through `concurrent.futures.Future` + `asyncio.wrap_future` or `loop.run_in_executor`: it
was the cheapest of the three per write (tests/bench/bench_writer.py measures them).

Group commit can come later inside `_serve` alone: take every unit already waiting in the
queue, run each under a SAVEPOINT (a failing one rolls back to it and gets its exception),
COMMIT once, then resolve the futures. Callers await the same thing either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from facilitation.storage.protocol import StorageError

T = TypeVar("T")
Unit = Callable[[sqlite3.Connection], T]
_Job = tuple[Unit[Any], asyncio.AbstractEventLoop, asyncio.Future[Any]]


class Writer:
    """`Writer(open_)` starts the thread, which opens its connection with `open_()` (and
    brings the schema up to date there); an error doing so is raised here."""

    def __init__(self, open_: Callable[[], sqlite3.Connection]) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
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

    def _serve(self, open_: Callable[[], sqlite3.Connection], opened: Future[None]) -> None:
        try:
            db = open_()
        except BaseException as error:
            opened.set_exception(error)
            return
        opened.set_result(None)
        try:
            while (job := self._queue.get()) is not None:
                unit, loop, future = job
                result, raised = _outcome(db, unit)
                # A unit holds its store: let go of it before answering, or a store nobody
                # closed could outlive its last awaited write (and keep this thread running).
                del job, unit
                _answer(loop, future, result, raised)
        finally:
            db.close()


def _outcome(db: sqlite3.Connection, unit: Unit[T]) -> tuple[T | None, BaseException | None]:
    try:
        return _transaction(db, unit), None
    except BaseException as error:  # the caller's to handle, not this thread's
        return None, error


def _transaction(db: sqlite3.Connection, unit: Unit[T]) -> T:
    # IMMEDIATE takes the write lock at once, so a check and the write it allows see the same
    # database (and another process holding the lock is waited for here, not on the loop)
    db.execute("BEGIN IMMEDIATE")
    try:
        result = unit(db)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # a failed COMMIT can leave it open
            db.execute("ROLLBACK")
        raise
    return result


def _answer(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: object,
    error: BaseException | None,
) -> None:
    # a loop that has closed has nobody waiting for the answer (the work is committed)
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: object, error: BaseException | None) -> None:
    if future.done():  # the awaiting coroutine was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
