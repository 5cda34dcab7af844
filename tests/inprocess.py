"""The app served by uvicorn in a thread of the test process, for tests that must reach the
store the server writes with (its test hooks) while real clients talk to it over sockets."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.realtime.frames import SharedFramesProtocol
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER
from tests.realtime_clients import Phone


@dataclass
class Served:
    base: str
    live: LiveEvent
    services: Any

    @property
    def console_url(self) -> str:
        return f"{self.base}/e/{self.live.code}/console?key={self.live.row.secret}"


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[Served]:
    app = create_app(settings)
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = await services.events.create(
        format_source=CARREFOUR.read_text(),
        format_name=str(CARREFOUR),
        roster=tuple(load_roster_file(DEMO_ROSTER)),
        params={},
        lang="en",
    )
    # bound and listening before the thread starts: clients queue until uvicorn accepts
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", ws=SharedFramesProtocol)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{port}", live, services)
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 60)
        sock.close()


async def joined(base: str, code: str) -> tuple[Phone, str]:
    """A phone on the event, with the CSRF token of its page (for its form posts)."""
    phone = Phone(base, code)
    page = await phone.http.get(f"/e/{code}")
    page.raise_for_status()
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    await phone.connect()
    await phone.wait_for("me")
    return phone, found.group(1)
