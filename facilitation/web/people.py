"""Personal links: holders, jury members and partners join with a role the organiser gave them;
voting tickets are personal links too, printed on a sheet, one per person in the room."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.formats import localise
from facilitation.qrcodes import qr_svg
from facilitation.security import participant_cookie
from facilitation.services.events import RefusedError
from facilitation.services.live_event import LiveEvent
from facilitation.web.guards import facilitator
from facilitation.web.services import (
    event_or_404,
    facilitator_csrf,
    lang_of,
    public_base,
    remember_lang,
    services,
    set_cookie,
)


async def invite_accept(request: Request) -> Response:
    """Opening a personal link makes this browser that person (cookie), then shows the event."""
    live = event_or_404(request)
    token = str(request.path_params["token"])
    person = services(request).participants.by_token(live, token)
    if person is None or not person.ticketed:
        return services(request).pages.page(
            request, "not_found.html", lang_of(request, live), {"live": None}, status_code=404
        )
    response = RedirectResponse(f"/e/{live.code}", status_code=303)
    set_cookie(request, response, participant_cookie(live.code), token)
    return response


@facilitator()
async def people_page(request: Request, live: LiveEvent, lang: str) -> Response:
    svc = services(request)
    base = public_base(request)
    titles = {p.id: p.title for p in live.plan.projects}
    people = [
        {
            "id": p.id,
            "name": p.name,
            "role": p.role,
            "project": titles.get(p.project_id, p.project_id) if p.project_id else None,
            "link": f"{base}/e/{live.code}/i/{p.token}",
            "qr": f"/e/{live.code}/console/people/{p.id}/qr.svg",
        }
        for p in svc.participants.invited(live)
    ]
    roles = svc.participants.invitable_roles(live)
    page = svc.pages.page(
        request,
        "people.html",
        lang,
        {
            "live": live,
            "people": people,
            "roles": roles,
            "csrf": facilitator_csrf(request, live),
            "error": request.query_params.get("error"),
            "typed_name": request.query_params.get("name", ""),
            "projects": [{"id": p.id, "title": p.title} for p in live.plan.projects],
            "tickets": len(svc.participants.tickets(live)),
            "ticketed_votes": _ticketed_votes(live),
        },
    )
    return remember_lang(request, page)


def _back(live: LiveEvent) -> str:
    return f"/e/{live.code}/console/people"


async def _csrf_refused(request: Request, live: LiveEvent, lang: str) -> Response:
    return RedirectResponse(f"{_back(live)}?error=csrf", status_code=303)


@facilitator(_csrf_refused)
async def people_add(request: Request, live: LiveEvent, lang: str) -> Response:
    form = await request.form()
    try:
        await services(request).participants.invite(
            live, form.get("role"), form.get("name") or "", form.get("project") or None
        )
    except RefusedError as error:
        typed = " ".join(str(form.get("name") or "").split())[:40]
        query = urlencode({"error": error.code, "name": typed})
        return RedirectResponse(f"{_back(live)}?{query}", status_code=303)
    return RedirectResponse(_back(live), status_code=303)


def _ticketed_votes(live: LiveEvent) -> int:
    return sum(1 for step in live.format.vote_steps().values() if step.voters == "ticketed")


@facilitator(_csrf_refused)
async def tickets_add(request: Request, live: LiveEvent, lang: str) -> Response:
    form = await request.form()
    try:
        await services(request).participants.make_tickets(live, form.get("count"))
    except RefusedError:
        return RedirectResponse(f"{_back(live)}?error=tickets", status_code=303)
    return RedirectResponse(f"{_back(live)}/tickets", status_code=303)


@facilitator()
async def tickets_sheet(request: Request, live: LiveEvent, lang: str) -> Response:
    """The tickets as an A4 sheet to print and cut: each QR is in the page itself (a data:
    image) so that printing does not wait for hundreds of requests."""
    svc = services(request)
    base = public_base(request)
    tickets = []
    for number, ticket in enumerate(svc.participants.tickets(live), start=1):
        link = f"{base}/e/{live.code}/i/{ticket.token}"
        svg = base64.b64encode(qr_svg(link).encode()).decode("ascii")
        tickets.append({"number": number, "link": link, "qr": f"data:image/svg+xml;base64,{svg}"})
    title = localise(live.format.title, lang, live.format.lang)
    page = svc.pages.page(
        request, "tickets.html", lang, {"live": live, "tickets": tickets, "title": title}
    )
    return remember_lang(request, page)


@facilitator()
async def person_qr(request: Request, live: LiveEvent, lang: str) -> Response:
    person = services(request).participants.invited_person(live, int(request.path_params["person"]))
    if person is None:
        return Response("Not found", status_code=404)
    svg = qr_svg(f"{public_base(request)}/e/{live.code}/i/{person.token}")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private"})


routes = [
    Route("/e/{code}/i/{token}", invite_accept, name="invite"),
    Route("/e/{code}/console/people", people_page, name="people"),
    Route("/e/{code}/console/people", people_add, methods=["POST"], name="people_add"),
    Route("/e/{code}/console/people/{person:int}/qr.svg", person_qr, name="person_qr"),
    Route("/e/{code}/console/people/tickets", tickets_sheet, name="tickets"),
    Route("/e/{code}/console/people/tickets", tickets_add, methods=["POST"], name="tickets_add"),
]
