"""The facilitator console (laptop): agenda, next/back/jump, timer, votes, downloads."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.engine import Action, EngineError
from facilitation.exports.results import report_csv, report_data, results_csv, results_json
from facilitation.messages import refusal_message
from facilitation.realtime.hub import facilitator_cookie
from facilitation.security import check_csrf, facilitator_subject, same_secret
from facilitation.services.events import LiveEvent, now_ms
from facilitation.web.services import (
    COOKIE_MAX_AGE,
    event_or_404,
    is_facilitator,
    lang_of,
    public_base,
    remember_lang,
    services,
)

ACTIONS = {
    "next",
    "back",
    "jump",
    "timer_start",
    "timer_pause",
    "timer_toggle",
    "timer_extend",
    "timer_reset",
    "vote_open",
    "vote_close",
    "vote_reopen",
    "reveal",
}


def forbidden_page(request: Request, lang: str) -> Response:
    return services(request).pages.page(
        request, "forbidden.html", lang, {"live": None}, status_code=403
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
        response.set_cookie(
            facilitator_cookie(live.code),
            key,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
        )
        return response
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    return remember_lang(
        request, svc.pages.page(request, "console.html", lang, console_context(request, live, lang))
    )


def console_context(
    request: Request, live: LiveEvent, lang: str, error: str | None = None
) -> dict[str, object]:
    context = services(request).hub.context(live, "console", lang)
    context["join_url"] = f"{public_base(request)}/e/{live.code}"
    context["error"] = error
    return context


async def console_act(request: Request) -> Response:
    live = event_or_404(request)
    lang = lang_of(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    form = await request.form()
    error = None
    if not check_csrf(
        svc.csrf_key, facilitator_subject(live.code, live.row.secret), _text(form.get("csrf"))
    ):
        error = refusal_message(lang, "csrf")
    else:
        try:
            action = _action(form)
            svc.events.act(live, action)
        except EngineError as failure:
            error = refusal_message(lang, failure.code)
        except ValueError:
            error = refusal_message(lang, "malformed")
        else:
            await svc.hub.state_changed(live)
    if request.headers.get("HX-Request"):
        return svc.pages.page(
            request,
            "_console_state.html",
            lang,
            console_context(request, live, lang, error),
            status_code=200,
        )
    return RedirectResponse(f"/e/{live.code}/console", status_code=303)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _action(form: object) -> Action:
    get = form.get  # type: ignore[attr-defined]
    name = _text(get("action"))
    if name not in ACTIONS:
        raise ValueError("unknown action")
    stage = _text(get("stage"))
    seconds = _text(get("seconds"))
    return Action(
        name=name,  # type: ignore[arg-type]
        stage=int(stage) if stage not in (None, "") else None,
        seconds=int(seconds) if seconds not in (None, "") else None,
        vote=_text(get("vote")) or None,
    )


async def items_moderate(request: Request) -> Response:
    """Hide, show or merge submitted items (select, then act: no dragging)."""
    live = event_or_404(request)
    lang = lang_of(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    form = await request.form()
    error = None
    if not check_csrf(
        svc.csrf_key, facilitator_subject(live.code, live.row.secret), _text(form.get("csrf"))
    ):
        error = refusal_message(lang, "csrf")
    else:
        ids = [int(v) for v in form.getlist("item") if isinstance(v, str) and v.isdigit()]
        action = _text(form.get("action"))
        now = now_ms()
        if not ids:
            error = refusal_message(lang, "nothing_selected")
        elif action in ("hide", "show"):
            svc.storage.set_items_hidden(live.id, ids, action == "hide", now)
        elif action == "merge" and len(ids) > 1:
            svc.storage.merge_items(live.id, ids[0], ids[1:], now)
        else:
            error = refusal_message(lang, "nothing_selected")
        svc.events.refresh_items(live)
        await svc.hub.push(live, ("screen", "console"))
        await svc.hub.push_items(live)
    if request.headers.get("HX-Request"):
        return svc.pages.page(
            request, "_console_state.html", lang, console_context(request, live, lang, error)
        )
    return RedirectResponse(f"/e/{live.code}/console", status_code=303)


async def seating_act(request: Request) -> Response:
    """Seat late arrivals in the smallest groups, or form the groups again."""
    live = event_or_404(request)
    lang = lang_of(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    form = await request.form()
    error = None
    if not check_csrf(
        svc.csrf_key, facilitator_subject(live.code, live.row.secret), _text(form.get("csrf"))
    ):
        error = refusal_message(lang, "csrf")
    else:
        present = list(svc.hub.online[live.code])
        if _text(form.get("action")) == "regroup":
            svc.hub.seating.regroup(live, present, salt=live.state.revision + now_ms())
        else:
            svc.hub.seating.add_late(live, present)
        await svc.hub.push(live, ("screen", "console"))
        await svc.hub.push_seats(live)
    if request.headers.get("HX-Request"):
        return svc.pages.page(
            request, "_console_state.html", lang, console_context(request, live, lang, error)
        )
    return RedirectResponse(f"/e/{live.code}/console", status_code=303)


async def report_page(request: Request) -> Response:
    """After the event (or during it): the agenda as run, votes, contributions, feedback
    counts and groups; printable, and as JSON or CSV."""
    live = event_or_404(request)
    lang = lang_of(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    report = report_data(svc.events, live, now_ms())
    fmt = request.path_params.get("fmt")
    filename = f"{live.format.id}-{live.code}-report"
    if fmt == "json":
        return Response(
            json.dumps(report, ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{filename}.json"'},
        )
    if fmt == "csv":
        return Response(
            report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if fmt is not None:
        return Response("Not found", status_code=404)
    return remember_lang(
        request,
        svc.pages.page(request, "event_report.html", lang, {"live": live, "report": report}),
    )


async def results_download(request: Request) -> Response:
    live = event_or_404(request)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang_of(request, live))
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
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


routes = [
    Route("/e/{code}/console", console_page, name="console"),
    Route("/e/{code}/console/act", console_act, methods=["POST"], name="console_act"),
    Route("/e/{code}/results.{fmt:str}", results_download, name="results"),
    Route("/e/{code}/console/items", items_moderate, methods=["POST"], name="items"),
    Route("/e/{code}/console/seating", seating_act, methods=["POST"], name="seating"),
    Route("/e/{code}/report", report_page, name="report"),
    Route("/e/{code}/report.{fmt:str}", report_page, name="report_download"),
]
