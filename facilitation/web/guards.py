"""The checks in front of routes: the facilitator of this event (every console route), or
the participant whose cookie this is (every phone form), each with its CSRF token for posts.

A handler written as `async def h(request, live, lang)` and decorated with `@facilitator()`
becomes the route's endpoint, and runs only once both hold; what a refused post gets back
(the console with an error, or a redirect with `?error=csrf`) is the route's choice.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from facilitation.security import (
    check_csrf,
    csrf_token,
    facilitator_subject,
    participant_cookie,
)
from facilitation.services.live_event import LiveEvent
from facilitation.services.participants import ParticipantRow
from facilitation.web.services import event_or_404, is_facilitator, lang_of, services

Handler = Callable[[Request, LiveEvent, str], Awaitable[Response]]
PhoneHandler = Callable[[Request, LiveEvent, ParticipantRow, FormData], Awaitable[Response]]
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


def participant_of(request: Request, live: LiveEvent) -> ParticipantRow | None:
    """The participant this browser is for this event (its cookie), if any."""
    token = request.cookies.get(participant_cookie(live.code))
    return services(request).participants.by_token(live, token)


def participant_csrf(request: Request, participant: ParticipantRow) -> str:
    return csrf_token(services(request).csrf_key, f"participant:{participant.token}")


def participant_form(handler: PhoneHandler) -> Endpoint:
    """The endpoint for a phone's form post (the no-JavaScript path): only for the participant
    of the cookie, with that participant's CSRF token; otherwise back to the event page."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        live = event_or_404(request)
        participant = participant_of(request, live)
        form = await request.form()
        token = form.get("csrf")
        if participant is None or not check_csrf(
            services(request).csrf_key,
            f"participant:{participant.token}",
            token if isinstance(token, str) else None,
        ):
            return RedirectResponse(f"/e/{live.code}?flash=csrf", status_code=303)
        return await handler(request, live, participant, form)

    return endpoint


ORGANISER_COOKIE = "organiser"
OrganiserRefusal = Callable[[Request], Awaitable[Response]]


def is_organiser(request: Request) -> bool:
    return services(request).sessions.is_organiser(request.cookies.get(ORGANISER_COOKIE))


def organiser_csrf(request: Request) -> str:
    return csrf_token(services(request).csrf_key, "organiser")


def organiser(
    csrf_refused: OrganiserRefusal | None = None, *, max_part_size: int = 1024 * 1024
) -> Callable[[Endpoint], Endpoint]:
    """Only the organiser (the key traded for a cookie on /organiser); a post also needs the
    organiser's CSRF token, else `csrf_refused` answers (a 403 page if it is None)."""

    def wrap(handler: Endpoint) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            if not is_organiser(request):
                return forbidden_page(request, lang_of(request))
            if request.method == "POST":
                form = await request.form(max_part_size=max_part_size)
                token = form.get("csrf")
                key = services(request).csrf_key
                if not check_csrf(key, "organiser", token if isinstance(token, str) else None):
                    if csrf_refused is None:
                        return forbidden_page(request, lang_of(request))
                    return await csrf_refused(request)
            return await handler(request)

        return endpoint

    return wrap
