"""Meetings in a live event: the organiser's draft (run, edit, publish, refill), each phone's
schedule, and the downloads (CSV, XLSX, JSON, printable schedules, calendars)."""

from __future__ import annotations

from datetime import datetime

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core import matchmaking as mm
from facilitation.core.formats import localise
from facilitation.core.inputs import whole_number
from facilitation.exports import calendars, printed, schedules
from facilitation.messages import refusal_message
from facilitation.presenters.schedules import anonymous_label, schedule_view
from facilitation.reasons import neutral_reason
from facilitation.services.live_event import LiveEvent
from facilitation.services.meetings import MeetingsError, pair_of
from facilitation.services.participants import ParticipantRow
from facilitation.web.guards import facilitator, participant_form, participant_of
from facilitation.web.services import (
    attachment,
    event_or_404,
    facilitator_csrf,
    lang_of,
    remember_lang,
    services,
)

EDITS = ("run", "refill", "publish", "lock", "unlock", "remove", "move", "swap")


@facilitator()
async def match_console(request: Request, live: LiveEvent, lang: str) -> Response:
    svc = services(request)
    meetings = svc.meetings
    error = request.query_params.get("error")
    if live.format.match_step() is None:
        return svc.pages.page(request, "not_found.html", lang, {"live": None}, 404)
    draft = meetings.draft(live)
    stats = meetings.statistics(draft) if draft else None
    profiles = meetings.profiles(live)
    absent = await meetings.absent(live)
    start = meetings.start(live)
    length = meetings.slot_length(live)
    rows = []
    if draft:
        names = {p.id: p.name for p in draft.profiles}
        labels = meetings.labels(live, lang)
        for m in draft.meetings:
            begins = start + (m.slot - 1) * length if start else None
            rows.append(
                {
                    "pair": f"{m.a}-{m.b}",
                    "slot": m.slot,
                    "table": m.table,
                    "time": begins.strftime("%H:%M") if begins else "",
                    "a": draft.name(m.a),
                    "b": draft.name(m.b),
                    "score": m.score,
                    "reason": neutral_reason(m, names, lang, labels),
                    "locked": m.locked,
                    "published": m.published,
                }
            )
    context = {
        "live": live,
        "csrf": facilitator_csrf(request, live),
        "draft": draft,
        "stats": stats,
        "rows": rows,
        "profiles": len(profiles),
        "wishes": len(meetings.wishes(live)),
        "config": meetings.config(live),
        "names": {p.id: p.name for p in profiles},
        "absent": [p.name for p in absent],
        "error": refusal_message(lang, error) if error and error.isidentifier() else error,
        "unplaced": [
            {"a": draft.name(u.candidate.a), "b": draft.name(u.candidate.b), "problem": u.problem}
            for u in draft.unplaced
        ]
        if draft
        else [],
        "slots": list(range(1, meetings.config(live).slots + 1)),
    }
    return remember_lang(request, svc.pages.page(request, "match_console.html", lang, context))


async def _csrf_refused(request: Request, live: LiveEvent, lang: str) -> Response:
    return RedirectResponse(f"/e/{live.code}/console/match?error=csrf", status_code=303)


@facilitator(_csrf_refused)
async def match_act(request: Request, live: LiveEvent, lang: str) -> Response:
    svc = services(request)
    form = await request.form()
    back = f"/e/{live.code}/console/match"
    action = form.get("action")
    if action not in EDITS:
        return RedirectResponse(f"{back}?error=malformed", status_code=303)
    meetings = svc.meetings
    selected = [p for p in (pair_of(v) for v in form.getlist("meeting")) if p]
    try:
        if action == "run":
            overrides = {
                key: whole_number(form.get(key))
                for key in ("slots", "tables", "min_meetings", "max_meetings")
                if whole_number(form.get(key)) is not None
            }
            await meetings.run(live, overrides, present_only=bool(form.get("present_only")))
        elif action == "refill":
            await meetings.refill(live, present_only=bool(form.get("present_only")))
        else:
            await meetings.edit(
                live,
                str(action),
                selected[0] if selected else None,
                selected[1] if len(selected) > 1 else None,
                whole_number(form.get("slot")),
            )
    except MeetingsError as error:
        return RedirectResponse(f"{back}?error={error.code}", status_code=303)
    except mm.MatchError as error:
        # the pipeline's sentences name people and slots: shown as they are
        return RedirectResponse(f"{back}?{_query(str(error))}", status_code=303)
    return RedirectResponse(back, status_code=303)


def _query(message: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"error": message})


@facilitator()
async def match_download(request: Request, live: LiveEvent, lang: str) -> Response:
    svc = services(request)
    meetings = svc.meetings
    draft = meetings.draft(live) if live.format.match_step() else None
    fmt = request.path_params["fmt"]
    if draft is None or fmt not in ("csv", "xlsx", "json", "html"):
        return Response("Not found", status_code=404)
    start, length = meetings.start(live), meetings.slot_length(live)
    # files for the room are in the event's language, whatever the console is shown in
    file_lang, labels = live.row.lang, meetings.labels(live, live.row.lang)
    title = localise(live.format.title, live.row.lang)
    body: str | bytes
    if fmt == "csv":
        body = schedules.meetings_csv(draft, start, length, lang=file_lang, labels=labels)
        media = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = schedules.meetings_xlsx(draft, start, length, lang=file_lang, labels=labels)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "json":
        body, media = (
            schedules.draft_json(draft, start, length, lang=file_lang, labels=labels),
            "application/json",
        )
    else:
        shown = mm.published_view(draft) if draft.published else draft
        return Response(
            printed.schedules_html(
                shown,
                start,
                length,
                title=title,
                stylesheet=svc.pages.static_url("css/print.css"),
                lang=file_lang,
                labels=labels,
            ),
            media_type="text/html; charset=utf-8",
        )
    return attachment(request, body, media, f"{live.code}-meetings.{fmt}")


async def schedule_fragment(request: Request) -> Response:
    """This phone's published meetings (fetched again when the organiser publishes)."""
    live = event_or_404(request)
    svc = services(request)
    lang = lang_of(request, live)
    person = participant_of(request, live)
    draft = svc.meetings.draft(live) if person and live.format.match_step() else None
    rows = schedule_view(svc.meetings, live, person, lang, draft) if person else []
    return svc.pages.page(
        request,
        "_agenda.html",
        lang,
        {
            "live": live,
            "schedule": rows,
            "has_match": bool(live.format.match_step()),
            "me_as": anonymous_label(draft, person) if person and rows else None,
        },
    )


async def schedule_calendar(request: Request) -> Response:
    """This phone's meetings as an iCalendar file (stable ids: a new download updates them)."""
    live = event_or_404(request)
    svc = services(request)
    person = participant_of(request, live)
    meetings = svc.meetings
    draft = meetings.draft(live) if live.format.match_step() else None
    start = meetings.start(live) if draft else None
    if person is None or draft is None or not draft.published or start is None:
        return Response("Not found", status_code=404)
    body = calendars.schedule_ics(
        mm.published_view(draft),
        str(person.id),
        start,
        meetings.slot_length(live),
        event_id=live.code,
        title=localise(live.format.title, live.row.lang),
        stamp=datetime.now(),
        lang=lang_of(request, live),
        labels=meetings.labels(live, lang_of(request, live)),
    )
    return attachment(request, body, "text/calendar; charset=utf-8", f"{live.code}-my-meetings.ics")


@participant_form
async def wish_submit(
    request: Request, live: LiveEvent, person: ParticipantRow, form: FormData
) -> Response:
    """The no-JavaScript way to say "I want to meet this project" (or must / no)."""
    target: object = form.get("target")
    if whole_number(target) is not None:
        target = whole_number(target)
    helps = [h for h in form.getlist("helps") if isinstance(h, str)] or None
    try:
        await services(request).meetings.wish(
            live, person, target, form.get("level") or None, helps
        )
    except MeetingsError as error:
        return RedirectResponse(f"/e/{live.code}?flash={error.code}", status_code=303)
    return RedirectResponse(f"/e/{live.code}?flash=sent", status_code=303)


@participant_form
async def profile_submit(
    request: Request, live: LiveEvent, person: ParticipantRow, form: FormData
) -> Response:
    raw = {
        "organisation": form.get("organisation") or "",
        "side": form.get("side") or "need",
        "offers": [v for v in form.getlist("offers") if isinstance(v, str)],
        "needs": [v for v in form.getlist("needs") if isinstance(v, str)],
        "slots": [n for n in map(whole_number, form.getlist("slots")) if n is not None],
    }
    try:
        await services(request).meetings.set_profile(live, person, raw)
    except MeetingsError as error:
        return RedirectResponse(f"/e/{live.code}?flash={error.code}", status_code=303)
    return RedirectResponse(f"/e/{live.code}?flash=sent", status_code=303)


routes = [
    Route("/e/{code}/console/match", match_console, name="match_console"),
    Route("/e/{code}/console/match", match_act, methods=["POST"], name="match_act"),
    Route("/e/{code}/match/meetings.{fmt:str}", match_download, name="match_download"),
    Route("/e/{code}/agenda", schedule_fragment, name="schedule"),
    Route("/e/{code}/agenda.ics", schedule_calendar, name="schedule_ics"),
    Route("/e/{code}/wish", wish_submit, methods=["POST"], name="wish"),
    Route("/e/{code}/profile", profile_submit, methods=["POST"], name="profile"),
]
