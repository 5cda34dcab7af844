"""Every console and organiser route is behind the one guard: a stranger gets 403, and a
form posted without the right CSRF token changes nothing (checked on the database itself)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER

CONSOLE = re.compile(r"^/e/\{code\}/(console|report|results|votes)")
PUBLIC_ORGANISER = {"/organiser/schema.json"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, Path, list[Route]]]:
    db = tmp_path / "guards.sqlite3"
    app = create_app(Settings(db_path=str(db)))
    starlette_app = app.other_asgi_app.app  # type: ignore[attr-defined]
    live = asyncio.run(
        starlette_app.state.services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=load_roster_file(DEMO_ROSTER),
            params={},
        )
    )
    routes = [r for r in starlette_app.routes if isinstance(r, Route)]
    with TestClient(app, base_url="http://testserver") as client:
        yield client, live, db, routes


def guarded(routes: list[Route]) -> list[tuple[str, str]]:
    out = []
    for route in routes:
        if CONSOLE.match(route.path) or (
            route.path.startswith("/organiser/") and route.path not in PUBLIC_ORGANISER
        ):
            out.extend((method, route.path) for method in sorted(route.methods or ()))
    return [(m, p) for m, p in out if m != "HEAD"]


def concrete(path: str, live: LiveEvent) -> str:
    vote = next(iter(live.format.vote_steps()))
    values = {
        "code": live.code,
        "vote": vote,
        "fmt": "csv",
        "fmt:str": "csv",
        "person:int": "1",
        "name:str": "carrefour-des-possibles",
    }
    return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)


def snapshot(db: Path, own: Path) -> tuple[object, ...]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
        states = tuple(r[0] for r in conn.execute("SELECT state_json FROM events"))
    files = tuple(sorted(p.name for p in own.glob("*"))) if own.is_dir() else ()
    return counts, states, files


def test_the_guard_covers_every_console_and_organiser_route(
    site: tuple[TestClient, LiveEvent, Path, list[Route]],
) -> None:
    client, live, _, routes = site
    found = guarded(routes)
    # the families the guard must cover are all there, so a new route cannot slip out unseen
    assert {("POST", "/e/{code}/console/act"), ("POST", "/organiser/events")} <= set(found)
    assert len(found) >= 15
    for method, path in found:
        response = client.request(method, concrete(path, live), follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)


def test_posts_without_the_csrf_token_change_nothing(
    site: tuple[TestClient, LiveEvent, Path, list[Route]],
) -> None:
    client, live, db, routes = site
    own = db.parent / "formats"
    assert client.get(f"/e/{live.code}/console?key={live.row.secret}").status_code == 200
    key = client.app.other_asgi_app.app.state.services.organiser_key  # type: ignore[attr-defined]
    assert client.get(f"/organiser?key={key}").status_code == 200
    posts = [(m, p) for m, p in guarded(routes) if m == "POST"]
    assert len(posts) >= 8
    before = snapshot(db, own)
    form = {
        "csrf": "forged",
        "action": "next",
        "item": "1",
        "role": "jury",
        "name": "Mallory",
        "format": "carrefour-des-possibles",
        "source": "id: x\n",
        "choice": "a",
    }
    for method, path in posts:
        response = client.request(method, concrete(path, live), data=form, follow_redirects=False)
        assert response.status_code in (200, 303, 400, 403), (path, response.status_code)
        assert snapshot(db, own) == before, path
