"""Static files: compressed for phones that accept it, cached for a year when the page links
them by version, checked again otherwise; the first load of a phone stays small."""

from __future__ import annotations

import asyncio
import gzip
import re
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.readers.rosters import load_roster_file
from facilitation.settings import Settings
from facilitation.web.assets import minified
from tests.conftest import CARREFOUR, DEMO_ROSTER, ROOT


def phone_first_load(tmp_path: Path) -> tuple[TestClient, str, list[str]]:
    app = create_app(Settings(db_path=str(tmp_path / "a.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=load_roster_file(DEMO_ROSTER),
            params={},
        )
    )
    client = TestClient(app, headers={"Accept-Encoding": "gzip, deflate, br"})
    page = client.get(f"/e/{live.code}")
    assert page.status_code == 200
    return client, page.text, re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)


def test_linked_assets_are_compressed_and_cached_for_a_year(tmp_path: Path) -> None:
    client, _, links = phone_first_load(tmp_path)
    assert any(link.endswith(".js") or ".js?" in link for link in links)
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        path = ROOT / "static" / link.removeprefix("/static/").split("?")[0]
        if path.suffix in (".css", ".js"):
            assert response.headers["content-encoding"] == "br"
            # httpx undoes the brotli: the bytes are the file's own, less its comments
            assert response.content == minified(path.name, path.read_bytes())
        again = client.get(link, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and not again.content


def test_brotli_only_where_it_is_accepted(tmp_path: Path) -> None:
    client, _, links = phone_first_load(tmp_path)
    script = next(link for link in links if ".js" in link)
    path = ROOT / "static" / script.removeprefix("/static/").split("?")[0]
    body = minified(path.name, path.read_bytes())
    offers = {
        "gzip, deflate, br, zstd": "br",
        "gzip, deflate": "gzip",
        "br;q=0, gzip": "gzip",
        "BR;Q=0.5": "br",
        "gzip;q=0": None,
        "identity": None,
    }
    for offer, coding in offers.items():
        with client.stream("GET", script, headers={"Accept-Encoding": offer}) as response:
            wire = b"".join(response.iter_raw())
        assert response.headers.get("content-encoding") == coding, offer
        assert response.headers["vary"] == "Accept-Encoding"
        if coding == "br":
            assert brotli.decompress(wire) == body
        elif coding == "gzip":
            assert gzip.decompress(wire) == body
        else:
            assert wire == body


def test_unversioned_or_stale_addresses_are_checked_again(tmp_path: Path) -> None:
    client, _, links = phone_first_load(tmp_path)
    script = next(link for link in links if ".js" in link).split("?")[0]
    for address in (script, f"{script}?v=0000000000"):
        response = client.get(address)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["etag"]
    plain = TestClient(client.app).get(script, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert client.get("/static/nope.js").status_code == 404
    assert client.post(script).status_code == 405
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_a_phones_first_load_is_small(tmp_path: Path) -> None:
    """What a phone transfers on its first visit: the page and everything it links."""
    client, html, links = phone_first_load(tmp_path)
    transferred = len(html.encode())
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        transferred += int(response.headers["content-length"])
    print(f"first load: {transferred} bytes over {len(links) + 1} requests")
    assert transferred < 45_000
    body = gzip.compress((ROOT / "static" / "css" / "app.css").read_bytes())
    assert len(body) < (ROOT / "static" / "css" / "app.css").stat().st_size


def test_own_stylesheets_lose_only_comments_and_whitespace() -> None:
    def bare(css: str) -> str:
        return re.sub(r"\s+", "", re.sub(r"/\*.*?\*/", "", css, flags=re.S)).replace(";}", "}")

    for path in sorted((ROOT / "static").rglob("*.css")):
        served = minified(path.name, path.read_bytes())
        assert len(served) < path.stat().st_size, path
        assert bare(served.decode()) == bare(path.read_text()), path


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_own_scripts_still_parse_once_minified(tmp_path: Path) -> None:
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        served = tmp_path / path.name
        served.write_bytes(minified(path.name, path.read_bytes()))
        assert len(served.read_bytes()) < path.stat().st_size, path
        check = subprocess.run(["node", "--check", str(served)], capture_output=True, text=True)
        assert check.returncode == 0, f"{path.name}: {check.stderr}"
