"""Personal links: holders, jury members and partners join with a role the organiser gave them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.formats import Role
from facilitation.qrcodes import qr_svg
from facilitation.realtime.hub import clean_name, participant_cookie
from facilitation.security import check_csrf, facilitator_subject, new_participant_token
from facilitation.services.events import now_ms
from facilitation.web.console import forbidden_page
from facilitation.web.services import (
    COOKIE_MAX_AGE,
    event_or_404,
    facilitator_csrf,
    is_facilitator,
    lang_of,
    public_base,
    remember_lang,
    services,
)

# Roles the organiser hands out by link; everyone else joins by the public QR code.
INVITED_ROLES: tuple[Role, ...] = ("holder", "jury", "partner", "decider", "observer")


async def invite_accept(request: Request) -> Response:
    """Opening a personal link makes this browser that person (cookie), then shows the event."""
    live = event_or_404(request)
    token = str(request.path_params["token"])
    person = services(request).storage.participant_by_token(live.id, token)
    if person is None or not person.invited:
        return services(request).pages.page(
            request, "not_found.html", lang_of(request, live), {"live": None}, status_code=404
        )
    response = RedirectResponse(f"/e/{live.code}", status_code=303)
    response.set_cookie(
        participant_cookie(live.code), token, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax"
    )
    return response


async def people_page(request: Request) -> Response:
    live = event_or_404(request)
    lang = lang_of(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    base = public_base(request)
    people = [
        {
            "id": p.id,
            "name": p.name,
            "role": p.role,
            "project": p.project_id,
            "link": f"{base}/e/{live.code}/i/{p.token}",
            "qr": f"/e/{live.code}/console/people/{p.id}/qr.svg",
        }
        for p in svc.storage.invited(live.id)
    ]
    roles = [r for r in live.format.roles if r in INVITED_ROLES]
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
        },
    )
    return remember_lang(request, page)


async def people_add(request: Request) -> Response:
    live = event_or_404(request)
    lang = lang_of(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    svc = services(request)
    form = await request.form()
    back = f"/e/{live.code}/console/people"
    csrf = form.get("csrf")
    if not check_csrf(
        svc.csrf_key,
        facilitator_subject(live.code, live.row.secret),
        csrf if isinstance(csrf, str) else None,
    ):
        return RedirectResponse(f"{back}?error=csrf", status_code=303)
    role = form.get("role")
    name = clean_name(form.get("name") or "")
    if role not in INVITED_ROLES or role not in live.format.roles or not name:
        return RedirectResponse(f"{back}?error=malformed", status_code=303)
    svc.storage.invite(
        live.id, token=new_participant_token(), role=str(role), name=name, now=now_ms()
    )
    return RedirectResponse(back, status_code=303)


async def person_qr(request: Request) -> Response:
    live = event_or_404(request)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang_of(request, live))
    person_id = int(request.path_params["person"])
    person = next(
        (p for p in services(request).storage.invited(live.id) if p.id == person_id), None
    )
    if person is None:
        return Response("Not found", status_code=404)
    svg = qr_svg(f"{public_base(request)}/e/{live.code}/i/{person.token}")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private"})


routes = [
    Route("/e/{code}/i/{token}", invite_accept, name="invite"),
    Route("/e/{code}/console/people", people_page, name="people"),
    Route("/e/{code}/console/people", people_add, methods=["POST"], name="people_add"),
    Route("/e/{code}/console/people/{person:int}/qr.svg", person_qr, name="person_qr"),
]
