"""Every shipped format runs through every step, with every vote cast from phones' forms."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.core.formats import InputStep, PassStep, VoteStep
from facilitation.readers.formats import file_resolver
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import DEMO_ROSTER, FORMATS, MANY_PHONES

SHIPPED = sorted(FORMATS.glob("*.yaml"))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def vote_fields(step: VoteStep, options: list[str], voter: int) -> dict[str, object]:
    """A valid, voter-dependent ballot as the phone's vote form would send it."""
    first, second = options[voter % len(options)], options[(voter + 1) % len(options)]
    match step.method:
        case "single":
            return {"choice": first}
        case "approval":
            return {"choices": [first, second][: step.max_choices or 2]}
        case "dots":
            return {f"points.{first}": "2", f"points.{second}": "1"}
        case "rating":
            low, high = step.scale or (1, 5)
            return {
                f"score.{o}": str(low + (i + voter) % (high - low + 1))
                for i, o in enumerate(options)
            }
        case "ranking":
            order = options[voter % len(options) :] + options[: voter % len(options)]
            return {f"rank.{o}": str(i + 1) for i, o in enumerate(order)}
        case "majority_judgment":
            return {f"grade.{o}": str((i + voter) % 7) for i, o in enumerate(options)}
        case _:
            return {
                f"score.{o}.{c.id}": str(1 + (i + voter) % 5)
                for i, o in enumerate(options)
                for c in step.criteria or []
            }


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_format_runs_every_step(path: Path, tmp_path: Path) -> None:
    app = create_app(Settings(db_path=str(tmp_path / "walk.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live: LiveEvent = asyncio.run(
        services.events.create(
            format_source=path.read_text(),
            format_name=str(path),
            roster=load_roster_file(DEMO_ROSTER),
            params={},
            resolve=file_resolver(FORMATS),
        )
    )
    with TestClient(app) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        phones = [TestClient(app) for _ in range(6)]
        holders = [p for p in services.participants.invited(live) if p.role == "holder"]
        for index, phone in enumerate(phones):
            special = {0: "jury", 1: "decider", 2: "holder"}.get(index)
            if special in live.format.roles:
                person = (
                    holders[0]
                    if special == "holder"
                    else asyncio.run(services.participants.invite(live, special, special.title()))
                )
                phone.get(f"/e/{live.code}/i/{person.token}")
            assert phone.get(f"/e/{live.code}").status_code == 200
        cast: dict[str, int] = {}
        items = scored = 0
        for stage in live.plan.stages:
            if stage.index:
                response = console.post(
                    f"/e/{live.code}/console/act",
                    data={"csrf": csrf, "action": "next"},
                    headers={"HX-Request": "true"},
                )
                assert 'class="flash error"' not in response.text, response.text[:400]
            assert live.state.cursor == stage.index
            for page in (f"/e/{live.code}", f"/e/{live.code}/screen"):
                assert phones[1].get(page).status_code == 200
            step = live.plan.step(stage)
            if isinstance(step, InputStep):
                for voter, phone in enumerate(phones):
                    me = services.participants.by_token(live, phone.cookies.get(f"p_{live.code}"))
                    if me.role not in step.who:
                        continue
                    data = {
                        "csrf": csrf_of(phone.get(f"/e/{live.code}").text),
                        "step": stage.step_id,
                    }
                    data.update(
                        {
                            f.id: (str(f.scale[0]) if f.type == "rating" else f"{f.id} {voter}")
                            for f in step.fields
                        }
                    )
                    location = phone.post(
                        f"/e/{live.code}/item", data=data, follow_redirects=False
                    ).headers["location"]
                    assert location.endswith("flash=sent"), location
                    items += 1
            if stage.kind in ("groups", "rotate", "pass"):
                for phone in phones:
                    seat = phone.get(f"/e/{live.code}/seat").text
                    assert 'id="seat"' in seat
                    card = re.search(r'name="card" value="(\d+)"', seat)
                    if card:
                        location = phone.post(
                            f"/e/{live.code}/score",
                            data={
                                "csrf": csrf_of(phone.get(f"/e/{live.code}").text),
                                "card": card.group(1),
                                "score": "4",
                            },
                            follow_redirects=False,
                        ).headers["location"]
                        assert location.endswith("flash=sent"), location
                        scored += 1
            if isinstance(step, VoteStep):
                options = [o for o, _ in live.plan.vote_options(stage.step_id)]
                for voter, phone in enumerate(phones):
                    me = services.participants.by_token(live, phone.cookies.get(f"p_{live.code}"))
                    if me.role not in step.who:
                        continue
                    mine = [o for o in options if step.own_project or o != me.project_id]
                    data = {
                        "csrf": csrf_of(phone.get(f"/e/{live.code}").text),
                        "vote": stage.step_id,
                        **vote_fields(step, mine, voter),
                    }
                    location = phone.post(
                        f"/e/{live.code}/vote", data=data, follow_redirects=False
                    ).headers["location"]
                    assert location.endswith("flash=voted"), (step.method, location)
                    cast[stage.step_id] = cast.get(stage.step_id, 0) + 1
            if stage.kind == "reveal":
                for _ in range(20):
                    html = console.post(
                        f"/e/{live.code}/console/act",
                        data={"csrf": csrf, "action": "reveal"},
                        headers={"HX-Request": "true"},
                    ).text
                    if "already" in html or 'class="flash error"' in html:
                        break
                screen = phones[3].get(f"/e/{live.code}/screen").text
                assert '<ol class="results' in screen, f"{path.stem}: nothing revealed"
        results = json.loads(console.get(f"/e/{live.code}/results.json").text)
        stored = {v["vote"]: v["ballots"] for v in results["votes"]}
        assert stored == {v: cast.get(v, 0) for v in live.format.vote_steps()}
        assert all(n > 0 for n in stored.values()), stored
        if any(isinstance(s, PassStep) for s in live.format.steps):
            assert scored > 0, "nobody had a card to score"
        for vote_id in live.format.vote_steps():
            ballots = console.get(f"/e/{live.code}/votes/{vote_id}/ballots.csv").text
            assert len(ballots.strip().splitlines()) == stored[vote_id] + 1
