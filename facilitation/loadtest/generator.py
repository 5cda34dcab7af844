"""A load-generator process: its share of the phones, driven by commands from the run.

Commands come on a queue and each answer goes back on the results queue with this process's
own CPU time, so that the run can say what the generators cost (on a small machine they
compete with the server). Every wait has the run's limit; a phone that misses it is counted,
not waited for.
"""

from __future__ import annotations

import asyncio
import queue
import time
from typing import Any

import aiohttp

from facilitation.loadtest.phone import Phone, Stalled

WAVE = 100  # phones arriving together, like a room scanning a QR code


def generator(setup: dict[str, Any], commands: Any, results: Any) -> None:
    try:
        asyncio.run(_generator(setup, commands, results))
    except Stalled as error:
        results.put(("stalled", str(error), setup["number"], time.process_time()))
    except Exception as error:  # the run prints it: a generator never dies silently
        failure = f"{type(error).__name__}: {error}"
        results.put(("failed", failure, setup["number"], time.process_time()))


async def _generator(setup: dict[str, Any], commands: Any, results: Any) -> None:
    limit: float = setup["limit"]
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    phones: list[Phone] = []
    sessions: list[aiohttp.ClientSession] = []
    loop = asyncio.get_running_loop()

    def answer(kind: str, *payload: Any) -> None:
        results.put((kind, *payload, setup["number"], time.process_time()))

    try:
        for index in setup["indices"]:
            session = aiohttp.ClientSession(
                connector=connector,
                connector_owner=False,
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                auto_decompress=False,  # the bytes counted are the bytes on the wire
            )
            sessions.append(session)
            phones.append(
                Phone(index, session, setup["base"], setup["code"], setup["cookie"], limit)
            )
        joins: list[float] = []
        for start in range(0, len(phones), WAVE):
            wave = phones[start : start + WAVE]
            joins += await asyncio.gather(*(join(p) for p in wave))
        answer("connected", joins, summary(phones))
        while True:
            try:
                command = await loop.run_in_executor(None, commands.get, True, setup["idle"])
            except queue.Empty:
                raise Stalled(f"the run sent nothing for {setup['idle']:.0f} s") from None
            kind = command[0]
            if kind == "wait":
                answer("received", *await received(phones, command[1], limit))
            elif kind == "vote":
                started = time.perf_counter()
                answer("voted", await asyncio.gather(*(p.cast(started) for p in phones)))
            elif kind == "storm":
                answer("back", await storm(phones, limit))
            elif kind == "summary":
                answer("summary", summary(phones))
            else:
                answer("stopped")
                break
    finally:
        await asyncio.gather(*(p.close() for p in phones), return_exceptions=True)
        for session in sessions:
            await session.close()
        await connector.close()


async def join(phone: Phone) -> float:
    """Page, assets, socket, first step: seconds from the first request to the step shown."""
    start = time.perf_counter()
    await phone.load_page()
    await phone.open_socket()
    return time.perf_counter() - start


async def received(phones: list[Phone], revision: int, limit: float) -> tuple[list[float], int]:
    """When each phone was up to date with `revision`, and how many were not within the limit."""
    deadline = asyncio.get_running_loop().time() + limit
    times = await asyncio.gather(*(p.wait_revision(revision, deadline) for p in phones))
    got = [t for t in times if t is not None]
    return got, len(times) - len(got)


async def storm(phones: list[Phone], limit: float) -> list[float | None]:
    """Every socket drops at once and comes back at once; seconds until each shows its step
    again (None: not back within the limit)."""
    await asyncio.gather(*(p.drop() for p in phones))
    started = time.perf_counter()

    async def back(phone: Phone) -> float | None:
        try:
            await phone.open_socket()
        except (Stalled, RuntimeError, aiohttp.ClientError):
            return None
        return time.perf_counter() - started

    return list(await asyncio.gather(*(back(p) for p in phones)))


def summary(phones: list[Phone]) -> dict[str, Any]:
    """What the phones saw, for the run's figures and for the tests."""
    return {
        "first_load": [p.transfer.first_load for p in phones],
        "extensions": sorted({p.extensions for p in phones}),
        "pings": sum(p.pings for p in phones),
        "seat_fetches": sum(p.transfer.seat_fetches for p in phones),
        "agenda_fetches": sum(p.transfer.agenda_fetches for p in phones),
        "closed": sum(1 for p in phones if p.closed.is_set()),
        "errors": [e for p in phones for e in p.errors][:5],
    }
