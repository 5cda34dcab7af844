"""A question time in real Chromium: a projector, a console and three phones through a
Carrefour pitch with questions, upvotes, pre-moderation, the projector's focus and
reactions; axe-core on every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browsing import PHONE, axe_violations, shots_dir, watch_errors
from tests.conftest import Server

pytestmark = pytest.mark.browser


async def test_questions_with_moderation_seen_live(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
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
    phones = []
    for locale in ("fr-FR", "en-GB", "fr-FR"):
        ctx = await browser.new_context(**PHONE, locale=locale)  # type: ignore[arg-type]
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{server.base}/e/{server.code}")
        phones.append(page)
    await expect(console.locator(".connected-count")).to_contain_text("3")
    await console.locator("body").press("ArrowRight")  # the first pitch
    a, b, c = phones
    for page in phones:
        await expect(page.locator("#questions form.ask-form")).to_be_visible()

    await a.locator("#questions textarea[name=text]").fill("Comment financez-vous la suite ?")
    await a.locator("#questions input[name=name]").fill("Léa")
    await a.locator("#questions form.ask-form button[type=submit]").click()
    await expect(a.locator(".ask-feedback")).to_have_text("Votre question est envoyée.")
    card = b.locator("#questions-list .question-card").first
    await expect(card).to_contain_text("Comment financez-vous la suite ?")
    await card.locator("button.upvote").click()
    await expect(card.locator("button.upvote")).to_have_attribute("aria-pressed", "true")
    await expect(c.locator("#questions-list .upvote-count").first).to_have_text("1")
    await b.locator("#questions-list button.upvote").first.click()  # taken back
    await expect(b.locator("#questions-list button.upvote").first).to_have_attribute(
        "aria-pressed", "false"
    )
    await expect(c.locator("#questions-list .upvote-count").first).to_have_text("0")
    await c.locator("#questions-list button.upvote").first.click()
    await expect(a.locator("#questions-list .upvote-count").first).to_have_text("1")
    await b.screenshot(path=str(shots / "questions-phone.png"), full_page=True)

    # pre-moderation: the facilitator approves before the room sees it
    await console.locator(".questions-console button[value=pre]").click()
    await expect(console.locator(".questions-console button[value=pre]")).to_have_attribute(
        "aria-pressed", "true"
    )
    await b.locator("#questions textarea[name=text]").fill("Who are your first users?")
    await b.locator("#questions form.ask-form button[type=submit]").click()
    await expect(b.locator(".ask-feedback")).to_contain_text("once the facilitator approves")
    await expect(console.locator(".questions-console")).to_contain_text("Who are your first users?")
    await expect(a.locator("#questions-list")).not_to_contain_text("Who are your first users?")
    await (
        console.locator(".questions-console li", has_text="Who are your first users?")
        .locator("input[type=checkbox]")
        .check()
    )
    await console.locator(".questions-console button[value=approve]").click()
    await expect(a.locator("#questions-list")).to_contain_text("Who are your first users?")

    # on the projector
    await (
        console.locator(".questions-console li", has_text="Comment financez-vous")
        .locator("input[type=checkbox]")
        .check()
    )
    await console.locator(".questions-console button[value=focus]").click()
    await expect(screen.locator(".screen-focus-question")).to_contain_text("Comment financez-vous")
    await console.screenshot(path=str(shots / "questions-console.png"), full_page=True)

    # reactions float up on the projector and are counted
    await a.locator(".reactions button[data-kind=applause]").click()
    await c.locator(".reactions button[data-kind=applause]").click()
    await expect(
        screen.locator(".screen-reaction[data-kind=applause] .reaction-count")
    ).to_have_text("2")
    await screen.screenshot(path=str(shots / "questions-screen-1080.png"))

    # a duplicate is merged into the first question: c's upvote and a's own count once
    await c.locator("#questions textarea[name=text]").fill("Comment allez-vous financer la suite ?")
    await c.locator("#questions form.ask-form button[type=submit]").click()
    await expect(console.locator(".questions-console")).to_contain_text("allez-vous financer")
    await (
        console.locator(".questions-console li", has_text="allez-vous financer")
        .locator("input[type=checkbox]")
        .check()
    )
    await console.locator(".questions-console button[value=approve]").click()
    await expect(a.locator("#questions-list")).to_contain_text("allez-vous financer")
    await (
        a.locator("#questions-list .question-card", has_text="allez-vous financer")
        .locator("button.upvote")
        .click()
    )
    listed = console.locator(".questions-console ol li, .questions-console ul li")
    for text in ("Comment financez-vous", "allez-vous financer"):
        await listed.filter(has_text=text).last.locator("input[type=checkbox]").check()
    await console.locator(".questions-console button[value=merge]").click()
    await expect(a.locator("#questions-list")).not_to_contain_text("allez-vous financer")
    merged = a.locator("#questions-list .question-card", has_text="Comment financez-vous")
    await expect(merged.locator(".upvote-count")).to_have_text("2")  # c and a, once each
    await (
        listed.filter(has_text="Comment financez-vous").last.locator("input[type=checkbox]").check()
    )
    await console.locator(".questions-console button[value=answered]").click()
    await expect(a.locator("#questions-list .question-card.is-answered")).to_contain_text(
        "Comment financez-vous"
    )
    for page in (console, screen, *phones):
        assert await axe_violations(page) == [], page.url

    # afterwards, the holder of the project reads the questions on their private page
    project = (await screen.locator(".screen-title").inner_text()).strip()
    await console.goto(f"{server.base}/e/{server.code}/console/people")
    card = console.locator(".person-card", has_text=project).filter(has_text="Porteur")
    link = (await card.first.locator(".person-link code").inner_text()).strip()
    holder_ctx = await browser.new_context(**PHONE, locale="fr-FR")  # type: ignore[arg-type]
    holder = await holder_ctx.new_page()
    watch_errors(holder, errors)
    await holder.goto(link)
    await holder.goto(f"{server.base}/e/{server.code}/holder")
    asked = holder.locator(".holder-questions")
    await expect(asked).to_contain_text("Comment financez-vous la suite ?")
    await expect(asked).to_contain_text("Who are your first users?")
    await expect(asked.locator(".question-card.is-answered")).to_contain_text("Comment financez")
    await holder.screenshot(path=str(shots / "questions-holder-phone.png"), full_page=True)
    assert await axe_violations(holder) == [], holder.url
    assert errors == []
    await holder_ctx.close()
    for ctx in (console_ctx, screen_ctx):
        await ctx.close()
