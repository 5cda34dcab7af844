"""Real socket.io clients for tests: a phone, a screen and a facilitator console."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from typing import Any

import aiohttp
import httpx
import socketio


class Client:
    """A browser-like client: an HTTP session (cookies) plus a socket.io connection."""

    def __init__(self, base: str, code: str, role: str) -> None:
        self.base, self.code, self.role = base, code, role
        # idle connections are dropped before uvicorn's 5 s keep-alive ends them: a request
        # on a connection the server is closing fails with a read error (browsers retry it)
        self.http = httpx.AsyncClient(
            base_url=base,
            follow_redirects=False,
            timeout=30,
            limits=httpx.Limits(keepalive_expiry=2),
        )
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = {}
        # a page's stickiness key (static/js/live.js): nginx routes this client's socket by it
        self.k = secrets.token_hex(4)
        self._arrived = asyncio.Condition()
        for name in (
            "step",
            "screen",
            "console",
            "me",
            "items",
            "seat_changed",
            "questions",
            "reactions",
        ):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: Any) -> None:
            async with self._arrived:
                self.events.setdefault(name, []).append(data)
                self._arrived.notify_all()

        return record

    async def connect(self, origin: str | None = None) -> None:
        """Without `origin`, as a script connects; with it, as a browser page does."""
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        headers = {"Cookie": cookie} if cookie else {}
        if origin is not None:
            headers["Origin"] = origin
        await self.sio.connect(
            f"{self.base}?code={self.code}&role={self.role}&k={self.k}",
            headers=headers,
            transports=["websocket"],
            wait_timeout=30,
        )

    async def wait_for(
        self, name: str, predicate: Any = lambda data: True, timeout: float = 30
    ) -> Any:
        """The first `name` event (old or new) that satisfies `predicate`."""

        def found() -> Any:
            return next((d for d in self.events.get(name, []) if predicate(d)), None)

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: found() is not None), timeout)
        return found()

    async def close(self) -> None:
        await self.sio.disconnect()
        await self.http.aclose()


class Phone(Client):
    def __init__(self, base: str, code: str) -> None:
        super().__init__(base, code, "participant")

    async def join(self) -> Phone:
        page = await self.http.get(f"/e/{self.code}")
        page.raise_for_status()
        await self.connect()
        await self.wait_for("me")
        await self.wait_for("step")
        return self

    async def vote(self, vote: str, ballot: Any) -> dict[str, Any]:
        ack: dict[str, Any] = await self.sio.call(
            "vote", {"vote": vote, "ballot": ballot}, timeout=30
        )
        return ack


class Console(Client):
    def __init__(self, base: str, code: str) -> None:
        super().__init__(base, code, "console")
        self.csrf = ""

    async def login(self, console_url: str) -> Console:
        response = await self.http.get(console_url)
        assert response.status_code == 303
        page = await self.http.get(f"/e/{self.code}/console")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found
        self.csrf = found.group(1)
        await self.connect()
        await self.wait_for("console")
        return self

    async def act(self, action: str, **fields: str) -> int:
        response = await self.http.post(
            f"/e/{self.code}/console/act",
            data={"csrf": self.csrf, "action": action, **fields},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert 'class="flash error"' not in response.text, response.text[:500]
        found = re.search(r'data-revision="(\d+)"', response.text)
        assert found
        return int(found.group(1))

    async def results(self) -> dict[str, Any]:
        response = await self.http.get(f"/e/{self.code}/results.json")
        data: dict[str, Any] = response.json()
        return data


class Refused(Exception):
    """The server answered the socket.io connect with an error (`44{…}`)."""

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.data = data


class RawSocket:
    """Engine.io/socket.io frames written by hand, as an attacker's script sends them."""

    def __init__(
        self, base: str, code: str, role: str, cookie: str = "", source: str | None = None
    ) -> None:
        """`source`: the local address to connect from (any 127.x.y.z reaches 127.0.0.1)."""
        self.url = base.replace("http", "ws", 1) + (
            f"/socket.io/?EIO=4&transport=websocket&code={code}&role={role}"
        )
        self.cookie = cookie
        self.source = source
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.next_id = 0

    async def open(self) -> RawSocket:
        connector = aiohttp.TCPConnector(local_addr=(self.source, 0) if self.source else None)
        self.session = aiohttp.ClientSession(connector=connector)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await self.session.ws_connect(self.url, headers=headers)
        assert (await self.ws.receive_str()).startswith("0")
        await self.ws.send_str("40")
        # what the connect handler emits arrives before the connect answer itself
        answer = await self.ws.receive_str()
        while answer.startswith("42"):
            answer = await self.ws.receive_str()
        if answer.startswith("44"):
            await self.close()
            raise Refused(json.loads(answer[2:]))
        assert answer.startswith("40"), answer
        return self

    async def call(self, event: str, data: Any = None) -> Any:
        """Sends `42<id>[event, data]` and returns the ack's first value (None if empty)."""
        assert self.ws is not None
        self.next_id += 1
        ack = f"43{self.next_id}"
        await self.ws.send_str(f"42{self.next_id}" + json.dumps([event, data]))
        while True:
            frame = await asyncio.wait_for(self.ws.receive_str(), 30)
            if frame == "2":
                await self.ws.send_str("3")
            elif frame.startswith(ack + "["):
                values = json.loads(frame[len(ack) :])
                return values[0] if values else None

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()


def vote_stage(html: str) -> str:
    """The stage number a step fragment's vote form posts to."""
    found = re.search(r'data-vote-stage="(\d+)"', html)
    assert found
    return found.group(1)
