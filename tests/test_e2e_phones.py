"""Phones in a real room, in real Chromium: the link drops while a ballot is sent, live updates
arrive while a thumb is on a control, points run out, the screen is narrow and the text large.
axe-core checks every state looked at."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browsing import PHONE, axe_violations, shots_dir, watch_errors
from tests.conftest import FORMATS, Server

pytestmark = pytest.mark.browser


def served(tmp_path: Path, name: str) -> Iterator[Server]:
    running = Server(tmp_path / f"{name}.sqlite3", format=FORMATS / f"{name}.yaml").start()
    yield running
    running.stop()


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[Server]:
    yield from served(tmp_path, "acceleration-workshop")


@pytest.fixture
def priorisation(tmp_path: Path) -> Iterator[Server]:
    yield from served(tmp_path, "priorisation")


@pytest.fixture
def judgment(tmp_path: Path) -> Iterator[Server]:
    yield from served(tmp_path, "carrefour-jugement-majoritaire")


@pytest.fixture
def world_cafe(tmp_path: Path) -> Iterator[Server]:
    yield from served(tmp_path, "world-cafe")


async def console_of(
    browser: Browser, server: Server, errors: list[str]
) -> tuple[BrowserContext, Page]:
    ctx = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = await ctx.new_page()
    watch_errors(page, errors)
    await page.goto(server.console_url)
    await expect(page.locator("#console-state")).to_be_visible()
    return ctx, page


async def phone_of(
    browser: Browser, server: Server, errors: list[str], **size: object
) -> tuple[BrowserContext, Page]:
    ctx = await browser.new_context(**{**PHONE, **size}, locale="fr-FR")  # type: ignore[arg-type]
    page = await ctx.new_page()
    watch_errors(page, errors)
    await page.goto(f"{server.base}/e/{server.code}")
    await expect(page.locator("#conn")).to_have_text("En direct")
    return ctx, page


async def jump(console: Page, stage: str) -> None:
    """The agenda's button of the stage whose label contains `stage`."""
    await console.locator(".agenda-item", has_text=stage).first.click()
    await expect(console.locator(".agenda li.current")).to_contain_text(stage)


async def toggle_timer(console: Page) -> None:
    """A live update of the same stage on every phone (the timer starts or pauses)."""
    running = await console.locator("#console-state [data-timer]").first.get_attribute(
        "data-running"
    )
    await console.locator("button[value=timer_toggle]").click()
    await expect(console.locator("#console-state [data-timer]").first).not_to_have_attribute(
        "data-running", running or ""
    )


async def active_id(page: Page) -> str:
    return str(await page.evaluate("() => document.activeElement && document.activeElement.id"))


async def no_sideways_scroll(page: Page) -> bool:
    return bool(
        await page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


async def test_a_vote_sent_while_the_link_is_down_arrives_once_when_it_returns(
    priorisation: Server, browser: Browser, tmp_path: Path
) -> None:
    """Regression: Vote with the network down left for the browser's "site can't be reached"
    page, and a silent outage kept the badge on "live"."""
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx, console = await console_of(browser, priorisation, errors)
    phone_ctx, phone = await phone_of(browser, priorisation, errors)
    await console.locator("li[data-vote-id='order'] button").click()
    await expect(phone.locator("form.method-ranking")).to_be_visible()
    address = phone.url
    first = await phone.locator(".rank-row").first.get_attribute("data-option")
    await phone.locator(".rank-row").nth(2).locator(".move-up").click()

    await phone_ctx.set_offline(True)
    # the open socket says nothing: the pings stopping is what shows the link is gone
    await expect(phone.locator("#conn")).to_have_text("Reconnexion…", timeout=30_000)
    await phone.locator("form.vote-form button[type=submit]").click()
    await expect(phone.locator(".vote-feedback")).to_contain_text("Pas encore envoyé")
    assert phone.url == address, "the page stays: no browser error page"
    await phone.screenshot(path=str(shots / "phone-vote-offline.png"), full_page=True)
    assert await axe_violations(phone) == []

    await phone_ctx.set_offline(False)
    await expect(phone.locator("#conn")).to_have_text("En direct", timeout=30_000)
    await expect(phone.locator(".vote-feedback")).to_contain_text("enregistré", timeout=15_000)
    await expect(console.locator("#console-state")).to_contain_text("1 bulletin")
    ballots = await console.request.get(
        f"{priorisation.base}/e/{priorisation.code}/votes/order/ballots.csv"
    )
    rows = list(csv.DictReader(io.StringIO((await ballots.text()).lstrip("\ufeff"))))
    assert len(rows) == 1, rows
    # and the phone shows it again after a reload: the ballot is the server's now
    await phone.reload()
    await expect(phone.locator(".vote-feedback")).to_contain_text("enregistré")
    assert await phone.locator(".rank-row").nth(1).get_attribute("data-option") != first
    assert errors == [] or all("ERR_INTERNET_DISCONNECTED" in e for e in errors), errors
    for ctx in (console_ctx, phone_ctx):
        await ctx.close()


async def test_live_updates_keep_focus_and_ranking_fits_a_narrow_phone(
    priorisation: Server, browser: Browser, tmp_path: Path
) -> None:
    """Regression: a pushed update (the timer started) took focus off Vote, ↑/↓ and the
    ranking's selects, back to the top of the page."""
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx, console = await console_of(browser, priorisation, errors)
    phone_ctx, phone = await phone_of(browser, priorisation, errors)
    narrow_ctx, narrow = await phone_of(
        browser, priorisation, errors, viewport={"width": 320, "height": 640}
    )
    await console.locator("li[data-vote-id='order'] button").click()
    await expect(phone.locator("form.method-ranking")).to_be_visible()
    # an untouched ranking is refused with words that say what to do, as an error
    await phone.locator("form.vote-form button[type=submit]").click()
    alert = phone.locator(".vote-error[role=alert]")
    await expect(alert).to_contain_text("Classez au moins une option")
    assert await phone.locator(".vote-feedback").inner_text() == ""
    colour = await alert.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(164, 22, 26)", colour  # --error, not the green of success

    rows = phone.locator(".rank-row")
    third = await rows.nth(2).get_attribute("data-option")
    await rows.nth(2).locator(".move-up").focus()
    await phone.keyboard.press("Enter")  # moves it up; focus stays on its ↑
    await expect(rows.nth(1)).to_have_attribute("data-option", third or "")
    before = await active_id(phone)
    assert before.endswith("-up")
    await phone.evaluate("() => window.scrollTo(0, 200)")
    scrolled = await phone.evaluate("() => window.scrollY")
    await toggle_timer(console)
    await expect(phone.locator("#step [data-timer]")).to_have_attribute("data-running", "true")
    assert await active_id(phone) == before
    assert await phone.evaluate("() => window.scrollY") == scrolled
    await expect(rows.nth(1)).to_have_attribute("data-option", third or "")

    select = phone.locator(".rank-row select").first
    await select.focus()
    select_id = await active_id(phone)
    await toggle_timer(console)
    await expect(phone.locator("#step [data-timer]")).to_have_attribute("data-running", "false")
    assert await active_id(phone) == select_id

    await phone.locator("form.vote-form button[type=submit]").focus()
    await toggle_timer(console)
    await expect(phone.locator("#step [data-timer]")).to_have_attribute("data-running", "true")
    assert (await active_id(phone)).endswith("-send")
    await phone.keyboard.press("Enter")
    await expect(phone.locator(".vote-feedback")).to_contain_text("enregistré")
    await expect(phone.locator(".vote-error")).to_have_text("")
    assert await axe_violations(phone) == []

    # 320 px wide at 200 % text: no sideways scrolling
    await expect(narrow.locator("form.method-ranking")).to_be_visible()
    await narrow.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert await no_sideways_scroll(narrow)
    await narrow.screenshot(path=str(shots / "phone-320-ranking-200.png"), full_page=True)
    await narrow.evaluate("() => { document.documentElement.style.fontSize = ''; }")
    await narrow.screenshot(path=str(shots / "phone-320-ranking.png"), full_page=True)

    # closing the vote is said to screen readers
    await console.get_by_role("button", name="Clore le vote").click()
    await expect(phone.locator("#announce")).to_contain_text("Le vote est clos.")
    assert errors == []
    for ctx in (console_ctx, phone_ctx, narrow_ctx):
        await ctx.close()


async def test_points_stop_at_the_budget_and_refusals_look_like_errors(
    workshop: Server, browser: Browser, tmp_path: Path
) -> None:
    """Regression: + stayed active past the budget ("Points restants : -7 / 3")."""
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx, console = await console_of(browser, workshop, errors)
    phone_ctx, phone = await phone_of(browser, workshop, errors)
    await jump(console, "Vos idées")
    for idea in ("Un jardin partagé", "Une monnaie locale", "Un atelier vélo"):
        await phone.locator("form.item-form input[name=idea]").fill(idea)
        await phone.locator("form.item-form button[type=submit]").click()
        await expect(phone.locator(".own-items-list li", has_text=idea)).to_be_visible()
    await console.locator("li[data-vote-id='vote'] button").click()
    await expect(phone.locator("form.method-dots")).to_be_visible()
    left = phone.locator(".dots-left-value")
    await expect(left).to_have_text("3")
    # nothing given: refused, in the error colour, with what to do
    await phone.locator("form.vote-form button[type=submit]").click()
    await expect(phone.locator(".vote-error[role=alert]")).to_contain_text(
        "Donnez au moins un point"
    )
    rows = phone.locator(".dots-row")
    more = [rows.nth(i).locator(".step-up") for i in range(3)]
    await more[0].click()
    await expect(phone.locator(".vote-error")).to_have_text("")  # the ballot changed
    await more[0].click()
    await expect(more[0]).to_have_attribute("aria-disabled", "true")  # the cap of 2
    await more[1].focus()
    await phone.keyboard.press("Enter")
    await expect(left).to_have_text("0")
    for button in more:
        await expect(button).to_have_attribute("aria-disabled", "true")
    await more[2].click(force=True)  # pressed anyway: nothing happens
    await more[1].click(force=True)
    await expect(left).to_have_text("0")  # never below zero
    assert (await active_id(phone)).endswith("-more"), "focus stays on the spent +"
    focused = await active_id(phone)
    await toggle_timer(console)
    await expect(phone.locator("#step [data-timer]")).to_have_attribute("data-running", "false")
    assert await active_id(phone) == focused
    await expect(left).to_have_text("0")
    await phone.screenshot(path=str(shots / "phone-dots-spent.png"), full_page=True)
    assert await axe_violations(phone) == []
    await phone.locator("form.vote-form button[type=submit]").click()
    await expect(phone.locator(".vote-feedback")).to_contain_text("enregistré")
    await expect(phone.locator(".vote-error")).to_have_text("")
    assert errors == []
    for ctx in (console_ctx, phone_ctx):
        await ctx.close()


async def test_rounds_are_announced(world_cafe: Server, browser: Browser, tmp_path: Path) -> None:
    """Regression: rounds 2+ of a rotate step changed nothing a screen reader would say."""
    errors: list[str] = []
    console_ctx, console = await console_of(browser, world_cafe, errors)
    phone_ctxs, phones = [], []
    for _ in range(4):
        ctx, page = await phone_of(browser, world_cafe, errors)
        phone_ctxs.append(ctx)
        phones.append(page)
    await jump(console, "Les conversations")
    await expect(phones[0].locator("#announce")).to_contain_text("Tour 1 sur 3")
    await console.locator("body").press("ArrowRight")
    await expect(phones[0].locator("#announce")).to_contain_text("Tour 2 sur 3")
    await expect(phones[0].locator(".round-question")).to_contain_text("reliant")
    assert await axe_violations(phones[0]) == []
    await phones[0].screenshot(path=str(shots_dir(tmp_path) / "phone-round-2.png"), full_page=True)
    assert errors == []
    for ctx in (console_ctx, *phone_ctxs):
        await ctx.close()


async def test_phone_pages_put_the_step_first_and_list_tags_once(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    """Regression: the action came before the step's title and timer, "STEP 22 OF 24" was
    shown to the audience, "Your meetings" sat under every pitch, the feedback scale had no
    words and the profile listed its 12 tags twice (5,288 px)."""
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx, console = await console_of(browser, server, errors)
    phone_ctx, phone = await phone_of(browser, server, errors)
    narrow_ctx, narrow = await phone_of(
        browser, server, errors, viewport={"width": 320, "height": 640}
    )
    await console.locator("body").press("ArrowRight")  # the first pitch
    await expect(phone.locator("#step .feedback-box")).to_be_attached()  # not the welcome
    await expect(phone.locator(".step-title")).not_to_have_text("")
    title = await phone.locator(".step-title").inner_text()
    await expect(phone).to_have_title(f"{title} · {server.code}")  # the tab follows the step
    order = await phone.locator("#step article > *").evaluate_all(
        "els => els.map(e => e.className)"
    )
    assert order.index("step-title") < order.index("timer") < order.index("feedback-box")
    assert "Étape" not in await phone.locator("#step").inner_text()
    await expect(phone.locator("#agenda")).to_be_hidden()  # no meetings during the pitches
    await phone.locator(".feedback-box summary").click()
    await expect(phone.locator(".scale-ends").first).to_contain_text("pas du tout")
    await phone.locator(".profile-box summary").click()
    tags = await phone.locator(".tag-row .tag-name").all_inner_texts()
    assert tags and len(tags) == len(set(tags)), "each tag once"
    assert await phone.locator(".profile-form input[name=offers]").count() == len(tags)
    assert await phone.locator(".profile-form input[name=needs]").count() == len(tags)
    height = await phone.evaluate("() => document.documentElement.scrollHeight")
    print(f"phone page at the first pitch, feedback and profile open: {height} px")
    assert await axe_violations(phone) == []
    await phone.screenshot(path=str(shots / "phone-pitch-profile.png"), full_page=True)
    await narrow.locator(".feedback-box summary").click()
    await narrow.locator(".profile-box summary").click()
    assert await no_sideways_scroll(narrow)
    await narrow.screenshot(path=str(shots / "phone-320-pitch-profile.png"), full_page=True)
    await console.locator("li[data-vote-stage] button").first.click()
    await expect(phone.locator("form.vote-form")).to_be_visible()
    await phone.screenshot(path=str(shots / "phone-vote-single.png"), full_page=True)
    await narrow.screenshot(path=str(shots / "phone-320-vote-single.png"), full_page=True)
    assert await no_sideways_scroll(narrow)
    assert await axe_violations(narrow) == []
    assert errors == []
    for ctx in (console_ctx, phone_ctx, narrow_ctx):
        await ctx.close()


async def test_majority_judgment_fits_320_px_at_200_percent_text(
    judgment: Server, browser: Browser, tmp_path: Path
) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    console_ctx, console = await console_of(browser, judgment, errors)
    narrow_ctx, narrow = await phone_of(
        browser, judgment, errors, viewport={"width": 320, "height": 640}
    )
    await console.locator("li[data-vote-id] button").first.click()
    await expect(narrow.locator("form.method-majority_judgment")).to_be_visible()
    await narrow.screenshot(path=str(shots / "phone-320-mj.png"), full_page=True)
    await narrow.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert await no_sideways_scroll(narrow)
    await narrow.screenshot(path=str(shots / "phone-320-mj-200.png"), full_page=True)
    assert await axe_violations(narrow) == []
    assert errors == []
    for ctx in (console_ctx, narrow_ctx):
        await ctx.close()
