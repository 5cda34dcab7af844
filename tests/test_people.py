"""People and matchmaking as the facilitator sets them up: holders added by hand hold a
project, names are not given twice, meetings can leave out whoever is not there, a person
without a name learns the number others read, and a workshop has no demo projects."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER, FORMATS, MANY_PHONES, Server

Evening = tuple[TestClient, LiveEvent, str, object]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def evening(tmp_path: Path) -> Iterator[Evening]:
    app = create_app(Settings(db_path=str(tmp_path / "p.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=load_roster_file(DEMO_ROSTER)[:3],
            params={"meeting_slots": "2"},
        )
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console/people").text)
        yield console, live, csrf, services


def add(console: TestClient, live: LiveEvent, csrf: str, **data: str) -> str:
    response = console.post(
        f"/e/{live.code}/console/people", data={"csrf": csrf, **data}, follow_redirects=False
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def test_a_holder_added_by_hand_holds_a_project_named_by_its_title(evening: Evening) -> None:
    console, live, csrf, services = evening
    project = live.plan.projects[1]
    refused = add(console, live, csrf, name="Nadia Holder", role="holder")
    assert "error=holder_project" in refused
    page = console.get(refused).text
    assert "A project holder needs a project" in page
    assert 'value="Nadia Holder"' in page, "what was typed is lost"
    assert add(console, live, csrf, name="Nadia Holder", role="holder", project="nope") == refused
    holders_before = [p for p in services.participants.invited(live) if p.role == "holder"]
    assert add(console, live, csrf, name="Nadia Holder", role="holder", project=project.id) == (
        f"/e/{live.code}/console/people"
    )
    nadia = next(p for p in services.participants.invited(live) if p.name == "Nadia Holder")
    assert nadia.project_id == project.id
    assert len(holders_before) == len(live.plan.projects)
    page = console.get(f"/e/{live.code}/console/people").text
    card = page[page.index("Nadia Holder") :]
    card = card[: card.index("</li>")]
    assert escape(project.title) in card, "the card names the project by its title"
    assert f"· {project.id}<" not in card
    # every roster holder's card shows a title, never an id
    for p in live.plan.projects:
        assert f"· {escape(p.title)}</p>" in page


def test_a_name_given_twice_is_refused_with_the_name(evening: Evening) -> None:
    console, live, csrf, services = evening
    assert add(console, live, csrf, name="Claire Martin", role="partner").endswith("/people")
    before = len(services.participants.invited(live))
    refused = add(console, live, csrf, name="  claire   MARTIN ", role="partner")
    assert "error=duplicate_name" in refused
    assert len(services.participants.invited(live)) == before
    page = console.get(refused).text
    assert "Someone is already called “claire MARTIN”" in page


def test_meetings_can_leave_out_people_without_a_phone_connected(evening: Evening) -> None:
    console, live, csrf, services = evening
    for name in ("Partner Here", "Partner Away"):
        add(console, live, csrf, name=name, role="partner")
    people = {p.name: p for p in services.participants.invited(live)}
    holders = [p for p in people.values() if p.role == "holder"]
    here = [people["Partner Here"], holders[0]]
    for partner, holder in (
        (people["Partner Here"], holders[0]),
        (people["Partner Away"], holders[1]),
    ):
        target = f"project:{holder.project_id}"
        asyncio.run(services.meetings.wish(live, partner, target, "must"))
    presence = services.meetings.presence
    for person in here:  # what the socket hub does when a phone connects
        asyncio.run(presence.arrive(live.code, "participant", "en", person.id))
    page = console.get(f"/e/{live.code}/console/match").text
    warning = page[page.index("absent-people") :]
    warning = warning[: warning.index("</div>")]
    assert "Partner Away" in warning and holders[1].name in warning
    assert "Partner Here" not in warning
    assert 'name="present_only"' in page
    response = console.post(
        f"/e/{live.code}/console/match",
        data={"csrf": csrf, "action": "run", "present_only": "1"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/e/{live.code}/console/match"
    draft = services.meetings.draft(live)
    placed = {pid for m in draft.meetings for pid in m.pair}
    assert placed, "nobody was matched"
    assert placed <= {str(p.id) for p in here}, "an absent person got a meeting"
    # without the option, absent holders and partners are matched as before
    console.post(f"/e/{live.code}/console/match", data={"csrf": csrf, "action": "run"})
    everyone = {pid for m in services.meetings.draft(live).meetings for pid in m.pair}
    assert str(people["Partner Away"].id) in everyone


def test_a_phone_without_a_name_is_told_the_number_others_read(evening: Evening) -> None:
    console, live, csrf, services = evening
    add(console, live, csrf, name="Fondation Y", role="partner")
    partner = next(p for p in services.participants.invited(live) if p.name == "Fondation Y")
    phone = TestClient(console.app, headers={"Accept-Language": "en"})
    page = phone.get(f"/e/{live.code}").text
    phone.post(
        f"/e/{live.code}/wish",
        data={"csrf": csrf_of(page), "target": str(partner.id), "level": "must"},
    )
    me = services.participants.by_token(live, phone.cookies.get(f"p_{live.code}"))
    console.post(f"/e/{live.code}/console/match", data={"csrf": csrf, "action": "run"})
    console.post(f"/e/{live.code}/console/match", data={"csrf": csrf, "action": "publish"})
    draft = services.meetings.draft(live)
    assert any(str(me.id) in m.pair for m in draft.published)
    assert draft.name(str(me.id)) == f"#{me.id}"
    for text in (phone.get(f"/e/{live.code}/agenda").text, phone.get(f"/e/{live.code}").text):
        assert f"You are #{me.id} on the agendas" in text
    # a named person is not told a number
    phone.post(f"/e/{live.code}/name", data={"csrf": csrf_of(page), "name": "Lou"})
    assert "on the agendas" not in phone.get(f"/e/{live.code}/agenda").text


@pytest.mark.parametrize(
    ("format_name", "projects"), [("priorisation.yaml", False), ("pitch-contest.yaml", True)]
)
def test_start_up_mentions_demo_projects_only_where_there_are_projects(
    tmp_path: Path, format_name: str, projects: bool
) -> None:
    running = Server(tmp_path / "s.sqlite3", format=FORMATS / format_name).start()
    try:
        text = "".join(running.lines)
        assert ("demo roster" in text) is projects, text
        assert ("10 projects" in text) is projects, text
    finally:
        running.stop()
