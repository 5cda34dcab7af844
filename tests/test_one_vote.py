"""One person, one vote (issue 11): ticketed votes, limits on new identities, the console's
comparison of ballots with the room, and setting aside ballots of identities made in bursts.

A curl loop (page, read the form token, post a ballot) is what the finding used; these tests
are that loop, with TestClient, against a real SQLite file."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.services.events import LiveEvent
from facilitation.settings import Settings

FORMAT = """
format: 1
id: one-vote
version: 1.0.0
lang: en
title: Ticketed vote
roles: [facilitator, participant]
steps:
  - id: intro
    kind: info
    title: Welcome
  - id: pick
    kind: vote
    title: Pick one
    question: Which one?
    method: single
    voters: {voters}
    options:
      - {{id: a, label: A}}
      - {{id: b, label: B}}
"""


@dataclass
class Room:
    app: Any
    services: Any
    live: LiveEvent
    console: TestClient
    csrf: str

    def tally(self) -> dict[str, float]:
        result = self.services.events.results(self.live, "pick")
        return {option: float(score) for option, score in result.scores.items()}

    def counted(self) -> int:
        return int(self.services.events.count_ballots(self.live, "pick"))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def make_room(tmp_path: Path, voters: str, **settings: Any) -> Iterator[Room]:
    app = create_app(Settings(db_path=str(tmp_path / "vote.sqlite3"), **settings))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=FORMAT.format(voters=voters),
            format_name="one-vote.yaml",
            roster=(),
            params={},
        )
    )
    with TestClient(app) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        console.post(f"/e/{live.code}/console/act", data={"csrf": csrf, "action": "next"})
        assert live.current_vote == "pick"
        yield Room(app, services, live, console, csrf)


def stuff(room: Room, times: int, choice: str = "a") -> list[str]:
    """The curl loop: no cookie kept, so every page view asks for a new identity."""
    script = TestClient(room.app)
    outcomes = []
    for _ in range(times):
        script.cookies.clear()
        page = script.get(f"/e/{room.live.code}")
        if page.status_code != 200:
            outcomes.append(f"page {page.status_code}")
            continue
        response = script.post(
            f"/e/{room.live.code}/vote",
            data={"csrf": csrf_of(page.text), "vote": "pick", "choice": choice},
            follow_redirects=False,
        )
        outcomes.append(response.headers["location"].rpartition("flash=")[2])
    return outcomes


@pytest.fixture
def ticketed(tmp_path: Path) -> Iterator[Room]:
    yield from make_room(tmp_path, "ticketed")


def test_300_scripted_identities_count_for_nothing_in_a_ticketed_vote(ticketed: Room) -> None:
    outcomes = stuff(ticketed, 300)
    assert outcomes == ["ticket_needed"] * 300, "the gate, not the rate limit, refused them"
    assert ticketed.counted() == 0 and ticketed.tally() == {"a": 0, "b": 0}
    # the refusal is a sentence, in the phone's language
    phone = TestClient(ticketed.app)
    page = phone.get(f"/e/{ticketed.live.code}?flash=ticket_needed&lang=fr")
    assert "ticket de vote" in page.text


def test_a_ticket_from_the_printed_sheet_makes_a_voter_whose_ballot_counts(
    ticketed: Room,
) -> None:
    room = ticketed
    code = room.live.code
    people = room.console.get(f"/e/{code}/console/people").text
    response = room.console.post(
        f"/e/{code}/console/people/tickets",
        data={"csrf": csrf_of(people), "count": "12"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("/tickets")
    sheet = room.console.get(f"/e/{code}/console/people/tickets")
    assert sheet.status_code == 200
    qrs = re.findall(r'<img class="ticket-qr" src="data:image/svg\+xml;base64,', sheet.text)
    links = re.findall(rf"http://testserver/e/{code}/i/[A-Za-z0-9_-]+", sheet.text)
    assert len(qrs) == 12 and len(set(links)) == 12
    assert "style=" not in sheet.text  # the CSP forbids inline styles
    # the sheet is the facilitator's: a phone does not see the tokens
    assert TestClient(room.app).get(f"/e/{code}/console/people/tickets").status_code == 403
    # a phone that scans ticket 1 (even after joining anonymously) votes, and it counts
    phone = TestClient(room.app)
    phone.get(f"/e/{code}")
    phone.get(links[0].removeprefix("http://testserver"))
    page = phone.get(f"/e/{code}").text
    response = phone.post(
        f"/e/{code}/vote",
        data={"csrf": csrf_of(page), "vote": "pick", "choice": "b"},
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("flash=voted")
    # a ticket handed to two phones is still one ballot
    other = TestClient(room.app)
    other.get(links[0].removeprefix("http://testserver"))
    page = other.get(f"/e/{code}").text
    other.post(f"/e/{code}/vote", data={"csrf": csrf_of(page), "vote": "pick", "choice": "a"})
    assert room.counted() == 1 and room.tally() == {"a": 1, "b": 0}
    # paper ballots stay possible in a ticketed vote
    paper = room.console.get(f"/e/{code}/console/paper/pick").text
    room.console.post(f"/e/{code}/console/paper/pick", data={"csrf": csrf_of(paper), "choice": "b"})
    assert room.tally() == {"a": 1, "b": 1}
    # a made-up token is no ticket
    assert TestClient(room.app).get(f"/e/{code}/i/not-a-ticket").status_code == 404
