"""Paper ballots typed in by the facilitator, and each vote's ballots as downloads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.inputs import whole_number
from facilitation.exports.ballot_files import ballot_cells, ballot_columns
from facilitation.exports.results import vote_ballots_csv, vote_ballots_json
from facilitation.messages import refusal_message
from facilitation.presenters.views import Counts, vote_view
from facilitation.services.events import RefusedError
from facilitation.services.live_event import LiveEvent
from facilitation.web.guards import facilitator
from facilitation.web.services import attachment, facilitator_csrf, remember_lang, services


def _vote_or_404(request: Request, live: LiveEvent) -> str | None:
    vote_id = str(request.path_params["vote"])
    return vote_id if vote_id in live.format.vote_steps() else None


@facilitator()
async def paper_page(request: Request, live: LiveEvent, lang: str) -> Response:
    vote_id = _vote_or_404(request, live)
    if vote_id is None:
        return Response("Not found", status_code=404)
    svc = services(request)
    spec = live.vote_spec(vote_id)
    paper = [b for b in svc.events.ballots(live, vote_id) if b.paper]
    view = vote_view(live, vote_id, lang, "console", None, Counts(0, len(paper)))
    flash = request.query_params.get("flash")
    page = svc.pages.page(
        request,
        "paper.html",
        lang,
        {
            "live": live,
            "v": view,
            "csrf": facilitator_csrf(request, live),
            "form_action": f"/e/{live.code}/console/paper/{vote_id}",
            "columns": ballot_columns(spec),
            "paper": [
                {
                    "id": b.id,
                    "cells": ballot_cells(spec, b.ballot),
                    "abstain": bool(b.ballot.get("abstain")),
                }
                for b in paper
            ],
            "flash": refusal_message(lang, flash) if flash and flash != "added" else None,
            "added": flash == "added",
        },
    )
    return remember_lang(request, page)


def _back(live: LiveEvent, request: Request) -> str:
    return f"/e/{live.code}/console/paper/{request.path_params['vote']}"


async def _csrf_refused(request: Request, live: LiveEvent, lang: str) -> Response:
    return RedirectResponse(f"{_back(live, request)}?flash=csrf", status_code=303)


@facilitator(_csrf_refused)
async def paper_submit(request: Request, live: LiveEvent, lang: str) -> Response:
    vote_id = _vote_or_404(request, live)
    if vote_id is None:
        return Response("Not found", status_code=404)
    events = services(request).events
    back = _back(live, request)
    form = await request.form()
    delete = form.get("delete")
    try:
        paper = whole_number(delete)
        if paper is not None:
            await events.delete_paper(live, vote_id, paper)
            return RedirectResponse(back, status_code=303)
        fields: dict[str, list[str]] = {}
        for key, value in form.multi_items():
            if key not in ("csrf", "vote") and isinstance(value, str):
                fields.setdefault(key, []).append(value)
        await events.cast_paper(live, vote_id, fields)
    except RefusedError as error:
        return RedirectResponse(f"{back}?flash={error.code}", status_code=303)
    return RedirectResponse(f"{back}?flash=added", status_code=303)


@facilitator()
async def ballots_download(request: Request, live: LiveEvent, lang: str) -> Response:
    vote_id = _vote_or_404(request, live)
    fmt = request.path_params["fmt"]
    if vote_id is None or fmt not in ("csv", "json"):
        return Response("Not found", status_code=404)
    svc = services(request)
    if fmt == "csv":
        body, media = vote_ballots_csv(svc.events, live, vote_id), "text/csv; charset=utf-8"
    else:
        body, media = vote_ballots_json(svc.events, live, vote_id), "application/json"
    filename = f"{live.format.id}-{live.code}-{vote_id}-ballots.{fmt}"
    return attachment(request, body, media, filename)


routes = [
    Route("/e/{code}/console/paper/{vote}", paper_page, name="paper"),
    Route("/e/{code}/console/paper/{vote}", paper_submit, methods=["POST"], name="paper_add"),
    Route("/e/{code}/votes/{vote}/ballots.{fmt}", ballots_download, name="ballots"),
]
