"""The format builder in real Chromium: an organiser who has never seen YAML copies the
Carrefour evening, changes the pitch length and the vote method, adds an input step and moves
it, saves, and starts the event from the copy; axe-core checks WCAG 2.2 AA on the way."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.browsing import axe_violations, shots_dir, watch_errors
from tests.conftest import CARREFOUR, ROOT, Server

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 768, "height": 1024}


def organiser_url(server: Server) -> str:
    found = re.search(r"Organiser home:\s+(\S+)", "".join(server.lines))
    assert found, "".join(server.lines)
    return found.group(1)


async def press(page: Page, button: Locator) -> None:
    """Click a builder button and wait for the server's answer to be swapped in."""
    async with page.expect_response(lambda r: r.request.method == "POST"):
        await button.click()
    await expect(page.locator("#builder.htmx-request")).to_have_count(0)


async def open_step(page: Page, title: str) -> None:
    await press(page, page.locator(".step-open", has_text=title))
    await expect(page.locator(".builder-step.current .step-open")).to_contain_text(title)


async def _copied_carrefour(
    server: Server, browser: Browser, errors: list[str], requests: list[str]
) -> Page:
    """A laptop page on the builder of a fresh copy of the Carrefour evening, recording the
    page's errors and every URL it requests."""
    context = await browser.new_context(viewport=LAPTOP, locale="en-GB")  # type: ignore[arg-type]
    context.on("request", lambda request: requests.append(request.url))
    page = await context.new_page()
    watch_errors(page, errors)
    await page.goto(organiser_url(server))
    card = page.locator("section.format-card", has_text="Carrefour des Possibles evening").first
    await card.get_by_role("button", name="Copy to adapt").click()
    return page


async def test_adapt_the_carrefour_evening_and_run_it(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    requests: list[str] = []
    page = await _copied_carrefour(server, browser, errors, requests)
    await expect(page).to_have_url(re.compile(r"/carrefour-des-possibles-copy/builder"))
    copy = server.db.parent / "facilitation-formats" / "carrefour-des-possibles-copy.yaml"
    shipped = CARREFOUR.read_text(encoding="utf-8")
    assert await axe_violations(page) == []

    # The pitch length: the pitches step, edited in its form, saved by opening the next step.
    await open_step(page, "The pitches")
    await page.get_by_label("Pitch length (minutes)").fill("4")
    await open_step(page, "Audience favourite")
    assert "pitch_minutes: 4" in copy.read_text(encoding="utf-8")
    await page.get_by_label("Voting method").select_option("approval")
    await press(page, page.locator(".panel-save button"))
    await expect(page.locator(".builder-status")).to_contain_text("Saved")
    assert "method: approval" in copy.read_text(encoding="utf-8")

    # A refused value: the message at the field, the value kept, nothing written.
    before = copy.read_text(encoding="utf-8")
    await page.get_by_label("Duration (minutes)").fill("soon")
    await press(page, page.locator(".panel-save button"))
    await expect(page.locator(".field-error")).to_be_visible()
    await expect(page.get_by_label("Duration (minutes)")).to_have_value("soon")
    await expect(page.get_by_label("Duration (minutes)")).to_have_attribute("aria-invalid", "true")
    assert copy.read_text(encoding="utf-8") == before
    assert await axe_violations(page) == []
    await page.screenshot(path=str(shots / "builder-refused.png"), full_page=True)
    await page.get_by_label("Duration (minutes)").fill("5")

    # An input step after the vote, moved above it, with a prompt of our own.
    await page.get_by_label("Add a step after the open one").select_option("input")
    await press(page, page.get_by_role("button", name="Add", exact=True))
    await expect(page.locator(".builder-step.current")).to_contain_text("Your ideas")
    steps = page.locator(".builder-step")
    assert "Your ideas" in await steps.nth(3).inner_text()
    await press(page, page.locator(".builder-step.current button[value^='up:']"))
    await expect(steps.nth(2)).to_contain_text("Your ideas")
    await page.locator("textarea[name='v.steps.2.prompt.en']").fill("One question for the holders?")
    await press(page, page.locator(".panel-save button"))
    await expect(page.locator(".builder-status")).to_contain_text("Saved")
    assert await axe_violations(page) == []
    await page.screenshot(path=str(shots / "builder-laptop.png"), full_page=True)

    saved = copy.read_text(encoding="utf-8")
    checked = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "facilitation",
        "check",
        str(copy),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    said, _ = await asyncio.wait_for(checked.communicate(), timeout=60)
    assert checked.returncode == 0, said.decode()
    # the file reads as the shipped one: its comments are still there, its start unchanged
    assert "# anonymous rating and comment, read only by each holder" in saved
    assert saved.splitlines()[:20] == [
        line.replace("id: carrefour-des-possibles", "id: carrefour-des-possibles-copy")
        for line in shipped.splitlines()[:20]
    ]
    assert saved.index("kind: input") < saved.index("kind: vote")

    # The same page on a tablet, in French.
    tablet = await browser.new_context(viewport=TABLET, locale="fr-FR")  # type: ignore[arg-type]
    tablet_page = await tablet.new_page()
    watch_errors(tablet_page, errors)
    await tablet_page.goto(organiser_url(server))
    await tablet_page.goto(f"{server.base}/organiser/formats/carrefour-des-possibles-copy/builder")
    await expect(tablet_page.locator("h1")).to_contain_text("Adapter")
    assert await axe_violations(tablet_page) == []
    await tablet_page.screenshot(path=str(shots / "builder-tablet.png"), full_page=True)

    # The text editor shows the same file with line numbers; the history has the versions.
    await page.get_by_role("link", name="Text (YAML)").click()
    await expect(page.locator(".code-gutter span").first).to_have_text("1")
    assert await page.locator("#source").input_value() == saved
    assert await axe_violations(page) == []
    await page.screenshot(path=str(shots / "text-editor-laptop.png"))
    await page.get_by_role("link", name="History").click()
    await expect(page.locator(".diff .add").first).to_be_visible()
    assert await axe_violations(page) == []
    await page.screenshot(path=str(shots / "history-laptop.png"), full_page=True)

    # Start the event from the copy: the console runs the adapted agenda.
    await page.get_by_role("link", name="Preview and start an event").click()
    await page.get_by_role("button", name="Start this event").click()
    await expect(page.locator("#console-state")).to_be_visible()
    agenda = page.locator(".agenda")
    await expect(agenda).to_contain_text("4 min")
    await expect(agenda).to_contain_text("Your ideas")
    assert errors == []
    assert [u for u in requests if not u.startswith(server.base)] == []


async def test_the_text_editor_suggests_the_schema_s_keys_and_values(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    shots = shots_dir(tmp_path)
    errors: list[str] = []
    requests: list[str] = []
    page = await _copied_carrefour(server, browser, errors, requests)
    await page.get_by_role("link", name="Text (YAML)").click()
    area = page.locator("#source")
    listbox = page.get_by_role("listbox", name="Suggestions")
    words = listbox.locator("[role=option] .completion-word")
    await expect(area).to_have_attribute("aria-autocomplete", "list")
    await expect(area).to_have_attribute("aria-controls", "source-completion")
    shipped = await area.input_value()

    # A new step at the end of the list: Enter, with no list open, is a new line.
    await area.focus()
    await page.keyboard.press("Control+End")
    await page.keyboard.press("Enter")
    await expect(area).to_have_value(shipped + "\n")
    await page.keyboard.type("  - kind: ")
    await expect(listbox).to_be_visible()
    await expect(words).to_have_count(13)  # every step kind
    await page.keyboard.type("vo")
    await expect(words).to_have_text(["vote"])
    await page.keyboard.press("Enter")
    await expect(listbox).to_be_hidden()
    await expect(area).to_have_value(shipped + "\n  - kind: vote")

    # A partial key: the keys of a vote step only, with their labels, the first one active.
    await page.keyboard.press("Enter")
    await page.keyboard.type("    m")
    await expect(words).to_have_text(["minutes", "method", "min_choices", "max_choices"])
    first = listbox.locator("[role=option]").first
    await expect(first).to_have_attribute("aria-selected", "true")
    await expect(first).to_contain_text("Duration (minutes)")
    await expect(listbox.locator("[role=option]").nth(1)).to_contain_text("Voting method")
    await expect(area).to_have_attribute("aria-activedescendant", "source-completion-0")
    await page.keyboard.type("e")
    await expect(words).to_have_text(["method"])
    await page.keyboard.press("Backspace")
    await expect(words).to_have_count(4)
    box = await listbox.bounding_box()
    field = await area.bounding_box()
    assert box and field and field["y"] < box["y"] < field["y"] + field["height"]
    assert await axe_violations(page) == []

    # ArrowDown and Tab insert a key, then the method's values are offered: Enter picks one.
    await page.keyboard.press("ArrowUp")
    await expect(area).to_have_attribute("aria-activedescendant", "source-completion-3")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await expect(area).to_have_attribute("aria-activedescendant", "source-completion-1")
    await page.keyboard.press("Tab")
    await expect(area).to_have_value(shipped + "\n  - kind: vote\n    method: ")
    await expect(words.first).to_have_text("single")
    await page.keyboard.press("ArrowDown")
    await expect(area).to_have_attribute("aria-activedescendant", "source-completion-1")
    await page.keyboard.press("Enter")
    await expect(area).to_have_value(shipped + "\n  - kind: vote\n    method: approval")
    await expect(listbox).to_be_hidden()

    # Escape closes the list, and Enter is a new line again.
    await page.keyboard.press("Enter")
    await page.keyboard.type("    allow")
    await expect(words).to_have_text(["allow_abstain"])
    await page.keyboard.press("Escape")
    await expect(listbox).to_be_hidden()
    await expect(area).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    await page.keyboard.press("Enter")
    typed = "\n  - kind: vote\n    method: approval\n    allow\n"
    await expect(area).to_have_value(shipped + typed)

    # Ctrl+Space on an empty line: the keys not written yet; a click inserts one.
    await page.keyboard.type("    ")
    await page.keyboard.press("Control+Space")
    await expect(listbox).to_be_visible()
    offered = await words.all_inner_texts()
    assert "question" in offered and "kind" not in offered and "method" not in offered
    question = page.locator(".completion-word", has_text=re.compile("^question$"))
    await listbox.locator("[role=option]").filter(has=question).click()
    await expect(area).to_have_value(shipped + typed + "    question: ")
    await expect(area).to_be_focused()

    # Inside the shipped vote step, in the middle of the file: its keys not written yet.
    lines = shipped.split("\n")
    row = lines.index("    results: hidden")
    await area.evaluate(
        "(a, n) => { const at = a.value.split('\\n').slice(0, n + 1).join('\\n').length;"
        " a.setSelectionRange(at, at); }",
        row,
    )
    await page.keyboard.press("Enter")
    await page.keyboard.type("    ")
    await page.keyboard.press("Control+Space")
    await expect(listbox).to_be_visible()
    offered = await words.all_inner_texts()
    assert "allow_abstain" in offered and "method" not in offered and "results" not in offered
    assert "pitch_minutes" not in offered  # a pitch step's key, not a vote's
    # the page scrolled so that the caret's line is high on the screen: the list goes below it
    await listbox.evaluate("l => window.scrollBy(0, l.getBoundingClientRect().top - 300)")
    await expect(listbox).to_be_in_viewport(ratio=1)
    assert await axe_violations(page) == []
    await page.screenshot(path=str(shots / "editor-completion.png"))
    assert errors == []
    assert [u for u in requests if not u.startswith(server.base)] == []
