"""The reveal as a moment: a countdown one place at a time at the facilitator's pace, tied
options together and said in words, no option that got nothing, and a vote's own step that
does not spoil the reveal step that shows it."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.core.engine import Action, EngineError, apply_action, initial_state
from facilitation.core.reveals import next_reveal
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import DEMO_ROSTER, MANY_PHONES
from tests.test_engine import T0, carrefour_plan

COUNTDOWN = """
format: 1
id: countdown-test
version: 1.0.0
title: Countdown
steps:
  - id: favourite
    kind: vote
    question: Your favourite?
    method: single
    options: projects
  - {id: podium, kind: reveal, vote: favourite, order: countdown}
"""


@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=12))
def test_a_countdown_ends_on_every_place_and_shows_tied_rows_together(sizes: list[int]) -> None:
    places = [p for i, size in enumerate(sizes) for p in [1 + sum(sizes[:i])] * size]
    shown, seen = 0, []
    while shown < len(places):
        after = next_reveal(shown, places, countdown=True)
        assert after > shown
        newly = places[len(places) - after : len(places) - shown]
        assert len(set(newly)) == 1, "one click shows one place"
        assert places.count(newly[0]) == len(newly), "a tie is shown whole"
        seen.append(newly[0])
        shown = after
    assert seen == sorted(set(places), reverse=True)
    assert next_reveal(0, places, countdown=False) == len(places)


def test_a_vote_shown_by_a_later_reveal_step_is_not_revealed_from_its_own_step() -> None:
    plan = carrefour_plan()
    vote = next(s.index for s in plan.stages if s.kind == "vote")
    state = apply_action(plan, initial_state(plan, T0), Action("jump", stage=vote), T0)
    with pytest.raises(EngineError) as caught:
        apply_action(plan, state, Action("reveal"), T0)
    assert caught.value.code == "revealed_later"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def contest(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, str]]:
    app = create_app(Settings(db_path=str(tmp_path / "r.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=COUNTDOWN,
            format_name="countdown.yaml",
            roster=load_roster_file(DEMO_ROSTER)[:5],
            params={},
            lang="en",
        )
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        yield console, live, csrf_of(console.get(f"/e/{live.code}/console").text)


def act(console: TestClient, live: LiveEvent, csrf: str, action: str) -> str:
    response = console.post(
        f"/e/{live.code}/console/act",
        data={"csrf": csrf, "action": action},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return response.text


def screen_rows(console: TestClient, live: LiveEvent) -> list[str]:
    page = console.get(f"/e/{live.code}/screen").text
    return [
        html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip())
        for row in re.findall(r'<span class="result-label">(.*?)</span>\s*<svg', page, re.S)
    ]


def test_a_countdown_with_a_tie_for_first_place(
    contest: tuple[TestClient, LiveEvent, str],
) -> None:
    console, live, csrf = contest
    a, b, c, d, e = (live.plan.project(p) for p in live.plan.lineup)
    act(console, live, csrf, "vote_open")
    for choice in (a, b, a, b, c):
        phone = TestClient(console.app)
        token = csrf_of(phone.get(f"/e/{live.code}").text)
        phone.post(
            f"/e/{live.code}/vote", data={"csrf": token, "vote": "favourite", "choice": choice.id}
        )
    page = act(console, live, csrf, "next")  # to the reveal step
    assert "Next place: reveal place 3" in page
    assert screen_rows(console, live) == []
    page = act(console, live, csrf, "reveal")
    assert screen_rows(console, live) == [f"3. {c.title}"]
    assert "Next place: reveal place 1" in page
    act(console, live, csrf, "reveal")
    rows = screen_rows(console, live)
    assert sorted(rows[:2]) == sorted([f"1. {a.title} (tied)", f"1. {b.title} (tied)"])
    assert rows[2] == f"3. {c.title}" and len(rows) == 3, "options without a vote pad the list"
    screen = console.get(f"/e/{live.code}/screen").text
    assert "Tied for first place:" in screen
    assert html.escape(d.title) not in screen and html.escape(e.title) not in screen
    assert screen.count('class="result winner latest tied"') == 2, "the winners stand out"
    page = act(console, live, csrf, "reveal")
    assert "Everything is already revealed." in page
    french = console.get(f"/e/{live.code}/screen?lang=fr").text
    assert "(ex aequo)" in french and "Ex aequo à la première place" in french
