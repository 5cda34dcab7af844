"""Matchmaking in a live event: wishes and profiles from phones, the organiser's draft, edits,
publication, each phone's agenda, and the downloads."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import icalendar
import openpyxl
import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.core import matchmaking as mm
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER, MANY_PHONES


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def evening(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, str, list[TestClient]]]:
    app = create_app(Settings(db_path=str(tmp_path / "m.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=load_roster_file(DEMO_ROSTER)[:4],
            params={"meeting_slots": "3"},
        )
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        # every stage of the pitches, so that all projects have presented
        pitch_end = max(s.index for s in live.plan.stages if s.kind == "pitch")
        console.post(
            f"/e/{live.code}/console/act",
            data={"csrf": csrf, "action": "jump", "stage": str(pitch_end)},
        )
        phones = []
        for index in range(6):
            phone = TestClient(app, headers={"Accept-Language": "en"})
            page = phone.get(f"/e/{live.code}").text
            phone.post(
                f"/e/{live.code}/name", data={"csrf": csrf_of(page), "name": f"Guest {index}"}
            )
            phones.append(phone)
        yield console, live, csrf, phones


def post(phone: TestClient, live: LiveEvent, path: str, data: dict[str, object]) -> str:
    page = phone.get(f"/e/{live.code}").text
    response = phone.post(
        f"/e/{live.code}/{path}", data={"csrf": csrf_of(page), **data}, follow_redirects=False
    )
    return str(response.headers["location"])


def match(console: TestClient, live: LiveEvent, csrf: str, action: str, **data: object) -> str:
    response = console.post(
        f"/e/{live.code}/console/match",
        data={"csrf": csrf, "action": action, **data},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def test_wishes_draft_edits_publish_and_agendas(
    evening: tuple[TestClient, LiveEvent, str, list[TestClient]],
) -> None:
    console, live, csrf, phones = evening
    first, second, third, fourth = live.plan.lineup
    # phone 0 wants to meet the first project and can help with its premises need
    assert post(
        phones[0],
        live,
        "wish",
        {"target": f"project:{first}", "level": "want", "helps": "premises"},
    ).endswith("flash=sent")
    assert post(phones[1], live, "wish", {"target": f"project:{first}", "level": "must"}).endswith(
        "flash=sent"
    )
    assert post(phones[2], live, "wish", {"target": f"project:{second}", "level": "no"}).endswith(
        "flash=sent"
    )
    assert post(
        phones[2],
        live,
        "profile",
        {"organisation": "Fondation <b>X</b>", "side": "offer", "offers": ["funding", "not-a-tag"]},
    ).endswith("flash=sent")
    assert post(phones[3], live, "wish", {"target": "999999", "level": "want"}).endswith(
        "flash=no_person"
    )
    assert post(phones[3], live, "wish", {"target": f"project:{third}", "level": "maybe"}).endswith(
        "flash=malformed"
    )
    # nothing to publish before a draft; only the facilitator runs it
    assert match(console, live, csrf, "publish").endswith("error=no_draft")
    assert (
        TestClient(console.app)
        .post(f"/e/{live.code}/console/match", data={"csrf": csrf, "action": "run"})
        .status_code
        == 403
    )
    assert match(console, live, csrf, "run") == f"/e/{live.code}/console/match"
    page = console.get(f"/e/{live.code}/console/match").text
    assert "Fondation &lt;b&gt;X&lt;/b&gt;" in page or "Guest 2" in page
    services = console.app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    draft = services.meetings.draft(live)
    holders = {
        p.project_id: str(p.id) for p in services.participants.invited(live) if p.role == "holder"
    }
    me = {
        i: services.participants.by_token(live, phones[i].cookies.get(f"p_{live.code}"))
        for i in range(6)
    }
    pairs = {frozenset(m.pair) for m in draft.meetings}
    assert frozenset({str(me[1].id), holders[first]}) in pairs, "a must wish was not met"
    assert frozenset({str(me[2].id), holders[second]}) not in pairs, "a 'no' was scheduled"
    # phones see nothing until the draft is published
    assert "will appear here" in phones[1].get(f"/e/{live.code}/agenda").text
    # lock one meeting, remove another, then publish
    locked = next(m for m in draft.meetings if str(me[1].id) in m.pair)
    match(console, live, csrf, "lock", meeting=f"{locked.a}-{locked.b}")
    others = [m for m in services.meetings.draft(live).meetings if not m.locked]
    if others:
        match(console, live, csrf, "remove", meeting=f"{others[0].a}-{others[0].b}")
    assert match(console, live, csrf, "publish") == f"/e/{live.code}/console/match"
    agenda = phones[1].get(f"/e/{live.code}/agenda").text
    assert "Table " in agenda and re.search(r"21:\d\d", agenda)
    assert "you asked to meet them (must)" in agenda
    page = phones[1].get(f"/e/{live.code}").text  # the phone's page holds the same list
    assert page.count('class="meeting-card"') == agenda.count('class="meeting-card"') > 0
    # a latecomer: the re-run fills empty slots only; locked and published meetings stay
    before = {m.pair: (m.slot, m.table) for m in services.meetings.draft(live).meetings}
    late = TestClient(console.app, headers={"Accept-Language": "en"})
    late.get(f"/e/{live.code}")
    post(late, live, "wish", {"target": f"project:{fourth}", "level": "must"})
    match(console, live, csrf, "refill")
    after = services.meetings.draft(live)
    for m in after.meetings:
        if m.pair in before:
            assert (m.slot, m.table) == before[m.pair], "a meeting moved on refill"
    late_id = str(services.participants.by_token(live, late.cookies.get(f"p_{live.code}")).id)
    assert any(late_id in m.pair for m in after.meetings)
    # a move that double-books someone is refused with a sentence
    clash = [m for m in after.meetings if holders[first] in m.pair]
    if len(clash) > 1:
        where = match(
            console,
            live,
            csrf,
            "move",
            meeting=f"{clash[0].a}-{clash[0].b}",
            slot=str(clash[1].slot),
        )
        assert "error=" in where


def test_downloads_open_in_their_tools(
    evening: tuple[TestClient, LiveEvent, str, list[TestClient]],
) -> None:
    console, live, csrf, phones = evening
    first = live.plan.lineup[0]
    for phone in phones[:3]:
        post(phone, live, "wish", {"target": f"project:{first}", "level": "want"})
    match(console, live, csrf, "run")
    match(console, live, csrf, "publish")
    rows = list(csv.DictReader(io.StringIO(console.get(f"/e/{live.code}/match/meetings.csv").text)))
    assert rows and {"slot", "table", "a", "b", "score", "reason"} <= set(rows[0])
    # the flavour French Excel opens as it is: a byte-order mark and `;`, the same rows
    excel = console.get(f"/e/{live.code}/match/meetings.csv?for=excel").content
    assert excel.startswith("\ufeff".encode())
    excel_rows = list(csv.DictReader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))
    assert [r["a"] for r in excel_rows] == [r["a"] for r in rows]
    assert "meetings.csv?for=excel" in console.get(f"/e/{live.code}/console/match").text
    workbook = openpyxl.load_workbook(
        io.BytesIO(console.get(f"/e/{live.code}/match/meetings.xlsx").content)
    )
    assert "Meetings" in workbook.sheetnames and workbook["Meetings"].max_row == len(rows) + 1
    data = json.loads(console.get(f"/e/{live.code}/match/meetings.json").text)
    assert len(data["meetings"]) == len(rows)
    printable = console.get(f"/e/{live.code}/match/meetings.html").text
    # styled by the print stylesheet (the CSP lets no inline <style> in), in the event's language
    sheet = re.search(r'<link rel="stylesheet" href="(/static/css/print\.css[^"]*)"', printable)
    assert sheet and "<style" not in printable
    assert "break-after:page" in console.get(sheet.group(1)).text.replace(" ", "")
    calendar = icalendar.Calendar.from_ical(phones[0].get(f"/e/{live.code}/agenda.ics").content)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert events and all(e.get("UID") for e in events)
    again = icalendar.Calendar.from_ical(phones[0].get(f"/e/{live.code}/agenda.ics").content)
    assert [e.get("UID") for e in again.walk() if e.name == "VEVENT"] == [
        e.get("UID") for e in events
    ]
    assert TestClient(console.app).get(f"/e/{live.code}/match/meetings.csv").status_code == 403


def test_holders_see_who_wants_to_meet_them(
    evening: tuple[TestClient, LiveEvent, str, list[TestClient]],
) -> None:
    console, live, csrf, phones = evening
    first = live.plan.lineup[0]
    post(phones[0], live, "wish", {"target": f"project:{first}", "level": "want"})
    anonymous = TestClient(console.app)
    anonymous.get(f"/e/{live.code}")
    post(anonymous, live, "wish", {"target": f"project:{first}", "level": "must"})
    services = console.app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    holder = next(p for p in services.participants.invited(live) if p.project_id == first)
    page = TestClient(console.app, headers={"Accept-Language": "en"})
    page.get(f"/e/{live.code}/i/{holder.token}")
    text = page.get(f"/e/{live.code}/holder").text
    assert "Guest 0" in text and "1 person without a name" in text


def test_meeting_reasons_speak_the_phones_language(
    evening: tuple[TestClient, LiveEvent, str, list[TestClient]],
) -> None:
    """Regression: reasons were always English, and named tags by their ids."""
    console, live, csrf, phones = evening
    first = live.plan.lineup[0]
    needs = live.plan.project(first).needs
    assert "funding" in needs, "the demo project is expected to need funding"
    post(
        phones[0],
        live,
        "wish",
        {"target": f"project:{first}", "level": "must", "helps": "funding"},
    )
    match(console, live, csrf, "run")
    match(console, live, csrf, "publish")
    english = phones[0].get(f"/e/{live.code}/agenda").text
    french = phones[0].get(f"/e/{live.code}/agenda?lang=fr").text
    assert "you asked to meet them (must)" in english
    assert "you offer Funding for their need" in english
    assert "vous avez demandé à les rencontrer (absolument)" in french
    assert "vous apportez Financement pour leur besoin" in french
    assert "you asked" not in french


def test_a_draft_is_parsed_once_per_save_whoever_reads_it(
    evening: tuple[TestClient, LiveEvent, str, list[TestClient]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Every phone's page reads the published meetings: parsing the draft for each of them
    # took 0.2 s a page at 10,000 meetings.
    console, live, csrf, phones = evening
    services = console.app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    # another process on the same file keeps its own parsed draft
    other = create_app(Settings(db_path=str(tmp_path / "m.sqlite3"), **MANY_PHONES))
    elsewhere = other.other_asgi_app.app.state.services.meetings  # type: ignore[attr-defined]
    parses: list[int] = []
    parse = mm.draft_from_json
    monkeypatch.setattr(mm, "draft_from_json", lambda data: parses.append(1) or parse(data))
    for phone, project in zip(phones, live.plan.lineup, strict=False):
        wish = {"target": f"project:{project}", "level": "must"}
        assert post(phone, live, "wish", wish).endswith("flash=sent")
    match(console, live, csrf, "run")
    match(console, live, csrf, "publish")
    parses.clear()
    for phone in phones:
        assert phone.get(f"/e/{live.code}").status_code == 200
        assert phone.get(f"/e/{live.code}/agenda").status_code == 200
    assert len(parses) == 1  # all phones, both pages: one parse
    published = services.meetings.draft(live)
    assert published is not None and published.published
    assert elsewhere.draft(live) == published and len(parses) == 2
    # a save anywhere: each process parses the new draft once, and only then
    pair = published.meetings[0].pair
    match(console, live, csrf, "remove", meeting=[f"{pair[0]}-{pair[1]}"])
    after = services.meetings.draft(live)
    assert after is not None and pair not in {m.pair for m in after.meetings}
    assert elsewhere.draft(live) == after and services.meetings.draft(live) is after
    assert len(parses) == 4
