"""Content codings: which ones a request accepts, and a page compressed in the best of them.

Static files are compressed once, when they are loaded (web/assets.py). A page is compressed
only when it holds no secret that other responses repeat: a listener on the Wi-Fi who can put
text of their own on a page (a question, an idea) could otherwise guess such a secret from
how the lengths of many responses change (BREACH). A phone's first page qualifies: its one
secret, the CSRF token, belongs to the identity made for that very response, and the page
shows nothing of that person yet. Later pages carry the person's own inputs and go as they are.
"""

from __future__ import annotations

import gzip
from collections.abc import Container
from functools import lru_cache

import brotli
from starlette.datastructures import Headers
from starlette.responses import Response

# best first: brotli is some 10 to 20 % smaller than gzip on the project's pages and files
CODINGS = ("br", "gzip")
# A page is compressed at every request. In the server, a joining phone's page request costs
# 0.82x the CPU at quality 2 that it costs at quality 5, for 16 % more bytes (2,724 against
# 2,356 of 9,804), although 5 looks cheap in a loop of its own; 1 costs the same as 2 and
# gives more bytes.
PAGE_QUALITY = 2


@lru_cache(maxsize=64)  # browsers send a handful of these; anything else is bounded
def accepted_codings(header: str) -> frozenset[str]:
    """The content codings an Accept-Encoding header accepts (`;q=0` refuses one)."""
    found = set()
    for part in header.lower().split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        weight = next((p.removeprefix("q=") for p in params if p.startswith("q=")), "1")
        try:
            if name and float(weight) > 0:
                found.add(name)
        except ValueError:
            continue
    return frozenset(found)


def best_coding(headers: Headers, offered: Container[str]) -> str | None:
    """The first of CODINGS that the request accepts and `offered` holds, if any."""
    return coding_for(headers.get("accept-encoding", ""), offered)


def coding_for(accept_encoding: str, offered: Container[str]) -> str | None:
    """The first of CODINGS that this Accept-Encoding header accepts and `offered` holds."""
    accepted = accepted_codings(accept_encoding)
    return next((c for c in CODINGS if c in accepted and c in offered), None)


def compress_fresh_page(headers: Headers, response: Response) -> Response:
    """`response`, a page made for a new identity (see above), compressed if the browser
    accepts it."""
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    coding = best_coding(headers, CODINGS)
    if coding is None:
        return response
    body = bytes(response.body)
    if coding == "br":
        packed = bytes(brotli.compress(body, quality=PAGE_QUALITY))
    else:
        packed = gzip.compress(body, 6, mtime=0)
    response.body = packed
    response.headers["Content-Encoding"] = coding
    response.headers["Content-Length"] = str(len(packed))
    return response
