"""Voting in the web layer: jury-only votes, paper ballots, countdown reveals, downloads."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import DEMO_ROSTER, FORMATS


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def contest(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, str]]:
    app = create_app(Settings(db_path=str(tmp_path / "contest.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    path = FORMATS / "pitch-contest.yaml"
    roster = load_roster_file(DEMO_ROSTER)[:4]
    live = asyncio.run(
        services.events.create(
            format_source=path.read_text(), format_name=str(path), roster=roster, params={}
        )
    )
    with TestClient(app) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        yield console, live, csrf_of(console.get(f"/e/{live.code}/console").text)


def act(console: TestClient, live: LiveEvent, csrf: str, action: str, **fields: str) -> str:
    return console.post(
        f"/e/{live.code}/console/act",
        data={"csrf": csrf, "action": action, **fields},
        headers={"HX-Request": "true"},
    ).text


def stage_of(live: LiveEvent, step_id: str) -> str:
    return str(next(s.index for s in live.plan.stages if s.step_id == step_id))


def jury_ballots(console: TestClient, live: LiveEvent) -> int:
    votes = json.loads(console.get(f"/e/{live.code}/results.json").text)["votes"]
    return int(next(v for v in votes if v["vote"] == "jury")["ballots"])


def test_jury_votes_are_for_the_jury_and_holders_skip_their_project(
    contest: tuple[TestClient, LiveEvent, str],
) -> None:
    console, live, csrf = contest
    app = console.app
    act(console, live, csrf, "jump", stage=stage_of(live, "jury"))
    public = TestClient(app)
    page = public.get(f"/e/{live.code}").text
    assert re.search(r'<form class="vote-form[^>]*hidden', page), "jury form shown to the public"
    location = public.post(
        f"/e/{live.code}/vote",
        data={
            "csrf": csrf_of(page),
            "vote": "jury",
            "score.cantine-partagee.impact": "4",
        },
        follow_redirects=False,
    ).headers["location"]
    assert location.endswith("flash=not_a_voter")
    # a jury member comes in through a personal link made on the people page
    response = console.post(
        f"/e/{live.code}/console/people",
        data={"csrf": csrf, "name": "Inès <b>Juré</b>", "role": "jury"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    people = console.get(f"/e/{live.code}/console/people").text
    assert "Inès &lt;b&gt;Juré&lt;/b&gt;" in people
    card = people[people.index("Inès &lt;b&gt;Juré") :]
    link = re.search(rf"/e/{live.code}/i/([A-Za-z0-9_-]+)", card)
    assert link
    juror = TestClient(app)
    juror.get(link.group(0))
    page = juror.get(f"/e/{live.code}").text
    assert "Membre du jury" in page or "Jury member" in page
    # the contest asks every project scored on every criterion: a sheet with 2 of its 16
    # scores is refused with what to do, as an error, and is not counted
    location = juror.post(
        f"/e/{live.code}/vote",
        data={
            "csrf": csrf_of(page),
            "vote": "jury",
            "score.cantine-partagee.impact": "4",
            "score.cantine-partagee.team": "5",
        },
        follow_redirects=False,
    ).headers["location"]
    assert location.endswith("flash=missing_criteria")
    refused = juror.get(location).text
    assert re.search(r'class="[^"]*error[^"]*"[^>]*>[^<]*chaque critère de chaque projet', refused)
    assert jury_ballots(console, live) == 0
    sheet = {
        f"score.{p.id}.{c}": "3"
        for p in live.plan.projects
        for c in ("impact", "usage", "feasibility", "team")
    }
    location = juror.post(
        f"/e/{live.code}/vote",
        data={"csrf": csrf_of(page), "vote": "jury", **sheet},
        follow_redirects=False,
    ).headers["location"]
    assert location.endswith("flash=voted")
    assert jury_ballots(console, live) == 1
    # holders (made for each project) may not vote for their own project in the public vote
    act(console, live, csrf, "jump", stage=stage_of(live, "public"))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    holder = next(p for p in services.participants.invited(live) if p.role == "holder")
    phone = TestClient(app)
    phone.get(f"/e/{live.code}/i/{holder.token}")
    page = phone.get(f"/e/{live.code}").text
    assert re.search(rf'value="{holder.project_id}"[^>]*disabled', page)
    location = phone.post(
        f"/e/{live.code}/vote",
        data={
            "csrf": csrf_of(page),
            "vote": "public",
            "choices": holder.project_id,
        },
        follow_redirects=False,
    ).headers["location"]
    assert location.endswith("flash=forbidden_option")


def test_paper_ballots_count_and_are_marked(contest: tuple[TestClient, LiveEvent, str]) -> None:
    console, live, csrf = contest
    act(console, live, csrf, "jump", stage=stage_of(live, "public"))
    page = console.get(f"/e/{live.code}/console/paper/public")
    assert page.status_code == 200 and 'name="choices"' in page.text
    for choice in ("cantine-partagee", "repair-velo"):
        response = console.post(
            f"/e/{live.code}/console/paper/public",
            data={"csrf": csrf, "choices": choice},
            follow_redirects=False,
        )
        assert response.headers["location"].endswith("flash=added")
    bad = console.post(
        f"/e/{live.code}/console/paper/public",
        data={"csrf": csrf, "choices": "nope"},
        follow_redirects=False,
    )
    assert bad.headers["location"].endswith("flash=unknown_option")
    stranger = TestClient(console.app)
    assert (
        stranger.post(
            f"/e/{live.code}/console/paper/public", data={"csrf": csrf, "choices": "repair-velo"}
        ).status_code
        == 403
    )
    rows = list(
        csv.DictReader(io.StringIO(console.get(f"/e/{live.code}/votes/public/ballots.csv").text))
    )
    assert len(rows) == 2 and all(r["paper"] == "1" for r in rows)
    assert "name" not in rows[0], "secret ballots must not carry names"
    data = json.loads(console.get(f"/e/{live.code}/results.json").text)
    public = next(v for v in data["votes"] if v["vote"] == "public")
    assert public["ballots"] == 2 and public["paper_ballots"] == 2
    # deleting a mistyped paper ballot
    paper = console.get(f"/e/{live.code}/console/paper/public").text
    first = re.search(r'name="delete" value="(\d+)"', paper)
    assert first
    console.post(
        f"/e/{live.code}/console/paper/public", data={"csrf": csrf, "delete": first.group(1)}
    )
    assert (
        len(console.get(f"/e/{live.code}/votes/public/ballots.csv").text.strip().splitlines()) == 2
    )


def test_countdown_reveals_one_place_per_click(contest: tuple[TestClient, LiveEvent, str]) -> None:
    console, live, csrf = contest
    app = console.app
    act(console, live, csrf, "jump", stage=stage_of(live, "public"))
    for choices in (["cantine-partagee", "repair-velo"], ["cantine-partagee"], ["carte-acces"]):
        phone = TestClient(app)
        page = phone.get(f"/e/{live.code}").text
        phone.post(
            f"/e/{live.code}/vote",
            data={"csrf": csrf_of(page), "vote": "public", "choices": choices},
        )
    act(console, live, csrf, "jump", stage=stage_of(live, "jury"))
    act(console, live, csrf, "vote_open")
    act(console, live, csrf, "jump", stage=stage_of(live, "podium"))
    viewer = TestClient(app)
    assert 'class="results' not in viewer.get(f"/e/{live.code}/screen").text
    seen = []
    for expected in (1, 2, 3):
        html = act(console, live, csrf, "reveal")
        assert f"{expected}" in html
        screen = viewer.get(f"/e/{live.code}/screen").text
        places = re.findall(r'<span class="result-place">(\d+)\.</span>', screen)
        assert len(places) == expected
        seen.append(places)
    assert seen[0] == ["3"] and seen[2] == ["1", "2", "3"]
    html = act(console, live, csrf, "reveal")
    assert 'class="flash error"' in html  # nothing left to reveal
    assert live.state.vote("public").revealed and live.state.vote("jury").revealed
