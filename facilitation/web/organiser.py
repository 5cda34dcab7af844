"""The organiser home: a library of formats to browse, preview, copy, adapt and run.

Shipped formats are read-only; copies go to the organiser's own folder (next to the database
unless `--formats-dir` says otherwise), where they can be edited in the browser with the same
validation as `facilitation check`: every problem with its line, column and key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.engine import EventState, Plan, Stage, agenda_timings, build_plan
from facilitation.core.formats import (
    SLUG,
    FormatError,
    GroupsStep,
    Problem,
    format_json_schema,
    localise,
)
from facilitation.core.inputs import whole_number
from facilitation.core.rosters import RosterError
from facilitation.i18n import mark as _
from facilitation.presenters.completion import completion_table
from facilitation.presenters.views import stage_label
from facilitation.readers.rosters import load_roster_file, parse_roster_upload
from facilitation.security import same_secret
from facilitation.services.format_library import FormatLibrary, LibraryFormat
from facilitation.web.guards import ORGANISER_COOKIE, forbidden_page, organiser, organiser_csrf
from facilitation.web.services import attachment, lang_of, remember_lang, services, set_cookie

MAX_ROSTER_BYTES = 2 * 1024 * 1024


def _match_start(plan: Plan, timings: list[tuple[Stage, int, int]]) -> tuple[int | None, int]:
    """The minute of the day the format starts its meetings at, and the second of the event
    its match step begins at (None, 0 without a timed match step)."""
    step = plan.format.match_step()
    if step is None or not step.start:
        return None, 0
    hours, minutes = (int(x) for x in step.start.split(":"))
    begins = next((b for stage, b, _ in timings if stage.kind == "match"), 0)
    return (hours % 24) * 60 + minutes, begins


def demo_roster_path(formats_dir: Path) -> Path:
    return formats_dir / "rosters" / "demo.yaml"


def _library(request: Request) -> FormatLibrary:
    return services(request).formats


async def _find(request: Request) -> LibraryFormat | None:
    return await _library(request).find(str(request.path_params["name"]))


def _csrf(request: Request) -> str:
    return organiser_csrf(request)


async def _expired(request: Request) -> Response:
    return await _home(request, "This form has expired; reload the page.", 400)


def summary(entry: LibraryFormat, lang: str, projects: int) -> dict[str, Any]:
    """What the library shows of a format: title, duration, group size, parameters."""
    fmt = entry.format
    if fmt is None:
        return {
            "name": entry.name,
            "own": entry.own,
            "title": entry.name,
            "description": None,
            "parameters": [],
            "broken": True,
            "problems": [p.render() for p in entry.problems],
        }
    plan = build_plan(fmt, _placeholder_projects(projects))
    minutes = sum(s.seconds or 0 for s in plan.stages) // 60
    groups = [s for s in fmt.steps if isinstance(s, GroupsStep) and s.size]
    return {
        "name": entry.name,
        "own": entry.own,
        "broken": False,
        "title": localise(fmt.title, lang, fmt.lang),
        "description": localise(fmt.description, lang, fmt.lang),
        "minutes": minutes,
        "steps": len(fmt.steps),
        "participants": fmt.participants,
        "group_size": groups[0].size if groups else None,
        "parameters": [
            {
                "name": pname,
                "title": localise(p.title, lang, fmt.lang) or pname,
                "type": p.type,
                "default": p.default,
                "min": p.min,
                "max": p.max,
                "choices": p.choices,
            }
            for pname, p in fmt.parameters.items()
        ],
    }


def _placeholder_projects(count: int) -> tuple[Any, ...]:
    from facilitation.core.rosters import Project

    return tuple(Project(id=f"project-{i}", title=f"#{i}") for i in range(1, count + 1))


async def organiser_home(request: Request) -> Response:
    key = request.query_params.get("key")
    if key is not None:
        # Trade the key in the URL for a cookie, and drop it from the address bar.
        if not same_secret(services(request).organiser_key, key):
            return forbidden_page(request, lang_of(request))
        response = RedirectResponse("/organiser", status_code=303)
        svc = services(request)
        session = svc.sessions.for_organiser()
        max_age = svc.settings.organiser_session_s
        set_cookie(request, response, ORGANISER_COOKIE, session, max_age=max_age)
        return response
    return await _guarded_home(request)


@organiser()
async def _guarded_home(request: Request) -> Response:
    return await _home(request)


async def home_page(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    """The library, with an error above it when a form was refused."""
    return await _home(request, error, status_code)


async def _home(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    svc = services(request)
    lang = lang_of(request)
    formats = [summary(entry, lang, 10) for entry in await svc.formats.entries()]
    events = [
        {"code": e.code, "format": e.format_id, "created_at": e.created_at, "secret": e.secret}
        for e in svc.events.list_rows()
    ]
    page = svc.pages.page(
        request,
        "organiser.html",
        lang,
        {
            "live": None,
            "formats": formats,
            "events": events,
            "csrf": _csrf(request),
            "error": error,
            "own_dir": str(svc.formats.own),
        },
        status_code=status_code,
    )
    return remember_lang(request, page)


@organiser()
async def format_preview(request: Request) -> Response:
    """The agenda a format will run, with its timings, for given parameters and projects."""
    svc = services(request)
    lang = lang_of(request)
    entry = await _find(request)
    if entry is None:
        return svc.pages.page(request, "not_found.html", lang, {"live": None}, 404)
    start = request.query_params.get("start", "19:00")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", start, re.ASCII)
    start_minute = int(match.group(1)) * 60 + int(match.group(2)) if match else 19 * 60
    projects = request.query_params.get("projects", "10")
    count = min(whole_number(projects) or 10, 60)
    params = {
        k.removeprefix("param_"): v
        for k, v in request.query_params.items()
        if k.startswith("param_") and v != ""
    }
    problems = [p.render() for p in entry.problems]
    rows: list[dict[str, Any]] = []
    fmt = entry.format
    if fmt is not None:
        try:
            fmt = await svc.formats.parse(entry.path, params)
        except FormatError as error:
            problems = [p.message for p in error.problems]
    match_start = None
    if fmt is not None and not problems:
        plan = build_plan(fmt, _placeholder_projects(count))
        timings = agenda_timings(plan)
        match_start, offset = _match_start(plan, timings)
        if match_start is not None and "start" not in request.query_params:
            # the agendas give the format's meeting time: the evening starts to arrive there
            start_minute = (match_start - offset // 60) % (24 * 60)
            start = f"{start_minute // 60:02d}:{start_minute % 60:02d}"
        for stage, begins, length in timings:
            minute = start_minute + begins // 60
            rows.append(
                {
                    "start": f"{(minute // 60) % 24:02d}:{minute % 60:02d}",
                    "minutes": round(length / 60, 1) if length else None,
                    "label": stage_label(plan, EventState(), stage, lang, "console"),
                    "match": stage.kind == "match",
                }
            )
    context = {
        "live": None,
        "entry": summary(entry, lang, count),
        "rows": rows,
        "problems": problems,
        "start": start,
        "match_start": None
        if match_start is None
        else f"{match_start // 60:02d}:{match_start % 60:02d}",
        "match_row": next((r["start"] for r in rows if r.get("match")), None),
        "projects": count,
        "params": params,
        "csrf": _csrf(request),
    }
    return remember_lang(request, svc.pages.page(request, "organiser_format.html", lang, context))


@organiser(_expired)
async def format_copy(request: Request) -> Response:
    """Duplicate a format into the organiser's folder, with its own id, to adapt it."""
    entry = await _find(request)
    if entry is None:
        return await _home(request, "Unknown format.", 404)
    name = _library(request).copy(entry)
    return RedirectResponse(f"/organiser/formats/{name}/builder", status_code=303)


async def _edit_expired(request: Request) -> Response:
    form = await request.form()
    typed = form.get("source")
    problem = services(request).pages.gettext(
        lang_of(request),
        _("This form has expired: copy your text, reload the page and paste it again."),
    )
    return await _editor(request, typed if isinstance(typed, str) else None, [problem], 400)


@organiser(_edit_expired)
async def format_edit(request: Request) -> Response:
    """A copy's YAML in a text area; saving checks it like `facilitation check` does and keeps
    the text, with every problem listed, when it does not pass."""
    entry = await _find(request)
    if entry is None or not entry.own:
        lang = lang_of(request)
        return services(request).pages.page(request, "not_found.html", lang, {"live": None}, 404)
    if request.method != "POST":
        return await _editor(request, None, [], 200)
    form = await request.form()
    typed = form.get("source")
    if not isinstance(typed, str):
        return await _editor(request, None, ["the format is empty or too large"], 400)
    problems = await _library(request).save(entry, typed, check_only=form.get("action") == "check")
    if problems:
        return await _editor(request, typed, problems, 400)
    if form.get("action") == "check":
        return await _editor(request, typed, [], 200, checked=True)
    return RedirectResponse(f"/organiser/formats/{entry.name}/builder?saved=1", status_code=303)


async def _editor(
    request: Request,
    text: str | None,
    problems: list[Problem] | list[str],
    status: int,
    checked: bool = False,
) -> Response:
    entry = await _find(request)
    assert entry is not None
    shown = [p if isinstance(p, Problem) else Problem(entry.path.name, 1, 1, p) for p in problems]
    source = text if text is not None else _library(request).source(entry)
    context: dict[str, Any] = {
        "live": None,
        "name": entry.name,
        "tab": "text",
        "source": source,
        "line_count": source.count("\n") + 1,
        "bad_lines": sorted({p.line for p in shown}),
        "unreadable": request.query_params.get("unreadable") == "1",
        "csrf": _csrf(request),
        "problems": [{"line": p.line, "column": p.column, "text": p.render()} for p in shown],
        "checked": checked,
    }
    svc = services(request)
    lang = lang_of(request)
    context["completion"] = completion_table(lambda message: svc.pages.gettext(lang, message))
    return svc.pages.page(request, "organiser_edit.html", lang, context, status)


@organiser()
async def format_download(request: Request) -> Response:
    entry = await _find(request)
    if entry is None:
        return Response("Not found", status_code=404)
    return attachment(
        request,
        _library(request).source(entry),
        "application/yaml; charset=utf-8",
        f"{entry.name}.yaml",
    )


@organiser(_expired)
async def sign_out_everywhere(request: Request) -> Response:
    """Ends every organiser session, on every device; the key opens the home again."""
    await services(request).sessions.end_organiser_sessions()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(ORGANISER_COOKIE)
    return response


async def schema_download(request: Request) -> Response:
    return JSONResponse(format_json_schema())


@organiser(_expired, max_part_size=MAX_ROSTER_BYTES)
async def event_create(request: Request) -> Response:
    svc = services(request)
    form = await request.form(max_part_size=MAX_ROSTER_BYTES)
    name = form.get("format")
    valid = isinstance(name, str) and re.fullmatch(SLUG, name)
    entry = await svc.formats.find(name) if isinstance(name, str) and valid else None
    if entry is None or entry.format is None:
        return await _home(request, "Unknown format.", 400)
    params = {
        key.removeprefix("param_"): value
        for key, value in form.multi_items()
        if key.startswith("param_") and isinstance(value, str) and value != ""
    }
    upload = form.get("roster")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            roster = parse_roster_upload(data, upload.filename)
        else:
            roster = load_roster_file(demo_roster_path(svc.settings.formats_dir))
        live = await svc.events.create(
            format_source=svc.formats.source(entry),
            format_name=str(entry.path),
            roster=roster,
            params=params,
            resolve=svc.formats.resolver(entry.path),
        )
    except (FormatError, RosterError) as error:
        return await _home(request, str(error), 400)
    except UnicodeDecodeError:
        return await _home(request, "The roster is not UTF-8 text.", 400)
    return RedirectResponse(f"/e/{live.code}/console?key={live.row.secret}", status_code=303)


routes = [
    Route("/organiser", organiser_home, name="organiser"),
    Route("/organiser/events", event_create, methods=["POST"], name="event_create"),
    Route("/organiser/schema.json", schema_download, name="schema"),
    Route("/organiser/sign-out", sign_out_everywhere, methods=["POST"], name="organiser_sign_out"),
    Route("/organiser/formats/{name:str}.yaml", format_download, name="format_download"),
    Route("/organiser/formats/{name:str}", format_preview, name="format_preview"),
    Route("/organiser/formats/{name:str}/copy", format_copy, methods=["POST"], name="copy"),
    Route(
        "/organiser/formats/{name:str}/edit",
        format_edit,
        methods=["GET", "POST"],
        name="format_edit",
    ),
]
