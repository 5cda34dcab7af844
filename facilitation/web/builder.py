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

from facilitation.core.engine import agenda_timings, build_plan
from facilitation.core.formats import STEP_KINDS, FormatError, Problem, localise, parse_format
from facilitation.core.formats.errors import render_path
from facilitation.core.formats.starters import StarterError, implicit_ids, new_step
from facilitation.core.rosters import Project
from facilitation.presenters.builder import (
    CHOICE_LABELS,
    HELPS,
    KIND_LABELS,
    Field,
    Path_,
    field_name,
    field_views,
    header_fields,
    parameter_fields,
    problem_spots,
    step_fields,
)
from facilitation.services.format_documents import (
    DocumentError,
    FormatDocument,
    plain,
    revision,
)
from facilitation.services.format_library import LibraryFormat
from facilitation.web.builder_forms import apply_fields
from facilitation.web.guards import organiser, organiser_csrf
from facilitation.web.services import lang_of, remember_lang, services

START_MINUTE = 19 * 60
PROJECTS = 10


class Refused(Exception):
    def __init__(self, problems: list[Problem], status: int = 400) -> None:
        self.problems = problems
        self.status = status


def _panel_of(raw: object, steps: int) -> str:
    value = raw if isinstance(raw, str) else ""
    if value in ("header", "parameters"):
        return value
    found = re.fullmatch(r"step-(\d{1,4})", value)
    if found and int(found.group(1)) < steps:
        return value
    return "header" if steps == 0 else "step-0"


def _step_index(panel: str) -> int | None:
    return int(panel[5:]) if panel.startswith("step-") else None


def _panel_fields(doc: FormatDocument, panel: str) -> list[tuple[Path_, tuple[Field, ...]]]:
    """The (place in the file, fields) groups the panel shows."""
    if panel == "header":
        return [((), header_fields())]
    if panel == "parameters":
        params = plain(doc.get(("parameters",))) or {}
        return [(("parameters", name), parameter_fields()) for name in params]
    index = _step_index(panel)
    assert index is not None
    kind = plain(doc.get(("steps", index, "kind")))
    return [(("steps", index), step_fields(kind))] if kind in STEP_KINDS else []


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
    panel = _panel_of(request.query_params.get("panel"), doc.step_count())
    saved = request.query_params.get("saved") == "1"
    return _render(request, entry, doc, text, panel, [], {}, saved=saved)


async def _builder_expired(request: Request) -> Response:
    entry = await _find_own(request)
    if entry is None:
        return _not_found(request)
    text = services(request).formats.source(entry)
    form = await request.form()
    try:
        doc = FormatDocument(text)
    except DocumentError as error:
        return _unreadable(request, entry, str(error))
    panel = _panel_of(form.get("panel"), doc.step_count())
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
    panel = _panel_of(form.get("panel"), doc.step_count())
    action = form.get("action")
    action = action if isinstance(action, str) else "save"
    stale = form.get("rev") != revision(text)
    posted: dict[str, str] = {}
    # 1. the open panel's edits
    refused: list[Problem] = []
    for base, fields in _panel_fields(doc, panel):
        for problem in apply_fields(doc, fields, base, form):
            refused.append(_problem(entry, str(problem), problem.path))
            raw = form.get(field_name(problem.path))
            posted[field_name(problem.path)] = raw if isinstance(raw, str) else ""
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


def _act(doc: FormatDocument, action: str, panel: str, form: Any) -> str:
    """Do what the button says; the panel to show next."""
    verb, _, arg = action.partition(":")
    count = doc.step_count()
    if verb == "save":
        return panel
    if verb == "open":
        return _panel_of(arg, count)
    if verb == "add":
        kind = form.get("kind")
        at = _step_index(panel)
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


def agenda_rows(text: str, steps: list[Any], lang: str) -> list[dict[str, Any]]:
    """Each step of the file with its start time and length (10 projects, from 19:00)."""
    times: dict[int, tuple[int, int]] = {}
    try:
        fmt = parse_format(text, "<builder>")
    except FormatError:
        fmt = None
    if fmt is not None and len(fmt.steps) == len(steps):
        projects = [Project(id=f"project-{i}", title=f"#{i}") for i in range(1, PROJECTS + 1)]
        plan = build_plan(fmt, projects)
        for stage, begins, length in agenda_timings(plan):
            start, total = times.get(stage.step_index, (begins, 0))
            times[stage.step_index] = (start, total + length)
    fallback = "fr"
    rows = []
    for index, step in enumerate(steps):
        data = step if isinstance(step, dict) else {}
        kind = str(data.get("kind", ""))
        timed = times.get(index)
        minute = START_MINUTE + timed[0] // 60 if timed else None
        length = timed[1] if timed else 0
        rows.append(
            {
                "index": index,
                "kind": kind,
                "kind_label": KIND_LABELS.get(kind, kind),
                "title": localise(_text(data.get("title")), lang, fallback),
                "start": f"{(minute // 60) % 24:02d}:{minute % 60:02d}" if minute else None,
                "minutes": round(length / 60, 1) if length else None,
            }
        )
    return rows


def _text(value: Any) -> Any:
    return value if isinstance(value, str | dict) else None


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
    svc = services(request)
    lang = lang_of(request)
    data = plain(doc.root)
    groups = []
    flang = str(data.get("lang", "fr"))
    shown: list[Problem] = list(problems)
    for base, fields in _panel_fields(doc, panel):
        spots, shown = problem_spots(shown, base, fields)
        groups.append(
            {
                "base": base,
                "name": base[-1] if base and base[0] == "parameters" else None,
                "fields": field_views(
                    fields, base, plain(doc.get(base)) if base else data, flang, spots
                ),
            }
        )
    index = _step_index(panel)
    context = {
        "live": None,
        "name": entry.name,
        "title": localise(_text(data.get("title")), lang, "fr") or entry.name,
        "rev": revision(text),
        "panel": panel,
        "step_index": index,
        "step_kind": data["steps"][index].get("kind") if index is not None else None,
        "agenda": agenda_rows(text, data.get("steps") or [], lang),
        "groups": groups,
        "problems": [p.message + (f" ({render_path(p.path)})" if p.path else "") for p in shown],
        "refused": bool(problems),
        "posted": posted,
        "saved": saved and not problems,
        "kinds": [(k, KIND_LABELS[k]) for k in STEP_KINDS],
        "kinds_by_name": KIND_LABELS,
        "choice_labels": CHOICE_LABELS,
        "helps": HELPS,
        "tab": "builder",
        "csrf": organiser_csrf(request),
    }
    fragment = request.headers.get("HX-Request") and request.method == "POST"
    template = "_builder.html" if fragment else "organiser_builder.html"
    # htmx swaps only a 200; the refusal is in the fragment (and its status in a header)
    code = 200 if fragment else status
    response = svc.pages.page(request, template, lang, context, status_code=code)
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
