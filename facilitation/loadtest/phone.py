"""One simulated phone, doing on the wire what the participant page does in Chromium.

- The first load: the page (which sets the identity cookie), then the stylesheet and scripts it
  links, asking for compressed bodies as Chromium does (`Accept-Encoding`); the bytes counted
  are the bytes that crossed the network.
- The socket: socket.io's websocket transport, opened as Chromium opens it, offering
  `permessage-deflate; client_max_window_bits`; websocket pings are answered by aiohttp,
  engine.io pings ("2") by the reader, which never stops reading until the socket closes.
- After a push: a seated step or `seat_changed` fetches `/seat`, `agenda_changed` fetches
  `/agenda` (when the page shows an agenda), without holding up the reader, as `fetch()` does.
- A ballot: `["vote", {"vote": id, "fields": {...}}]` with an ack id, the fields read off the
  pushed vote form as the page's `formFields` reads them.

Every wait is bounded by `Phone.limit`: a server that stops answering raises `Stalled`.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import brotli

# What Chromium asks for; a body coded in anything but brotli, gzip or deflate is refused,
# clearly.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
ASSET_RE = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')
INPUT_RE = re.compile(r'<input type="(radio|checkbox)" name="([^"]+)" value="([^"]+)"([^>]*)>')
METHOD_RE = re.compile(r'data-vote="([^"]+)" data-method="([a-z]+)"')


class Stalled(Exception):
    """The server did not answer within the load test's limit."""


@dataclass
class Transfer:
    """Bytes a phone received over HTTP, as sent (compressed or not)."""

    first_load: int = 0
    fetches: int = 0
    seat_fetches: int = 0
    agenda_fetches: int = 0


@dataclass
class Phone:
    index: int
    session: aiohttp.ClientSession
    base: str
    code: str
    cookie: str
    limit: float
    ws: aiohttp.ClientWebSocketResponse | None = None
    extensions: str = ""  # what the server answered to the offered compression
    revisions: dict[int, float] = field(default_factory=dict)  # revision -> when up to date
    shown: int = 0  # steps shown (pushed, and the seat fetched when the step has tables)
    vote: tuple[str, dict[str, list[str]]] | None = None  # open vote id, fields to send
    shows_agenda: bool = False
    acks: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    next_ack: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    transfer: Transfer = field(default_factory=Transfer)
    pings: int = 0
    errors: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None
    chores: set[asyncio.Task[None]] = field(default_factory=set)
    # the stickiness key a page adds to its socket URL (static/js/live.js): behind several
    # processes the proxy routes by it, one per phone, the same on every reconnect
    k: str = field(default_factory=lambda: secrets.token_hex(4))

    # --- HTTP ----------------------------------------------------------------------------

    async def fetch(self, path: str, *, first_load: bool = False) -> str:
        """GET as the page's browser would; the body's text, decoded."""
        headers = {"Accept-Encoding": ACCEPT_ENCODING, "Cookie": self.cookie}
        try:
            async with self.session.get(
                self.base + path,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.limit),
            ) as response:
                raw = await response.read()
                coding = response.headers.get("Content-Encoding", "")
                status = response.status
        except TimeoutError:
            raise Stalled(f"GET {path} got no answer within {self.limit:.0f} s") from None
        if status >= 400:
            raise RuntimeError(f"GET {path} answered {status}")
        self.transfer.fetches += 1
        if first_load:
            self.transfer.first_load += len(raw)
        return decode(raw, coding).decode("utf-8", "replace")

    async def load_page(self) -> None:
        """The page, then what it links; a browser's first visit (nothing cached yet)."""
        page = await self.fetch(f"/e/{self.code}", first_load=True)
        self.shows_agenda = 'id="agenda-list"' in page
        assets = ASSET_RE.findall(page)
        if not assets:
            raise RuntimeError("the participant page links no stylesheet or script")
        for asset in assets:
            await self.fetch(asset, first_load=True)

    # --- the socket ----------------------------------------------------------------------

    async def open_socket(self) -> float:
        """Connect and wait for the first pushed step; seconds it took."""
        start = time.perf_counter()
        self.closed.clear()
        url = self.base.replace("http", "ws", 1) + (
            f"/socket.io/?code={self.code}&role=participant&k={self.k}&EIO=4&transport=websocket"
        )
        known = self.shown
        try:
            async with asyncio.timeout(self.limit):
                self.ws = await self.session.ws_connect(
                    url,
                    compress=15,
                    autoping=True,
                    max_msg_size=0,
                    headers={"Cookie": self.cookie},
                )
                self.extensions = self.ws._response.headers.get("Sec-WebSocket-Extensions", "")
                opened = await self.ws.receive_str()
                if not opened.startswith("0"):
                    raise RuntimeError(f"unexpected engine.io open: {opened[:80]}")
                await self.ws.send_str("40")
                self.reader = asyncio.get_running_loop().create_task(self.read())
                await self.wait_for(lambda: self.shown > known or bool(self.errors))
        except TimeoutError:
            raise Stalled(f"no first step within {self.limit:.0f} s of opening a socket") from None
        if self.errors:
            raise RuntimeError(self.errors[0])
        return time.perf_counter() - start

    async def wait_for(self, ready: Any) -> None:
        while not ready():
            self.changed.clear()
            await self.changed.wait()

    async def read(self) -> None:
        assert self.ws is not None
        ws = self.ws
        try:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    await self.receive(ws, message.data)
                elif message.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                    break
        finally:
            self.closed.set()
            self.changed.set()

    async def receive(self, ws: aiohttp.ClientWebSocketResponse, data: str) -> None:
        if data == "2":  # engine.io ping: the page's client answers at once
            self.pings += 1
            await ws.send_str("3")
        elif data.startswith("42"):
            self.on_event(*json.loads(data[2:])[:2])
        elif data.startswith("43"):
            found = re.match(r"43(\d+)(.*)", data, re.S)
            if found:
                future = self.acks.pop(int(found.group(1)), None)
                if future is not None and not future.done():
                    future.set_result(json.loads(found.group(2))[0])
        elif data.startswith("44"):
            self.errors.append(f"connection refused: {data[2:200]}")
        self.changed.set()

    def on_event(self, event: str, payload: Any = None) -> None:
        if event == "step":
            self.vote = vote_fields(payload, self.index)
            if payload.get("seated"):
                # the page fetches its own place; up to date only once that answer is in
                self.chore(self.fetch_seat(payload["revision"]))
            else:
                self.up_to_date(payload["revision"])
        elif event == "seat_changed":
            self.chore(self.fetch_seat(None))
        elif event == "agenda_changed" and self.shows_agenda:
            self.chore(self.fetch_agenda())

    def chore(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.chores.add(task)
        task.add_done_callback(self._chore_done)

    def _chore_done(self, task: asyncio.Task[None]) -> None:
        self.chores.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(f"fetch failed: {task.exception()}")
            self.changed.set()

    async def fetch_seat(self, revision: int | None) -> None:
        await self.fetch(f"/e/{self.code}/seat")
        self.transfer.seat_fetches += 1
        if revision is not None:
            self.up_to_date(revision)
            self.changed.set()

    def up_to_date(self, revision: int) -> None:
        self.revisions.setdefault(revision, time.time())
        self.shown += 1

    async def fetch_agenda(self) -> None:
        await self.fetch(f"/e/{self.code}/agenda")
        self.transfer.agenda_fetches += 1

    async def wait_revision(self, revision: int, deadline: float) -> float | None:
        """When this phone was up to date with `revision`; None if not by the deadline."""
        try:
            async with asyncio.timeout_at(deadline):
                await self.wait_for(lambda: revision in self.revisions or self.closed.is_set())
        except TimeoutError:
            return None
        return self.revisions.get(revision)

    async def cast(self, started: float) -> tuple[float | None, bool]:
        """One ballot as the page sends it; (seconds from `started` to the ack, accepted)."""
        if self.ws is None or self.vote is None:
            return None, False
        vote_id, fields = self.vote
        ack_id, self.next_ack = self.next_ack, self.next_ack + 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        packet = json.dumps(["vote", {"vote": vote_id, "fields": fields}])
        await self.ws.send_str(f"42{ack_id}{packet}")
        try:
            ack = await asyncio.wait_for(future, timeout=self.limit)
        except TimeoutError:
            self.acks.pop(ack_id, None)
            return None, False
        return time.perf_counter() - started, bool(ack.get("ok"))

    async def drop(self) -> None:
        """The Wi-Fi blips: the socket goes, the page stays."""
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.wait_for(self.reader, timeout=self.limit)

    async def close(self) -> None:
        for task in list(self.chores):
            task.cancel()
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()


def decode(raw: bytes, coding: str) -> bytes:
    coding = coding.strip().lower()
    if coding in ("", "identity"):
        return raw
    if coding == "br":
        return bytes(brotli.decompress(raw))
    if coding == "gzip":
        return gzip.decompress(raw)
    if coding == "deflate":
        return zlib.decompress(raw)
    raise RuntimeError(f"a body came coded as {coding!r}, which the load test cannot read")


def vote_fields(payload: dict[str, Any], index: int) -> tuple[str, dict[str, list[str]]] | None:
    """The open vote of a pushed step and what this phone ticks in it, as `formFields` sends
    it: one option of a single choice, one box of an approval vote, spread over the phones."""
    vote = payload.get("vote")
    if not vote or vote.get("status") != "open":
        return None
    html: str = payload.get("html", "")
    choices: dict[str, list[str]] = {}
    for _kind, name, value, rest in INPUT_RE.findall(html):
        if "disabled" not in rest and not value.startswith("_"):
            choices.setdefault(name, []).append(value)
    fields = {name: [values[index % len(values)]] for name, values in choices.items()}
    return str(vote["id"]), fields
