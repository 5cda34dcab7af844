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
from facilitation.loadtest.phone import ACCEPT_ENCODING, ASSET_RE, decode
from facilitation.readers.rosters import load_roster_file
from facilitation.settings import Settings
from facilitation.web.assets import minified
from tests.conftest import CARREFOUR, DEMO_ROSTER, ROOT


def new_event(tmp_path: Path) -> tuple[TestClient, str]:
    """A client with no cookie yet, and the code of an event running the Carrefour format."""
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
    return TestClient(app, headers={"Accept-Encoding": "gzip, deflate, br"}), live.code


def phone_first_load(tmp_path: Path) -> tuple[TestClient, str, list[str]]:
    client, code = new_event(tmp_path)
    page = client.get(f"/e/{code}")
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


def test_a_phones_first_load_is_under_30_kb(tmp_path: Path) -> None:
    """What a phone transfers on its first visit, as the load test counts it (the bodies as
    they crossed the network, asked for with Chromium's Accept-Encoding): the page and
    everything it links, each decoding back to what an uncompressed answer holds."""
    client, code = new_event(tmp_path)
    plain = TestClient(client.app, headers={"Accept-Encoding": "identity"})
    chromium = {"Accept-Encoding": ACCEPT_ENCODING}
    with client.stream("GET", f"/e/{code}", headers=chromium) as page:
        wire = b"".join(page.iter_raw())
    assert page.headers["content-encoding"] == "br"
    assert "Accept-Encoding" in page.headers["vary"]
    html = brotli.decompress(wire)
    links = ASSET_RE.findall(html.decode())
    transferred = {f"/e/{code}": len(wire)}
    for link in links:
        with client.stream("GET", link, headers=chromium) as response:
            wire = b"".join(response.iter_raw())
        assert response.status_code == 200, link
        coding = response.headers.get("content-encoding", "")
        assert decode(wire, coding) == plain.get(link).content, link
        transferred[link] = len(wire)
    print(f"first load: {sum(transferred.values())} bytes over {len(transferred)} requests")
    for address, size in transferred.items():
        print(f"  {size:6}  {address}")
    assert len(links) >= 5
    assert sum(transferred.values()) < 30_000
    # the same page for someone new, uncompressed: only the identity and the clock differ
    fresh = plain.get(f"/e/{code}")
    assert "content-encoding" not in fresh.headers

    def unmarked(page: str) -> str:
        return re.sub(r'(csrf"? value=|data-csrf=|data-server-now=)"[^"]*"', r"\1", page)

    assert unmarked(html.decode()) == unmarked(fresh.text)


def test_only_a_first_page_is_compressed(tmp_path: Path) -> None:
    """A later page carries the person's own inputs next to text others typed: it goes as
    it is, whatever the browser accepts (BREACH)."""
    client, code = new_event(tmp_path)
    first = client.get(f"/e/{code}", headers={"Accept-Encoding": ACCEPT_ENCODING})
    assert first.headers["content-encoding"] == "br"
    client.post(
        f"/e/{code}/name",
        data={"name": "Ada", "csrf": re.findall(r'data-csrf="([^"]+)"', first.text)[0]},
    )
    again = client.get(f"/e/{code}", headers={"Accept-Encoding": ACCEPT_ENCODING})
    assert again.status_code == 200 and 'value="Ada"' in again.text
    assert "content-encoding" not in again.headers
    gzip_only = TestClient(client.app).get(f"/e/{code}", headers={"Accept-Encoding": "gzip"})
    assert gzip_only.headers["content-encoding"] == "gzip"


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
