"""Helpers for the browser tests: real Chromium driven by Playwright, axe-core for WCAG."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import ConsoleMessage, Page

from tests.conftest import ROOT

CHROMIUM = os.environ.get("FACILITATION_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FACILITATION_SCREENSHOTS", tmp_path / "shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core injected through the devtools protocol, so the page's CSP stays in force."""
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    # colours read mid-transition (a winner's highlight fading in) are neither the start's nor
    # the end's: let every finite animation and transition end first
    await page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
            .map(a => a.finished.catch(() => null)))"""
    )
    result = await page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def watch_errors(page: Page, errors: list[str]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
