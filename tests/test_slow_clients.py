"""Connections that never finish their headers are closed (a real server, a short deadline)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server


@pytest.fixture
def impatient(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "slow.sqlite3", extra=("--header-timeout", "1")).start()
    yield running
    running.stop()


async def closed_after(server: Server, sent: bytes) -> float:
    """Seconds until the server closes a connection that sent only `sent`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    started = time.monotonic()
    writer.write(sent)
    await writer.drain()
    try:
        assert await asyncio.wait_for(reader.read(), 15) == b""
    finally:
        writer.close()
    return time.monotonic() - started


async def test_clients_that_never_finish_their_headers_are_let_go(impatient: Server) -> None:
    silent, partial = await asyncio.gather(
        closed_after(impatient, b""),
        closed_after(impatient, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
    )
    assert silent < 10 and partial < 10
    # a kept-alive connection gets a fresh deadline for each request, and normal ones work
    async with httpx.AsyncClient(base_url=impatient.base) as client:
        for _ in range(3):
            assert (await client.get(f"/e/{impatient.code}/screen")).status_code == 200
