"""The organiser's format library: browse, preview with timings, copy, edit, run."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.settings import Settings
from tests.test_formats import UNREADABLE


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def organiser(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    own = tmp_path / "mine"
    app = create_app(Settings(db_path=str(tmp_path / "o.sqlite3"), user_formats_dir=own))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        assert client.get("/organiser").status_code == 403
        client.get(f"/organiser?key={services.organiser_key}")
        yield client, own


def test_library_lists_every_shipped_format_with_its_duration(
    organiser: tuple[TestClient, Path],
) -> None:
    client, _ = organiser
    home = client.get("/organiser").text
    for name in ("carrefour-des-possibles", "one-two-four-all", "world-cafe", "triz"):
        assert f'href="/organiser/formats/{name}"' in home
    assert "about 135 min" in home  # Carrefour: 10 + 10 x (6 + 2) + 5 + 4 x 10 minutes, 10 projects
    assert client.get("/organiser/schema.json").json()["properties"]["steps"]


def test_preview_computes_the_timings(organiser: tuple[TestClient, Path]) -> None:
    client, _ = organiser
    page = client.get(
        "/organiser/formats/carrefour-des-possibles?start=18:30&projects=3&param_pitch_minutes=4"
    ).text
    times = re.findall(r"<tr><td>(\d\d:\d\d)</td><td>([^<]+)</td>", page)
    assert times[0] == ("18:30", "Welcome!")
    assert times[1][0] == "18:40"  # after 10 minutes of welcome
    assert times[3][0] == "18:46"  # pitch (4) + questions (2)
    assert len(times) == 1 + 3 * 2 + 3
    bad = client.get("/organiser/formats/carrefour-des-possibles?param_pitch_minutes=99").text
    assert "maximum" in bad


def test_copy_edit_with_errors_fix_and_run(organiser: tuple[TestClient, Path]) -> None:
    client, own = organiser
    csrf = csrf_of(client.get("/organiser").text)
    copied = client.post(
        "/organiser/formats/carrefour-des-possibles/copy",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert copied.headers["location"] == "/organiser/formats/carrefour-des-possibles-copy/builder"
    path = own / "carrefour-des-possibles-copy.yaml"
    assert path.read_text().count("id: carrefour-des-possibles-copy") == 1
    editor = client.get("/organiser/formats/carrefour-des-possibles-copy/edit").text
    source = path.read_text()
    broken = source.replace("    default: 6\n", "    default: 6\n    defualt: 7\n", 1)
    response = client.post(
        "/organiser/formats/carrefour-des-possibles-copy/edit",
        data={"csrf": csrf_of(editor), "source": broken, "action": "save"},
    )
    assert response.status_code == 400
    line = broken.splitlines().index("    defualt: 7") + 1
    assert (
        f"carrefour-des-possibles-copy.yaml:{line}:5: unknown key &#39;defualt&#39;"
        in response.text
    )
    assert "defualt: 7" in response.text, "the typed text must be kept"
    assert path.read_text() == source, "nothing saved while invalid"
    fixed = source.replace("    default: 6\n", "    default: 4\n", 1)
    saved = client.post(
        "/organiser/formats/carrefour-des-possibles-copy/edit",
        data={"csrf": csrf_of(editor), "source": fixed, "action": "save"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "default: 4" in path.read_text()
    home = client.get("/organiser").text
    assert "your copy" in home
    started = client.post(
        "/organiser/events",
        data={
            "csrf": csrf_of(home),
            "format": "carrefour-des-possibles-copy",
            "param_qa_minutes": "1",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303
    console = client.get(started.headers["location"]).text
    assert "4 min" in console and "1 min" in console and "6 min" not in console


def test_only_copies_are_editable_and_names_are_safe(organiser: tuple[TestClient, Path]) -> None:
    client, own = organiser
    assert client.get("/organiser/formats/carrefour-des-possibles/edit").status_code == 404
    assert client.get("/organiser/formats/..%2F..%2Fetc%2Fpasswd/edit").status_code == 404
    assert client.get("/organiser/formats/nope").status_code == 404
    csrf = csrf_of(client.get("/organiser").text)
    assert (
        client.post("/organiser/formats/world-cafe/copy", data={"csrf": "forged"}).status_code
        == 400
    )
    assert not own.exists() or not list(own.glob("*.yaml"))
    client.post("/organiser/formats/world-cafe/copy", data={"csrf": csrf})
    client.post("/organiser/formats/world-cafe/copy", data={"csrf": csrf})
    assert sorted(p.name for p in own.glob("*.yaml")) == [
        "world-cafe-copy-2.yaml",
        "world-cafe-copy.yaml",
    ]
    stranger = TestClient(client.app)
    assert stranger.get("/organiser/formats/world-cafe-copy/edit").status_code == 403
    assert (
        stranger.post("/organiser/formats/world-cafe/copy", data={"csrf": csrf}).status_code == 403
    )


def test_library_lists_copies_yaml_refuses_with_their_errors(
    organiser: tuple[TestClient, Path],
) -> None:
    client, own = organiser
    own.mkdir(parents=True)
    names = {}
    for kind, (text, _) in UNREADABLE.items():
        names[kind] = kind.replace(" ", "-")
        (own / f"{names[kind]}.yaml").write_text(text, encoding="utf-8")
    response = client.get("/organiser")
    assert response.status_code == 200
    home = html.unescape(response.text)
    assert 'href="/organiser/formats/carrefour-des-possibles"' in home
    for kind, (_, (line, column, message)) in UNREADABLE.items():
        assert f"{own / names[kind]}.yaml:{line}:{column}: {message}" in home
        assert f'href="/organiser/formats/{names[kind]}/edit"' in home
        preview = client.get(f"/organiser/formats/{names[kind]}")
        assert preview.status_code == 200
        assert f"{names[kind]}.yaml:{line}:{column}: {message}" in html.unescape(preview.text)
        editor = client.get(f"/organiser/formats/{names[kind]}/edit")
        assert editor.status_code == 200
        checked = client.post(
            f"/organiser/formats/{names[kind]}/edit",
            data={"csrf": csrf_of(editor.text), "source": UNREADABLE[kind][0], "action": "check"},
        )
        assert checked.status_code == 400
        assert f"{names[kind]}.yaml:{line}:{column}: {message}" in html.unescape(checked.text)
