"""Matchmaking end to end in Chromium: wishes on phones during a pitch, the organiser's draft
and publication, agendas appearing on the phones live."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browsing import PHONE, axe_violations, shots_dir, watch_errors
from tests.conftest import Server

pytestmark = pytest.mark.browser


async def test_wishes_draft_publish_agendas(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    console = await console_ctx.new_page()
    watch_errors(console, errors)
    await console.goto(server.console_url)
    contexts, phones = [], []
    for index in range(3):
        ctx = await browser.new_context(**PHONE, locale="en-GB")  # type: ignore[arg-type]
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{server.base}/e/{server.code}")
        await page.locator("details.name-box summary").click()
        await page.locator("#name").fill(f"Guest {index}")
        await page.locator("form.name-form button").click()
        await expect(page.locator(".name-feedback")).to_have_text("✓")
        contexts.append(ctx)
        phones.append(page)

    # first pitch: two phones want to meet the project, one can help with a need
    await console.locator("body").press("ArrowRight")
    for page in phones[:2]:
        button = page.locator("form.wish-form .wish-button")
        await expect(button).to_be_visible()
        await button.click()
        await expect(button).to_have_attribute("aria-pressed", "true")
    await phones[0].screenshot(path=str(shots / "phone-wish.png"), full_page=True)
    # a push (timer start) keeps the pressed state on the phone
    await console.locator("body").press(" ")
    await expect(phones[0].locator("form.wish-form .wish-button")).to_have_attribute(
        "aria-pressed", "true"
    )

    # the organiser makes a draft and publishes it
    match = await console_ctx.new_page()
    watch_errors(match, errors)
    await match.goto(f"{server.base}/e/{server.code}/console/match")
    await match.get_by_role("button", name="Make a draft").click()
    await expect(match.locator(".match-table tbody tr")).to_have_count(2)
    await match.screenshot(path=str(shots / "console-match.png"), full_page=True)
    for page in phones[:2]:
        # during the pitches, "your meetings" waits until there are some
        await expect(page.locator("#agenda")).to_be_hidden()
    await match.get_by_role("button", name="Publish to phones").click()
    for page in phones[:2]:
        await expect(page.locator("#agenda")).to_be_visible()
        await expect(page.locator("#agenda-list .meeting-card")).to_have_count(1)
        await expect(page.locator("#agenda-list")).to_contain_text("Table")
    await expect(phones[2].locator("#agenda-list .meeting-card")).to_have_count(0)
    await phones[0].locator("#agenda").scroll_into_view_if_needed()
    await phones[0].screenshot(path=str(shots / "phone-agenda.png"), full_page=True)
    assert await axe_violations(phones[0]) == []
    assert await axe_violations(match) == []
    assert errors == []
    for ctx in (console_ctx, *contexts):
        await ctx.close()
