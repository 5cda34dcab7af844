"""`facilitation loadtest`: N simulated phones against a running server, with figures.

Each simulated phone does what the participant page does: it loads the page (which sets its
identity cookie), opens the socket.io connection over a websocket, receives every pushed step
(the step's HTML comes inside the push, so there is nothing more to fetch) and, when the vote is
on, sends one ballot and waits for the acknowledgement. Socket.io's wire protocol is spoken
directly (engine.io v4 text frames) so that one process can hold thousands of phones.

The facilitator is simulated too: it clicks "next" through the console's own form endpoint.
Phones are spread over `--processes` worker processes; timestamps use the shared wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import queue
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from facilitation.security import facilitator_cookie

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
OPTION_RE = re.compile(r'name="choice" value="([^"_][^"]*)"')


@dataclass
class Phone:
    index: int
    session: aiohttp.ClientSession
    ws: aiohttp.ClientWebSocketResponse | None = None
    revisions: dict[int, float] = field(default_factory=dict)  # revision -> when received
    options: list[str] = field(default_factory=list)
    vote_id: str | None = None
    acks: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    next_ack: int = 0
    first_step: asyncio.Event = field(default_factory=asyncio.Event)
    base: str = ""
    code: str = ""
    seat_fetches: int = 0
    revision_seen: asyncio.Condition = field(default_factory=asyncio.Condition)


async def phone_connect(phone: Phone, base: str, code: str, key: str) -> float:
    """Load the page, open the socket; returns seconds until the first pushed step."""
    start = time.perf_counter()
    phone.base, phone.code = base, code
    # The facilitator's key: hundreds of phones from one machine are the organiser's own test,
    # not a flood: the server's limits on new identities and anonymous sockets let it in.
    cookie = f"{facilitator_cookie(code)}={key}"
    async with phone.session.get(f"{base}/e/{code}", headers={"Cookie": cookie}) as response:
        await response.read()
        response.raise_for_status()
    ws_url = (
        base.replace("http", "ws", 1)
        + f"/socket.io/?EIO=4&transport=websocket&code={code}&role=participant"
    )
    phone.ws = await phone.session.ws_connect(
        ws_url, max_msg_size=0, autoping=False, headers={"Cookie": cookie}
    )
    opened = await phone.ws.receive_str()
    if not opened.startswith("0"):
        raise RuntimeError(f"unexpected engine.io open: {opened[:80]}")
    await phone.ws.send_str("40")
    asyncio.get_running_loop().create_task(phone_listen(phone))
    await phone.first_step.wait()
    return time.perf_counter() - start


async def phone_listen(phone: Phone) -> None:
    assert phone.ws is not None
    async for message in phone.ws:
        if message.type != aiohttp.WSMsgType.TEXT:
            break
        data: str = message.data
        if data == "2":  # engine.io ping
            await phone.ws.send_str("3")
        elif data.startswith("42"):
            event, payload = json.loads(data[2:])
            if event == "step":
                vote = payload.get("vote")
                phone.vote_id = vote["id"] if vote and vote["status"] == "open" else None
                if phone.vote_id:
                    phone.options = OPTION_RE.findall(payload["html"])
                if payload.get("seated"):
                    # like the page: a step with tables makes the phone fetch its own place,
                    # and the phone is up to date only once that answer is in
                    await phone_fetch_seat(phone)
                phone.revisions.setdefault(payload["revision"], time.time())
                phone.first_step.set()
                async with phone.revision_seen:
                    phone.revision_seen.notify_all()
            elif event == "seat_changed":
                await phone_fetch_seat(phone)
        elif data.startswith("43"):
            match = re.match(r"43(\d+)(.*)", data, re.S)
            if match:
                future = phone.acks.pop(int(match.group(1)), None)
                if future is not None and not future.done():
                    future.set_result(json.loads(match.group(2))[0])
        elif data.startswith("44"):
            raise RuntimeError(f"connection refused: {data}")


async def phone_fetch_seat(phone: Phone) -> None:
    async with phone.session.get(f"{phone.base}/e/{phone.code}/seat") as response:
        await response.read()
        phone.seat_fetches += 1


async def phone_vote(phone: Phone, choice: str) -> tuple[float, bool]:
    assert phone.ws is not None and phone.vote_id is not None
    ack_id = phone.next_ack
    phone.next_ack += 1
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    phone.acks[ack_id] = future
    packet = json.dumps(["vote", {"vote": phone.vote_id, "ballot": {"choice": choice}}])
    start = time.perf_counter()
    await phone.ws.send_str(f"42{ack_id}{packet}")
    ack = await asyncio.wait_for(future, timeout=60)
    return time.perf_counter() - start, bool(ack.get("ok"))


async def wait_revision(phone: Phone, revision: int) -> float:
    async with phone.revision_seen:
        await phone.revision_seen.wait_for(lambda: revision in phone.revisions)
    return phone.revisions[revision]


def worker(base: str, code: str, key: str, indices: list[int], commands: Any, results: Any) -> None:
    asyncio.run(_worker(base, code, key, indices, commands, results))


async def _worker(
    base: str, code: str, key: str, indices: list[int], commands: Any, results: Any
) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    loop = asyncio.get_running_loop()
    phones: list[Phone] = []
    sessions = []
    try:
        for index in indices:
            session = aiohttp.ClientSession(
                connector=connector,
                connector_owner=False,
                cookie_jar=aiohttp.CookieJar(unsafe=True),
            )
            sessions.append(session)
            phones.append(Phone(index, session))
        connect_times = []
        # Phones arrive in waves, like a room scanning a QR code, not all in one millisecond.
        for start in range(0, len(phones), 100):
            batch = phones[start : start + 100]
            connect_times += await asyncio.gather(
                *(phone_connect(p, base, code, key) for p in batch)
            )
        results.put(("connected", connect_times))
        while True:
            command = await loop.run_in_executor(None, commands.get)
            if command[0] == "wait":
                revision = command[1]
                times = await asyncio.gather(*(wait_revision(p, revision) for p in phones))
                results.put(("received", revision, times))
            elif command[0] == "vote":
                votes = []
                for p in phones:
                    choice = p.options[p.index % len(p.options)] if p.options else "none"
                    votes.append(phone_vote(p, choice))
                outcomes = await asyncio.gather(*votes)
                results.put(("voted", outcomes))
            else:
                break
    finally:
        for phone in phones:
            if phone.ws is not None:
                await phone.ws.close()
        for session in sessions:
            await session.close()
        await connector.close()


@dataclass
class Facilitator:
    base: str
    code: str
    session: aiohttp.ClientSession
    csrf: str = ""

    async def login(self, console_url: str) -> None:
        async with self.session.get(console_url) as response:
            text = await response.text()
            if response.status != 200:
                raise SystemExit(f"facilitation: the console URL was refused ({response.status})")
        found = CSRF_RE.search(text)
        if not found:
            raise SystemExit("facilitation: no form token on the console page")
        self.csrf = found.group(1)

    async def act(self, action: str, *, check: bool = True, **fields: str) -> int:
        """Click a console button; returns the revision shown after it."""
        data = {"csrf": self.csrf, "action": action, **fields}
        async with self.session.post(
            f"{self.base}/e/{self.code}/console/act", data=data, headers={"HX-Request": "true"}
        ) as response:
            text = await response.text()
        match = re.search(r'data-revision="(\d+)"', text)
        if not match or (check and 'class="flash error"' in text):
            raise SystemExit(f"facilitation: console action {action} failed")
        return int(match.group(1))

    async def current_kind(self) -> str:
        async with self.session.get(f"{self.base}/e/{self.code}/console") as response:
            text = await response.text()
        match = re.search(
            r'class="current" aria-labelledby="current-title" data-kind="([a-z]+)"', text
        )
        return match.group(1) if match else ""

    async def stored_ballots(self, vote_id: str) -> int:
        async with self.session.get(f"{self.base}/e/{self.code}/results.json") as response:
            data = await response.json(content_type=None)
        return int(next(v["ballots"] for v in data["votes"] if v["vote"] == vote_id))


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
    async def open(cls, session: aiohttp.ClientSession, base: str, code: str) -> ScreenWatcher:
        url = base.replace("http", "ws", 1) + (
            f"/socket.io/?EIO=4&transport=websocket&code={code}&role=screen&lang=en"
        )
        ws = await session.ws_connect(url, autoping=False)
        await ws.receive_str()
        await ws.send_str("40")
        watcher = cls(ws)
        watcher.task = asyncio.get_running_loop().create_task(watcher.listen())
        return watcher

    async def listen(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            if message.data == "2":
                await self.ws.send_str("3")
            elif message.data.startswith('42["screen"'):
                _, payload = json.loads(message.data[2:])
                now = time.perf_counter()
                self.times.append(now)
                self.last_update = now
                found = re.search(r"(\d+) votes?", payload["html"])
                if found:
                    self.last_count = int(found.group(1))
                self.changed.set()

    async def wait_for_count(self, count: int, within: float) -> None:
        deadline = time.perf_counter() + within
        while self.last_count < count and time.perf_counter() < deadline:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), deadline - time.perf_counter())
            except TimeoutError:
                break

    def most_in_a_second(self, start: float) -> int:
        times = [t for t in self.times if t >= start]
        return max((sum(1 for u in times if t <= u < t + 1) for t in times), default=0)

    def updates_since(self, start: float) -> int:
        return sum(1 for t in self.times if t >= start)

    async def close(self) -> None:
        await self.ws.close()
        if self.task:
            await self.task


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def spread(seconds: list[float]) -> str:
    p50, p99 = percentile(seconds, 50) * 1000, percentile(seconds, 99) * 1000
    return f"p50 {p50:.0f} ms, p99 {p99:.0f} ms"


def loadtest_command(args: argparse.Namespace) -> int:
    return asyncio.run(_loadtest(args))


async def _loadtest(args: argparse.Namespace) -> int:
    parts = urlsplit(args.console_url)
    match = re.match(r"/e/([A-Z0-9]+)/console", parts.path)
    if not match:
        raise SystemExit(
            "facilitation: expected a console URL like http://host:8000/e/CODE/console?key=…"
        )
    base, code = f"{parts.scheme}://{parts.netloc}", match.group(1)
    key = (parse_qs(parts.query).get("key") or [""])[0]
    n, processes = args.phones, max(1, args.processes)
    context = mp.get_context("spawn")
    commands = [context.Queue() for _ in range(processes)]
    results: Any = context.Queue()
    shares = [list(range(i, n, processes)) for i in range(processes)]
    workers: list[Any] = []
    loop = asyncio.get_running_loop()

    async def collect(kind: str) -> list[Any]:
        got: list[Any] = []
        while len(got) < processes:
            try:
                item = await loop.run_in_executor(None, results.get, True, 5)
            except queue.Empty:
                if not all(p.is_alive() for p in workers):
                    raise SystemExit("facilitation: a load-generator process died") from None
                continue
            if item[0] != kind:
                raise RuntimeError(f"expected {kind}, got {item[0]}")
            got.append(item)
        return got

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        facilitator = Facilitator(base, code, session)
        await facilitator.login(args.console_url)
        # the phones carry the facilitator's session (what the console's key was traded for):
        # the server's limits on new phones and anonymous sockets then let them all in
        name = facilitator_cookie(code)
        session_value = next((m.value for m in session.cookie_jar if m.key == name), key)
        workers.extend(
            context.Process(
                target=worker,
                args=(base, code, session_value, share, commands[i], results),
                daemon=True,
            )
            for i, share in enumerate(shares)
        )
        # Start from the beginning so the run walks welcome -> pitches, then jumps to the vote.
        await facilitator.act("jump", stage="0")
        started = time.perf_counter()
        for process in workers:
            process.start()
        connected = [t for item in await collect("connected") for t in item[1]]
        connect_wall = time.perf_counter() - started
        print(f"phones: {n} in {processes} process(es) against {base} (event {code})")
        print(
            f"connect: all {n} phones live in {connect_wall:.2f} s; per phone {spread(connected)}"
        )

        fanouts, per_phone, seated = [], [], []
        last = -1
        for _ in range(args.steps):
            clicked = time.time()
            revision = await facilitator.act("next", check=False)
            if revision == last:
                break  # the last step: nothing more to click through
            last = revision
            for q in commands:
                q.put(("wait", revision))
            times = [t for item in await collect("received") for t in item[2]]
            latencies = [t - clicked for t in times]
            fanouts.append(max(latencies))
            per_phone += latencies
            kind = await facilitator.current_kind()
            if kind in ("groups", "rotate", "pass"):
                seated.append(max(latencies))
        print(
            f"step fan-out over {args.steps} steps (click -> last phone updated): "
            f"{spread(fanouts)}; per phone {spread(per_phone)}"
        )
        if seated:
            print(
                f"  of which {len(seated)} steps with tables, each phone fetching its own "
                f"place after the push: {spread(seated)}"
            )

        found = await _vote_stage(facilitator)
        if found is None:
            print("votes: this event has no vote step; no vote figures")
            for q in commands:
                q.put(("stop",))
            for process in workers:
                process.join(timeout=30)
            return 0
        vote_stage, vote_id = found
        await facilitator.act("jump", stage=str(vote_stage))
        # A second run on the same event finds its vote closed: reopen it (a logged action).
        await facilitator.act("vote_reopen", check=False)
        revision = await facilitator.act("vote_open", check=False)
        stored_before = await facilitator.stored_ballots(vote_id)
        for q in commands:
            q.put(("wait", revision))
        await collect("received")
        screen = await ScreenWatcher.open(session, base, code)
        burst_start = time.perf_counter()
        for q in commands:
            q.put(("vote",))
        outcomes = [o for item in await collect("voted") for o in item[1]]
        burst = time.perf_counter() - burst_start
        # the last coalesced update may come just after the last acknowledgement
        await screen.wait_for_count(n + stored_before, within=10)
        updates = screen.updates_since(burst_start)
        acks = [seconds for seconds, _ in outcomes]
        accepted = sum(1 for _, ok in outcomes if ok)
        print(
            f"vote ack: p50 {percentile(acks, 50) * 1000:.0f} ms, "
            f"p99 {percentile(acks, 99) * 1000:.0f} ms, max {max(acks) * 1000:.0f} ms"
        )
        stored = await facilitator.stored_ballots(vote_id) - stored_before
        print(
            f"ballots: sent {len(outcomes)}, acknowledged {accepted}, stored {stored}, "
            f"lost {accepted - stored}"
        )
        window = max(burst, screen.last_update - burst_start)
        print(
            f"projector during the burst: {updates} updates in {window:.2f} s, at most "
            f"{screen.most_in_a_second(burst_start)} in any one second; last count shown "
            f"{screen.last_count}"
        )
        await screen.close()
        for q in commands:
            q.put(("stop",))
    for process in workers:
        process.join(timeout=30)
    return 0 if accepted == stored == n else 1


async def _vote_stage(facilitator: Facilitator) -> tuple[int, str] | None:
    """The first stage whose step is a vote, read off the console's agenda."""
    url = f"{facilitator.base}/e/{facilitator.code}/console"
    async with facilitator.session.get(url) as response:
        text = await response.text()
    match = re.search(r'data-vote-stage="(\d+)" data-vote-id="([^"]+)"', text)
    return (int(match.group(1)), match.group(2)) if match else None
