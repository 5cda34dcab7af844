"""A project holder's private page: the audience's anonymous feedback on their project and
the questions asked to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitation.core.formats import localise
from facilitation.core.inputs import summarise
from facilitation.exports.tables import csv_text
from facilitation.security import participant_cookie
from facilitation.services.live_event import LiveEvent
from facilitation.services.participants import ParticipantRow
from facilitation.web.guards import forbidden_page
from facilitation.web.services import (
    Services,
    attachment,
    event_or_404,
    lang_of,
    remember_lang,
    services,
)


def _holder(request: Request, live: LiveEvent) -> ParticipantRow | None:
    token = request.cookies.get(participant_cookie(live.code))
    person = services(request).participants.by_token(live, token)
    return person if person is not None and person.role == "holder" and person.project_id else None


async def holder_page(request: Request) -> Response:
    live = event_or_404(request)
    lang = lang_of(request, live)
    holder = _holder(request, live)
    if holder is None or holder.project_id is None:
        return forbidden_page(request, lang)
    svc = services(request)
    project = live.plan.project(holder.project_id)
    spec = live.feedback_spec(project.id)
    rows = [r.fields for r in svc.events.feedback(live, project.id)]
    fields = spec.fields if spec else []
    summary = [
        {
            "label": localise(f.label, lang, live.format.lang),
            "type": f.type,
            "scale": f.scale,
            "s": s,
        }
        for f, s in zip(fields, summarise(fields, rows), strict=True)
    ]
    page = svc.pages.page(
        request,
        "holder.html",
        lang,
        {
            "live": live,
            "project": project,
            "holder": holder,
            "count": len(rows),
            "summary": summary,
            "asked": spec is not None,
            "questions": svc.interaction.of_project(live, project.id),
            "wishers": svc.meetings.wishers_of(live, holder)
            if live.format.match_step()
            else ([], 0),
        },
    )
    return remember_lang(request, page)


Rows = tuple[list[str], list[dict[str, Any]]]


async def _download(
    request: Request, what: str, rows_of: Callable[[Services, LiveEvent, str], Rows]
) -> Response:
    """One of the holder's files (CSV or JSON), for their own project only."""
    live = event_or_404(request)
    holder = _holder(request, live)
    fmt = request.path_params["fmt"]
    if holder is None or holder.project_id is None:
        return forbidden_page(request, lang_of(request, live))
    if fmt not in ("csv", "json"):
        return Response("Not found", status_code=404)
    project = holder.project_id
    columns, rows = rows_of(services(request), live, project)
    if fmt == "json":
        body = json.dumps({"project": project, what: rows}, ensure_ascii=False, indent=2)
        media = "application/json"
    else:
        body = csv_text([columns, *([row.get(c, "") for c in columns] for row in rows)])
        media = "text/csv; charset=utf-8"
    return attachment(request, body, media, f"{live.code}-{project}-{what}.{fmt}")


def _feedback_rows(svc: Services, live: LiveEvent, project: str) -> Rows:
    spec = live.feedback_spec(project)
    columns = [f.id for f in spec.fields] if spec else []
    return columns, [r.fields for r in svc.events.feedback(live, project)]


def _question_rows(svc: Services, live: LiveEvent, project: str) -> Rows:
    """The questions asked to the project, to answer them after the event."""
    rows = [
        {
            "question": q.text,
            "name": q.name or "",
            "upvotes": n,
            "answered": q.answered,
            "asked_at": int(q.asked_at * 1000),
        }
        for q, n in svc.interaction.of_project(live, project)
    ]
    return ["question", "name", "upvotes", "answered", "asked_at"], rows


async def holder_download(request: Request) -> Response:
    return await _download(request, "feedback", _feedback_rows)


async def holder_questions(request: Request) -> Response:
    return await _download(request, "questions", _question_rows)


routes = [
    Route("/e/{code}/holder", holder_page, name="holder"),
    Route("/e/{code}/holder/questions.{fmt:str}", holder_questions, name="holder_questions"),
    Route("/e/{code}/holder/feedback.{fmt:str}", holder_download, name="holder_download"),
]
