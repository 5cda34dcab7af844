"""A French evening, every page and every download in French: no English sentence of the
catalogue may be left in them untranslated (an English msgid may only appear where its French
translation is the same words)."""

from __future__ import annotations

import asyncio
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER, MANY_PHONES
from tests.i18n_tools import load_po

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def english_sentences() -> dict[str, re.Pattern[str]]:
    """Catalogue msgids of two words or more whose French differs, as patterns (placeholders
    match any text). Single words are left out: "Pitch" or "Vote" are French words too."""
    out = {}
    for message in load_po():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not msgid or msgid in strings:
                continue
            literal = PLACEHOLDER.sub(" ", msgid)
            if len(re.findall(r"[A-Za-z]{2,}", literal)) < 2 or len(literal.strip()) < 8:
                continue
            pieces = [re.escape(p) for p in PLACEHOLDER.split(msgid)]
            pattern = r"(?<![A-Za-z])" + r".{1,200}?".join(pieces) + r"(?![A-Za-z])"
            out[msgid] = re.compile(re.sub(r"(\\ )+", r"\\s+", pattern))
    return out


def readable(body: str) -> str:
    """What people read or hear of a page: text and the attributes that are spoken."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    spoken = re.findall(
        r'(?:aria-label|title|placeholder|alt|data-msg-[a-z-]+)="([^"]*)"', body, flags=re.I
    )
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(" ".join([text, *spoken]))


@pytest.fixture
def evening(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, list[TestClient]]]:
    app = create_app(Settings(db_path=str(tmp_path / "fr.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=load_roster_file(DEMO_ROSTER)[:4],
            params={"meeting_slots": "3"},
            lang="fr",
        )
    )
    with TestClient(app, headers=FRENCH) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        phones = [TestClient(app, headers=FRENCH) for _ in range(3)]
        for phone in phones:
            phone.get(f"/e/{live.code}")
        yield console, live, phones


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_every_page_and_download_of_a_french_evening_is_french(
    evening: tuple[TestClient, LiveEvent, list[TestClient]],
) -> None:
    console, live, phones = evening
    code = live.code
    seen: dict[str, str] = {}

    def look(client: TestClient, path: str) -> str:
        response = client.get(path)
        assert response.status_code < 500, path
        if path.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            text = " ".join(
                str(v) for s in book for row in s.iter_rows(values_only=True) for v in row if v
            )
        elif "html" in response.headers.get("content-type", ""):
            text = readable(response.text)
        else:
            text = response.text
        seen[f"{path} (step {live.stage.index + 1}, {len(seen)})"] = text
        return response.text

    def act(action: str, **data: str) -> None:
        csrf = csrf_of(console.get(f"/e/{code}/console").text)
        console.post(f"/e/{code}/console/act", data={"csrf": csrf, "action": action, **data})

    look(phones[0], "/")
    look(phones[0], "/?code=NOPE")
    page = phones[1].get(f"/e/{code}").text
    phones[1].post(
        f"/e/{code}/profile",
        data={"csrf": csrf_of(page), "side": "offer", "offers": ["funding", "premises"]},
    )
    for stage in live.plan.stages:
        act("jump", stage=str(stage.index))
        if stage.kind == "vote":
            act("vote_open")
            page = phones[0].get(f"/e/{code}").text
            phones[0].post(f"/e/{code}/vote", data={"csrf": csrf_of(page), "vote": "x"})
            look(phones[0], f"/e/{code}?flash=no_vote")
        for client, path in (
            (phones[0], f"/e/{code}"),
            (phones[0], f"/e/{code}/seat"),
            (phones[0], f"/e/{code}/screen"),
            (console, f"/e/{code}/console"),
        ):
            look(client, path)
        if stage.kind == "vote":
            act("vote_close")
            act("reveal")
            look(phones[0], f"/e/{code}")
            look(phones[0], f"/e/{code}/screen")
        if stage.kind == "match":
            csrf = csrf_of(console.get(f"/e/{code}/console").text)
            for action in ("run", "publish"):
                console.post(f"/e/{code}/console/match", data={"csrf": csrf, "action": action})
            look(console, f"/e/{code}/console/match")
            for fmt in ("csv", "xlsx", "html", "json"):
                look(console, f"/e/{code}/match/meetings.{fmt}")
            for phone in phones[:2]:
                look(phone, f"/e/{code}")
                look(phone, f"/e/{code}/agenda")
                look(phone, f"/e/{code}/agenda.ics")
    for path in (
        f"/e/{code}/results.csv",
        f"/e/{code}/report",
        f"/e/{code}/report.csv",
        f"/e/{code}/console/people",
        f"/e/{code}/console/people/tickets",
        f"/e/{code}/nope",
        "/organiser",
    ):
        look(console, path)
    assert len(seen) > 30
    leaks = {
        path: sorted(
            msgid for msgid, pattern in english_sentences().items() if pattern.search(text)
        )
        for path, text in seen.items()
    }
    leaks = {path: found for path, found in leaks.items() if found}
    assert not leaks, leaks


def test_the_check_finds_an_english_sentence_left_in() -> None:
    """The check itself: an untranslated sentence of the catalogue is found, its French is not."""
    patterns = english_sentences()
    english = readable("<p>Your meetings will appear here when the organisers publish them.</p>")
    assert any(p.search(english) for p in patterns.values())
    french = readable('<p aria-label="Résultats">Vos rendez-vous apparaîtront ici.</p>')
    assert not any(p.search(french) for p in patterns.values())
    placeholder = readable("<p>Presented by Nadia · Roubaix</p>")
    assert patterns["Presented by %(name)s"].search(placeholder)
