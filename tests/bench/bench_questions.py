"""Audience questions under load: N phones on one pitch, each upvoting 5 questions and sending
2 reactions a second for D seconds, against a real `facilitation serve` on a fresh database.

Run: python tests/bench/bench_questions.py [--phones 2000] [--seconds 30] [--generators 2]

Each simulated phone behaves as the page in Chromium does: it loads the page, its CSS and its
scripts, opens a compressed websocket (permessage-deflate, as Chromium negotiates), answers
every ping and reads every message. Phones are spread over --generators processes. Prints:
upvote ack p50/p99, reaction ack p50/p99, projector updates per second, messages per phone
per second, and upvotes and reactions acknowledged / stored (read from the database after
the server stopped) / lost. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
# BENCH_COMPRESS=0 turns permessage-deflate off, to compare with what Chromium negotiates.
COMPRESS = int(os.environ.get("BENCH_COMPRESS", "15"))
VERBOSE = bool(os.environ.get("BENCH_SERVER_LOG"))  # every line the server prints
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Wire:
    """One socket.io connection spoken by hand: acks by id, pings answered, all read."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next = 0
        self.received: dict[str, int] = {}
        self.first = asyncio.Event()

    async def listen(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data: str = message.data
            if data == "2":
                await self.ws.send_str("3")
            elif data.startswith("42"):
                event = json.loads(data[2:])[0]
                self.received[event] = self.received.get(event, 0) + 1
                self.first.set()
            elif data.startswith("43"):
                found = re.match(r"43(\d+)(.*)", data, re.S)
                if found:
                    future = self.acks.pop(int(found.group(1)), None)
                    if future is not None and not future.done():
                        future.set_result(json.loads(found.group(2))[0])

    async def call(self, event: str, data: Any) -> tuple[float, dict[str, Any]]:
        self.next += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[self.next] = future
        start = time.perf_counter()
        await self.ws.send_str(f"42{self.next}" + json.dumps([event, data]))
        try:
            ack = await asyncio.wait_for(future, 60)
        except TimeoutError:
            print("no ack:", event, self.ws.closed, self.ws.close_code, self.received, flush=True)
            raise
        return time.perf_counter() - start, ack


async def open_phone(session: aiohttp.ClientSession, base: str, code: str, role: str) -> Wire:
    path = f"/e/{code}" if role == "participant" else f"/e/{code}/screen"
    async with session.get(base + path) as page:
        html = await page.text()
    for asset in ASSET.findall(html):  # a first visit loads the stylesheets and scripts
        async with session.get(base + asset) as response:
            await response.read()
    url = base.replace("http", "ws", 1) + (
        f"/socket.io/?EIO=4&transport=websocket&code={code}&role={role}"
    )
    # autoping: a browser answers the server's websocket pings (uvicorn's keepalive) itself
    ws = await session.ws_connect(url, compress=COMPRESS, max_msg_size=0, autoping=True)
    await ws.receive_str()
    await ws.send_str("40")
    wire = Wire(ws)
    asyncio.get_running_loop().create_task(wire.listen())
    await asyncio.wait_for(wire.first.wait(), 120)
    return wire


def generator(base: str, code: str, phones: int, seconds: float, seed: int, barrier: Any,
              questions: Any, out: Any) -> None:  # fmt: skip
    out.put(asyncio.run(_generator(base, code, phones, seconds, seed, barrier, questions)))


async def _generator(base: str, code: str, phones: int, seconds: float, seed: int,
                     barrier: Any, questions: Any) -> dict[str, Any]:  # fmt: skip
    rng = random.Random(seed)
    connector = aiohttp.TCPConnector(limit=0)
    # unsafe: the cookie jar keeps cookies of an IP address (127.0.0.1), as browsers do
    sessions = [aiohttp.ClientSession(connector=connector, connector_owner=False,
                                      cookie_jar=aiohttp.CookieJar(unsafe=True))
                for _ in range(phones)]  # fmt: skip
    joining = asyncio.Semaphore(40)  # a room scans the QR code over a minute, not in one instant

    async def join(session: aiohttp.ClientSession) -> Wire:
        async with joining:
            return await open_phone(session, base, code, "participant")

    wires = await asyncio.gather(*(join(s) for s in sessions))
    await asyncio.to_thread(barrier.wait)  # every generator's phones are in
    ids: list[int] = await asyncio.to_thread(questions.get)
    questions.put(ids)  # for the next generator
    upvotes: list[float] = []
    reactions: list[float] = []
    acked_upvotes: set[tuple[int, int]] = set()
    acked_reactions = refused = 0
    start = time.perf_counter()
    before = [sum(w.received.values()) for w in wires]

    async def phone(index: int, wire: Wire) -> None:
        nonlocal acked_reactions, refused
        chosen = rng.sample(ids, min(5, len(ids)))
        votes_at = sorted(rng.uniform(0, seconds) for _ in chosen)
        ticks = [i / 2 + rng.uniform(0, 0.5) for i in range(int(seconds * 2))]
        plan = sorted([(t, "up", q) for t, q in zip(votes_at, chosen, strict=True)]
                      + [(t, "react", 0) for t in ticks])  # fmt: skip
        for at, what, question in plan:
            delay = start + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # the phone's own pace, not a wait for an event
            if what == "up":
                took, ack = await wire.call("upvote", {"question": question})
                upvotes.append(took)
                if ack.get("ok"):
                    acked_upvotes.add((question, index))
            else:
                took, ack = await wire.call("react", {"kind": rng.choice(["applause", "heart"])})
                reactions.append(took)
                acked_reactions += bool(ack.get("ok"))
                refused += not ack.get("ok")

    await asyncio.gather(*(phone(i, w) for i, w in enumerate(wires)))
    elapsed = time.perf_counter() - start
    received = [sum(w.received.values()) - b for w, b in zip(wires, before, strict=True)]
    for s in sessions:
        await s.close()
    await connector.close()
    return {
        "upvotes": upvotes,
        "reactions": reactions,
        "acked_upvotes": len(acked_upvotes),
        "acked_reactions": acked_reactions,
        "refused_reactions": refused,
        "per_phone_per_s": statistics.mean(received) / elapsed if received else 0.0,
    }


async def console_next(base: str, code: str, key: str, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{base}/e/{code}/console?key={key}") as response:
        html = await response.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert csrf
    async with session.post(
        f"{base}/e/{code}/console/act", data={"csrf": csrf.group(1), "action": "next"}
    ) as response:
        await response.read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-questions-"))
    db, port = folder / "bench.sqlite3", free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "facilitation", "serve", str(ROOT / "formats/carrefour-des-possibles.yaml"),
         "--db", str(db), "--port", str(port), "--host", "127.0.0.1", "--public-url", base,
         "--new-phones-per-minute", "0",
         # every simulated phone comes from 127.0.0.1, where a room's phones have an address each
         "--max-sockets-per-address", "0", "--max-sockets-per-event", "0",
         "--max-connections", str(args.phones + 100)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    console_url = ""
    for line in server.stdout:
        found = re.search(r"(http://\S+/console\?key=\S+)", line)
        if found:
            console_url = found.group(1)
        if "Uvicorn running" in line or (console_url and "Organiser" in line):
            break
    threading.Thread(
        target=lambda: [
            print("server:", out, end="")
            for out in server.stdout
            if "Error" in out or "WARNING" in out or "ERROR" in out or VERBOSE
        ],
        daemon=True,
    ).start()  # type: ignore[union-attr]
    deadline = time.monotonic() + 60
    while True:  # listening once a connection is accepted
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
    code = re.search(r"/e/([A-Z0-9]+)/console", console_url).group(1)  # type: ignore[union-attr]
    key = console_url.split("key=")[1]
    asyncio.run(run(args, base, code, key, server.pid, db))
    server.send_signal(signal.SIGINT)  # a clean stop writes the reactions counted last
    server.wait(60)
    stored = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    upvotes = stored.execute("SELECT count(*) FROM question_upvotes").fetchone()[0]
    reactions = stored.execute("SELECT coalesce(sum(count), 0) FROM reactions").fetchone()[0]
    results = RESULTS
    acked_up = sum(r["acked_upvotes"] for r in results)
    acked_re = sum(r["acked_reactions"] for r in results)
    print(f"upvotes   acknowledged {acked_up}  stored {upvotes}  lost {max(0, acked_up - upvotes)}")
    print(f"reactions acknowledged {acked_re}  stored {reactions}  lost {max(0, acked_re - reactions)}"
          f"  refused (rate limit) {sum(r['refused_reactions'] for r in results)}")  # fmt: skip


RESULTS: list[dict[str, Any]] = []


async def run(args: argparse.Namespace, base: str, code: str, key: str, pid: int, db: Path) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        await console_next(base, code, key, session)  # the first pitch takes questions
        screen = await open_phone(session, base, code, "screen")
        barrier = mp.Barrier(args.generators + 1)
        questions: Any = mp.Queue()
        out: Any = mp.Queue()
        share = [args.phones // args.generators + (i < args.phones % args.generators)
                 for i in range(args.generators)]  # fmt: skip
        procs = [mp.Process(target=generator, args=(base, code, n, args.seconds, i, barrier, questions, out))
                 for i, n in enumerate(share)]  # fmt: skip
        joined = time.perf_counter()
        for p in procs:
            p.start()
        await asyncio.to_thread(barrier.wait)
        print(f"{args.phones} phones joined in {time.perf_counter() - joined:.1f} s")
        asker = await open_phone(session, base, code, "participant")
        ids = []
        for i in range(args.questions):
            _, ack = await asker.call("ask", {"text": f"Question {i} about the project?"})
            ids.append(ack["question"]["id"])
        screen_before = screen.received.get("screen", 0)
        started = time.perf_counter()
        questions.put(ids)
        for _ in procs:
            RESULTS.append(await asyncio.to_thread(out.get))
        elapsed = time.perf_counter() - started
        for p in procs:
            p.join()
        ups = [t for r in RESULTS for t in r["upvotes"]]
        reacts = [t for r in RESULTS for t in r["reactions"]]
        screens = screen.received.get("screen", 0) - screen_before
        print(
            f"upvote ack   p50 {pct(ups, 50) * 1000:.0f} ms  p99 {pct(ups, 99) * 1000:.0f} ms  ({len(ups)} upvotes)"
        )
        print(
            f"reaction ack p50 {pct(reacts, 50) * 1000:.0f} ms  p99 {pct(reacts, 99) * 1000:.0f} ms  ({len(reacts)} reactions)"
        )
        print(f"projector updates {screens / elapsed:.1f}/s (step pushes), reaction messages "
              f"{screen.received.get('reactions', 0) / elapsed:.1f}/s")  # fmt: skip
        print(
            f"messages per phone per second {statistics.mean(r['per_phone_per_s'] for r in RESULTS):.2f}"
        )


if __name__ == "__main__":
    main()
