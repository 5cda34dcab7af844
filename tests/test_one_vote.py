"""One person, one vote (issue 11): ticketed votes, limits on new identities, the console's
comparison of ballots with the room, and setting aside ballots of identities made in bursts.

A curl loop (page, read the form token, post a ballot) is what the finding used; these tests
are that loop, with TestClient, against a real SQLite file and a real PostgreSQL database."""

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
from facilitation.services.live_event import LiveEvent
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


def make_room(database: str, voters: str, **settings: Any) -> Iterator[Room]:
    app = create_app(Settings(db_path=database, **settings))
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
def ticketed(database: str) -> Iterator[Room]:
    yield from make_room(database, "ticketed", new_identities_per_minute=0)


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
    for typed in ("0", "²", "501", "lots"):
        refused = room.console.post(
            f"/e/{code}/console/people/tickets",
            data={"csrf": csrf_of(people), "count": typed},
            follow_redirects=False,
        )
        assert refused.headers["location"].endswith("?error=tickets"), typed
    assert room.services.participants.tickets(room.live) == []
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
    assert "ticket-notice" not in page
    assert "ticket-notice" in TestClient(room.app).get(f"/e/{code}").text
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


@pytest.fixture
def open_vote(database: str) -> Iterator[Room]:
    yield from make_room(database, "open")  # the default limits


def test_an_open_vote_refuses_most_of_300_identities_from_one_address(open_vote: Room) -> None:
    outcomes = stuff(open_vote, 300)
    voted = outcomes.count("voted")
    assert 1 <= voted <= 10, "a phone that lost its cookie still gets back in at once"
    assert outcomes.count("page 429") == 300 - voted
    assert open_vote.counted() == voted
    assert len(open_vote.services.participants.storage.participants(open_vote.live.id)) == voted
    # the page refused says to wait, or to scan a ticket, and makes no identity
    script = TestClient(open_vote.app)
    page = script.get(f"/e/{open_vote.live.code}?lang=en")
    assert page.status_code == 429 and int(page.headers["retry-after"]) >= 1
    assert "Try again in" in page.text and "voting ticket" in page.text
    assert not script.cookies
    # a phone keeping its cookie is not limited; another address is not either
    phone = TestClient(open_vote.app, client=("192.168.1.23", 50000))
    assert phone.get(f"/e/{open_vote.live.code}").status_code == 200
    for _ in range(20):
        assert phone.get(f"/e/{open_vote.live.code}").status_code == 200


def test_forwarded_for_is_only_trusted_when_the_setting_says(tmp_path: Path) -> None:
    for trusted, admitted in ((False, 5), (True, 12)):
        (tmp_path / str(trusted)).mkdir()
        db = str(tmp_path / str(trusted) / "vote.sqlite3")
        for room in make_room(db, "open", trust_forwarded_for=trusted):
            script = TestClient(room.app)
            codes = []
            for k in range(12):
                script.cookies.clear()
                # behind a proxy each phone is a different last hop; a client's own entries
                # (the first ones) are ignored
                header = {"X-Forwarded-For": f"6.6.6.6, 10.0.0.{k}"}
                codes.append(script.get(f"/e/{room.live.code}", headers=header).status_code)
            assert codes.count(200) == admitted


def console_state(room: Room) -> str:
    return room.console.get(f"/e/{room.live.code}/console?lang=en").text


def test_the_console_warns_when_ballots_exceed_the_head_count(open_vote: Room) -> None:
    room = open_vote
    voted = stuff(room, 300).count("voted")
    page = console_state(room)
    assert f"{voted} ballots counted" in page and "0 phones connected" in page
    assert "More ballots than voters?" in page  # no phone holds a connection
    assert "people counted in the room." not in page
    for count, warned in (("50", False), (str(voted - 2), True), ("", False)):
        answer = room.console.post(
            f"/e/{room.live.code}/console/headcount",
            data={"csrf": room.csrf, "count": count},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200
        shown = f"{voted} ballots for {count} people counted in the room." in console_state(room)
        assert shown is warned, count
    assert room.services.review.head_count(room.live) is None
    for typed in ("many", "²", "9" * 5000, "-3", "100001"):
        refused = room.console.post(
            f"/e/{room.live.code}/console/headcount",
            data={"csrf": room.csrf, "count": typed},
            headers={"HX-Request": "true"},
        )
        assert refused.status_code == 200 and 'role="alert"' in refused.text, typed
    logged = [e for e in room.services.events.storage.log_entries(room.live.id)]
    assert [e["detail"]["count"] for e in logged if e["action"] == "head_count"] == [
        50,
        voted - 2,
        None,
    ]


@pytest.fixture
def unlimited(database: str) -> Iterator[Room]:
    yield from make_room(database, "open", new_identities_per_minute=0)


def test_setting_aside_a_burst_removes_its_ballots_and_restoring_brings_them_back(
    unlimited: Room,
) -> None:
    room = unlimited
    code = room.live.code
    assert stuff(room, 300, "a").count("voted") == 300
    # three people in the room, each phone from its own address
    for k in range(3):
        phone = TestClient(room.app, client=(f"192.168.1.{10 + k}", 40000))
        page = phone.get(f"/e/{code}").text
        phone.post(f"/e/{code}/vote", data={"csrf": csrf_of(page), "vote": "pick", "choice": "b"})
    assert room.tally() == {"a": 300, "b": 3}
    review = room.console.get(f"/e/{code}/console/review/pick?lang=en").text
    assert "1 burst of new identities" in review and "<code>testclient</code>" in review
    assert "192.168.1." not in review
    burst = re.search(r'name="burst" value="(\d+)"', review)
    assert burst
    form = {"csrf": room.csrf, "burst": burst.group(1), "within": "10", "least": "5"}
    room.console.post(f"/e/{code}/console/review/pick", data={**form, "action": "set_aside"})
    assert room.tally() == {"a": 0, "b": 3} and room.counted() == 3
    # the downloads hold what the result counted
    rows = room.console.get(f"/e/{code}/votes/pick/ballots.csv").text.strip().splitlines()
    assert len(rows) == 1 + 3
    review = room.console.get(f"/e/{code}/console/review/pick?lang=en").text
    assert "Restore" in review
    room.console.post(f"/e/{code}/console/review/pick", data={**form, "action": "restore"})
    assert room.tally() == {"a": 300, "b": 3} and room.counted() == 303
    log = room.services.events.storage.log_entries(room.live.id)
    moves = [(e["action"], e["detail"]) for e in log if e["action"] in ("set_aside", "restore")]
    assert moves == [
        (action, {"vote": "pick", "origin": "testclient", "identities": 300, "ballots": 300})
        for action in ("set_aside", "restore")
    ]
    # only the facilitator reviews
    phone = TestClient(room.app, client=("192.168.1.99", 40000))
    assert phone.get(f"/e/{code}/console/review/pick").status_code == 403
    assert phone.post(f"/e/{code}/console/review/pick", data=form).status_code == 403
