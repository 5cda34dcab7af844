"""Coalesced pushes shared by every process (see `realtime.pending`): the first change of an
interval sets a key that expires with the interval, and only the process that set it pushes;
what the push must cover gathers in a hash beside it.

The pusher's timer starts after the key was set, so it fires once the key has expired: a
change that found the key still set was committed before the push reads, and a change after
the expiry sets the key again and makes the next push. Without Redis, a process pushes what
it saw itself (never nothing).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping

import redis.asyncio
from redis.exceptions import RedisError

from facilitation.processes.link import PREFIX
from facilitation.realtime.pending import LocalPending

log = logging.getLogger(__name__)


class RedisPending:
    def __init__(self, client: redis.asyncio.Redis, process: str, interval_s: float) -> None:
        self.client = client
        self.process = process
        self.interval_ms = max(1, round(interval_s * 1000))
        self.fallback = LocalPending()

    async def mark(self, key: str, counts: Mapping[str, int] | None = None) -> bool:
        gate, bag = f"{PREFIX}:pending:{key}", f"{PREFIX}:pending:{key}:counts"
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                for name, n in (counts or {}).items():
                    pipe.hincrby(bag, name, n)
                if counts:
                    pipe.pexpire(bag, 60_000)
                pipe.set(gate, self.process, nx=True, px=self.interval_ms)
                results = await pipe.execute()
            return bool(results[-1])
        except RedisError as error:
            log.warning("push coalesced in this process only (%s)", error)
            return await self.fallback.mark(key, counts)

    async def take(self, key: str) -> Counter[str]:
        bag = f"{PREFIX}:pending:{key}:counts"
        gathered = await self.fallback.take(key)
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hgetall(bag)
                pipe.delete(bag)
                found, _ = await pipe.execute()
        except RedisError as error:
            log.warning("push covers this process's changes only (%s)", error)
            return gathered
        gathered.update({name: int(n) for name, n in found.items()})
        return gathered
