"""HTTP pages with Starlette's TestClient: participant, console, screen, organiser, downloads."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.core.rosters import Project
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER, ROOT


@pytest.fixture
def app_and_event(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent]]:
    app = create_app(Settings(db_path=str(tmp_path / "web.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    roster = list(load_roster_file(DEMO_ROSTER))
    roster[0] = Project(id="xss", title="<b>Bold</b> & co", holder="<img src=x>")
    live = asyncio.run(
        services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=tuple(roster),
            params={},
            lang="fr",
        )
    )
    with TestClient(app, base_url="http://testserver") as client:
        yield client, live


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def facilitator(client: TestClient, live: LiveEvent) -> str:
    response = client.get(f"/e/{live.code}/console?key={live.row.secret}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/e/{live.code}/console"
    page = client.get(f"/e/{live.code}/console")
    assert page.status_code == 200
    return csrf_of(page.text)


def act(client: TestClient, live: LiveEvent, csrf: str, action: str, **fields: str) -> str:
    response = client.post(
        f"/e/{live.code}/console/act",
        data={"csrf": csrf, "action": action, **fields},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return response.text


def vote_stage(live: LiveEvent) -> str:
    return str(next(s.index for s in live.plan.stages if s.kind == "vote"))


def test_join_page_and_unknown_codes_are_friendly(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, live = app_and_event
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Join an event" in page.text
    redirect = client.get(f"/?code={live.code.lower()}", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == f"/e/{live.code}"
    wrong = client.get("/?code=ZZZZZZ", headers={"Accept-Language": "en"})
    assert wrong.status_code == 404 and "This event does not exist" in wrong.text
    unknown = client.get("/e/NOPE42", headers={"Accept-Language": "fr"})
    assert unknown.status_code == 404
    assert "Nous ne trouvons pas cet événement" in unknown.text


def test_participant_page_sets_an_identity_and_hides_the_lineup(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, live = app_and_event
    page = client.get(f"/e/{live.code}")
    assert page.status_code == 200
    token = client.cookies.get(f"p_{live.code}")
    assert token
    cookie_header = page.headers["set-cookie"]
    assert "HttpOnly" in cookie_header and "SameSite=lax" in cookie_header
    for project in live.plan.projects[1:]:
        assert project.title not in page.text, "a project shown before its turn"
    again = client.get(f"/e/{live.code}")
    assert client.cookies.get(f"p_{live.code}") == token and again.status_code == 200


def test_security_headers_on_every_page(app_and_event: tuple[TestClient, LiveEvent]) -> None:
    client, live = app_and_event
    for path in ("/", f"/e/{live.code}", f"/e/{live.code}/screen", "/e/NOPE42"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_console_needs_the_secret(app_and_event: tuple[TestClient, LiveEvent]) -> None:
    client, live = app_and_event
    assert client.get(f"/e/{live.code}/console").status_code == 403
    assert client.get(f"/e/{live.code}/console?key=wrong").status_code == 403
    assert client.get(f"/e/{live.code}/results.csv").status_code == 403
    response = client.post(f"/e/{live.code}/console/act", data={"action": "next"})
    assert response.status_code == 403
    services = client.app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    assert services.events.get(live.code).state.cursor == 0


def test_participants_cannot_drive_even_with_their_own_form_token(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, live = app_and_event
    page = client.get(f"/e/{live.code}")
    participant_csrf = csrf_of(page.text)
    response = client.post(
        f"/e/{live.code}/console/act", data={"csrf": participant_csrf, "action": "next"}
    )
    assert response.status_code == 403
    assert live.state.cursor == 0


def test_console_actions_need_the_form_token(app_and_event: tuple[TestClient, LiveEvent]) -> None:
    client, live = app_and_event
    csrf = facilitator(client, live)
    html = act(client, live, "forged", "next")
    assert 'class="flash error"' in html and live.state.cursor == 0
    html = act(client, live, csrf, "next")
    assert live.state.cursor == 1 and 'data-revision="1"' in html
    html = act(client, live, csrf, "back")
    html = act(client, live, csrf, "back")
    assert live.state.cursor == 0 and 'class="flash error"' in html  # at the start
    plain = client.post(
        f"/e/{live.code}/console/act", data={"csrf": csrf, "action": "next"}, follow_redirects=False
    )
    assert plain.status_code == 303, "without htmx the form posts and redirects"
    assert act(client, live, csrf, "bogus").count('class="flash error"') == 1


def test_console_escapes_what_the_roster_says(app_and_event: tuple[TestClient, LiveEvent]) -> None:
    client, live = app_and_event
    facilitator(client, live)
    page = client.get(f"/e/{live.code}/console").text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page and "<b>Bold</b>" not in page


def test_vote_by_plain_form_post(app_and_event: tuple[TestClient, LiveEvent]) -> None:
    client, live = app_and_event
    csrf = facilitator(client, live)
    act(client, live, csrf, "jump", stage=vote_stage(live))
    phone = TestClient(client.app, base_url="http://testserver")
    page = phone.get(f"/e/{live.code}")
    token = csrf_of(page.text)
    choice = live.plan.lineup[3]

    def post(**data: str) -> str:
        response = phone.post(f"/e/{live.code}/vote", data=data, follow_redirects=False)
        assert response.status_code == 303
        return response.headers["location"]

    assert post(csrf=token, vote="favourite", choice=choice).endswith("flash=voted")
    assert post(csrf=token, vote="favourite", choice="not-a-project").endswith(
        "flash=unknown_option"
    )
    assert post(csrf="forged", vote="favourite", choice=choice).endswith("flash=csrf")
    page = phone.get(f"/e/{live.code}?flash=voted")
    assert re.search(rf'value="{choice}"[^>]*checked', page.text), "own vote not restored"
    services = client.app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    assert [b.ballot for b in services.events.ballots(live, "favourite")] == [{"choice": choice}]
    act(client, live, csrf, "vote_close")
    other = live.plan.lineup[4]
    assert post(csrf=token, vote="favourite", choice=other).endswith("flash=vote_closed")
    assert [b.ballot for b in services.events.ballots(live, "favourite")] == [{"choice": choice}]


def test_results_hidden_until_reveal_then_downloadable(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, live = app_and_event
    csrf = facilitator(client, live)
    act(client, live, csrf, "jump", stage=vote_stage(live))
    choices = [live.plan.lineup[1], live.plan.lineup[1], live.plan.lineup[2]]
    for choice in choices:
        phone = TestClient(client.app, base_url="http://testserver")
        token = csrf_of(phone.get(f"/e/{live.code}").text)
        phone.post(
            f"/e/{live.code}/vote", data={"csrf": token, "vote": "favourite", "choice": choice}
        )
    screen = client.get(f"/e/{live.code}/screen").text
    assert '<ol class="results' not in screen and "3 votes" in screen.replace("3 voix", "3 votes")
    # the vote's own step keeps the results for the reveal step that follows it
    console = act(client, live, csrf, "reveal")
    assert "Une étape suivante révèle ce vote" in console
    assert '<ol class="results' not in client.get(f"/e/{live.code}/screen").text
    reveal = next(s.index for s in live.plan.stages if s.kind == "reveal")
    act(client, live, csrf, "jump", stage=str(reveal))
    act(client, live, csrf, "reveal")
    screen = client.get(f"/e/{live.code}/screen").text
    assert '<ol class="results' in screen
    winner = str(escape(live.plan.project(live.plan.lineup[1]).title))
    second = str(escape(live.plan.project(live.plan.lineup[2]).title))
    assert screen.index(winner) < screen.index(second)
    data = json.loads(client.get(f"/e/{live.code}/results.json").text)
    [vote] = data["votes"]
    assert vote["ballots"] == 3 and vote["winners"] == [live.plan.lineup[1]]
    counts = {o["id"]: o["count"] for o in vote["options"]}
    assert counts[live.plan.lineup[1]] == 2 and counts[live.plan.lineup[2]] == 1
    rows = list(csv.DictReader(io.StringIO(client.get(f"/e/{live.code}/results.csv").text)))
    assert rows[0]["option"] == live.plan.lineup[1] and rows[0]["count"] == "2"
    assert rows[0]["rank"] == "1" and len(rows) == len(live.plan.projects)
    assert "token" not in json.dumps(data) and "name" not in rows[0]


def test_display_names_are_escaped(app_and_event: tuple[TestClient, LiveEvent]) -> None:
    client, live = app_and_event
    page = client.get(f"/e/{live.code}")
    client.post(
        f"/e/{live.code}/name",
        data={"csrf": csrf_of(page.text), "name": "<script>alert(1)</script>"},
    )
    page = client.get(f"/e/{live.code}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_languages_follow_the_browser_then_the_choice(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, live = app_and_event
    english = client.get(f"/e/{live.code}/screen", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in english.text and "Scan, or go to" in english.text
    french = client.get(f"/e/{live.code}/screen", headers={"Accept-Language": "fr-FR"})
    assert 'lang="fr"' in french.text and "Scannez, ou allez sur" in french.text
    client.get(f"/e/{live.code}/screen?lang=en", headers={"Accept-Language": "fr"})
    sticky = client.get(f"/e/{live.code}/screen", headers={"Accept-Language": "fr"})
    assert 'lang="en"' in sticky.text


def test_screen_shows_join_qr_and_code(app_and_event: tuple[TestClient, LiveEvent]) -> None:
    client, live = app_and_event
    screen = client.get(f"/e/{live.code}/screen").text
    assert f'src="/e/{live.code}/qr.svg"' in screen and live.code in screen
    qr = client.get(f"/e/{live.code}/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml") and b"<svg" in qr.content


def test_organiser_home_starts_an_event_from_a_shipped_format(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=str(tmp_path / "o.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    with TestClient(app) as client:
        assert client.get("/organiser").status_code == 403
        key = services.organiser_key
        home = client.get(f"/organiser?key={key}")
        assert home.status_code == 200 and "carrefour-des-possibles" in home.text
        csrf = csrf_of(home.text)
        roster = "id,title,holder\nalpha,Projet Alpha,Ann\nbeta,Projet Beta,Bob\n"
        response = client.post(
            "/organiser/events",
            data={"csrf": csrf, "format": "carrefour-des-possibles", "param_pitch_minutes": "4"},
            files={"roster": ("roster.csv", roster.encode(), "text/csv")},
            follow_redirects=False,
        )
        assert response.status_code == 303
        code = re.search(r"/e/([A-Z0-9]+)/console\?key=", response.headers["location"]).group(1)  # type: ignore[union-attr]
        live = services.events.get(code)
        assert [p.title for p in live.plan.projects] == ["Projet Alpha", "Projet Beta"]
        assert live.plan.stages[1].seconds == 4 * 60
        bad = client.post(
            "/organiser/events",
            data={"csrf": csrf, "format": "carrefour-des-possibles", "param_pitch_minutes": "99"},
        )
        assert bad.status_code == 400 and "maximum" in bad.text


def test_vendored_assets_are_served_and_nothing_is_third_party(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, _ = app_and_event
    for name in (
        "vendor/htmx-2.0.11.min.js",
        "vendor/socket.io-4.8.4.min.js",
        "js/live.js",
        "css/app.css",
    ):
        assert client.get(f"/static/{name}").status_code == 200
    pattern = re.compile(r"""(?:src|href)\s*=\s*["']https?://""")
    for path in list((ROOT / "templates").rglob("*.html")):
        assert not pattern.search(path.read_text()), path
