"""What the room sees around the steps: the meetings' slot clock and its "change tables"
minute, the time-up alert the facilitator turns on, the pitch's live counts on the console,
and an organiser preview that agrees with the format's meeting time."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.presenters.slots import CHANGE_MS, slot_clock
from facilitation.readers.rosters import load_roster_file
from facilitation.services.events import now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER, MANY_PHONES

MEETINGS = """
format: 1
id: meetings-test
version: 1.0.0
title: Meetings
steps:
  - id: meetings
    kind: match
    slots: 3
    slot_minutes: 10
"""


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def start_event(tmp_path: Path, source: str, **more: object) -> tuple[object, LiveEvent]:
    app = create_app(Settings(db_path=str(tmp_path / "m.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=source, format_name="f.yaml", params={}, lang="en", **more
        )
    )
    return app, live


@pytest.fixture
def meetings(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, str]]:
    app, live = start_event(tmp_path, MEETINGS, roster=[])
    with TestClient(app, headers={"Accept-Language": "en"}) as console:  # type: ignore[arg-type]
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        yield console, live, csrf_of(console.get(f"/e/{live.code}/console").text)


def act(console: TestClient, live: LiveEvent, csrf: str, action: str, **data: str) -> str:
    response = console.post(
        f"/e/{live.code}/console/act",
        data={"csrf": csrf, "action": action, **data},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'class="flash error"' not in response.text
    return response.text


def test_the_slot_clock_counts_slots_and_says_change_tables(
    meetings: tuple[TestClient, LiveEvent, str],
) -> None:
    console, live, csrf = meetings
    assert slot_clock(live, now_ms()) is None, "no start time and no timer: no clock"
    assert "slot-clock" not in console.get(f"/e/{live.code}/screen").text
    act(console, live, csrf, "timer_toggle")
    clock = slot_clock(live, now_ms())
    assert clock is not None and (clock["slot"], clock["phase"]) == (1, "slot")
    # the facilitator started 10.5 minutes ago: slot 2 began half a minute ago
    act(console, live, csrf, "timer_extend", seconds="-630")
    now = now_ms()
    clock = slot_clock(live, now)
    assert clock is not None and (clock["slot"], clock["phase"]) == (2, "change")
    assert 569_000 <= clock["remaining_ms"] <= 570_000
    screen = console.get(f"/e/{live.code}/screen").text
    assert "Slot 2 of 3" in screen and re.search(r'class="slot-change">Change tables!', screen)
    assert clock is not None
    later = slot_clock(live, now + CHANGE_MS)
    assert later is not None and (later["slot"], later["phase"]) == (2, "slot")
    after = slot_clock(live, now + 20 * 60_000)
    assert after is not None and after["phase"] == "after" and after["remaining_ms"] == 0


def test_with_a_start_time_the_clock_counts_from_the_agendas_time(tmp_path: Path) -> None:
    app, live = start_event(
        tmp_path,
        MEETINGS.replace("slot_minutes: 10", 'slot_minutes: 10\n    start: "21:00"'),
        roster=[],
    )
    clock = slot_clock(live, now_ms())
    assert clock is not None
    day = datetime.fromtimestamp(live.row.created_at / 1000)
    assert clock["start_ms"] == int(
        day.replace(hour=21, minute=0, second=0, microsecond=0).timestamp() * 1000
    )


def test_the_time_up_alert_is_off_by_default_and_toggled_from_the_console(
    meetings: tuple[TestClient, LiveEvent, str], tmp_path: Path
) -> None:
    console, live, csrf = meetings
    page = console.get(f"/e/{live.code}/console").text
    assert 'aria-pressed="false"' in page and "Sound at time-up: off" in page
    assert 'data-alert="true"' not in console.get(f"/e/{live.code}/screen").text
    page = act(console, live, csrf, "sound_toggle")
    assert "Sound at time-up: on" in page
    screen = console.get(f"/e/{live.code}/screen").text
    assert 'data-alert="true"' in screen and "/static/sounds/chime.wav" in screen
    chime = console.get("/static/sounds/chime.wav")
    assert chime.status_code == 200 and chime.content[:4] == b"RIFF"
    # the choice is saved with the event: a restarted server keeps it
    again = create_app(Settings(db_path=str(tmp_path / "m.sqlite3")))
    services = again.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    assert services.events.get(live.code).state.sound is True


def test_the_console_counts_feedback_and_wishes_during_a_pitch(tmp_path: Path) -> None:
    app, live = start_event(
        tmp_path, CARREFOUR.read_text(), roster=load_roster_file(DEMO_ROSTER)[:3]
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:  # type: ignore[arg-type]
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        page = act(console, live, csrf, "next")  # the first pitch
        project = live.stage.project
        assert "0 people gave feedback" in page and "0 people want to meet them" in page
        assert "Next up:" in page
        phone = TestClient(app)
        token = csrf_of(phone.get(f"/e/{live.code}").text)
        phone.post(
            f"/e/{live.code}/feedback",
            data={"csrf": token, "project": project, "rating": "4", "comment": "Bravo"},
        )
        phone.post(
            f"/e/{live.code}/wish",
            data={"csrf": token, "target": f"project:{project}", "level": "want"},
        )
        page = console.get(f"/e/{live.code}/console").text
        assert "1 person gave feedback" in page and "1 person wants to meet them" in page


def test_the_preview_starts_where_the_format_puts_its_meetings(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=str(tmp_path / "o.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        client.get(f"/organiser?key={services.organiser_key}")
        page = client.get("/organiser/formats/carrefour-des-possibles").text
        times = dict(
            (label, t) for t, label in re.findall(r"<tr><td>(\d\d:\d\d)</td><td>([^<]+)</td>", page)
        )
        assert times["Meetings"] == "21:00", times
        assert "The format starts the meetings at" not in page
        moved = client.get("/organiser/formats/carrefour-des-possibles?start=18:00").text
        assert "The format starts the meetings at 21:00" in moved
