"""The facilitator's side of a load test: clicking through the console, and the projector.

The facilitator clicks the console's own form endpoint, as its buttons do; the projector is a
socket of the `screen` role counting its pushed updates and the ballot count they show. Every
request and wait has the run's limit.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from facilitation.loadtest.phone import Stalled

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
COUNT_RE = re.compile(r"(\d+) votes?")


@dataclass
class Facilitator:
    base: str
    code: str
    session: aiohttp.ClientSession
    limit: float
    csrf: str = ""

    async def text(self, method: str, url: str, **options: Any) -> tuple[int, str]:
        try:
            async with self.session.request(
                method, url, timeout=aiohttp.ClientTimeout(total=self.limit), **options
            ) as response:
                return response.status, await response.text()
        except TimeoutError:
            path = url.removeprefix(self.base)
            raise Stalled(f"{method} {path} got no answer within {self.limit:.0f} s") from None
        except aiohttp.ClientConnectionError as error:
            raise Stalled(f"{method} {url.removeprefix(self.base)}: {error}") from None

    async def login(self, console_url: str) -> None:
        status, text = await self.text("GET", console_url)
        if status != 200:
            raise SystemExit(f"facilitation: the console URL was refused ({status})")
        found = CSRF_RE.search(text)
        if not found:
            raise SystemExit("facilitation: no form token on the console page")
        self.csrf = found.group(1)

    async def act(self, action: str, *, check: bool = True, **fields: str) -> int:
        """Click a console button; returns the revision shown after it."""
        data = {"csrf": self.csrf, "action": action, **fields}
        _, text = await self.text(
            "POST",
            f"{self.base}/e/{self.code}/console/act",
            data=data,
            headers={"HX-Request": "true"},
        )
        match = re.search(r'data-revision="(\d+)"', text)
        if not match or (check and 'class="flash error"' in text):
            raise SystemExit(f"facilitation: console action {action} failed")
        return int(match.group(1))

    async def console(self) -> str:
        return (await self.text("GET", f"{self.base}/e/{self.code}/console"))[1]

    async def current_kind(self) -> str:
        match = re.search(
            r'class="current" aria-labelledby="current-title" data-kind="([a-z]+)"',
            await self.console(),
        )
        return match.group(1) if match else ""

    async def vote_stage(self) -> tuple[int, str] | None:
        """The first stage whose step is a vote, read off the console's agenda."""
        match = re.search(r'data-vote-stage="(\d+)" data-vote-id="([^"]+)"', await self.console())
        return (int(match.group(1)), match.group(2)) if match else None


@dataclass
class ScreenWatcher:
    """The projector's socket: counts its pushed updates and the ballot count they show."""

    ws: aiohttp.ClientWebSocketResponse
    times: list[float] = field(default_factory=list)
    last_count: int = -1
    last_update: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls, session: aiohttp.ClientSession, base: str, code: str, limit: float
    ) -> ScreenWatcher:
        # a projector page's stickiness key (static/js/live.js), one per screen opened
        k = secrets.token_hex(4)
        url = base.replace("http", "ws", 1) + (
            f"/socket.io/?code={code}&role=screen&lang=en&k={k}&EIO=4&transport=websocket"
        )
        try:
            async with asyncio.timeout(limit):
                ws = await session.ws_connect(url, compress=15, max_msg_size=0)
                await ws.receive_str()
                await ws.send_str("40")
        except TimeoutError:
            raise Stalled(f"the projector's socket did not open within {limit:.0f} s") from None
        watcher = cls(ws)
        watcher.task = asyncio.get_running_loop().create_task(watcher.listen())
        return watcher

    async def listen(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            if message.data == "2":
                await self.ws.send_str("3")
            elif message.data.startswith('42["screen"'):
                _, payload = json.loads(message.data[2:])
                now = time.perf_counter()
                self.times.append(now)
                self.last_update = now
                found = COUNT_RE.search(payload["html"])
                if found:
                    self.last_count = int(found.group(1))
                self.changed.set()

    async def wait_for_count(self, count: int, within: float) -> None:
        """Until the projector shows `count` ballots, or `within` seconds: the last coalesced
        update may come just after the last acknowledgement."""
        try:
            async with asyncio.timeout(within):
                while self.last_count < count:
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            pass

    def most_in_a_second(self, start: float) -> int:
        times = [t for t in self.times if t >= start]
        return max((sum(1 for u in times if t <= u < t + 1) for t in times), default=0)

    def updates_since(self, start: float) -> int:
        return sum(1 for t in self.times if t >= start)

    async def close(self) -> None:
        await self.ws.close()
        if self.task:
            await asyncio.wait_for(self.task, timeout=10)
