"""Audience questions, reactions and word clouds over plain forms: phones ask, upvote and
react (the socket does the same with an ack), the console moderates."""

from __future__ import annotations

import json

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.inputs import whole_number
from facilitation.exports.results import questions_csv
from facilitation.messages import refusal_message
from facilitation.services.events import RefusedError
from facilitation.services.live_event import LiveEvent
from facilitation.services.participants import ParticipantRow
from facilitation.web.console import console_answer, csrf_refused
from facilitation.web.guards import facilitator, participant_form
from facilitation.web.services import attachment, services


def _back(live: LiveEvent, flash: str) -> RedirectResponse:
    return RedirectResponse(f"/e/{live.code}?flash={flash}#questions", 303)


@participant_form
async def ask_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    try:
        await services(request).interaction.ask(
            live, participant, form.get("text"), form.get("name")
        )
    except RefusedError as error:
        return _back(live, error.code)
    return _back(live, "sent")


@participant_form
async def upvote_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    question = whole_number(form.get("question"))
    try:
        await services(request).interaction.upvote(
            live, participant, question, form.get("up", "1") != "0"
        )
    except RefusedError as error:
        return _back(live, error.code)
    return _back(live, "sent")


@participant_form
async def react_submit(
    request: Request, live: LiveEvent, participant: ParticipantRow, form: FormData
) -> Response:
    try:
        await services(request).interaction.react(live, participant, form.get("kind"))
    except RefusedError as error:
        return _back(live, error.code)
    return _back(live, "sent")


@facilitator(csrf_refused)
async def questions_moderate(request: Request, live: LiveEvent, lang: str) -> Response:
    """Approve, hide, show, mark answered, put on the projector, or merge the selected
    questions (select, then act: no dragging); or switch the moderation."""
    form = await request.form()
    interaction = services(request).interaction
    ids = [n for n in map(whole_number, form.getlist("question")) if n is not None]
    action = form.get("action")
    error = None
    try:
        if action == "moderation":
            await interaction.set_moderation(live, form.get("moderation"))
        else:
            await interaction.moderate(live, action, ids)
    except RefusedError as refusal:
        error = refusal_message(lang, refusal.code)
    return await console_answer(request, live, lang, error)


@facilitator(csrf_refused)
async def cloud_word(request: Request, live: LiveEvent, lang: str) -> Response:
    """Take a word out of the word cloud (or put it back)."""
    form = await request.form()
    error = None
    try:
        await services(request).interaction.hide_word(
            live, form.get("step"), form.get("term"), form.get("action") != "show"
        )
    except RefusedError as refusal:
        error = refusal_message(lang, refusal.code)
    return await console_answer(request, live, lang, error)


@facilitator()
async def questions_download(request: Request, live: LiveEvent, lang: str) -> Response:
    """Every question of the event with its upvotes, as CSV (formula guard) or JSON."""
    questions = services(request).interaction.every_question(live)
    fmt = request.path_params["fmt"]
    filename = f"{live.format.id}-{live.code}-questions"
    if fmt == "json":
        body = json.dumps({"questions": questions}, ensure_ascii=False, indent=2)
        return attachment(request, body, "application/json", f"{filename}.json")
    if fmt == "csv":
        csv = questions_csv(questions)
        return attachment(request, csv, "text/csv; charset=utf-8", f"{filename}.csv")
    return Response("Not found", status_code=404)


routes = [
    Route("/e/{code}/questions.{fmt:str}", questions_download, name="questions_download"),
    Route("/e/{code}/ask", ask_submit, methods=["POST"], name="ask"),
    Route("/e/{code}/upvote", upvote_submit, methods=["POST"], name="upvote"),
    Route("/e/{code}/react", react_submit, methods=["POST"], name="react"),
    Route("/e/{code}/console/questions", questions_moderate, methods=["POST"], name="questions"),
    Route("/e/{code}/console/cloud", cloud_word, methods=["POST"], name="cloud"),
]
