"""The facilitator's checks on one person, one vote: the head count typed in on the console,
and the review page where the ballots of identities made in bursts are set aside or restored."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.formats import localise
from facilitation.core.inputs import count_in_range
from facilitation.messages import refusal_message
from facilitation.services.events import RefusedError
from facilitation.services.live_event import LiveEvent
from facilitation.services.review import BURST_AT_LEAST, BURST_WITHIN_S
from facilitation.web.console import console_answer, csrf_refused
from facilitation.web.guards import facilitator
from facilitation.web.services import facilitator_csrf, remember_lang, services


@facilitator(csrf_refused)
async def head_count_submit(request: Request, live: LiveEvent, lang: str) -> Response:
    form = await request.form()
    error = None
    try:
        await services(request).review.set_head_count(live, form.get("count"))
    except RefusedError as refusal:
        error = refusal_message(lang, refusal.code)
    return await console_answer(request, live, lang, error)


def _number(raw: object, default: int, top: int) -> int:
    """A burst setting from the page's form: a whole number from 1 to `top`."""
    return max(1, count_in_range(raw, top) or default)


def _settings(source: FormData | Request) -> tuple[int, int]:
    get = source.query_params.get if isinstance(source, Request) else source.get
    return _number(get("within"), BURST_WITHIN_S, 3600), _number(get("least"), BURST_AT_LEAST, 1000)


@facilitator()
async def review_page(request: Request, live: LiveEvent, lang: str) -> Response:
    vote_id = str(request.path_params["vote"])
    if vote_id not in live.format.vote_steps():
        return Response("Not found", status_code=404)
    svc = services(request)
    within, least = _settings(request)
    step = live.format.vote_steps()[vote_id]
    flash = request.query_params.get("flash")
    page = svc.pages.page(
        request,
        "review.html",
        lang,
        {
            "live": live,
            "vote_id": vote_id,
            "question": localise(step.question, lang, live.format.lang),
            "ticketed": step.voters == "ticketed",
            "bursts": svc.review.bursts(live, vote_id, within, least),
            "within": within,
            "least": least,
            "counted": svc.events.count_ballots(live, vote_id),
            "head_count": svc.review.head_count(live),
            "csrf": facilitator_csrf(request, live),
            "flash": refusal_message(lang, flash) if flash else None,
        },
    )
    return remember_lang(request, page)


async def _refused(request: Request, live: LiveEvent, lang: str) -> Response:
    return _back(request, live, "csrf")


def _back(request: Request, live: LiveEvent, flash: str | None = None) -> Response:
    url = f"/e/{live.code}/console/review/{request.path_params['vote']}"
    return RedirectResponse(url + (f"?flash={flash}" if flash else ""), status_code=303)


@facilitator(_refused)
async def review_submit(request: Request, live: LiveEvent, lang: str) -> Response:
    form = await request.form()
    within, least = _settings(form)
    aside = form.get("action") == "set_aside"
    try:
        await services(request).review.set_aside(
            live,
            request.path_params["vote"],
            count_in_range(form.get("burst"), 2**62),
            aside,
            within,
            least,
        )
    except RefusedError as refusal:
        return _back(request, live, refusal.code)
    url = (
        f"/e/{live.code}/console/review/{request.path_params['vote']}?within={within}&least={least}"
    )
    return RedirectResponse(url, status_code=303)


routes = [
    Route("/e/{code}/console/headcount", head_count_submit, methods=["POST"], name="head_count"),
    Route("/e/{code}/console/review/{vote}", review_page, name="review"),
    Route("/e/{code}/console/review/{vote}", review_submit, methods=["POST"], name="review_set"),
]
