"""End to end in real headless Chromium: a facilitator, a projector and three phones go through
the first pitch and the vote and all see the same result; axe-core checks WCAG 2.2 AA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browsing import PHONE, axe_violations, shots_dir, watch_errors
from tests.conftest import Server

pytestmark = pytest.mark.browser


async def test_pitch_evening_end_to_end(server: Server, browser: Browser, tmp_path: Path) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    requests: list[str] = []
    console_ctx = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    screen_ctx = await browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    phone_ctxs = [
        await browser.new_context(**PHONE, locale=locale)  # type: ignore[arg-type]
        for locale in ("fr-FR", "fr-FR", "en-GB")
    ]
    for ctx in (console_ctx, screen_ctx, *phone_ctxs):
        ctx.on("request", lambda request: requests.append(request.url))

    console = await console_ctx.new_page()
    watch_errors(console, errors)
    await console.goto(server.console_url)
    await expect(console.locator("#console-state")).to_be_visible()
    screen = await screen_ctx.new_page()
    watch_errors(screen, errors)
    await screen.goto(f"{server.base}/e/{server.code}/screen")
    await expect(screen.locator(".join-code")).to_have_text(server.code)
    phones = []
    for ctx in phone_ctxs:
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{server.base}/e/{server.code}")
        await expect(page.locator("#conn")).not_to_have_class("conn offline")
        phones.append(page)

    # Accessibility of the three audiences on their first screen.
    for page in (phones[0], phones[2], console, screen):
        assert await axe_violations(page) == []
    await phones[0].screenshot(path=str(shots / "phone-welcome.png"), full_page=True)
    await screen.screenshot(path=str(shots / "screen-welcome.png"))

    # → starts the first pitch: phones and projector show the first project, live.
    await console.locator("body").press("ArrowRight")
    first = console.locator(".agenda li.current .agenda-label")
    await expect(first).to_contain_text("pitch")
    title = (await console.locator("#current-title").inner_text()).split(" · ")[0]
    for page in (*phones, screen):
        await expect(page.locator(".step-title, .screen-title").first).to_have_text(title)
    await expect(phones[0].locator("#announce")).to_contain_text(title)
    # space starts the timer on the server; the projector's clock runs
    await console.locator("body").press(" ")
    await expect(screen.locator("[data-timer]")).to_have_attribute("data-running", "true")
    await console.screenshot(path=str(shots / "console-pitch.png"), full_page=True)
    await screen.screenshot(path=str(shots / "screen-pitch.png"))
    await phones[2].screenshot(path=str(shots / "phone-pitch-en.png"), full_page=True)

    # Jump to the vote from the agenda.
    await console.locator("li[data-vote-stage] button").click()
    for page in phones:
        await expect(page.locator("form.vote-form")).to_be_visible()
    labels = phones[0].locator("label.choice")
    assert await labels.count() == 10
    assert await axe_violations(phones[0]) == []
    await phones[0].screenshot(path=str(shots / "phone-vote.png"), full_page=True)
    choices = [0, 0, 1]
    for page, index in zip(phones, choices, strict=True):
        await page.locator("label.choice").nth(index).click()
        await page.locator("form.vote-form button[type=submit]").click()
    await expect(phones[0].locator(".vote-feedback")).to_contain_text("enregistré")
    await expect(phones[2].locator(".vote-feedback")).to_contain_text("recorded")
    # a participant changes their mind, then reloads: the new choice is still theirs
    await phones[1].locator("label.choice").nth(1).click()
    await phones[1].locator("form.vote-form button[type=submit]").click()
    await expect(phones[1].locator(".vote-feedback")).to_contain_text("enregistré")
    await phones[1].reload()
    await expect(phones[1].locator("label.choice").nth(1).locator("input")).to_be_checked()
    await expect(screen.locator(".screen-progress")).to_contain_text("3 voix")
    assert await screen.locator(".results").count() == 0, "results shown before the reveal"
    await screen.screenshot(path=str(shots / "screen-vote.png"))
    await console.screenshot(path=str(shots / "console-vote.png"), full_page=True)

    # Reveal, from the reveal step that follows the vote (the vote's own step keeps the
    # results for it): the projector, the console and the phones all show the same result.
    await expect(console.locator(".revealed-later")).to_be_visible()
    await console.locator("body").press("ArrowRight")
    await expect(console.locator("#current-title")).to_contain_text("coup de cœur")
    await console.get_by_role("button", name="Dévoiler les résultats").click()
    await expect(screen.locator(".results")).to_be_visible()
    expected = await screen.locator(".result").evaluate_all(
        "items => items.map(li => [li.querySelector('.result-label').textContent,"
        " li.querySelector('.result-value').textContent.match(/\\d+/)[0]])"
    )
    assert expected[0][1] == "2" and expected[1][1] == "1"
    for page in (console, phones[0], phones[1]):
        await expect(page.locator(".result").first).to_be_visible()
        seen = await page.locator(".result").evaluate_all(
            "items => items.map(li => [li.querySelector('.result-label').textContent,"
            " li.querySelector('.result-value').textContent.match(/\\d+/)[0]])"
        )
        assert seen == expected
    for page in (screen, phones[0]):
        assert await axe_violations(page) == []
    await screen.screenshot(path=str(shots / "screen-results.png"))
    await phones[0].screenshot(path=str(shots / "phone-results.png"), full_page=True)

    third_party = [
        url
        for url in requests
        if not url.startswith(server.base)
        and not url.startswith(server.base.replace("http", "ws"))
        and not url.startswith("data:")
    ]
    assert third_party == []
    assert errors == [], json.dumps(errors, indent=1)
    for ctx in (console_ctx, screen_ctx, *phone_ctxs):
        await ctx.close()
