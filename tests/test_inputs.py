"""Input steps (ideas), moderation, votes on items, and anonymous feedback for holders."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.core.formats import InputField
from facilitation.core.inputs import InputError, clean_submission, item_label, summarise
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import DEMO_ROSTER, ROOT

IDEAS = ROOT / "tests" / "data" / "formats" / "ideas.yaml"
FIELDS = [
    InputField(id="idea", label="Idea", max_length=20),
    InputField(id="note", label="Note", type="long_text", required=False),
    InputField(id="stars", label="Stars", type="rating", required=False, scale=(1, 5)),
]


def test_clean_submission_rules() -> None:
    assert clean_submission(FIELDS, {"idea": "  A\x00 bold idea ", "stars": "4"}) == {
        "idea": "A bold idea",
        "stars": 4,
    }
    for raw, code in [
        ({"note": "x"}, "missing_field"),
        ({"idea": "x" * 21}, "too_long"),
        ({"idea": "ok", "stars": 9}, "out_of_scale"),
        ({"idea": 3}, "malformed"),
        ({"idea": "ok", "evil": "1"}, "malformed"),
        ("text", "malformed"),
    ]:
        with pytest.raises(InputError) as caught:
            clean_submission(FIELDS, raw)
        assert caught.value.code == code


@given(
    st.dictionaries(
        st.sampled_from(["idea", "note", "stars", "other"]),
        st.one_of(st.text(max_size=30), st.integers(-3, 9), st.none()),
        max_size=4,
    )
)
def test_any_submission_is_stored_clean_or_refused(raw: dict[str, object]) -> None:
    try:
        clean = clean_submission(FIELDS, raw)
    except InputError:
        return
    assert clean_submission(FIELDS, clean) == clean
    assert len(str(clean["idea"])) <= 20


def test_labels_and_summaries() -> None:
    assert item_label(FIELDS, {"idea": "a  b\nc"}) == "a b c"
    assert item_label(FIELDS, {"idea": "x" * 200}, limit=10).endswith("…")
    [idea, note, stars] = summarise(
        FIELDS, [{"idea": "b", "stars": 4}, {"idea": "a", "stars": 2}, {"idea": "c"}]
    )
    assert idea.texts == ("a", "b", "c") and stars.mean == 3 and stars.count == 2
    assert dict(stars.distribution) == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0} and note.count == 0


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def ideas(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, str]]:
    app = create_app(Settings(db_path=str(tmp_path / "ideas.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=IDEAS.read_text(),
            format_name=str(IDEAS),
            roster=load_roster_file(DEMO_ROSTER)[:2],
            params={},
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


def post(phone: TestClient, live: LiveEvent, path: str, **data: str) -> str:
    page = phone.get(f"/e/{live.code}").text
    response = phone.post(
        f"/e/{live.code}/{path}", data={"csrf": csrf_of(page), **data}, follow_redirects=False
    )
    return str(response.headers["location"])


def test_ideas_moderation_and_a_vote_on_them(ideas: tuple[TestClient, LiveEvent, str]) -> None:
    console, live, csrf = ideas
    app = console.app
    phone, other = TestClient(app), TestClient(app)
    assert post(phone, live, "item", step="ideas", idea="Too early").endswith(
        "flash=input_not_current"
    )
    act(console, live, csrf, "jump", stage="2")  # the input step (after 2 pitches)
    assert post(phone, live, "item", step="ideas", idea="Une <b>idée</b>").endswith("flash=sent")
    assert post(phone, live, "item", step="ideas", idea="Duplicate idea").endswith("flash=sent")
    assert post(phone, live, "item", step="ideas", idea="Third").endswith("flash=item_limit")
    assert post(other, live, "item", step="ideas", idea="duplicate idea!").endswith("flash=sent")
    assert post(other, live, "item", step="ideas", idea="").endswith("flash=missing_field")
    screen = console.get(f"/e/{live.code}/screen").text
    assert "Une &lt;b&gt;idée&lt;/b&gt;" in screen and screen.count('class="item-card"') == 3
    # merge the two duplicates, hide nothing: two cards remain, one says +1 similar
    board = console.get(f"/e/{live.code}/console").text
    ids = re.findall(r'name="item" value="(\d+)"', board)
    assert len(ids) == 3
    html = console.post(
        f"/e/{live.code}/console/items",
        data={"csrf": csrf, "step": "ideas", "action": "merge", "item": ids[1:]},
        headers={"HX-Request": "true"},
    ).text
    assert "+1" in html
    screen = console.get(f"/e/{live.code}/screen").text
    assert screen.count('class="item-card"') == 2
    console.post(
        f"/e/{live.code}/console/items",
        data={"csrf": csrf, "step": "ideas", "action": "hide", "item": ids[0]},
    )
    screen = console.get(f"/e/{live.code}/screen").text
    assert "&lt;b&gt;idée" not in screen and screen.count('class="item-card"') == 1
    assert (
        TestClient(app)
        .post(
            f"/e/{live.code}/console/items", data={"csrf": csrf, "action": "hide", "item": ids[1]}
        )
        .status_code
        == 403
    )
    # the vote offers the visible, unmerged ideas
    act(console, live, csrf, "next")
    page = phone.get(f"/e/{live.code}").text
    options = re.findall(r'name="choice" value="(i\d+)"', page)
    assert options == [f"i{ids[1]}"]
    assert post(phone, live, "vote", vote="pick", choice=options[0]).endswith("flash=voted")
    assert post(other, live, "vote", vote="pick", choice=f"i{ids[0]}").endswith(
        "flash=unknown_option"
    )


def test_feedback_reaches_only_the_holder(ideas: tuple[TestClient, LiveEvent, str]) -> None:
    console, live, csrf = ideas
    app = console.app
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    holders = {p.project_id: p for p in services.participants.invited(live) if p.role == "holder"}
    first, second = live.plan.lineup
    phones = [TestClient(app) for _ in range(3)]
    # the event starts on the first project's pitch: the second has not presented yet
    assert post(phones[0], live, "feedback", project=second, rating="4").endswith(
        "flash=no_project"
    )
    for phone, rating in zip(phones, ("4", "2", "5"), strict=True):
        assert post(
            phone, live, "feedback", project=first, rating=rating, comment=f"Bravo {rating}"
        ).endswith("flash=sent")
    assert post(phones[0], live, "feedback", project=first, rating="5").endswith("flash=sent")
    assert post(phones[0], live, "feedback", project=second, rating="5").endswith(
        "flash=no_project"
    )
    assert post(phones[0], live, "feedback", project=first, rating="9").endswith(
        "flash=out_of_scale"
    )
    holder = TestClient(app)
    holder.get(f"/e/{live.code}/i/{holders[first].token}")
    assert post(holder, live, "feedback", project=first, rating="5").endswith("flash=own_project")
    page = holder.get(f"/e/{live.code}/holder")
    assert page.status_code == 200
    assert "Bravo 2" in page.text and "Bravo 5" in page.text
    assert "4" in page.text  # mean of 5, 2, 5 = 4
    rows = list(csv.DictReader(io.StringIO(holder.get(f"/e/{live.code}/holder/feedback.csv").text)))
    assert sorted(r["rating"] for r in rows) == ["2", "5", "5"]
    assert set(rows[0]) == {"rating", "comment"}, "feedback must stay anonymous"
    other_holder = TestClient(app)
    other_holder.get(f"/e/{live.code}/i/{holders[second].token}")
    assert "Bravo" not in other_holder.get(f"/e/{live.code}/holder").text
    assert phones[1].get(f"/e/{live.code}/holder").status_code == 403
