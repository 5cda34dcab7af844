"""The projector in front of the room, in real Chromium at 720p, 1080p and 4:3: the timer is
always on screen, a wall of 24 ideas and results with 10 options stay readable, the reveal
counts down place by place with a tie said in words; the console keeps its current step in
view. axe-core checks WCAG 2.2 AA on every screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browsing import axe_violations, shots_dir, watch_errors
from tests.conftest import Server
from tests.realtime_clients import Console, Phone

pytestmark = pytest.mark.browser

ROOM = """
format: 1
id: room-test
version: 1.0.0
lang: en
title: Room test evening
steps:
  - kind: pitch
    id: pitches
    pitch_minutes: 1
    qa_minutes: 0
    feedback: {}
  - id: ideas
    kind: input
    title: Ideas
    prompt: What would you change first in the neighbourhood?
    fields:
      - {id: idea, label: Idea, max_length: 100}
    per_person: 3
    visibility: all
    minutes: 5
  - id: pick
    kind: vote
    title: Audience vote
    question: Which project should the foundation back?
    method: single
    options: projects
    minutes: 2
  - {id: podium, kind: reveal, vote: pick, order: countdown, title: And the winner is}
  - id: meetings
    kind: match
    slots: 3
    slot_minutes: 10
    title: Meetings
"""
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080), "4x3": (1024, 768)}
MIN_RESULT_PX = {"720p": 18, "1080p": 24, "4x3": 16}


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Server]:
    path = tmp_path / "room.yaml"
    path.write_text(ROOM, encoding="utf-8")
    running = Server(tmp_path / "room.sqlite3", format=path).start()
    yield running
    running.stop()


async def inside_viewport(page: Page, selector: str) -> None:
    # measured in one evaluation: a live update may replace the element between two calls
    box = await page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
    )
    size = page.viewport_size
    assert box is not None and size is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box, size)


async def smallest_font(page: Page, selector: str) -> float:
    sizes: list[float] = await page.locator(selector).evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes, selector
    return min(sizes)


async def no_page_scroll(page: Page) -> None:
    overflow = await page.evaluate(
        "() => [document.documentElement.scrollWidth - innerWidth,"
        " document.documentElement.scrollHeight - innerHeight]"
    )
    assert overflow[0] <= 1 and overflow[1] <= 1, overflow


async def test_the_projector_fills_any_screen_and_the_reveal_counts_down(
    room: Server, browser: Browser, tmp_path: Path
) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    screens: dict[str, Page] = {}
    for name, (width, height) in SIZES.items():
        ctx = await browser.new_context(viewport={"width": width, "height": height})
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{room.base}/e/{room.code}/screen")
        screens[name] = page
    console_ctx = await browser.new_context(viewport={"width": 1366, "height": 768})
    console_page = await console_ctx.new_page()
    watch_errors(console_page, errors)
    await console_page.goto(room.console_url)
    phones = [await Phone(room.base, room.code).join() for _ in range(12)]
    console = await Console(room.base, room.code).login(room.console_url)

    async def each_screen(step: str, timer: bool = True) -> None:
        for name, page in screens.items():
            await expect(page.locator("#stage")).to_be_visible()
            if timer:
                await inside_viewport(page, ".screen [data-timer]")
            await inside_viewport(page, ".join-code")
            await no_page_scroll(page)
            await page.screenshot(path=str(shots / f"screen-{step}-{name}.png"))
        assert await axe_violations(screens["1080p"]) == []

    # pitch: the title and the timer, big, with the join panel
    await console.act("next")
    await console.act("timer_toggle")
    for page in screens.values():
        await expect(page.locator(".screen-kicker").first).to_contain_text("Pitch")
    await each_screen("pitch")
    await expect(console_page.locator(".pitch-counts")).to_contain_text("0 people gave feedback")
    await expect(console_page.locator(".next-up")).to_contain_text("Next up:")
    await console_page.screenshot(path=str(shots / "console-pitch.png"))

    # 24 ideas on the wall: the timer stays on screen
    await console.act("jump", stage="10")  # after the ten demo projects' pitches
    for index, phone in enumerate(phones[:8]):
        for n in range(3):
            text = f"Idea {index * 3 + n + 1}: a longer sentence so that cards wrap on two lines"
            ack = await phone.sio.call(
                "item", {"step": "ideas", "fields": {"idea": text}}, timeout=30
            )
            assert ack["ok"], ack
    for page in screens.values():
        await expect(page.locator(".item-card")).to_have_count(24)
    await each_screen("ideas")
    for page in screens.values():  # every card whole, above the timer (not clipped)
        card = await page.locator(".item-card:last-child").bounding_box()
        body = await page.locator(".screen-body").bounding_box()
        assert card and body and card["y"] + card["height"] <= body["y"] + body["height"] + 0.5

    # the vote: every project gets votes, two tie for first (2 each), eight for third
    await console.act("next")
    await console.act("timer_toggle")
    lineup = [p["id"] for p in (await console.results())["votes"][0]["options"]]
    ballots = [lineup[0], lineup[1], lineup[0], lineup[1], *lineup[2:]]
    for phone, choice in zip(phones, ballots, strict=True):
        ack = await phone.vote("pick", {"choice": choice})
        assert ack["ok"], ack
    await each_screen("vote")

    # the reveal: one place per click, from the last; the tie is said in words
    await console.act("next")
    await console_page.reload()
    button = console_page.get_by_role("button", name="Next place: reveal place")
    await expect(button).to_contain_text("reveal place 3")
    await button.click()
    for page in screens.values():
        await expect(page.locator(".result")).to_have_count(len(lineup) - 2)
    await each_screen("reveal-countdown", timer=False)
    await expect(button).to_contain_text("reveal place 1")
    await button.click()
    for name, page in screens.items():
        await expect(page.locator(".result")).to_have_count(len(lineup))
        await expect(page.locator(".result.winner")).to_have_count(2)
        await expect(page.locator(".result.winner").first).to_contain_text("(tied)")
        await expect(page.locator(".screen-tie")).to_contain_text("Tied for first place")
        await inside_viewport(page, ".results .result:last-child")
        row = await page.locator(".results .result:last-child").bounding_box()
        body = await page.locator(".screen-body").bounding_box()
        assert row and body and row["y"] + row["height"] <= body["y"] + body["height"] + 0.5
        assert await smallest_font(page, ".results .result-label") >= MIN_RESULT_PX[name]
    await each_screen("reveal-winners", timer=False)
    await console_page.screenshot(path=str(shots / "console-reveal.png"))

    # meetings: the current slot and its clock, from when the facilitator starts the step
    await console.act("next")
    await console.act("timer_toggle")
    for page in screens.values():
        await expect(page.locator(".slot-clock .slot-name")).to_have_text("Slot 1 of 3")
    await each_screen("meetings", timer=False)
    for page in screens.values():
        await inside_viewport(page, ".slot-clock")

    # the console: the current step stays in view, the skip link leads to the controls
    await console_page.reload()
    await inside_viewport(console_page, ".agenda li.current")
    await console_page.keyboard.press("Tab")
    skip = console_page.get_by_role("link", name="Skip to the controls")
    await expect(skip).to_be_focused()
    await console_page.keyboard.press("Enter")
    await console_page.keyboard.press("Tab")
    await expect(
        console_page.locator("[data-shortcut=back], [data-shortcut=next]").first
    ).to_be_focused()
    assert await axe_violations(console_page) == []
    await console_page.screenshot(path=str(shots / "console-meetings.png"))
    assert errors == []
    for client in (console, *phones):
        await client.close()
