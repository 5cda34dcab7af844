"""The format builder: a copy's agenda as a list of steps with their start times, and a form
for one step (or the header, or the parameters) generated from the format language's schema.

The whole page is one form, so every button (move, duplicate, delete, add, open another step)
also sends the open form's edits: they are saved first, and nothing typed is lost, with or
without JavaScript. htmx swaps the `#builder` region; a plain post redirects back. Every save
is checked like `facilitation check`; a refused one shows the message at its field and keeps
what was typed. The file stays the truth: the builder only rewrites the keys that changed.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.formats import Problem
from facilitation.core.formats.starters import StarterError, implicit_ids, new_step
from facilitation.presenters.builder import (
    Path_,
    field_name,
)
from facilitation.presenters.builder_page import (
    METHOD_ONLY,
    METHODS_KEYS,
    builder_context,
    panel_fields,
    panel_of,
    revision,
    step_index,
)
from facilitation.services.format_documents import DocumentError, FormatDocument, plain
from facilitation.services.format_library import LibraryFormat
from facilitation.web.builder_forms import apply_fields
from facilitation.web.guards import forbidden_page, organiser, organiser_csrf
from facilitation.web.services import lang_of, remember_lang, services


class Refused(Exception):
    def __init__(self, problems: list[Problem], status: int = 400) -> None:
        self.problems = problems
        self.status = status


def _problem(entry: LibraryFormat, message: str, path: Path_ = ()) -> Problem:
    return Problem(entry.path.name, 1, 1, message, path)


async def _find_own(request: Request) -> LibraryFormat | None:
    entry = await services(request).formats.find(str(request.path_params["name"]))
    return entry if entry is not None and entry.own else None


@organiser()
async def builder_page(request: Request) -> Response:
    entry = await _find_own(request)
    if entry is None:
        return _not_found(request)
    text = services(request).formats.source(entry)
    try:
        doc = FormatDocument(text)
    except DocumentError as error:
        return _unreadable(request, entry, str(error))
    panel = panel_of(request.query_params.get("panel"), doc.step_count())
    saved = request.query_params.get("saved") == "1"
    return _render(request, entry, doc, text, panel, [], {}, saved=saved)


async def _builder_expired(request: Request) -> Response:
    entry = await _find_own(request)
    if entry is None:  # a refused post says so, whatever the name in its address
        return forbidden_page(request, lang_of(request))
    text = services(request).formats.source(entry)
    form = await request.form()
    try:
        doc = FormatDocument(text)
    except DocumentError as error:
        return _unreadable(request, entry, str(error))
    panel = panel_of(form.get("panel"), doc.step_count())
    problem = _problem(entry, "this form has expired; reload the page (nothing was saved)")
    return _render(request, entry, doc, text, panel, [problem], {}, status=403)


@organiser(_builder_expired)
async def builder_post(request: Request) -> Response:
    entry = await _find_own(request)
    if entry is None:
        return _not_found(request)
    library = services(request).formats
    form = await request.form()
    text = library.source(entry)
    try:
        doc = FormatDocument(text)
    except DocumentError as error:
        return _unreadable(request, entry, str(error))
    panel = panel_of(form.get("panel"), doc.step_count())
    action = form.get("action")
    action = action if isinstance(action, str) else "save"
    stale = form.get("rev") != revision(text)
    posted: dict[str, str] = {}
    # 1. the open panel's edits
    refused: list[Problem] = []
    for base, fields in panel_fields(plain(doc.root), panel):
        method = plain(doc.get((*base, "method")))
        for problem in apply_fields(doc, fields, base, form):
            refused.append(_problem(entry, str(problem), problem.path))
            raw = form.get(field_name(problem.path))
            posted[field_name(problem.path)] = raw if isinstance(raw, str) else ""
        _fit_method(doc, base, method)
    if stale and (doc.dirty or (action != "save" and not action.startswith("open:"))):
        refused.append(
            _problem(
                entry,
                "the file changed since this page was shown (another tab or the text "
                "editor): check the values below and save again",
            )
        )
        return _render(request, entry, doc, text, panel, refused, posted, status=409)
    if not refused and doc.dirty:
        refused = await library.write(entry, doc.text())
    if refused:
        return _render(request, entry, doc, text, panel, refused, posted, status=400)
    text = doc.text() if doc.dirty else text
    # 2. the button pressed
    doc = FormatDocument(text)
    try:
        panel = _act(doc, action, panel, form)
    except Refused as refusal:
        return _render(request, entry, doc, text, panel, refusal.problems, {}, status=400)
    except StarterError as error:
        return _render(
            request, entry, doc, text, panel, [_problem(entry, str(error))], {}, status=400
        )
    if doc.dirty:
        problems = await library.write(entry, doc.text())
        if problems:
            doc = FormatDocument(text)
            problems = [_problem(entry, "not done: " + p.message, p.path) for p in problems]
            return _render(request, entry, doc, text, panel, problems, {}, status=400)
        text = doc.text()
    url = f"/organiser/formats/{entry.name}/builder?panel={panel}"
    if request.headers.get("HX-Request"):
        response = _render(request, entry, doc, text, panel, [], {}, saved=True)
        response.headers["HX-Push-Url"] = url
        return response
    return RedirectResponse(f"{url}&saved=1#panel", status_code=303)


def _fit_method(doc: FormatDocument, step: Path_, before: object) -> None:
    """A vote's new method drops the keys of the old one (a budget means nothing to approval)."""
    method = plain(doc.get((*step, "method")))
    if plain(doc.get((*step, "kind"))) != "vote" or method == before:
        return
    allowed = METHODS_KEYS.get(str(method), frozenset())
    for key in sorted(METHOD_ONLY - allowed):
        doc.assign((*step, key), None)


def _act(doc: FormatDocument, action: str, panel: str, form: Any) -> str:
    """Do what the button says; the panel to show next."""
    verb, _, arg = action.partition(":")
    count = doc.step_count()
    if verb == "save":
        return panel
    if verb == "open":
        return panel_of(arg, count)
    if verb == "add":
        kind = form.get("kind")
        at = step_index(panel)
        index = count if at is None else at + 1
        steps = plain(doc.steps)
        doc.insert_step(index, new_step(kind if isinstance(kind, str) else "", steps, index))
        return f"step-{index}"
    if verb == "add_param":
        return _add_parameter(doc, form)
    if verb == "del_param":
        doc.assign(("parameters", arg), None)
        return "parameters"
    if not arg.isdigit() or int(arg) >= count:
        raise Refused([Problem("", 1, 1, "there is no such step (reload the page)")])
    index = int(arg)
    if verb in ("up", "down"):
        return f"step-{doc.move_step(index, -1 if verb == 'up' else 1)}"
    if verb == "dup":
        return f"step-{doc.duplicate_step(index, set(implicit_ids(plain(doc.steps))))}"
    if verb == "del":
        if count == 1:
            raise Refused([Problem("", 1, 1, "a format needs at least one step")])
        doc.delete_step(index)
        return f"step-{max(0, min(index, count - 2))}"
    raise Refused([Problem("", 1, 1, f"unknown action {action!r}")])


def _add_parameter(doc: FormatDocument, form: Any) -> str:
    name = form.get("param_name")
    name = name.strip() if isinstance(name, str) else ""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        path: Path_ = ("parameters",)
        message = "a parameter's name uses lowercase letters, digits or '_' (pitch_minutes)"
        raise Refused([Problem("", 1, 1, message, path)])
    if plain(doc.get(("parameters", name))) is not None:
        raise Refused([Problem("", 1, 1, f"there is already a parameter {name!r}")])
    doc.assign(("parameters", name), {"type": "integer", "default": 5})
    return "parameters"


def _render(
    request: Request,
    entry: LibraryFormat,
    doc: FormatDocument,
    text: str,
    panel: str,
    problems: list[Problem],
    posted: dict[str, str],
    *,
    status: int = 200,
    saved: bool = False,
) -> Response:
    lang = lang_of(request)
    context = builder_context(
        plain(doc.root), text, panel, problems, posted, lang, saved=saved and not problems
    )
    context.update({"live": None, "name": entry.name, "csrf": organiser_csrf(request)})
    context["title"] = context["title"] or entry.name
    fragment = request.headers.get("HX-Request") and request.method == "POST"
    template = "_builder.html" if fragment else "organiser_builder.html"
    # htmx swaps only a 200; the refusal is in the fragment (and its status in a header)
    code = 200 if fragment else status
    response = services(request).pages.page(request, template, lang, context, status_code=code)
    if fragment and status != 200:
        response.headers["X-Refused"] = str(status)
    return remember_lang(request, response)


def _not_found(request: Request) -> Response:
    svc = services(request)
    return svc.pages.page(request, "not_found.html", lang_of(request), {"live": None}, 404)


def _unreadable(request: Request, entry: LibraryFormat, message: str) -> Response:
    return RedirectResponse(f"/organiser/formats/{entry.name}/edit?unreadable=1", status_code=303)


routes = [
    Route("/organiser/formats/{name:str}/builder", builder_page, methods=["GET"], name="builder"),
    Route(
        "/organiser/formats/{name:str}/builder",
        builder_post,
        methods=["POST"],
        name="builder_post",
    ),
]
