"""Static files (CSS, JS, the vendored socket.io client), served from memory, compressed once.

Phones on a crowded venue Wi-Fi load these once per evening: gzip takes the first load from
about 100 KB to about 35 KB, and since pages link them as `/static/x?v=<hash of the file>`,
such a request may be cached for a year (`immutable`): a changed file gets a new address.
A request without the matching version is answered `no-cache` with an ETag, so it is checked
again rather than kept stale. HTML pages are not compressed: they carry CSRF tokens next to
text people type, which compression would let a listener on the Wi-Fi guess (BREACH).
"""

from __future__ import annotations

import gzip
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from facilitation.presenters.pages import content_version

COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".map")
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
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
        packed = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
        found[path.relative_to(folder).as_posix()] = Asset(
            body,
            packed if packed is not None and len(packed) < len(body) else None,
            media,
            content_version(body),
        )
    return found


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
        if asset.gzipped is not None and "gzip" in headers.get("accept-encoding", ""):
            body = asset.gzipped
            out["Content-Encoding"] = "gzip"
        if scope["method"] == "HEAD":
            out["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=out, media_type=asset.media_type)
        return Response(body, headers=out, media_type=asset.media_type)
