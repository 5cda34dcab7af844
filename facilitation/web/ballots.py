"""Paper ballots typed in by the facilitator, and each vote's ballots as downloads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.ballot_forms import FormError, ballot_from_fields
from facilitation.core.voting import BallotError, validate_ballot
from facilitation.exports.ballot_files import ballot_cells, ballot_columns
from facilitation.exports.results import vote_ballots_csv, vote_ballots_json
from facilitation.messages import refusal_message
from facilitation.presenters.views import Counts, vote_view
from facilitation.security import check_csrf, facilitator_subject
from facilitation.services.events import LiveEvent, now_ms
from facilitation.web.console import forbidden_page
from facilitation.web.services import (
    event_or_404,
    facilitator_csrf,
    is_facilitator,
    lang_of,
    remember_lang,
    services,
)


def _vote_or_404(request: Request, live: LiveEvent) -> str | None:
    vote_id = str(request.path_params["vote"])
    return vote_id if vote_id in live.format.vote_steps() else None


async def paper_page(request: Request) -> Response:
    live = event_or_404(request)
    lang = lang_of(request, live)
    vote_id = _vote_or_404(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    if vote_id is None:
        return Response("Not found", status_code=404)
    svc = services(request)
    spec = live.vote_spec(vote_id)
    paper = [b for b in svc.storage.ballots(live.id, vote_id) if b.paper]
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


async def paper_submit(request: Request) -> Response:
    live = event_or_404(request)
    lang = lang_of(request, live)
    vote_id = _vote_or_404(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang)
    if vote_id is None:
        return Response("Not found", status_code=404)
    svc = services(request)
    back = f"/e/{live.code}/console/paper/{vote_id}"
    form = await request.form()
    csrf = form.get("csrf")
    if not check_csrf(
        svc.csrf_key,
        facilitator_subject(live.code, live.row.secret),
        csrf if isinstance(csrf, str) else None,
    ):
        return RedirectResponse(f"{back}?flash=csrf", status_code=303)
    if live.state.vote(vote_id).revealed:
        return RedirectResponse(f"{back}?flash=vote_closed", status_code=303)
    delete = form.get("delete")
    if isinstance(delete, str) and delete.isdigit():
        svc.storage.delete_paper_ballot(live.id, int(delete), now_ms())
        svc.hub.schedule_flush(live)
        return RedirectResponse(back, status_code=303)
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key not in ("csrf", "vote") and isinstance(value, str):
            fields.setdefault(key, []).append(value)
    step = live.format.vote_steps()[vote_id]
    spec = live.vote_spec(vote_id)
    try:
        raw = ballot_from_fields(step.method, spec.options, fields, [c.id for c in spec.criteria])
        ballot = validate_ballot(spec, raw)
    except (FormError, BallotError) as error:
        return RedirectResponse(f"{back}?flash={error.code}", status_code=303)
    svc.storage.put_paper_ballot(live.id, vote_id, ballot, now_ms())
    svc.hub.schedule_flush(live)
    return RedirectResponse(f"{back}?flash=added", status_code=303)


async def ballots_download(request: Request) -> Response:
    live = event_or_404(request)
    vote_id = _vote_or_404(request, live)
    if not is_facilitator(request, live):
        return forbidden_page(request, lang_of(request, live))
    fmt = request.path_params["fmt"]
    if vote_id is None or fmt not in ("csv", "json"):
        return Response("Not found", status_code=404)
    svc = services(request)
    if fmt == "csv":
        body, media = vote_ballots_csv(svc.events, live, vote_id), "text/csv; charset=utf-8"
    else:
        body, media = vote_ballots_json(svc.events, live, vote_id), "application/json"
    filename = f"{live.format.id}-{live.code}-{vote_id}-ballots.{fmt}"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


routes = [
    Route("/e/{code}/console/paper/{vote}", paper_page, name="paper"),
    Route("/e/{code}/console/paper/{vote}", paper_submit, methods=["POST"], name="paper_add"),
    Route("/e/{code}/votes/{vote}/ballots.{fmt}", ballots_download, name="ballots"),
]
