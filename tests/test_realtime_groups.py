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


@pytest.fixture
def crowd_sourcing(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "c.sqlite3", format=FORMATS / "crowd-sourcing-25-10.yaml").start()
    yield running
    running.stop()


async def test_the_shipped_25_10_gives_every_phone_a_card_every_round(
    crowd_sourcing: Server,
) -> None:
    """Regression (issue 12, point 1): one phone wrote a card and left, six wrote cards, and
    all six read "No card for you this round" in all five rounds, the console silent. Planned
    as a whole, the rounds give each of the six a card every round, never their own."""
    console = await Console(crowd_sourcing.base, crowd_sourcing.code).login(
        crowd_sourcing.console_url
    )
    gone = await Phone(crowd_sourcing.base, crowd_sourcing.code).join()
    phones = [await Phone(crowd_sourcing.base, crowd_sourcing.code).join() for _ in range(6)]
    for index, phone in enumerate([gone, *phones]):
        ack = await phone.sio.call(
            "item",
            {"step": "write", "fields": {"idea": f"Idée {index}", "first_step": "Demain"}},
            timeout=30,
        )
        assert ack["ok"], ack
    await gone.close()
    await console.wait_for("console", lambda d: "6 connect" in d["html"])
    seen: dict[int, set[str]] = {i: set() for i in range(6)}
    for round_ in range(1, 6):
        revision = await console.act("next")
        for phone in phones:
            await phone.wait_for("step", lambda d, r=revision: d["revision"] == r)
        for index, phone in enumerate(phones):
            html = (await phone.http.get(f"/e/{crowd_sourcing.code}/seat")).text
            text = re.search(r'<blockquote class="card-text">([^<]+)<', html)
            assert text, f"round {round_}: phone {index} has no card\n{html}"
            assert f"Idée {index + 1}" not in text.group(1), "a phone got its own card"
            assert text.group(1) not in seen[index], "a phone got a card twice"
            seen[index].add(text.group(1))
        state = (await console.http.get(f"/e/{crowd_sourcing.code}/console")).text
        assert "cannot each go to" not in state
    await console.close()
    for phone in phones:
        await phone.close()
