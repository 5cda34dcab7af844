"""Who is connected, across every process: each process writes its own connections to Redis
and reads everyone's.

A process's own counts are the truth it keeps in memory (`LocalPresence`); each arrival and
departure is also written at once, and every few seconds the process writes its whole picture
again, so that a write lost while Redis was away is mended. A process that dies (`kill -9`)
stops beating: after `STALE_MS` its entries are no longer read, and soon expire.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis.asyncio
from redis.exceptions import RedisError

from facilitation.processes.link import PREFIX
from facilitation.services.presence import LocalPresence

log = logging.getLogger(__name__)

BEAT_S = 2.0
STALE_MS = 8_000
_PROCESSES = f"{PREFIX}:processes"
_EXPIRE_MS = 3 * STALE_MS


def _people(code: str, process: str) -> str:
    return f"{PREFIX}:presence:{code}:{process}:people"


def _rooms(code: str, process: str) -> str:
    return f"{PREFIX}:presence:{code}:{process}:rooms"


def _arrivals(code: str) -> str:
    return f"{PREFIX}:presence:{code}:arrivals"


class RedisPresence:
    def __init__(
        self,
        client: redis.asyncio.Redis,
        process: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.process = process
        self.clock = clock
        self.own = LocalPresence()
        self._codes: set[str] = set()

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def arrive(self, code: str, audience: str, lang: str, person: int | None) -> None:
        await self.own.arrive(code, audience, lang, person)
        self._codes.add(code)
        pipe = self._counts(code, audience, lang, person)
        if person is not None:
            pipe.zadd(_arrivals(code), {str(person): self._now_ms()}, nx=True)
            pipe.expire(_arrivals(code), 7 * 86_400)
        await self._send(pipe)

    async def leave(self, code: str, audience: str, lang: str, person: int | None) -> None:
        await self.own.leave(code, audience, lang, person)
        await self._send(self._counts(code, audience, lang, person))

    def _counts(
        self, code: str, audience: str, lang: str, person: int | None
    ) -> redis.asyncio.client.Pipeline:
        """This process's counts for one room and one person, as it knows them now: written
        whole (not incremented), so that a write twice or a lost one cannot drift."""
        in_room, of_person = self.own.connections(code, audience, lang, person)
        pipe = self.client.pipeline(transaction=False)
        fields = [(_rooms(code, self.process), f"{audience}|{lang}", in_room)]
        if person is not None:
            fields.append((_people(code, self.process), str(person), of_person))
        for key, name, n in fields:
            if n > 0:
                pipe.hset(key, name, n)
                pipe.pexpire(key, _EXPIRE_MS)
            else:
                pipe.hdel(key, name)
        return pipe

    async def people(self, code: str) -> list[int]:
        try:
            processes = await self._alive()
            pipe = self.client.pipeline(transaction=False)
            for process in processes:
                pipe.hkeys(_people(code, process))
            pipe.zrange(_arrivals(code), 0, -1)
            *present, arrivals = await pipe.execute()
        except RedisError as error:
            log.warning("presence read from this process only (%s)", error)
            return await self.own.people(code)
        here = {int(p) for keys in present for p in keys}
        ordered = [int(p) for p in arrivals if int(p) in here]
        return ordered + sorted(here - set(ordered))

    async def rooms(self, code: str) -> set[tuple[str, str]]:
        try:
            processes = await self._alive()
            pipe = self.client.pipeline(transaction=False)
            for process in processes:
                pipe.hkeys(_rooms(code, process))
            found = await pipe.execute()
        except RedisError as error:
            log.warning("presence read from this process only (%s)", error)
            return await self.own.rooms(code)
        rooms = {(a, lang) for keys in found for a, _, lang in (k.partition("|") for k in keys)}
        return rooms | await self.own.rooms(code)

    async def _alive(self) -> list[str]:
        since = self._now_ms() - STALE_MS
        found = await self.client.zrangebyscore(_PROCESSES, since, "+inf")
        processes = [str(p) for p in found]
        return processes if self.process in processes else [*processes, self.process]

    def _picture(
        self, pipe: redis.asyncio.client.Pipeline, code: str
    ) -> redis.asyncio.client.Pipeline:
        people, rooms = _people(code, self.process), _rooms(code, self.process)
        pipe.delete(people, rooms)
        counts = self.own.counts(code)
        if counts.people:
            pipe.hset(people, mapping={str(p): n for p, n in counts.people.items()})
            pipe.pexpire(people, _EXPIRE_MS)
        if counts.rooms:
            pipe.hset(rooms, mapping={f"{a}|{lang}": n for (a, lang), n in counts.rooms.items()})
            pipe.pexpire(rooms, _EXPIRE_MS)
        return pipe

    async def beat(self) -> None:
        """This process is alive, with these connections (every `BEAT_S`)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(_PROCESSES, {self.process: self._now_ms()})
        pipe.zremrangebyscore(_PROCESSES, "-inf", self._now_ms() - 10 * STALE_MS)
        for code in sorted(self._codes):
            self._picture(pipe, code)
        self._codes = {c for c in self._codes if self.own.counts(c).rooms}
        await self._send(pipe)

    async def forget_process(self) -> None:
        """A clean stop: this process's connections are gone at once."""
        pipe = self.client.pipeline(transaction=False)
        pipe.zrem(_PROCESSES, self.process)
        for code in self._codes:
            pipe.delete(_people(code, self.process), _rooms(code, self.process))
        await self._send(pipe)

    async def _send(self, pipe: redis.asyncio.client.Pipeline) -> None:
        try:
            await pipe.execute()
        except RedisError as error:
            # the next beat writes this process's picture again
            log.warning("presence not written to Redis (%s)", error)
        finally:
            await pipe.reset()  # type: ignore[no-untyped-call]
