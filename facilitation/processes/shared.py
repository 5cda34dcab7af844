"""One process's part in a group of processes sharing Redis: what `create_app` plugs in
instead of the one-process implementations, and the background work that keeps it so."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable

import socketio

from facilitation.core.admission import Allowance
from facilitation.processes.admission import RedisAdmission
from facilitation.processes.link import PREFIX, connect
from facilitation.processes.pending import RedisPending
from facilitation.processes.presence import BEAT_S, RedisPresence
from facilitation.processes.relay import RedisRelay
from facilitation.realtime.rooms import SharedRooms
from facilitation.services.announcements import Announcer

log = logging.getLogger(__name__)


class Shared:
    def __init__(
        self, url: str, announcer: Announcer, allowance: Allowance, interval_s: float
    ) -> None:
        self.url = url
        self.process = uuid.uuid4().hex[:12]
        self.client = connect(url)
        self.presence = RedisPresence(self.client, self.process)
        self.pending = RedisPending(self.client, self.process, interval_s)
        self.admission = RedisAdmission(self.client, allowance)
        self._resyncs: list[Callable[[], Awaitable[None]]] = []
        self.relay = RedisRelay(self.client, self.process, announcer, self._resync)
        announcer.relay = self.relay
        self._tasks: list[asyncio.Task[None]] = []

    def socket_manager(self) -> socketio.AsyncRedisManager:
        return SharedRooms(self.url, channel=f"{PREFIX}:sockets")

    def on_resync(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run after the link to Redis came back (changes made meanwhile were missed)."""
        self._resyncs.append(job)

    async def _resync(self) -> None:
        for job in self._resyncs:
            await job()

    async def start(self) -> None:
        await self.presence.beat()
        self._tasks = [
            asyncio.create_task(self.relay.run()),
            asyncio.create_task(self._beating()),
        ]

    async def _beating(self) -> None:
        while True:
            await asyncio.sleep(BEAT_S)  # a heartbeat's period, not a wait for an event
            try:
                await self.presence.beat()
            except Exception:
                log.exception("presence heartbeat failed")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.presence.forget_process()
        await self.client.aclose()
