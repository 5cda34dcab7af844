"""Static files (CSS, JS, the vendored socket.io client), served from memory, compressed once.

Phones on a crowded venue Wi-Fi load these once per evening: the participant page's files
are 120 KB as written, 35 KB in gzip, 27 KB in brotli (what browsers ask for first) once the
project's own CSS and JS lose their comments and indentation (rcssmin and rjsmin take out
only those; the files stay written to be read, with comments that say why). Since pages
link them as `/static/x?v=<hash of the file>`, such a request may be cached for a year
(`immutable`): a changed file gets a new address. A request without the matching version is
answered `no-cache` with an ETag, so it is checked again rather than kept stale. Pages are
compressed only where that gives nothing away (web/compression.py).
"""

from __future__ import annotations

import gzip
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from starlette.types import Receive, Scope, Send

from facilitation.presenters.pages import content_version
from facilitation.web.compression import coding_for

COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".map")
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    body: bytes
    coded: Mapping[str, bytes]  # by content coding, only those smaller than the body
    media_type: str
    version: str  # the same hash the pages put in `?v=`

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def load_assets(folder: Path) -> dict[str, Asset]:
    """Every file under `folder` by its path relative to it (with forward slashes)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        body = path.read_bytes()
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media.startswith("text/") or media in ("application/javascript", "image/svg+xml"):
            media += "; charset=utf-8"
        version = content_version(body)  # of the file as written, as the pages link it
        body = minified(path.name, body)
        coded = compressed(body) if path.suffix in COMPRESSIBLE else {}
        found[path.relative_to(folder).as_posix()] = Asset(body, coded, media, version)
    return found


def minified(name: str, body: bytes) -> bytes:
    """A stylesheet or script of the project's own without comments and spare whitespace;
    vendored files (`.min.`) and everything else as they are."""
    if ".min." in name:
        return body
    if name.endswith(".css"):
        return str(rcssmin.cssmin(body.decode())).encode()
    if name.endswith(".js"):
        return str(rjsmin.jsmin(body.decode())).encode()
    return body


@cache
def compressed(body: bytes) -> Mapping[str, bytes]:
    """The body in each coding that makes it smaller. Brotli at its best setting takes a
    fifth of a second for the whole folder: done once per process and file content (every
    app a test creates would pay it again otherwise)."""
    packed = {
        "br": brotli.compress(body, quality=11),
        "gzip": gzip.compress(body, 9, mtime=0),
    }
    return {coding: data for coding, data in packed.items() if len(data) < len(body)}


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class Assets:
    """The ASGI app mounted at /static. It answers with ASGI messages of its own rather than a
    Response, parsing only the two headers it reads: a phone's first load is four of these."""

    def __init__(self, folder: Path) -> None:
        self.files = load_assets(folder)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        status, headers, body = self.answer(scope)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def answer(self, scope: Scope) -> Answer:
        if scope["method"] not in ("GET", "HEAD"):
            return _text(405, b"Method not allowed", [(b"allow", b"GET, HEAD")])
        # a mounted app sees the whole path, its mount point in root_path
        path, mount = str(scope["path"]), str(scope.get("root_path", ""))
        asset = self.files.get(path.removeprefix(mount).lstrip("/"))
        if asset is None:
            return _text(404, b"Not found")
        accept = tag = ""
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                accept = value.decode("latin-1")
            elif name == b"if-none-match":
                tag = value.decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        versioned = f"v={asset.version}" in query.split("&")
        headers = [
            (b"etag", asset.etag.encode()),
            (b"vary", b"Accept-Encoding"),
            (b"cache-control", _IMMUTABLE if versioned else b"no-cache"),
        ]
        if asset.etag in tag:
            return 304, headers, b""
        body = asset.body
        coding = coding_for(accept, asset.coded)
        if coding is not None:
            body = asset.coded[coding]
            headers.append((b"content-encoding", coding.encode()))
        headers += [
            (b"content-type", asset.media_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        return 200, headers, b"" if scope["method"] == "HEAD" else body


_IMMUTABLE = f"public, max-age={YEAR}, immutable".encode()


def _text(status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> Answer:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    return status, headers, body
