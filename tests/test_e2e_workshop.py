"""1-2-4-All in real Chromium with six phone-sized pages: alone, pairs, fours, all."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browsing import PHONE, axe_violations, shots_dir, watch_errors
from tests.conftest import FORMATS, Server

pytestmark = pytest.mark.browser


@pytest.fixture
def one_two_four(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "124.sqlite3", format=FORMATS / "one-two-four-all.yaml").start()
    yield running
    running.stop()


async def table_of(page) -> int:  # type: ignore[no-untyped-def]
    text = await page.locator("#seat .seat-title").inner_text()
    found = re.search(r"(\d+)", text)
    assert found, text
    return int(found.group(1))


async def test_one_two_four_all_with_six_phones(
    one_two_four: Server, browser: Browser, tmp_path: Path
) -> None:
    server = one_two_four
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    console = await console_ctx.new_page()
    watch_errors(console, errors)
    await console.goto(server.console_url)
    screen_ctx = await browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    screen = await screen_ctx.new_page()
    watch_errors(screen, errors)
    await screen.goto(f"{server.base}/e/{server.code}/screen")
    contexts, phones = [], []
    for index in range(6):
        ctx = await browser.new_context(**PHONE, locale="en-GB")  # type: ignore[arg-type]
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{server.base}/e/{server.code}")
        await page.locator("details.name-box summary").click()
        await page.locator("#name").fill(f"Person {index}")
        await page.locator("form.name-form button").click()
        await expect(page.locator(".name-feedback")).to_have_text("✓")
        contexts.append(ctx)
        phones.append(page)
    await expect(console.locator(".connected-count")).to_contain_text("6")

    # Alone: each writes an idea, kept to themselves
    await console.locator("body").press("ArrowRight")
    for index, page in enumerate(phones):
        await expect(page.locator("form.item-form")).to_be_visible()
        await page.locator("form.item-form textarea").fill(f"Idea from person {index}")
        await page.locator("form.item-form button[type=submit]").click()
        await expect(page.locator(".own-items-list li")).to_have_count(1)
    await expect(phones[0].locator(".own-items-list li")).to_have_text("Idea from person 0")

    # Pairs: three tables of two, each phone sees its table and who is with them
    await console.locator("body").press("ArrowRight")
    tables = []
    for page in phones:
        await expect(page.locator("#seat .seat-title")).to_contain_text("Your table")
        tables.append(await table_of(page))
    assert sorted(Counter(tables).values()) == [2, 2, 2]
    first = tables[0]
    partner = next(i for i, t in enumerate(tables) if t == first and i != 0)
    await expect(phones[0].locator("#seat .seat-with")).to_contain_text(f"Person {partner}")
    assert await axe_violations(phones[0]) == []
    await phones[0].screenshot(path=str(shots / "phone-pairs.png"), full_page=True)
    await expect(screen.locator(".table-card")).to_have_count(3)
    await screen.screenshot(path=str(shots / "screen-pairs.png"))

    # Fours: pairs merge and stay together
    await console.locator("body").press("ArrowRight")
    fours = []
    for page in phones:
        await expect(page.locator("#seat .seat-with")).to_be_visible()
        await expect(page.locator(".step-title")).to_contain_text("fours")
        fours.append(await table_of(page))
    for a in range(6):
        for b in range(6):
            if tables[a] == tables[b]:
                assert fours[a] == fours[b], "a pair was split when merging"
    await console.screenshot(path=str(shots / "console-fours.png"), full_page=True)

    # One idea per group, shared with everyone; the screen shows them
    await console.locator("body").press("ArrowRight")
    for index in {fours.index(t) for t in set(fours)}:
        page = phones[index]
        await page.locator("form.item-form input[name=idea]").fill(f"Group idea {index}")
        await page.locator("form.item-form button[type=submit]").click()
        await expect(page.locator(".item-feedback")).not_to_be_empty()
    await expect(screen.locator(".item-card")).to_have_count(len(set(fours)))
    await expect(phones[5].locator(".item-card")).to_have_count(len(set(fours)))
    await screen.screenshot(path=str(shots / "screen-shared.png"))
    assert errors == []
    for ctx in (console_ctx, screen_ctx, *contexts):
        await ctx.close()


@pytest.fixture
def acceleration(tmp_path: Path) -> Iterator[Server]:
    running = Server(
        tmp_path / "acc.sqlite3", format=FORMATS / "acceleration-workshop.yaml"
    ).start()
    yield running
    running.stop()


async def test_table_notes_are_seen_by_the_table_only(
    acceleration: Server, browser: Browser, tmp_path: Path
) -> None:
    """Two phone pages in Chromium among eight people at two tables: each page shows its own
    table's notes, live, and sends its own through the page's form."""
    from tests.realtime_clients import Console, Phone

    server = acceleration
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    pages = []
    for _ in range(2):
        ctx = await browser.new_context(**PHONE, locale="en-GB")  # type: ignore[arg-type]
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{server.base}/e/{server.code}")
        pages.append(page)
    sockets = [await Phone(server.base, server.code).join() for _ in range(6)]
    console = await Console(server.base, server.code).login(server.console_url)
    await console.wait_for("console", lambda d: "8 connect" in d["html"])
    await console.act("next")  # the challenge (after the one-word cloud)
    await console.act("next")  # ideas
    await console.act("next")  # tables: two tables of four
    tables = []
    for page in pages:
        await expect(page.locator("#seat .seat-title")).to_be_visible()
        tables.append(await table_of(page))
    socket_tables = []
    for phone in sockets:
        html = (await phone.http.get(f"/e/{server.code}/seat")).text
        found = re.search(r'data-table="(\d+)"', html)
        assert found
        socket_tables.append(int(found.group(1)))
    await console.act("next")  # table-notes
    page = pages[0]
    mine = tables[0]
    same = next(p for p, t in zip(sockets, socket_tables, strict=True) if t == mine)
    other = next(p for p, t in zip(sockets, socket_tables, strict=True) if t != mine)
    await expect(page.locator("form.item-form[data-step=table-notes]")).to_be_visible()
    for phone, text in ((other, "A note from the other table"), (same, "A note from my table")):
        ack = await phone.sio.call(
            "item", {"step": "table-notes", "fields": {"note": text}}, timeout=30
        )
        assert ack["ok"], ack
    wall = page.locator("#items-table-notes .item-card")
    await expect(wall).to_have_count(1)
    await expect(wall).to_have_text("A note from my table")
    await page.locator("#item-table-notes-note").fill("Ask the town hall for a stand")
    await page.locator("form.item-form button[type=submit]").click()
    await expect(wall).to_have_count(2)
    await expect(page.locator("#items-table-notes h2")).to_contain_text(f"Your table ({mine})")
    if tables[1] != mine:
        await expect(pages[1].locator("#items-table-notes .item-card")).to_have_count(1)
        await expect(pages[1].locator("#items-table-notes")).to_contain_text("other table")
    else:
        await expect(pages[1].locator("#items-table-notes .item-card")).to_have_count(2)
    await page.screenshot(path=str(shots / "phone-table-notes.png"), full_page=True)
    assert await axe_violations(page) == []
    assert errors == []
    for client in (console, *sockets):
        await client.close()
