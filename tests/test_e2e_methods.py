"""Ranking (with ↑/↓ buttons, no dragging) and majority judgment on phone-sized pages, in
real Chromium, from shipped formats; axe-core checks the vote controls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browsing import PHONE, axe_violations, shots_dir, watch_errors
from tests.conftest import FORMATS, Server

pytestmark = pytest.mark.browser


@pytest.fixture
def priorisation(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "prio.sqlite3", format=FORMATS / "priorisation.yaml").start()
    yield running
    running.stop()


@pytest.fixture
def carrefour_mj(tmp_path: Path) -> Iterator[Server]:
    running = Server(
        tmp_path / "mj.sqlite3", format=FORMATS / "carrefour-jugement-majoritaire.yaml"
    ).start()
    yield running
    running.stop()


async def open_console(browser: Browser, server: Server, errors: list[str]):  # type: ignore[no-untyped-def]
    ctx = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = await ctx.new_page()
    watch_errors(page, errors)
    await page.goto(server.console_url)
    return ctx, page


async def test_ranking_with_buttons(priorisation: Server, browser: Browser, tmp_path: Path) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx, console = await open_console(browser, priorisation, errors)
    screen_ctx = await browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    screen = await screen_ctx.new_page()
    watch_errors(screen, errors)
    await screen.goto(f"{priorisation.base}/e/{priorisation.code}/screen")
    phone_ctxs = [await browser.new_context(**PHONE, locale="fr-FR") for _ in range(2)]  # type: ignore[arg-type]
    phones = []
    for ctx in phone_ctxs:
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{priorisation.base}/e/{priorisation.code}")
        phones.append(page)
    await console.locator("li[data-vote-id='order'] button").click()
    for page in phones:
        await expect(page.locator("form.method-ranking")).to_be_visible()
    assert await axe_violations(phones[0]) == []
    # Phone 1 moves the last action to the top with ↑ only (four presses), then votes.
    rows = phones[0].locator(".rank-row")
    last = await rows.nth(4).get_attribute("data-option")
    for _ in range(4):
        await phones[0].locator(f".rank-row[data-option='{last}'] .move-up").click()
    await expect(rows.first).to_have_attribute("data-option", last)
    await expect(phones[0].locator(f"select[name='rank.{last}']")).to_have_value("1")
    await phones[0].screenshot(path=str(shots / "phone-ranking.png"), full_page=True)
    await phones[0].locator("form.vote-form button[type=submit]").click()
    await expect(phones[0].locator(".vote-feedback")).to_contain_text("enregistré")
    # Phone 2 keeps the order shown and moves the same action down once, with ↓.
    first = await phones[1].locator(".rank-row").first.get_attribute("data-option")
    await phones[1].locator(f".rank-row[data-option='{first}'] .move-down").click()
    await expect(phones[1].locator(".rank-row").nth(1)).to_have_attribute("data-option", first)
    await phones[1].locator("form.vote-form button[type=submit]").click()
    await expect(phones[1].locator(".vote-feedback")).to_contain_text("enregistré")
    # after a reload the phone shows its own ranking again, in its order
    await phones[0].reload()
    await expect(phones[0].locator(".rank-row").first).to_have_attribute("data-option", last)
    await expect(screen.locator(".screen-progress")).to_contain_text("2 voix")
    # next step is the reveal of this ranking
    await console.locator("body").press("ArrowRight")
    await console.get_by_role("button", name="Dévoiler les résultats").click()
    await expect(screen.locator(".results")).to_be_visible()
    labels = await screen.locator(".result .result-label").all_inner_texts()
    assert len(labels) == 5
    await screen.screenshot(path=str(shots / "screen-ranking.png"))
    await console.screenshot(path=str(shots / "console-ranking.png"), full_page=True)
    assert errors == []
    for ctx in (console_ctx, screen_ctx, *phone_ctxs):
        await ctx.close()


async def test_majority_judgment_grades_and_merit_profiles(
    carrefour_mj: Server, browser: Browser, tmp_path: Path
) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx, console = await open_console(browser, carrefour_mj, errors)
    screen_ctx = await browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    screen = await screen_ctx.new_page()
    watch_errors(screen, errors)
    await screen.goto(f"{carrefour_mj.base}/e/{carrefour_mj.code}/screen")
    phone_ctxs = [
        await browser.new_context(**PHONE, locale=loc) for loc in ("fr-FR", "en-GB", "fr-FR")
    ]  # type: ignore[arg-type]
    phones = []
    for ctx in phone_ctxs:
        page = await ctx.new_page()
        watch_errors(page, errors)
        await page.goto(f"{carrefour_mj.base}/e/{carrefour_mj.code}")
        phones.append(page)
    await console.locator("li[data-vote-id] button").click()
    for page in phones:
        await expect(page.locator("form.method-majority_judgment")).to_be_visible()
    assert await axe_violations(phones[1]) == []
    await phones[1].screenshot(path=str(shots / "phone-mj-en.png"), full_page=True)
    # each phone grades every project; the first project gets Excellent from everyone
    for voter, page in enumerate(phones):
        groups = page.locator("fieldset.grade-row")
        count = await groups.count()
        assert count == 10
        for index in range(count):
            grade = 0 if index == 0 else (index + voter) % 7
            await groups.nth(index).locator(".grade-item").nth(grade).click()
        await page.locator("form.vote-form button[type=submit]").click()
    await expect(phones[0].locator(".vote-feedback")).to_contain_text("enregistré")
    await expect(phones[1].locator(".vote-feedback")).to_contain_text("recorded")
    await expect(phones[2].locator(".vote-feedback")).to_contain_text("enregistré")
    await console.locator("body").press("ArrowRight")  # to the reveal step
    await console.get_by_role("button", name="Dévoiler les résultats").click()
    await expect(screen.locator(".results-majority_judgment")).to_be_visible()
    winner = await screen.locator(".result.winner .result-label").first.inner_text()
    first_title = await console.locator(".agenda li").nth(1).inner_text()
    assert winner.split(". ", 1)[1] in first_title
    await expect(screen.locator(".result").first.locator(".result-value")).to_contain_text(
        "Excellent"
    )
    assert await screen.locator(".result").first.locator("rect.grade-fill").count() >= 1
    await screen.screenshot(path=str(shots / "screen-mj.png"))
    await phones[0].screenshot(path=str(shots / "phone-mj-results.png"), full_page=True)
    assert await axe_violations(screen) == []
    assert errors == []
    for ctx in (console_ctx, screen_ctx, *phone_ctxs):
        await ctx.close()
