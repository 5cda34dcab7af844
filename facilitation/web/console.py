"""The facilitator console (laptop): agenda, next/back/jump, timer, votes, downloads."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.engine import ACTIONS, Action, EngineError
from facilitation.core.inputs import whole_number
from facilitation.exports.results import report_csv, report_data, results_csv, results_json
from facilitation.messages import refusal_message
from facilitation.security import facilitator_cookie, same_secret
from facilitation.services.events import RefusedError, now_ms
from facilitation.services.health import StorageUnavailableError
from facilitation.services.live_event import LiveEvent
from facilitation.web.guards import facilitator, forbidden_page
from facilitation.web.services import (
    attachment,
    event_or_404,
    is_facilitator,
    lang_of,
    public_base,
    remember_lang,
    services,
    set_cookie,
)


async def console_page(request: Request) -> Response:
    live = event_or_404(request)
    lang = lang_of(request, live)
    key = request.query_params.get("key")
    if key is not None:
        # Trade the secret in the URL for a cookie, and drop it from the address bar.
        if not same_secret(live.row.secret, key):
            return forbidden_page(request, lang)
        response = RedirectResponse(f"/e/{live.code}/console", status_code=303)
        svc = services(request)
        session = svc.sessions.for_facilitator(live)
        max_age = svc.settings.facilitator_session_s
        set_cookie(request, response, facilitator_cookie(live.code), session, max_age=max_age)
        return response
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    context = await console_context(request, live, lang)
    return remember_lang(request, svc.pages.page(request, "console.html", lang, context))


async def console_context(
    request: Request, live: LiveEvent, lang: str, error: str | None = None
) -> dict[str, object]:
    context = await services(request).views.context(live, "console", lang)
    context["join_url"] = f"{public_base(request)}/e/{live.code}"
    context["error"] = error
    return context


async def console_answer(
    request: Request, live: LiveEvent, lang: str, error: str | None = None
) -> Response:
    """After a console form: the refreshed state for htmx, else back to the console."""
    if request.headers.get("HX-Request"):
        context = await console_context(request, live, lang, error)
        return services(request).pages.page(request, "_console_state.html", lang, context)
    return RedirectResponse(f"/e/{live.code}/console", status_code=303)


async def csrf_refused(request: Request, live: LiveEvent, lang: str) -> Response:
    return await console_answer(request, live, lang, refusal_message(lang, "csrf"))


@facilitator(csrf_refused)
async def console_act(request: Request, live: LiveEvent, lang: str) -> Response:
    form = await request.form()
    error = None
    try:
        await services(request).console.act(live, _action(form))
    except EngineError as failure:
        error = refusal_message(lang, failure.code)
    except ValueError:
        error = refusal_message(lang, "malformed")
    except StorageUnavailableError as failure:
        # answered as a console error (htmx swaps a 200, not a 503 page), with the banner
        error = refusal_message(lang, failure.code)
    return await console_answer(request, live, lang, error)


@facilitator()
async def sign_out_everywhere(request: Request, live: LiveEvent, lang: str) -> Response:
    """Ends every facilitator session of this event, on every device (a lost laptop, a key
    seen on the projector); the key itself still opens the console again."""
    await services(request).sessions.end_facilitator_sessions(live)
    response = RedirectResponse(f"/e/{live.code}", status_code=303)
    response.delete_cookie(facilitator_cookie(live.code))
    return response


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(text: str | None) -> int | None:
    if text in (None, ""):
        return None
    number = whole_number(text, signed=True)
    if number is None:
        raise ValueError("malformed")
    return number


def _action(form: object) -> Action:
    get = form.get  # type: ignore[attr-defined]
    name = _text(get("action"))
    if name not in ACTIONS:
        raise ValueError("unknown action")
    stage = _text(get("stage"))
    seconds = _text(get("seconds"))
    return Action(
        name=name,  # type: ignore[arg-type]
        stage=_number(stage),
        seconds=_number(seconds),
        vote=_text(get("vote")) or None,
    )


@facilitator(csrf_refused)
async def items_moderate(request: Request, live: LiveEvent, lang: str) -> Response:
    """Hide, show or merge submitted items (select, then act: no dragging)."""
    form = await request.form()
    ids = [n for n in map(whole_number, form.getlist("item")) if n is not None]
    error = None
    try:
        await services(request).events.moderate(live, _text(form.get("action")), ids)
    except RefusedError as refusal:
        error = refusal_message(lang, refusal.code)
    return await console_answer(request, live, lang, error)


@facilitator(csrf_refused)
async def seating_act(request: Request, live: LiveEvent, lang: str) -> Response:
    """Seat late arrivals in the smallest groups, or form the groups again."""
    form = await request.form()
    console = services(request).console
    if _text(form.get("action")) == "regroup":
        await console.regroup(live)
    else:
        await console.seat_late(live)
    return await console_answer(request, live, lang)


@facilitator()
async def report_page(request: Request, live: LiveEvent, lang: str) -> Response:
    """After the event (or during it): the agenda as run, votes, contributions, feedback
    counts and groups; printable, and as JSON or CSV."""
    svc = services(request)
    report = report_data(svc.events, live, now_ms(), svc.interaction)
    fmt = request.path_params.get("fmt")
    filename = f"{live.format.id}-{live.code}-report"
    if fmt == "json":
        return attachment(
            request,
            json.dumps(report, ensure_ascii=False, indent=2),
            "application/json",
            f"{filename}.json",
        )
    if fmt == "csv":
        return attachment(request, report_csv(report), "text/csv; charset=utf-8", f"{filename}.csv")
    if fmt is not None:
        return Response("Not found", status_code=404)
    return remember_lang(
        request,
        svc.pages.page(request, "event_report.html", lang, {"live": live, "report": report}),
    )


@facilitator()
async def results_download(request: Request, live: LiveEvent, lang: str) -> Response:
    svc = services(request)
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "json"):
        return Response("Not found", status_code=404)
    filename = f"{live.format.id}-{live.code}-results.{fmt}"
    body, media = (
        (results_csv(svc.events, live), "text/csv; charset=utf-8")
        if fmt == "csv"
        else (results_json(svc.events, live), "application/json")
    )
    return attachment(request, body, media, filename)


routes = [
    Route("/e/{code}/console", console_page, name="console"),
    Route("/e/{code}/console/act", console_act, methods=["POST"], name="console_act"),
    Route("/e/{code}/results.{fmt:str}", results_download, name="results"),
    Route("/e/{code}/console/items", items_moderate, methods=["POST"], name="items"),
    Route("/e/{code}/console/seating", seating_act, methods=["POST"], name="seating"),
    Route("/e/{code}/console/sign-out", sign_out_everywhere, methods=["POST"], name="sign_out"),
    Route("/e/{code}/report", report_page, name="report"),
    Route("/e/{code}/report.{fmt:str}", report_page, name="report_download"),
]
