"""Items shared by group (`visibility: group`): each table sees its own notes, live, on a real
server with real socket.io phones; the facilitator sees every table's."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FORMATS, Server
from tests.realtime_clients import Console, Phone


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "w.sqlite3", format=FORMATS / "acceleration-workshop.yaml").start()
    yield running
    running.stop()


async def table_of(phone: Phone) -> int:
    html = (await phone.http.get(f"/e/{phone.code}/seat")).text
    found = re.search(r'data-table="(\d+)"', html)
    assert found, html
    return int(found.group(1))


async def note(phone: Phone, text: str) -> None:
    ack = await phone.sio.call(
        "item", {"step": "table-notes", "fields": {"note": text}}, timeout=30
    )
    assert ack["ok"], ack


async def test_each_table_sees_only_its_own_notes(workshop: Server) -> None:
    console = await Console(workshop.base, workshop.code).login(workshop.console_url)
    phones = [await Phone(workshop.base, workshop.code).join() for _ in range(8)]
    await console.wait_for("console", lambda d: "8 connect" in d["html"])
    await console.act("next")  # the challenge (after the one-word cloud)
    await console.act("next")  # ideas
    revision = await console.act("next")  # tables: the eight phones sit at two tables of four
    for phone in phones:
        await phone.wait_for("step", lambda d: d["revision"] == revision)
    tables = await asyncio.gather(*(table_of(p) for p in phones))
    assert sorted(tables) == [1, 1, 1, 1, 2, 2, 2, 2]
    first = [p for p, t in zip(phones, tables, strict=True) if t == 1]
    second = [p for p, t in zip(phones, tables, strict=True) if t == 2]

    revision = await console.act("next")  # table-notes
    for phone in phones:
        step = await phone.wait_for("step", lambda d: d["revision"] == revision)
        assert "Votre groupe la verra" in step["html"] or "Your group will see" in step["html"]

    await note(first[0], "Une permanence au marché <b>le samedi</b>")
    for phone in first:
        shown = await phone.wait_for("items", lambda d: "permanence au marché" in d["html"])
        assert "&lt;b&gt;le samedi&lt;/b&gt;" in shown["html"]  # escaped, never markup
    await note(second[1], "Un partenariat avec la médiathèque")
    for phone in second:
        shown = await phone.wait_for("items", lambda d: "médiathèque" in d["html"])
        assert "permanence au marché" not in shown["html"]
    # every list a phone of the first table received holds its own table's notes only
    for phone in first:
        assert all("médiathèque" not in d["html"] for d in phone.events.get("items", []))

    # a reload (page load, then the socket's welcome) shows the same per-table list
    page = (await second[0].http.get(f"/e/{workshop.code}")).text
    assert "médiathèque" in page and "permanence au marché" not in page
    late = Phone(workshop.base, workshop.code)
    late.http.cookies = first[2].http.cookies
    await late.connect()
    welcome = await late.wait_for("items")
    assert "permanence au marché" in welcome["html"] and "médiathèque" not in welcome["html"]

    # the screen shows nothing of it, the facilitator sees both tables' notes
    screen = (await console.http.get(f"/e/{workshop.code}/screen")).text
    assert "médiathèque" not in screen and "permanence au marché" not in screen
    desk = (await console.http.get(f"/e/{workshop.code}/console")).text
    assert "médiathèque" in desk and "permanence au marché" in desk
    assert re.search(r"permanence au marché.*?· table 1", desk, re.S)
    for client in (console, late, *phones):
        await client.close()
