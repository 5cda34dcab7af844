"""Participant pages (phones): join by code, follow the event, vote, set a display name.

Every page works with plain form posts; the socket (static/js/participant.js) makes it live.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.formats import GroupsStep
from facilitation.core.inputs import whole_number
from facilitation.messages import refusal_message
from facilitation.security import normalise_code, participant_cookie
from facilitation.services.events import RefusedError, now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.services.participants import ParticipantRow, TooManyNewIdentities
from facilitation.web.compression import compress_fresh_page
from facilitation.web.guards import participant_csrf, participant_form, participant_of
from facilitation.web.services import (
    client_address,
    event_or_404,
    is_facilitator,
    lang_of,
    remember_lang,
    services,
    set_cookie,
)


async def join_page(request: Request) -> Response:
    """`/`: a box to type the code shown on the screen; `/?code=X` goes to the event."""
    code = normalise_code(request.query_params.get("code", ""))
    lang = lang_of(request)
    error = None
    if code:
        if services(request).events.get(code) is not None:
            return RedirectResponse(f"/e/{code}", status_code=303)
        error = refusal_message(lang, "unknown_event")
    page = services(request).pages.page(
        request,
        "join.html",
        lang,
        {"code": code, "error": error},
        status_code=404 if error else 200,
    )
    return remember_lang(request, page)


async def event_page(request: Request) -> Response:
    live = event_or_404(request)
    svc = services(request)
    participant = participant_of(request, live)
    new_token = None
    lang = lang_of(request, live)
    if participant is None:
        try:
            # the facilitator's own browser (or their load test) makes phones on purpose
            origin = None if is_facilitator(request, live) else client_address(request)
            participant = await svc.participants.join(live, origin)
        except TooManyNewIdentities as refusal:
            return _wait_page(request, live, lang, refusal.wait)
        new_token = participant.token
    flash = request.query_params.get("flash")
    if new_token and flash is None:
        response = await _fresh_page(request, live, participant, lang)
    else:
        shown = flash if flash not in (None, "voted", "sent") else None
        context = await svc.views.participant_page(live, participant, lang)
        context.update(
            csrf=participant_csrf(request, participant),
            flash=refusal_message(lang, shown) if shown else None,
            voted=flash == "voted",
            sent=flash == "sent",
        )
        response = svc.pages.page(request, "participant.html", lang, context)
    if new_token:
        set_cookie(request, response, participant_cookie(live.code), new_token)
        # nothing in it is a secret another response repeats (web/compression.py)
        compress_fresh_page(request.headers, response)
    return remember_lang(request, response)


async def _fresh_page(
    request: Request, live: LiveEvent, participant: ParticipantRow, lang: str
) -> Response:
    """The page of an identity made for this request: the one kept for new identities
    (presenters/fresh_pages.py) with this phone's token, unless the phone is seated at once."""
    svc = services(request)
    csrf = participant_csrf(request, participant)
    seated = svc.seating.seats(live, lang).get(participant.id) is not None
    page = None if seated else svc.fresh.kept(live, lang)
    if page is None:
        context = await svc.views.participant_page(live, participant, lang)
        context.update(
            csrf=csrf if seated else svc.fresh.placeholder, flash=None, voted=False, sent=False
        )
        rendered = svc.pages.page(request, "participant.html", lang, context)
        if seated:
            return rendered
        page = bytes(rendered.body)
        svc.fresh.keep(live, lang, page)
    return HTMLResponse(svc.fresh.filled(page, csrf, now_ms()))


def _wait_page(request: Request, live: LiveEvent, lang: str, wait: int) -> Response:
    """Over the limit of new identities for this address: no participant is made; the page
    says when to try again, or to scan a ticket (a ticket is not limited)."""
    page = services(request).pages.page(
        request, "wait.html", lang, {"live": live, "wait": wait}, status_code=429
    )
    page.headers["Retry-After"] = str(wait)
    return page


def _back(live: LiveEvent, flash: str | None = None) -> RedirectResponse:
    return RedirectResponse(f"/e/{live.code}" + (f"?flash={flash}" if flash else ""), 303)


def _values(form: FormData, *skip: str) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf", *skip)}


@participant_form
async def vote_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    """The no-JavaScript way to vote; phones with the socket send the same ballot over it."""
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key not in ("csrf", "vote") and isinstance(value, str):
            fields.setdefault(key, []).append(value)
    try:
        await services(request).events.cast(live, participant, form.get("vote"), fields=fields)
    except RefusedError as error:
        return _back(live, error.code)
    return _back(live, "voted")


@participant_form
async def item_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    """The no-JavaScript way to send an idea (or any item of an input step)."""
    try:
        await services(request).events.submit_item(
            live, participant, form.get("step"), _values(form, "step")
        )
    except RefusedError as error:
        return _back(live, error.code)
    return _back(live, "sent")


@participant_form
async def feedback_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    try:
        await services(request).events.give_feedback(
            live, participant, form.get("project"), _values(form, "project")
        )
    except RefusedError as error:
        return _back(live, error.code)
    return _back(live, "sent")


async def seat_fragment(request: Request) -> Response:
    """This phone's table, companions, role or card at the current stage (fetched after a
    push that says places changed)."""
    live = event_or_404(request)
    svc = services(request)
    participant = participant_of(request, live)
    lang = lang_of(request, live)
    context = {
        "live": live,
        "view": {"kind": live.stage.kind, "choices": self_choices(live)},
        "participant": participant,
        "csrf": participant_csrf(request, participant) if participant else "",
        "seat": svc.seating.seats(live, lang).get(participant.id) if participant else None,
    }
    return svc.pages.page(request, "_seat.html", lang, context)


def self_choices(live: LiveEvent) -> bool:
    """Whether the current step waits for people to choose their table."""
    step = live.plan.step(live.stage)
    return isinstance(step, GroupsStep) and step.mode == "self" and bool(step.choices)


@participant_form
async def score_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    """The no-JavaScript way to score a pass-around card."""
    card, score = str(form.get("card", "")), str(form.get("score", ""))
    try:
        card_id, points = whole_number(card), whole_number(score, signed=True)
        if card_id is None or points is None:
            raise ValueError("malformed")
        await services(request).seating.score(live, participant, card_id, points)
    except ValueError as error:
        return _back(live, str(error))
    return _back(live, "sent")


@participant_form
async def choose_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    try:
        await services(request).seating.choose(live, participant, form.get("choice"))
    except ValueError as error:
        return _back(live, str(error))
    return _back(live, "sent")


@participant_form
async def name_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    try:
        await services(request).participants.rename(participant, form.get("name") or "")
    except RefusedError as error:
        return _back(live, error.code)
    return _back(live)


routes = [
    Route("/", join_page, name="join"),
    Route("/e/{code}", event_page, name="event"),
    Route("/e/{code}/vote", vote_submit, methods=["POST"], name="vote"),
    Route("/e/{code}/name", name_submit, methods=["POST"], name="name"),
    Route("/e/{code}/item", item_submit, methods=["POST"], name="item"),
    Route("/e/{code}/feedback", feedback_submit, methods=["POST"], name="feedback"),
    Route("/e/{code}/score", score_submit, methods=["POST"], name="score"),
    Route("/e/{code}/seat", seat_fragment, name="seat"),
    Route("/e/{code}/choose", choose_submit, methods=["POST"], name="choose"),
]
