"""Groups, rotations and pass-around in a running event (HTTP; the phones' forms)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import DEMO_ROSTER, MANY_PHONES, ROOT

WORKSHOP = ROOT / "tests" / "data" / "formats" / "workshop.yaml"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, str, list[TestClient]]]:
    app = create_app(Settings(db_path=str(tmp_path / "w.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=WORKSHOP.read_text(),
            format_name=str(WORKSHOP),
            roster=load_roster_file(DEMO_ROSTER)[:3],
            params={},
        )
    )
    with TestClient(app) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        phones = []
        for index in range(10):
            phone = TestClient(app, headers={"Accept-Language": "en"})
            page = phone.get(f"/e/{live.code}").text
            phone.post(
                f"/e/{live.code}/name", data={"csrf": csrf_of(page), "name": f"Person {index}"}
            )
            phones.append(phone)
        yield console, live, csrf, phones


def act(console: TestClient, live: LiveEvent, csrf: str, action: str, **fields: str) -> str:
    html = console.post(
        f"/e/{live.code}/console/act",
        data={"csrf": csrf, "action": action, **fields},
        headers={"HX-Request": "true"},
    ).text
    assert 'class="flash error"' not in html, html[:300]
    return html


def seat(phone: TestClient, live: LiveEvent) -> str:
    return phone.get(f"/e/{live.code}/seat").text


def test_pass_around_scores_and_countdown(
    workshop: tuple[TestClient, LiveEvent, str, list[TestClient]],
) -> None:
    console, live, csrf, phones = workshop
    for index, phone in enumerate(phones):
        page = phone.get(f"/e/{live.code}").text
        location = phone.post(
            f"/e/{live.code}/item",
            data={"csrf": csrf_of(page), "step": "cards", "idea": f"Idea number {index}"},
            follow_redirects=False,
        ).headers["location"]
        assert location.endswith("flash=sent")
    cards_seen: dict[int, set[str]] = {}
    for round_ in (1, 2, 3):
        act(console, live, csrf, "next")
        assert live.stage.round == round_
        for index, phone in enumerate(phones):
            html = seat(phone, live)
            card = re.search(r'name="card" value="(\d+)"', html)
            assert card, html
            text = re.search(r'<blockquote class="card-text">([^<]+)<', html).group(1)  # type: ignore[union-attr]
            assert text != f"Idea number {index}", "someone got their own card"
            assert index not in {int(t) for t in cards_seen.get(int(card.group(1)), set())}
            cards_seen.setdefault(int(card.group(1)), set()).add(str(index))
            score = 5 if text == "Idea number 3" else 1 + (index % 3)
            location = phone.post(
                f"/e/{live.code}/score",
                data={
                    "csrf": csrf_of(phone.get(f"/e/{live.code}").text),
                    "card": card.group(1),
                    "score": str(score),
                },
                follow_redirects=False,
            ).headers["location"]
            assert location.endswith("flash=sent")
        # a card that is not yours this round is refused
        other = phones[0].post(
            f"/e/{live.code}/score",
            data={
                "csrf": csrf_of(phones[0].get(f"/e/{live.code}").text),
                "card": "999",
                "score": "3",
            },
            follow_redirects=False,
        )
        assert other.headers["location"].endswith("flash=not_your_card")
    act(console, live, csrf, "next")  # the countdown reveal of the best cards
    viewer = TestClient(console.app)
    assert '<ol class="results' not in viewer.get(f"/e/{live.code}/screen").text
    for shown in (1, 2, 3):
        act(console, live, csrf, "reveal")
        screen = viewer.get(f"/e/{live.code}/screen").text
        assert len(re.findall(r'class="result-place"', screen)) == shown
    assert re.search(r"result-place\">1\.</span> Idea number 3", screen)


def test_groups_merges_troika_world_cafe_and_stations(
    workshop: tuple[TestClient, LiveEvent, str, list[TestClient]],
) -> None:
    console, live, csrf, phones = workshop
    stage = {s.step_id: s.index for s in live.plan.stages if s.round in (None, 1)}
    act(console, live, csrf, "jump", stage=str(stage["tables"]))
    tables = []
    for phone in phones:
        html = seat(phone, live)
        table = re.search(r"Your table: (\d+)", html)
        assert table, html
        tables.append(int(table.group(1)))
    assert sorted(Counter(tables).values()) == [3, 3, 4]  # 10 people, "3, else 4"
    screen = console.get(f"/e/{live.code}/screen").text
    assert screen.count('class="table-card"') == 3 and "Person 0" in screen
    # Troika: groups of "3, else 4" run four rounds, so everyone, the fourth member of a
    # group of four included, is the client exactly once
    clients = Counter()
    act(console, live, csrf, "next")
    for _ in range(4):
        for index, phone in enumerate(phones):
            if "You are the client" in seat(phone, live):
                clients[index] += 1
        act(console, live, csrf, "next")
    assert set(clients.values()) == {1} and len(clients) == len(phones)
    # 1-2-4: pairs, then pairs merged into fours, nobody split from their pair
    pairs = {}
    for index, phone in enumerate(phones):
        pairs[index] = re.search(r"Your table: (\d+)", seat(phone, live)).group(1)  # type: ignore[union-attr]
    act(console, live, csrf, "next")
    fours = {
        index: re.search(r"Your table: (\d+)", seat(phone, live)).group(1)  # type: ignore[union-attr]
        for index, phone in enumerate(phones)
    }
    for a in pairs:
        for b in pairs:
            if pairs[a] == pairs[b]:
                assert fours[a] == fours[b]
    assert len(set(fours.values())) == len(set(pairs.values())) // 2
    # World Café: hosts stay at their table round after round
    act(console, live, csrf, "next")
    first = {index: seat(phone, live) for index, phone in enumerate(phones)}
    hosts = [i for i, html in first.items() if "You host this table" in html]
    assert hosts
    act(console, live, csrf, "next")
    for index in hosts:
        html = seat(phones[index], live)
        assert "You host this table" in html
    # demo fair: the groups of "tables" visit the two stands, one after the other
    act(console, live, csrf, "jump", stage=str(stage["fair"]))
    visits = {
        index: re.search(r"Station: ([^<]+)<", seat(phone, live)).group(1)  # type: ignore[union-attr]
        for index, phone in enumerate(phones)
    }
    act(console, live, csrf, "next")
    again = {
        index: re.search(r"Station: ([^<]+)<", seat(phone, live)).group(1)  # type: ignore[union-attr]
        for index, phone in enumerate(phones)
    }
    assert set(visits.values()) == {"Stand A", "Stand B"}
    assert all(visits[i] != again[i] for i in visits), "a group stayed at the same stand"
    # late arrivals and regrouping only from the console
    stranger = TestClient(console.app)
    assert (
        stranger.post(
            f"/e/{live.code}/console/seating", data={"csrf": csrf, "action": "regroup"}
        ).status_code
        == 403
    )


def test_self_selected_groups_follow_choices(tmp_path: Path) -> None:
    source = """
format: 1
id: self-test
version: 1.0.0
title: Self
steps:
  - id: topics
    kind: groups
    mode: self
    size: 3
    choices: [{id: food, label: Food}, {id: mobility, label: Mobility}]
"""
    app = create_app(Settings(db_path=str(tmp_path / "self.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(format_source=source, format_name="self.yaml", roster=(), params={})
    )
    with TestClient(app) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        phones = [TestClient(app, headers={"Accept-Language": "en"}) for _ in range(6)]
        for index, phone in enumerate(phones):
            page = phone.get(f"/e/{live.code}").text
            assert 'name="choice" value="food"' in page
            choice = "food" if index < 4 else "mobility"
            location = phone.post(
                f"/e/{live.code}/choose",
                data={"csrf": csrf_of(page), "choice": choice},
                follow_redirects=False,
            ).headers["location"]
            assert location.endswith("flash=sent")
        assert "Choose your table above" in seat(phones[0], live)
        console.post(f"/e/{live.code}/console/seating", data={"csrf": csrf, "action": "regroup"})
        tables = [int(re.search(r"Your table: (\d+)", seat(p, live)).group(1)) for p in phones]  # type: ignore[union-attr]
        # four chose food (too many for groups of 3: split 2 + 2), two chose mobility
        assert len({tables[4], tables[5]}) == 1
        assert tables[4] not in tables[:4]
        assert sorted(Counter(tables[:4]).values()) == [2, 2]
        late = (
            phones[0]
            .post(
                f"/e/{live.code}/choose",
                data={"csrf": csrf_of(phones[0].get(f"/e/{live.code}").text), "choice": "mobility"},
                follow_redirects=False,
            )
            .headers["location"]
        )
        assert late.endswith("flash=groups_formed")


def test_a_pass_around_nobody_can_be_dealt_says_so_on_the_console(tmp_path: Path) -> None:
    """Regression: too few readers for the rounds left every phone with "no card" and the
    console silent; it now says why and offers to deal again once more people are here."""
    app = create_app(Settings(db_path=str(tmp_path / "p.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=WORKSHOP.read_text(),
            format_name=str(WORKSHOP),
            roster=(),
            params={},
        )
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        phones = [TestClient(app, headers={"Accept-Language": "en"}) for _ in range(2)]
        for index, phone in enumerate(phones):
            page = phone.get(f"/e/{live.code}").text
            phone.post(
                f"/e/{live.code}/item",
                data={"csrf": csrf_of(page), "step": "cards", "idea": f"Idea {index}"},
            )
        state = console.post(  # two readers cannot pass cards around for 3 rounds
            f"/e/{live.code}/console/act",
            data={"csrf": csrf, "action": "next"},
            headers={"HX-Request": "true"},
        ).text
        assert "Nobody got a card this round" in state
        assert "2 cards cannot each go to 3 readers" in state
        assert 'value="regroup"' in state
        # more readers arrive: dealing again now works, and the warning goes
        for _ in range(3):
            late = TestClient(app, headers={"Accept-Language": "en"})
            assert late.get(f"/e/{live.code}").status_code == 200
            phones.append(late)
        dealt = console.post(
            f"/e/{live.code}/console/seating",
            data={"csrf": csrf, "action": "regroup"},
            headers={"HX-Request": "true"},
        ).text
        assert "Nobody got a card this round" not in dealt
        holding = [p for p in phones if re.search(r'name="card" value="\d+"', seat(p, live))]
        assert len(holding) == 2, "each of the two cards is in someone's hands"


def test_a_troika_of_trios_only_says_its_round_for_groups_of_four_has_no_client(
    tmp_path: Path,
) -> None:
    """The shipped troika runs four rounds (groups of "3, else 4"): with nine people, three
    trios, everyone is the client once in rounds 1 to 3, and at round 4 the console says that
    nobody is the client and to go on, instead of a silent round of breaks."""
    troika = ROOT / "formats" / "troika-consulting.yaml"
    app = create_app(Settings(db_path=str(tmp_path / "t.sqlite3"), **MANY_PHONES))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=troika.read_text(), format_name=str(troika), roster=(), params={}
        )
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        phones = [TestClient(app, headers={"Accept-Language": "en"}) for _ in range(9)]
        for phone in phones:
            assert phone.get(f"/e/{live.code}").status_code == 200
        act(console, live, csrf, "next")  # the trios
        clients: Counter[int] = Counter()
        for round_ in (1, 2, 3):
            state = act(console, live, csrf, "next")
            assert live.stage.round == round_
            assert "nobody is the client this round" not in state
            for index, phone in enumerate(phones):
                if "You are the client" in seat(phone, live):
                    clients[index] += 1
        assert set(clients.values()) == {1} and len(clients) == 9
        state = act(console, live, csrf, "next")
        assert live.stage.round == 4
        assert "nobody is the client this round" in state
        assert all("take a short break" in seat(phone, live) for phone in phones)
        french = TestClient(app, headers={"Accept-Language": "fr"}, cookies=console.cookies)
        assert "personne ne l'est à ce tour" in french.get(f"/e/{live.code}/console").text.replace(
            "&#39;", "'"
        )
