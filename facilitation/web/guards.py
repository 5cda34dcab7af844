"""The one check in front of every console route: the facilitator of this event, and for a
form post a CSRF token made for this event's secret.

A handler written as `async def h(request, live, lang)` and decorated with `@facilitator()`
becomes the route's endpoint, and runs only once both hold; what a refused post gets back
(the console with an error, or a redirect with `?error=csrf`) is the route's choice.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from facilitation.security import check_csrf, facilitator_subject
from facilitation.services.events import LiveEvent
from facilitation.web.services import event_or_404, is_facilitator, lang_of, services

Handler = Callable[[Request, LiveEvent, str], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
Refusal = Callable[[Request, LiveEvent, str], Awaitable[Response] | Response]


def forbidden_page(request: Request, lang: str) -> Response:
    return services(request).pages.page(
        request, "forbidden.html", lang, {"live": None}, status_code=403
    )


async def csrf_ok(request: Request, live: LiveEvent) -> bool:
    form = await request.form()  # Starlette keeps the parsed form: the handler reads it again
    token = form.get("csrf")
    return check_csrf(
        services(request).csrf_key,
        facilitator_subject(live.code, live.row.secret),
        token if isinstance(token, str) else None,
    )


def facilitator(csrf_refused: Refusal | None = None) -> Callable[[Handler], Endpoint]:
    """The endpoint for `handler`: only the facilitator of the event in the URL gets in, and a
    post also needs the CSRF token, else `csrf_refused` answers (a 403 page if it is None)."""

    def wrap(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            live = event_or_404(request)
            lang = lang_of(request, live)
            if not is_facilitator(request, live):
                return forbidden_page(request, lang)
            if request.method == "POST" and not await csrf_ok(request, live):
                if csrf_refused is None:
                    return forbidden_page(request, lang)
                answer = csrf_refused(request, live, lang)
                return await answer if isinstance(answer, Awaitable) else answer
            return await handler(request, live, lang)

        return endpoint

    return wrap
