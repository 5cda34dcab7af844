"""One load-test run: generators started, steps clicked, a vote burst, figures printed.

Phones are spread over `--generators` processes. The run talks to them over queues; every
answer it waits for has a limit, and a generator that stalls or fails ends the run with its
reason. Timestamps compared across processes use the shared wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import queue
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from facilitation.loadtest.console import Facilitator, ScreenWatcher
from facilitation.loadtest.generator import generator
from facilitation.loadtest.phone import Stalled
from facilitation.security import facilitator_cookie
from facilitation.storage.audit import stored_ballots

Phase = Callable[[str], None]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def spread(seconds: list[float]) -> str:
    p50, p99 = percentile(seconds, 50) * 1000, percentile(seconds, 99) * 1000
    return f"p50 {p50:.0f} ms, p99 {p99:.0f} ms"


class Generators:
    """The generator processes and the queues to and from them."""

    def __init__(self, setup: dict[str, Any], count: int, limit: float) -> None:
        context = mp.get_context("spawn")
        self.limit = limit
        self.commands = [context.Queue() for _ in range(count)]
        self.results: Any = context.Queue()
        self.cpu = [0.0] * count
        self.processes = [
            context.Process(
                target=generator,
                args=(
                    {**setup, "number": i, "indices": list(range(i, setup["phones"], count))},
                    q,
                    self.results,
                ),
                daemon=True,
            )
            for i, q in enumerate(self.commands)
        ]

    def start(self) -> None:
        for process in self.processes:
            process.start()

    def send(self, *command: Any) -> None:
        for q in self.commands:
            q.put(command)

    async def collect(self, kind: str, within: float) -> list[tuple[Any, ...]]:
        """One answer of `kind` from each generator, within `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + within
        got: list[tuple[Any, ...]] = []
        while len(got) < len(self.processes):
            left = deadline - time.monotonic()
            if left <= 0:
                raise Stalled(
                    f"{len(self.processes) - len(got)} load generator(s) gave no {kind!r} "
                    f"answer within {within:.0f} s"
                )
            try:
                item = await loop.run_in_executor(None, self.results.get, True, min(left, 2))
            except queue.Empty:
                if not all(p.is_alive() for p in self.processes):
                    raise SystemExit("facilitation: a load-generator process died") from None
                continue
            if item[0] in ("stalled", "failed"):
                raise Stalled(item[1])
            if item[0] != kind:
                raise RuntimeError(f"expected {kind}, got {item[0]}")
            got.append(item[1:-2])
            self.cpu[item[-2]] = item[-1]
        return got

    def stop(self) -> None:
        self.send("stop")
        for process in self.processes:
            if process.pid is None:
                continue  # never started: an earlier one failed to start
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def loadtest_command(args: argparse.Namespace) -> int:
    try:
        figures = asyncio.run(run(args))
    except Stalled as error:
        print(f"facilitation: the load test stopped: {error}", flush=True)
        return 2
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=1)
    return 0 if figures["healthy"] else 1


async def run(args: argparse.Namespace, on_phase: Phase | None = None) -> dict[str, Any]:
    """The whole run; prints as it goes and returns the figures."""
    phase = on_phase or (lambda name: None)
    parts = urlsplit(args.console_url)
    match = re.match(r"/e/([A-Z0-9]+)/console", parts.path)
    if not match:
        raise SystemExit(
            "facilitation: expected a console URL like http://host:8000/e/CODE/console?key=…"
        )
    base, code = f"{parts.scheme}://{parts.netloc}", match.group(1)
    key = (parse_qs(parts.query).get("key") or [""])[0]
    n, limit = args.phones, args.timeout
    figures: dict[str, Any] = {"phones": n, "generators": args.generators, "healthy": True}
    cpu_start = time.process_time()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        facilitator = Facilitator(base, code, session, limit)
        await facilitator.login(args.console_url)
        # The phones carry the facilitator's session (what the console's key was traded for):
        # thousands of phones from one machine are the organiser's own test, not a flood.
        name = facilitator_cookie(code)
        value = next((m.value for m in session.cookie_jar if m.key == name), key)
        setup = {
            "base": base,
            "code": code,
            "cookie": f"{name}={value}",
            "limit": limit,
            "phones": n,
            "idle": limit * 4 + args.hold,
        }
        pool = Generators(setup, max(1, args.generators), limit)
        await facilitator.act("jump", stage="0")
        try:
            await _phases(args, facilitator, pool, figures, phase)
        finally:
            pool.stop()
    wall = figures["connect_wall_s"] + figures.get("after_connect_s", 0.0)
    cpu = sum(pool.cpu) + time.process_time() - cpu_start
    figures["generator_cpu_s"] = cpu
    print(
        f"load generators: {cpu:.1f} s of CPU over the run ({cpu / max(wall, 1e-9):.0%} of one "
        f"core), {len(pool.processes)} process(es)"
    )
    return figures


async def _phases(
    args: argparse.Namespace,
    facilitator: Facilitator,
    pool: Generators,
    figures: dict[str, Any],
    phase: Phase,
) -> None:
    n, limit = args.phones, args.timeout
    phase("joining")
    started = time.perf_counter()
    pool.start()
    # a join is three or four requests and a socket; a wave of them waits for the one before
    joined = await pool.collect("connected", limit * (n / 100 + 4))
    figures["connect_wall_s"] = time.perf_counter() - started
    phase("joined")
    after = time.perf_counter()
    joins = [t for item in joined for t in item[0]]
    seen = _merge([item[1] for item in joined])
    print(f"phones: {n} in {len(pool.processes)} generator(s) against {facilitator.base}")
    print(
        f"connect: all {n} phones live in {figures['connect_wall_s']:.2f} s; "
        f"per phone (page, assets, socket, first step) {spread(joins)}"
    )
    loads = seen["first_load"]
    figures["first_load_bytes"] = percentile(loads, 50)
    figures["compression"] = seen["extensions"]
    print(
        f"first load: {percentile(loads, 50) / 1024:.1f} KB transferred per phone; "
        f"websocket compression: {', '.join(seen['extensions']) or 'none'}"
    )
    if args.hold:
        await _hold(args.hold, pool, figures)
    await _steps(args.steps, facilitator, pool, figures)
    await _burst(args, facilitator, pool, figures)
    if args.reconnect_storm:
        phase("storm")
        pool.send("storm")
        back = [t for item in await pool.collect("back", limit * 3) for t in item[0]]
        phase("storm_done")
        missing = sum(1 for t in back if t is None)
        returned = [t for t in back if t is not None]
        figures["storm_s"] = max(returned, default=float("nan"))
        figures["storm_missing"] = missing
        figures["healthy"] &= missing == 0
        print(
            f"reconnect storm: {len(returned)} of {n} phones back in "
            f"{figures['storm_s']:.2f} s; per phone {spread(returned)}"
        )
    pool.send("summary")
    final = _merge([item[0] for item in await pool.collect("summary", limit)])
    figures["closed"] = final["closed"]
    print(
        f"fetches after pushes: {final['seat_fetches']} of /seat, "
        f"{final['agenda_fetches']} of /agenda; sockets closed by the server: {final['closed']}"
    )
    figures["after_connect_s"] = time.perf_counter() - after


async def _hold(seconds: float, pool: Generators, figures: dict[str, Any]) -> None:
    """Phones stay connected and idle across the server's pings, which they must answer."""
    await asyncio.sleep(seconds)  # a phone in a pocket: idle time is what this phase measures
    pool.send("summary")
    seen = _merge([item[0] for item in await pool.collect("summary", pool.limit)])
    figures["pings"], figures["dropped"] = seen["pings"], seen["closed"]
    figures["healthy"] &= seen["closed"] == 0
    print(
        f"held {seconds:.0f} s: {seen['pings']} engine.io pings answered, "
        f"{seen['closed']} phones dropped by the server"
    )


async def _steps(
    steps: int, facilitator: Facilitator, pool: Generators, figures: dict[str, Any]
) -> None:
    per_phone: list[float] = []
    slowest: list[float] = []
    last = -1
    taken = 0
    for _ in range(steps):
        clicked = time.time()
        revision = await facilitator.act("next", check=False)
        if revision == last:
            break  # the last step: nothing more to click through
        last = revision
        taken += 1
        pool.send("wait", revision)
        answers = await pool.collect("received", pool.limit * 2)
        latencies = [t - clicked for item in answers for t in item[0]]
        missing = sum(item[1] for item in answers)
        if missing:
            raise Stalled(f"{missing} phones never showed step {revision}")
        per_phone += latencies
        slowest.append(max(latencies))
    figures["fanout_p50_s"] = percentile(per_phone, 50)
    figures["fanout_p99_s"] = percentile(per_phone, 99)
    print(
        f"step fan-out over {taken} steps (click -> phone up to date), per phone: "
        f"{spread(per_phone)}; last phone of each step {spread(slowest)}"
    )


async def _burst(
    args: argparse.Namespace, facilitator: Facilitator, pool: Generators, figures: dict[str, Any]
) -> None:
    found = await facilitator.vote_stage()
    if found is None:
        print("votes: this event has no vote step; no vote figures")
        return
    n = args.phones
    stage, vote_id = found
    await facilitator.act("jump", stage=str(stage))
    # A second run on the same event finds its vote closed: reopen it (a logged action).
    await facilitator.act("vote_reopen", check=False)
    revision = await facilitator.act("vote_open", check=False)
    before = stored_ballots(args.db, facilitator.code, vote_id) if args.db else 0
    pool.send("wait", revision)
    await pool.collect("received", pool.limit * 2)
    screen = await ScreenWatcher.open(
        facilitator.session, facilitator.base, facilitator.code, pool.limit
    )
    started = time.perf_counter()
    pool.send("vote")
    outcomes = [o for item in await pool.collect("voted", pool.limit * 2) for o in item[0]]
    acks = [seconds for seconds, ok in outcomes if seconds is not None]
    accepted = sum(1 for _, ok in outcomes if ok)
    await screen.wait_for_count(accepted + before, within=min(10.0, pool.limit))
    updates = screen.updates_since(started)
    window = max(max(acks, default=0.0), screen.last_update - started)
    await screen.close()
    figures["ack_p50_s"], figures["ack_p99_s"] = percentile(acks, 50), percentile(acks, 99)
    figures["votes_per_s"] = accepted / max(max(acks, default=0.0), 1e-9)
    print(
        f"vote ack (from the start of the burst): {spread(acks)}; "
        f"{figures['votes_per_s']:.0f} ballots acknowledged per second"
    )
    unacknowledged = ""
    if args.db:
        stored: int | str = stored_ballots(args.db, facilitator.code, vote_id) - before
        # one ballot a phone: more stored than acknowledged are acks that never arrived
        # (their socket closed first), not ballots lost
        lost: int | str = max(0, accepted - int(stored))
        figures["lost"] = lost
        figures["unacknowledged"] = max(0, int(stored) - accepted)
        figures["healthy"] &= lost == 0
        if figures["unacknowledged"]:
            unacknowledged = f" ({figures['unacknowledged']} stored whose ack never arrived)"
    else:
        stored = lost = "not read (give --db)"
    figures["healthy"] &= accepted == n
    print(
        f"ballots: sent {n}, acknowledged {accepted}, stored {stored}{unacknowledged}, lost {lost}"
    )
    figures["projector_per_s"] = updates / max(window, 1e-9)
    print(
        f"projector: {updates} updates in {window:.2f} s ({figures['projector_per_s']:.1f} per s, "
        f"at most {screen.most_in_a_second(started)} in any one second); "
        f"last count shown {screen.last_count}"
    )


def _merge(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for item in summaries:
        for key, value in item.items():
            if isinstance(value, list):
                merged[key] = (
                    sorted(set(merged.get(key, [])) | set(value))
                    if key
                    in (
                        "extensions",
                        "errors",
                    )
                    else merged.get(key, []) + value
                )
            else:
                merged[key] = merged.get(key, 0) + value
    return merged
