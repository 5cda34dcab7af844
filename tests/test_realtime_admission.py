"""Sockets the server must refuse or ignore: forged lifecycle events, foreign origins, floods."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from tests.conftest import Server
from tests.realtime_clients import Client, Console, Phone, RawSocket, Refused


async def connected(console: Console) -> int:
    page = (await console.http.get(f"/e/{console.code}/console")).text
    found = re.search(r'class="connected-count">(\d+)', page)
    assert found, page[:500]
    return int(found.group(1))


async def identity(base: str, code: str) -> str:
    """A participant token, as anyone gets one by opening the event's page."""
    async with httpx.AsyncClient(base_url=base) as stranger:
        (await stranger.get(f"/e/{code}")).raise_for_status()
        return next(v for k, v in stranger.cookies.items() if k.startswith("p_"))


async def test_forged_connect_and_disconnect_events_change_nothing(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    phone = await Phone(server.base, server.code).join()
    assert await connected(console) == 1
    own = await identity(server.base, server.code)
    cookie = f"p_{server.code}={own}"
    raw = await RawSocket(server.base, server.code, "participant", cookie).open()
    assert await connected(console) == 2
    query = f"code={server.code}&role=participant"
    for _ in range(5):
        token = await identity(server.base, server.code)
        forged = {"QUERY_STRING": query, "HTTP_COOKIE": f"p_{server.code}={token}"}
        ack = await raw.call("connect", forged)
        assert ack and ack["ok"] is False and ack["code"] == "unknown_message", ack
        assert ack["error"]
    assert await connected(console) == 2, "a forged connect made phantom phones"
    for reason in (None, "client disconnect"):
        ack = await raw.call("disconnect", reason)
        assert ack and ack["ok"] is False and ack["code"] == "unknown_message", ack
    # the raw socket is still known: it counts as connected and its messages are answered
    assert await connected(console) == 2, "a forged disconnect made the server forget a phone"
    assert (await raw.call("name", {"name": "Still here"}))["ok"] is True
    await raw.close()
    await phone.close()
    await console.close()


async def test_sockets_from_another_origin_are_refused(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    await console.sio.disconnect()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await console.connect(origin="http://evil.example")
    async with httpx.AsyncClient(base_url=server.base) as page:
        refused = await page.get(
            "/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"}
        )
    assert refused.status_code == 400
    assert "http://evil.example is not an accepted origin" in refused.text
    # the page's own origin, whatever host name it was reached by, and the public URL
    other_name = server.base.replace("127.0.0.1", "localhost")
    for base, origin in [
        (server.base, server.base),
        (other_name, other_name),
        (other_name, server.base),
    ]:
        screen = Client(base, server.code, "screen")
        await screen.connect(origin=origin)
        await screen.wait_for("screen")
        await screen.close()
    await console.connect(origin=server.base)
    await console.wait_for("console")
    await console.close()


async def refused(raw: RawSocket) -> dict[str, Any]:
    with pytest.raises(Refused) as refusal:
        await raw.open()
    data: dict[str, Any] = refusal.value.data
    return data


@pytest.fixture
def capped(tmp_path: Path) -> Iterator[Server]:
    flags = ("--max-sockets-per-event", "3", "--max-screens-per-event", "2")
    running = Server(tmp_path / "capped.sqlite3", extra=flags).start()
    yield running
    running.stop()


async def test_a_full_event_refuses_strangers_but_not_the_facilitator(capped: Server) -> None:
    base, code = capped.base, capped.code
    screens = [await RawSocket(base, code, "screen").open() for _ in range(2)]
    refusal = await refused(RawSocket(base, code, "screen"))
    assert refusal["data"] == {"code": "too_many_connections"} and refusal["message"], refusal
    phone = await Phone(base, code).join()
    late = Phone(base, code)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await late.join()
    # the facilitator's console, and projectors in the facilitator's browser, still get in
    console = await Console(base, code).login(capped.console_url)
    cookie = "; ".join(f"{k}={v}" for k, v in console.http.cookies.items())
    projectors = [await RawSocket(base, code, "screen", cookie).open() for _ in range(3)]
    # a stranger's socket closed frees its place (the close is handled after it returns)
    await screens.pop().close()
    for _ in range(100):
        try:
            await late.connect()
            break
        except socketio.exceptions.ConnectionError:
            continue
    await late.wait_for("me")
    for raw in screens + projectors:
        await raw.close()
    for client in (phone, late, console):
        await client.close()


async def test_one_address_cannot_take_every_place(tmp_path: Path) -> None:
    flags = ("--max-sockets-per-address", "2")
    server = Server(tmp_path / "address.sqlite3", extra=flags).start()
    try:
        base, code = server.base, server.code
        mine = [await RawSocket(base, code, "screen", source="127.0.0.2").open() for _ in "ab"]
        refusal = await refused(RawSocket(base, code, "screen", source="127.0.0.2"))
        assert refusal["data"] == {"code": "too_many_connections"}
        other = await RawSocket(base, code, "screen", source="127.0.0.3").open()
        console = await Console(base, code).login(server.console_url)
        for raw in [*mine, other]:
            await raw.close()
        await console.close()
    finally:
        server.stop()
