"""Questions over plain forms (no JavaScript), then afterwards: each holder's private page
lists the questions asked to their project, the report and downloads include them (the
formula guard on), and a word cloud step refuses long answers and shows the cloud."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER
from tests.test_inputs import act, csrf_of, post

FORMATS = Path(__file__).parent.parent / "formats"


def evening(tmp_path: Path, source: Path) -> tuple[TestClient, LiveEvent, str]:
    app = create_app(Settings(db_path=str(tmp_path / "q.sqlite3"), tally_interval_s=0.05))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=source.read_text(),
            format_name=str(source),
            roster=load_roster_file(DEMO_ROSTER)[:3],
            params={},
            lang="en",
        )
    )
    console = TestClient(app)
    console.get(f"/e/{live.code}/console?key={live.row.secret}")
    return console, live, csrf_of(console.get(f"/e/{live.code}/console").text)


@pytest.fixture
def carrefour(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, str]]:
    console, live, csrf = evening(tmp_path, CARREFOUR)
    with console:
        yield console, live, csrf


def test_questions_reach_the_holder_the_report_and_the_downloads(
    carrefour: tuple[TestClient, LiveEvent, str],
) -> None:
    console, live, csrf = carrefour
    app = console.app
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    holders = {p.project_id: p for p in services.participants.invited(live) if p.role == "holder"}
    first, second = live.plan.lineup[:2]
    phones = [TestClient(app) for _ in range(3)]
    assert post(phones[0], live, "ask", text="Too early?").endswith("flash=no_questions#questions")
    act(console, live, csrf, "next")  # the first project's pitch
    assert post(phones[0], live, "ask", text='=HYPERLINK("http://x")', name="Ana").endswith(
        "flash=sent#questions"
    )
    assert post(phones[1], live, "ask", text="How many users?").endswith("flash=sent#questions")
    page = phones[2].get(f"/e/{live.code}").text
    assert "How many users?" in page and "HYPERLINK" in page and "Ana" in page
    ids = [q.id for q in services.interaction.board(live, for_audience=True).listed]
    for phone in phones:
        assert post(phone, live, "upvote", question=str(ids[0])).endswith("flash=sent#questions")
    assert post(phones[2], live, "upvote", question=str(ids[0])).endswith(
        "flash=sent#questions"
    )  # twice
    assert post(phones[2], live, "upvote", question=str(ids[0]), up="0").endswith(
        "flash=sent#questions"
    )
    # while the second project pitches, questions go to the second project
    act(console, live, csrf, "next")
    act(console, live, csrf, "next")
    assert live.stage.project == second
    assert post(phones[0], live, "ask", text="And for the second?").endswith("flash=sent#questions")

    holder = TestClient(app)
    holder.get(f"/e/{live.code}/i/{holders[first].token}")
    mine = holder.get(f"/e/{live.code}/holder").text
    assert "How many users?" in mine and "HYPERLINK" in mine and "And for the second?" not in mine
    assert "2 questions asked to you" in mine
    rows = list(
        csv.DictReader(io.StringIO(holder.get(f"/e/{live.code}/holder/questions.csv").text))
    )
    assert {r["question"] for r in rows} == {'\'=HYPERLINK("http://x")', "How many users?"}
    upvotes = {r["question"]: r["upvotes"] for r in rows}
    assert upvotes['\'=HYPERLINK("http://x")'] == "2"  # three upvotes, one taken back
    data = json.loads(holder.get(f"/e/{live.code}/holder/questions.json").text)
    assert data["project"] == first and len(data["questions"]) == 2
    assert phones[0].get(f"/e/{live.code}/holder/questions.csv").status_code == 403

    report = console.get(f"/e/{live.code}/report").text
    assert "Questions from the audience" in report and "And for the second?" in report
    whole = json.loads(console.get(f"/e/{live.code}/report.json").text)
    assert len(whole["questions"]) == 3
    assert {q["project"] for q in whole["questions"]} == {first, second}
    every = list(csv.DictReader(io.StringIO(console.get(f"/e/{live.code}/questions.csv").text)))
    assert every[0]["question"].startswith("'=") and every[0]["upvotes"] == "2"
    assert phones[0].get(f"/e/{live.code}/questions.csv").status_code in (303, 403)


def test_a_word_cloud_takes_short_answers_and_hides_words(tmp_path: Path) -> None:
    console, live, csrf = evening(tmp_path, FORMATS / "acceleration-workshop.yaml")
    with console:
        assert live.stage.step_id == "one-word"
        phones = [TestClient(console.app) for _ in range(4)]
        for phone, word in zip(
            phones, ("Énergie", "énergie", "lien social", "Coopération"), strict=True
        ):
            assert post(phone, live, "item", step="one-word", word=word).endswith("flash=sent")
        refused = post(phones[0], live, "item", step="one-word", word="un deux trois quatre mots")
        assert refused.endswith("flash=too_many_words")
        page = console.get(f"/e/{live.code}/console").text
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "énergie (2)" in " ".join(
            page.split()
        ).replace("</span>", "").replace('<span class="meta">', "")
        response = console.post(
            f"/e/{live.code}/console/cloud",
            data={"csrf": csrf, "step": "one-word", "term": "Énergie", "action": "hide"},
            headers={"HX-Request": "true"},
        )
        assert (
            response.status_code == 200 and "nergie" not in response.text.split("cloud-console")[1]
        )
        screen = TestClient(console.app).get(f"/e/{live.code}/screen").text
        assert "lien social" in screen and "nergie" not in screen
