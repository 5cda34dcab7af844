"""Cookies and files (issue 11, point 10): signed, expiring, revocable sessions instead of
raw keys in cookies, Secure over HTTPS, and a database only its owner can read."""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import socketio
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.security import facilitator_subject, session_value
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.conftest import CARREFOUR, DEMO_ROSTER, Server
from tests.realtime_clients import Console
from tests.test_web import csrf_of


def make(db: Path, *, trust_proxy: bool = False) -> tuple[TestClient, LiveEvent, object]:
    app = create_app(Settings(db_path=str(db), trust_proxy=trust_proxy))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=tuple(load_roster_file(DEMO_ROSTER)),
            params={},
        )
    )
    return TestClient(app, base_url="http://testserver"), live, services


@pytest.fixture
def event(tmp_path: Path) -> Iterator[tuple[TestClient, LiveEvent, object]]:
    client, live, services = make(tmp_path / "s.sqlite3")
    with client:
        yield client, live, services


def login(client: TestClient, live: LiveEvent) -> str:
    answer = client.get(f"/e/{live.code}/console?key={live.row.secret}", follow_redirects=False)
    assert answer.status_code == 303
    return str(answer.headers["set-cookie"])


def test_the_cookie_is_a_session_not_the_key(event: tuple[TestClient, LiveEvent, object]) -> None:
    client, live, _ = event
    header = login(client, live)
    assert live.row.secret not in header
    assert "Max-Age=43200" in header and "HttpOnly" in header and "Secure" not in header
    assert client.get(f"/e/{live.code}/console").status_code == 200
    raw = TestClient(
        client.app, base_url="http://testserver", cookies={f"f_{live.code}": live.row.secret}
    )
    assert raw.get(f"/e/{live.code}/console").status_code == 403


def test_an_old_session_has_expired(event: tuple[TestClient, LiveEvent, object]) -> None:
    client, live, services = event
    key = services.sessions.key  # type: ignore[attr-defined]
    subject = facilitator_subject(live.code, live.row.secret)

    def opens(issued_at: float) -> int:
        cookie = session_value(key, subject, 0, int(issued_at))
        jar = {f"f_{live.code}": cookie}
        return int(TestClient(client.app, cookies=jar).get(f"/e/{live.code}/console").status_code)

    assert opens(time.time() - 3600) == 200
    assert opens(time.time() - 13 * 3600) == 403
    assert opens(time.time() + 3600) == 403


def test_sign_out_everywhere_ends_every_facilitator_session(
    event: tuple[TestClient, LiveEvent, object],
) -> None:
    client, live, _ = event
    other = TestClient(client.app, base_url="http://testserver")
    login(client, live)
    login(other, live)
    csrf = csrf_of(client.get(f"/e/{live.code}/console").text)
    out = client.post(
        f"/e/{live.code}/console/sign-out", data={"csrf": csrf}, follow_redirects=False
    )
    assert out.status_code == 303
    for browser in (client, other):
        assert browser.get(f"/e/{live.code}/console").status_code == 403
    login(other, live)
    assert other.get(f"/e/{live.code}/console").status_code == 200


def test_sign_out_everywhere_ends_every_organiser_session(
    event: tuple[TestClient, LiveEvent, object],
) -> None:
    client, _, services = event
    key = services.organiser_key  # type: ignore[attr-defined]
    other = TestClient(client.app, base_url="http://testserver")
    for browser in (client, other):
        header = browser.get(f"/organiser?key={key}", follow_redirects=False).headers["set-cookie"]
        assert key not in header and "Max-Age=43200" in header
    csrf = csrf_of(client.get("/organiser").text)
    assert (
        client.post("/organiser/sign-out", data={"csrf": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/organiser").status_code == 403
    assert other.get("/organiser").status_code == 403


def test_cookies_are_secure_over_https(tmp_path: Path) -> None:
    client, live, _ = make(tmp_path / "s.sqlite3")
    with client:
        https = TestClient(client.app, base_url="https://testserver")
        assert "Secure" in login(https, live)
        assert "Secure" in https.get(f"/e/{live.code}").headers["set-cookie"]
        forwarded = TestClient(client.app, headers={"X-Forwarded-Proto": "https"})
        assert "Secure" not in login(forwarded, live), "a proxy header believed untold"
    behind, live, _ = make(tmp_path / "proxied.sqlite3", trust_proxy=True)
    with behind:
        forwarded = TestClient(behind.app, headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in login(forwarded, live)


def test_the_database_is_readable_by_its_owner_only(
    event: tuple[TestClient, LiveEvent, object],
) -> None:
    _, _, services = event
    path = Path(services.settings.db_path)  # type: ignore[attr-defined]
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


async def test_the_console_socket_needs_a_live_session(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    jar = dict(console.http.cookies.items())
    closed = asyncio.Event()
    console.sio.on("disconnect", closed.set)
    await console.http.post(f"/e/{server.code}/console/sign-out", data={"csrf": console.csrf})
    await asyncio.wait_for(closed.wait(), 30)  # the open console is closed too
    stale = socketio.AsyncClient(reconnection=False)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    with pytest.raises(socketio.exceptions.ConnectionError):
        await stale.connect(
            f"{server.base}?code={server.code}&role=console",
            headers={"Cookie": cookie},
            transports=["websocket"],
            wait_timeout=30,
        )
    await console.close()
