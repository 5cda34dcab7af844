"""The limit on new identities per client address, shared by every process: the same token
bucket (`core.admission`), kept in Redis and updated in an optimistic transaction, so that a
script is not allowed once per process."""

from __future__ import annotations

import json
import logging

import redis.asyncio
from redis.exceptions import RedisError, WatchError

from facilitation.core.admission import Allowance, Bucket, admit, wait_seconds
from facilitation.processes.link import PREFIX
from facilitation.services.admission import LocalAdmission

log = logging.getLogger(__name__)


class RedisAdmission:
    def __init__(self, client: redis.asyncio.Redis, allowance: Allowance) -> None:
        self.client = client
        self.allowance = allowance
        self.fallback = LocalAdmission(allowance)
        # a bucket left alone this long is full again: the same as none
        self.keep_s = 1 + round(allowance.burst * 60 / max(allowance.per_minute, 1e-9))

    async def admit(self, address: str, now: float) -> float | None:
        if self.allowance.unlimited:
            return None
        key = f"{PREFIX}:admission:{address}"
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        await pipe.watch(key)
                        bucket = _bucket(await pipe.get(key))  # type: ignore[arg-type]
                        ok, after = admit(bucket, self.allowance, now)
                        pipe.multi()  # type: ignore[no-untyped-call]
                        pipe.set(key, json.dumps([after.tokens, after.at]), ex=self.keep_s)
                        await pipe.execute()
                        break
                    except WatchError:
                        continue  # another process admitted someone from there meanwhile
        except RedisError as error:
            log.warning("new identities limited in this process only (%s)", error)
            return await self.fallback.admit(address, now)
        return None if ok else wait_seconds(after, self.allowance, now)


def _bucket(raw: str | None) -> Bucket | None:
    if raw is None:
        return None
    try:
        tokens, at = json.loads(raw)
        return Bucket(float(tokens), float(at))
    except (ValueError, TypeError):
        return None
