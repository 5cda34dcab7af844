"""Announced changes, told to the other processes over Redis pub/sub.

The process that made a change pushes it to the sockets of every process (socket.io's Redis
manager carries the emits); the others only read again what they keep of the event. A message
names its sender, which does not hear itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import redis.asyncio
from redis.exceptions import RedisError

from facilitation.processes.link import PREFIX
from facilitation.services.announcements import RELAYED, Announcer, Change

log = logging.getLogger(__name__)

CHANNEL = f"{PREFIX}:changes"
_KINDS: dict[str, type[Change]] = {kind.__name__: kind for kind in RELAYED}


def encode(change: Change, sender: str) -> str:
    return json.dumps({"from": sender, "kind": type(change).__name__, "change": asdict(change)})


def decode(text: str) -> tuple[str, Change] | None:
    """The sender and the change, or None for a message this version does not know."""
    try:
        message: dict[str, Any] = json.loads(text)
        kind = _KINDS[message["kind"]]
        return str(message["from"]), kind(**message["change"])
    except (ValueError, KeyError, TypeError):
        return None


class RedisRelay:
    def __init__(
        self,
        client: redis.asyncio.Redis,
        process: str,
        announcer: Announcer,
        resync: Callable[[], Awaitable[None]],
    ) -> None:
        self.client = client
        self.process = process
        self.announcer = announcer
        # after the link was lost, changes were missed: everything kept is read again
        self.resync = resync
        self.lost = False
        self.ready = asyncio.Event()

    async def publish(self, change: Change) -> None:
        try:
            await self.client.publish(CHANNEL, encode(change, self.process))
        except RedisError as error:
            self._lose(error)

    def _lose(self, error: Exception) -> None:
        if not self.lost:
            log.warning("lost Redis (%s): other processes miss changes until it is back", error)
        self.lost = True
        self.ready.clear()

    async def run(self) -> None:
        """Listen until cancelled; a lost link is tried again, quickly at first."""
        backoff = 0.2
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                if self.lost:
                    log.warning("Redis is back: reading the events again")
                    self.lost = False
                    await self.resync()
                self.ready.set()
                backoff = 0.2
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self._deliver(message["data"])
            except (RedisError, OSError) as error:
                self._lose(error)
            finally:
                await _quietly_close(pubsub)
            await asyncio.sleep(backoff)  # a retry's pause, not a wait for an event
            backoff = min(backoff * 2, 2.0)

    async def _deliver(self, text: str) -> None:
        decoded = decode(text)
        if decoded is None:
            log.warning("unreadable change from another process: %.200s", text)
            return
        sender, change = decoded
        if sender == self.process:
            return
        try:
            await self.announcer.heard(change)
        except Exception:
            log.exception("a change from another process could not be applied")


async def _quietly_close(pubsub: Any) -> None:
    with contextlib.suppress(RedisError, OSError):
        await pubsub.aclose()
