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
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from facilitation.presenters.pages import content_version
from facilitation.web.compression import best_coding

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


class Assets:
    """The ASGI app mounted at /static."""

    def __init__(self, folder: Path) -> None:
        self.files = load_assets(folder)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        await self.response(scope)(scope, receive, send)

    def response(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return Response("Method not allowed", 405, {"Allow": "GET, HEAD"})
        # a mounted app sees the whole path, its mount point in root_path
        path, mount = str(scope["path"]), str(scope.get("root_path", ""))
        asset = self.files.get(path.removeprefix(mount).lstrip("/"))
        if asset is None:
            return Response("Not found", 404, media_type="text/plain")
        headers = Headers(scope=scope)
        query = scope.get("query_string", b"").decode("latin-1")
        versioned = f"v={asset.version}" in query.split("&")
        out = {
            "ETag": asset.etag,
            "Vary": "Accept-Encoding",
            "Cache-Control": f"public, max-age={YEAR}, immutable" if versioned else "no-cache",
        }
        if asset.etag in headers.get("if-none-match", ""):
            return Response(status_code=304, headers=out)
        body = asset.body
        coding = best_coding(headers, asset.coded)
        if coding is not None:
            body = asset.coded[coding]
            out["Content-Encoding"] = coding
        if scope["method"] == "HEAD":
            out["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=out, media_type=asset.media_type)
        return Response(body, headers=out, media_type=asset.media_type)
