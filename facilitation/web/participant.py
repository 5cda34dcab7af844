"""Participant pages (phones): join by code, follow the event, vote, set a display name.

Every page works with plain form posts; the socket (static/js/participant.js) makes it live.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.formats import GroupsStep
from facilitation.messages import refusal_message
from facilitation.realtime.hub import clean_name, participant_cookie
from facilitation.security import check_csrf, csrf_token, new_participant_token, normalise_code
from facilitation.services.events import LiveEvent, RefusedError, now_ms
from facilitation.storage import ParticipantRow
from facilitation.web.services import (
    COOKIE_MAX_AGE,
    event_or_404,
    lang_of,
    remember_lang,
    services,
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


def _participant(request: Request, live: LiveEvent) -> ParticipantRow | None:
    token = request.cookies.get(participant_cookie(live.code))
    return services(request).storage.participant_by_token(live.id, token) if token else None


def _csrf(request: Request, participant: ParticipantRow) -> str:
    return csrf_token(services(request).csrf_key, f"participant:{participant.token}")


async def event_page(request: Request) -> Response:
    live = event_or_404(request)
    svc = services(request)
    participant = _participant(request, live)
    new_token = None
    if participant is None:
        new_token = new_participant_token()
        participant = svc.storage.add_participant(live.id, new_token, now_ms())
    lang = lang_of(request, live)
    flash = request.query_params.get("flash")
    context = svc.hub.context(live, "participant", lang)
    context.update(
        participant=participant,
        csrf=_csrf(request, participant),
        mine_fields=svc.hub.own_fields(live, participant),
        mine=svc.hub.own_inputs(live, participant),
        seat=svc.hub.seating.seats(live, lang).get(participant.id),
        my_agenda=svc.hub.meetings.agenda(live, participant, lang)
        if live.format.match_step()
        else [],
        people_to_meet=svc.hub.meetings.people_to_meet(live, participant)
        if live.format.match_step()
        else [],
        flash=refusal_message(lang, flash) if flash and flash not in ("voted", "sent") else None,
        voted=flash == "voted",
        sent=flash == "sent",
    )
    shared = svc.hub.group_input(live, participant, lang)
    if shared is not None:
        context["view"]["input"] = shared
    response = svc.pages.page(request, "participant.html", lang, context)
    if new_token:
        response.set_cookie(
            participant_cookie(live.code),
            new_token,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
        )
    return remember_lang(request, response)


async def vote_submit(request: Request) -> Response:
    """The no-JavaScript way to vote; phones with the socket send the same ballot over it."""
    live = event_or_404(request)
    participant = _participant(request, live)
    form = await request.form()
    back = f"/e/{live.code}"
    if participant is None or not check_csrf(
        services(request).csrf_key, f"participant:{participant.token}", _field(form, "csrf")
    ):
        return RedirectResponse(f"{back}?flash=csrf", status_code=303)
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key not in ("csrf", "vote") and isinstance(value, str):
            fields.setdefault(key, []).append(value)
    try:
        services(request).events.cast(live, participant, _field(form, "vote"), fields=fields)
    except RefusedError as error:
        return RedirectResponse(f"{back}?flash={error.code}", status_code=303)
    services(request).hub.schedule_flush(live)
    return RedirectResponse(f"{back}?flash=voted", status_code=303)


async def _participant_form(
    request: Request,
) -> tuple[LiveEvent, ParticipantRow | None, dict[str, str], str]:
    """The event, the participant (None if the form token is not theirs), the form's single
    values, and where to go back to."""
    live = event_or_404(request)
    participant = _participant(request, live)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if participant is not None and not check_csrf(
        services(request).csrf_key, f"participant:{participant.token}", values.get("csrf")
    ):
        participant = None
    return live, participant, values, f"/e/{live.code}"


async def item_submit(request: Request) -> Response:
    """The no-JavaScript way to send an idea (or any item of an input step)."""
    live, participant, values, back = await _participant_form(request)
    if participant is None:
        return RedirectResponse(f"{back}?flash=csrf", status_code=303)
    fields = {k: v for k, v in values.items() if k not in ("csrf", "step")}
    try:
        services(request).events.submit_item(live, participant, values.get("step"), fields)
    except RefusedError as error:
        return RedirectResponse(f"{back}?flash={error.code}", status_code=303)
    services(request).hub.items_changed(live, participant.id)
    return RedirectResponse(f"{back}?flash=sent", status_code=303)


async def feedback_submit(request: Request) -> Response:
    live, participant, values, back = await _participant_form(request)
    if participant is None:
        return RedirectResponse(f"{back}?flash=csrf", status_code=303)
    fields = {k: v for k, v in values.items() if k not in ("csrf", "project")}
    try:
        services(request).events.give_feedback(live, participant, values.get("project"), fields)
    except RefusedError as error:
        return RedirectResponse(f"{back}?flash={error.code}", status_code=303)
    return RedirectResponse(f"{back}?flash=sent", status_code=303)


async def seat_fragment(request: Request) -> Response:
    """This phone's table, companions, role or card at the current stage (fetched after a
    push that says places changed)."""
    live = event_or_404(request)
    svc = services(request)
    participant = _participant(request, live)
    lang = lang_of(request, live)
    context = {
        "live": live,
        "view": {"kind": live.stage.kind, "choices": self_choices(live)},
        "participant": participant,
        "csrf": _csrf(request, participant) if participant else "",
        "seat": svc.hub.seating.seats(live, lang).get(participant.id) if participant else None,
    }
    return svc.pages.page(request, "_seat.html", lang, context)


def self_choices(live: LiveEvent) -> bool:
    """Whether the current step waits for people to choose their table."""
    step = live.plan.step(live.stage)
    return isinstance(step, GroupsStep) and step.mode == "self" and bool(step.choices)


async def score_submit(request: Request) -> Response:
    """The no-JavaScript way to score a pass-around card."""
    live, participant, values, back = await _participant_form(request)
    if participant is None:
        return RedirectResponse(f"{back}?flash=csrf", status_code=303)
    card, score = values.get("card", ""), values.get("score", "")
    try:
        if not (card.isdigit() and score.lstrip("-").isdigit()):
            raise ValueError("malformed")
        services(request).hub.seating.score(live, participant, int(card), int(score))
    except ValueError as error:
        return RedirectResponse(f"{back}?flash={error}", status_code=303)
    services(request).hub.schedule_flush(live)
    return RedirectResponse(f"{back}?flash=sent", status_code=303)


async def choose_submit(request: Request) -> Response:
    live, participant, values, back = await _participant_form(request)
    if participant is None:
        return RedirectResponse(f"{back}?flash=csrf", status_code=303)
    try:
        services(request).hub.seating.choose(live, participant, values.get("choice"))
    except ValueError as error:
        return RedirectResponse(f"{back}?flash={error}", status_code=303)
    return RedirectResponse(f"{back}?flash=sent", status_code=303)


async def name_submit(request: Request) -> Response:
    live = event_or_404(request)
    participant = _participant(request, live)
    form = await request.form()
    back = f"/e/{live.code}"
    if participant is None or not check_csrf(
        services(request).csrf_key, f"participant:{participant.token}", _field(form, "csrf")
    ):
        return RedirectResponse(f"{back}?flash=csrf", status_code=303)
    name = clean_name(_field(form, "name") or "")
    services(request).storage.set_participant_name(participant.id, name or "")
    return RedirectResponse(back, status_code=303)


def _field(form: object, key: str) -> str | None:
    value = form.get(key) if hasattr(form, "get") else None
    return value if isinstance(value, str) else None


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
