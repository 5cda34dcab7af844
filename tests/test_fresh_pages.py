"""A new phone's page, kept for the phones that join within one interval
(presenters/fresh_pages.py): always the page that phone would have been rendered."""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.presenters.fresh_pages import FreshPages
from facilitation.readers.formats import file_resolver
from facilitation.readers.rosters import load_roster_file
from facilitation.security import csrf_token, participant_cookie
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import DEMO_ROSTER, FORMATS, MANY_PHONES
from tests.test_web import act, csrf_of

# inputs shared by everyone and by table, groups and late arrivals, questions, matchmaking
WALKED = ["carrefour-des-possibles", "one-two-four-all", "world-cafe", "conference-session"]
# what two renders of one page at two moments may differ in: the server's time, and a running
# timer's time left (such a page is never kept: each phone's own render is compared)
MOMENTS = re.compile(
    r'data-server-now="\d+"|data-remaining="-?\d+"|<span class="timer-value">[^<]*</span>'
)


class Renders:
    """Counts the participant pages the app renders."""

    def __init__(self, services: Any) -> None:
        self.count = 0
        page = services.pages.page

        def counted(request: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            if name == "participant.html":
                self.count += 1
            return page(request, name, *args, **kwargs)

        services.pages.page = counted


def started(tmp_path: Path, name: str, interval: float) -> tuple[Any, Any, LiveEvent]:
    settings = Settings(
        db_path=str(tmp_path / f"{name}.sqlite3"), tally_interval_s=interval, **MANY_PHONES
    )
    app = create_app(settings)
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    path = FORMATS / f"{name}.yaml"
    live: LiveEvent = asyncio.run(
        services.events.create(
            format_source=path.read_text(),
            format_name=str(path),
            roster=load_roster_file(DEMO_ROSTER),
            params={},
            resolve=file_resolver(FORMATS),
            lang="en",
        )
    )
    return app, services, live


@pytest.fixture
def console() -> Iterator[list[TestClient]]:
    clients: list[TestClient] = []
    yield clients
    for client in clients:
        client.__exit__(None, None, None)


def open_console(app: Any, live: LiveEvent, clients: list[TestClient]) -> tuple[TestClient, str]:
    client = TestClient(app)
    client.__enter__()
    clients.append(client)
    client.get(f"/e/{live.code}/console?key={live.row.secret}")
    return client, csrf_of(client.get(f"/e/{live.code}/console").text)


def new_phone(app: Any, live: LiveEvent) -> tuple[TestClient, str]:
    phone = TestClient(app)
    page = phone.get(f"/e/{live.code}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    return phone, page.text


def rendered_for(services: Any, live: LiveEvent, phone: TestClient) -> str:
    """The page as rendered for this phone's participant alone, from nothing kept."""
    token = phone.cookies[participant_cookie(live.code)]
    person = services.participants.by_token(live, token)
    context = asyncio.run(services.views.participant_page(live, person, "en"))
    context.update(
        csrf=csrf_token(services.csrf_key, f"participant:{person.token}"),
        flash=None,
        voted=False,
        sent=False,
    )
    return str(services.pages.fragment("participant.html", "en", context))


def difference(a: str, b: str) -> str:
    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=1))


def same_but_clock(a: str, b: str) -> bool:
    return MOMENTS.sub("", a) == MOMENTS.sub("", b)


@pytest.mark.parametrize("name", WALKED)
def test_a_kept_page_is_the_page_each_new_phone_would_be_rendered(
    name: str, tmp_path: Path, console: list[TestClient]
) -> None:
    app, services, live = started(tmp_path, name, interval=3600)
    renders = Renders(services)
    client, csrf = open_console(app, live, console)
    shared = []
    for stage in range(len(live.plan.stages)):
        act(client, live, csrf, "jump", stage=str(stage))
        before = renders.count
        phones = [new_phone(app, live) for _ in range(3)]
        # the first phone of a stage renders; those after it are given its page, unless seated
        shared.append(renders.count - before == 1)
        tokens = {csrf_of(text) for _, text in phones}
        assert len(tokens) == 3, "each phone has its own token"
        for phone, text in phones:
            token = phone.cookies[participant_cookie(live.code)]
            assert csrf_of(text) == csrf_token(services.csrf_key, f"participant:{token}")
            assert services.fresh.placeholder not in text
            own = rendered_for(services, live, phone)
            assert same_but_clock(text, own), (stage, difference(text, own))
    assert shared[0], "the first stage's page was rendered for each phone"


def test_the_clock_is_the_servers_now_and_the_token_the_phones() -> None:
    moments = iter([10.0, 10.1, 10.3])
    fresh = FreshPages(0.25, lambda: next(moments))
    page = (
        f'<body data-csrf="{fresh.placeholder}" data-server-now="1000">'
        f'<input value="{fresh.placeholder}"><div data-server-now="1000"></div>'
    ).encode()
    assert fresh.filled(page, "abc", 2000) == (
        b'<body data-csrf="abc" data-server-now="2000">'
        b'<input value="abc"><div data-server-now="2000"></div>'
    )
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.placeholder)  # the shape of a CSRF token


def test_a_page_is_kept_for_one_interval_and_its_revision() -> None:
    now = [0.0]
    fresh = FreshPages(0.25, lambda: now[0])

    class State:
        revision = 4

    class Live:
        code = "ABC123"
        state = State()

    live: Any = Live()
    fresh.keep(live, "en", b"page")
    now[0] = 0.2
    assert fresh.kept(live, "en") == b"page"
    assert fresh.kept(live, "fr") is None
    now[0] = 0.25
    assert fresh.kept(live, "en") is None
    fresh.keep(live, "en", b"page")
    State.revision = 5
    assert fresh.kept(live, "en") is None


def test_a_new_phone_sees_an_idea_sent_a_moment_before(
    tmp_path: Path, console: list[TestClient]
) -> None:
    """An idea is an announced change: the kept page is forgotten, not shown stale for the
    rest of its interval."""
    app, services, live = started(tmp_path, "one-two-four-all", interval=3600)
    client, csrf = open_console(app, live, console)
    stage = next(
        s
        for s in live.plan.stages
        if s.step_id in live.format.input_steps()
        and live.format.input_steps()[s.step_id].visibility == "all"
    )
    act(client, live, csrf, "jump", stage=str(stage.index))
    author, page = new_phone(app, live)
    step = live.format.input_steps()[stage.step_id]
    field = step.fields[0].id
    sent = author.post(
        f"/e/{live.code}/item",
        data={"csrf": csrf_of(page), "step": stage.step_id, field: "A garden on the roof"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    _, later = new_phone(app, live)
    assert "A garden on the roof" in later
