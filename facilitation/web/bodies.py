"""Request bodies capped per route before anything reads them.

Starlette parses a form in full (spooling files to disk past 1 MB) before any handler can
check who sent it, and the participant guard reads the form to find its CSRF token: without
a cap, one anonymous POST could fill the disk. A declared Content-Length over the cap is
answered at once, unread; a chunked body is counted as it streams and stopped at the cap.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facilitation.core.inputs import whole_number
from facilitation.i18n import negotiate
from facilitation.messages import refusal_message
from facilitation.web.organiser import MAX_ROSTER_BYTES

# Phones send a ballot, an item, a name, a wish: a few fields of bounded text.
PHONE_FORM_BYTES = 16 * 1024
# The console's forms carry lists (every meeting of a draft, every card moved).
CONSOLE_FORM_BYTES = 256 * 1024
# The organiser uploads a roster (its own cap is MAX_ROSTER_BYTES) or edits a format's YAML.
ORGANISER_BYTES = MAX_ROSTER_BYTES + 64 * 1024

LIMITS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"/organiser(/|$)"), ORGANISER_BYTES),
    (re.compile(r"/e/[^/]+/console(/|$)"), CONSOLE_FORM_BYTES),
)


def body_limit(path: str) -> int:
    for pattern, limit in LIMITS:
        if pattern.match(path):
            return limit
    return PHONE_FORM_BYTES


class BodyTooLarge(HTTPException):
    """Raised from `receive`: the handler reading the form is stopped where it reads, and
    Starlette answers it as any HTTP error, with our status and text."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message, headers={"Connection": "close"})


def _too_large(scope: Scope) -> str:
    request = Request(scope)
    lang = negotiate(
        None, request.cookies.get("lang"), request.headers.get("accept-language"), "fr"
    )
    return refusal_message(lang, "too_large")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        # the servers refuse a Content-Length that is not a number before we see it
        size = whole_number(declared)
        if size is not None and size > limit:
            refusal = PlainTextResponse(
                _too_large(scope), status_code=413, headers={"Connection": "close"}
            )
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(_too_large(scope))
            return message

        await self.app(scope, counted, send)
