"""One change of an event at a time, where a change writes what it computed from a read.

Storage writes are awaited (they run on the writer thread), so other coroutines run between
what a service reads and what it writes. Where the write is computed from the read (the
engine's next state from the current one, a self-selected group's choices, the organiser's
draft, the profile a wish adds offers to), two requests about one event must not interleave,
or the second would write over the first. Services mark those methods `one_at_a_time`.

These are asyncio locks: they order the coroutines of the one event loop of a process.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar


class EventLocks:
    """A lock per event code, made when first asked for."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    def __call__(self, code: str) -> asyncio.Lock:
        lock = self._locks.get(code)
        if lock is None:
            lock = self._locks[code] = asyncio.Lock()
        return lock


class Serialised(Protocol):
    locks: EventLocks


class OfEvent(Protocol):
    @property
    def code(self) -> str: ...


S = TypeVar("S", bound=Serialised)
E = TypeVar("E", bound=OfEvent)
P = ParamSpec("P")
R = TypeVar("R")


def one_at_a_time(
    method: Callable[Concatenate[S, E, P], Awaitable[R]],
) -> Callable[Concatenate[S, E, P], Coroutine[Any, Any, R]]:
    """Calls of a service's marked methods about one event (their first argument) run one
    after the other. A marked method must not call another: the lock is not re-entrant."""

    @functools.wraps(method)
    async def serialised(self: S, live: E, /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self.locks(live.code):
            return await method(self, live, *args, **kwargs)

    return serialised
