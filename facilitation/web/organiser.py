"""The organiser home: a library of formats to browse, preview, copy, adapt and run.

Shipped formats are read-only; copies go to the organiser's own folder (next to the database
unless `--formats-dir` says otherwise), where they can be edited in the browser with the same
validation as `facilitation check`: every problem with its line, column and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.engine import EventState, agenda_timings, build_plan
from facilitation.core.formats import (
    SLUG,
    Format,
    FormatError,
    GroupsStep,
    Problem,
    file_resolver,
    format_json_schema,
    localise,
    parse_format,
    read_text,
)
from facilitation.core.rosters import RosterError, load_roster_file, parse_roster
from facilitation.presenters.views import stage_label
from facilitation.readers import tables
from facilitation.security import check_csrf, csrf_token, same_secret
from facilitation.web.services import COOKIE_MAX_AGE, lang_of, remember_lang, services

ORGANISER_COOKIE = "organiser"
MAX_ROSTER_BYTES = 2 * 1024 * 1024
MAX_FORMAT_BYTES = 256 * 1024


@dataclass(frozen=True)
class LibraryFormat:
    name: str  # file stem, used in URLs and forms
    path: Path
    own: bool  # the organiser's copy (editable) rather than a shipped one
    format: Format | None
    problems: tuple[Problem, ...] = ()


def _folders(request: Request) -> tuple[Path, Path]:
    settings = services(request).settings
    return settings.formats_dir, settings.own_formats_dir()


def library(shipped: Path, own: Path) -> list[LibraryFormat]:
    """Shipped formats, then the organiser's own (which may hold errors while being edited)."""
    found = []
    for folder, is_own in ((shipped, False), (own, True)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            try:
                fmt = parse_format(
                    read_text(path), str(path), None, file_resolver(path.parent, shipped)
                )
                found.append(LibraryFormat(path.stem, path, is_own, fmt))
            except FormatError as error:
                if is_own:
                    found.append(LibraryFormat(path.stem, path, True, None, error.problems))
    return found


def demo_roster_path(formats_dir: Path) -> Path:
    return formats_dir / "rosters" / "demo.yaml"


def _find(request: Request, name: str) -> LibraryFormat | None:
    shipped, own = _folders(request)
    return next((f for f in library(shipped, own) if f.name == name), None)


def _is_organiser(request: Request) -> bool:
    return same_secret(services(request).organiser_key, request.cookies.get(ORGANISER_COOKIE))


def _csrf(request: Request) -> str:
    return csrf_token(services(request).csrf_key, "organiser")


def _forbidden(request: Request) -> Response:
    return services(request).pages.page(
        request, "forbidden.html", lang_of(request), {"live": None}, 403
    )


def summary(entry: LibraryFormat, lang: str, projects: int) -> dict[str, Any]:
    """What the library shows of a format: title, duration, group size, parameters."""
    fmt = entry.format
    if fmt is None:
        return {
            "name": entry.name,
            "own": entry.own,
            "title": entry.name,
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


async def organiser_home(
    request: Request, error: str | None = None, status_code: int = 200
) -> Response:
    svc = services(request)
    lang = lang_of(request)
    key = request.query_params.get("key")
    if key is not None:
        if not same_secret(svc.organiser_key, key):
            return _forbidden(request)
        response = RedirectResponse("/organiser", status_code=303)
        response.set_cookie(
            ORGANISER_COOKIE, key, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax"
        )
        return response
    if not _is_organiser(request):
        return _forbidden(request)
    shipped, own = _folders(request)
    formats = [summary(entry, lang, 10) for entry in library(shipped, own)]
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
            "own_dir": str(own),
        },
        status_code=status_code,
    )
    return remember_lang(request, page)


async def format_preview(request: Request) -> Response:
    """The agenda a format will run, with its timings, for given parameters and projects."""
    if not _is_organiser(request):
        return _forbidden(request)
    svc = services(request)
    lang = lang_of(request)
    entry = _find(request, str(request.path_params["name"]))
    if entry is None:
        return svc.pages.page(request, "not_found.html", lang, {"live": None}, 404)
    shipped, _ = _folders(request)
    start = request.query_params.get("start", "19:00")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", start)
    start_minute = int(match.group(1)) * 60 + int(match.group(2)) if match else 19 * 60
    projects = request.query_params.get("projects", "10")
    count = min(int(projects), 60) if projects.isdigit() else 10
    params = {
        k.removeprefix("param_"): v
        for k, v in request.query_params.items()
        if k.startswith("param_") and v != ""
    }
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    fmt = entry.format
    if fmt is not None:
        try:
            fmt = parse_format(
                read_text(entry.path),
                str(entry.path),
                params,
                file_resolver(entry.path.parent, shipped),
            )
        except FormatError as error:
            problems = [p.message for p in error.problems]
    if fmt is not None and not problems:
        plan = build_plan(fmt, _placeholder_projects(count))
        for stage, begins, length in agenda_timings(plan):
            minute = start_minute + begins // 60
            rows.append(
                {
                    "start": f"{(minute // 60) % 24:02d}:{minute % 60:02d}",
                    "minutes": round(length / 60, 1) if length else None,
                    "label": stage_label(plan, EventState(), stage, lang, "console"),
                }
            )
    context = {
        "live": None,
        "entry": summary(entry, lang, count),
        "rows": rows,
        "problems": problems,
        "start": start,
        "projects": count,
        "params": params,
        "csrf": _csrf(request),
    }
    return remember_lang(request, svc.pages.page(request, "organiser_format.html", lang, context))


def _unique_name(base: str, folders: tuple[Path, ...]) -> str:
    stem = re.sub(r"[^a-z0-9_-]+", "-", base.lower()).strip("-") or "format"
    name, n = f"{stem}-copy", 1
    while any((f / f"{name}.yaml").exists() for f in folders):
        n += 1
        name = f"{stem}-copy-{n}"
    return name


async def format_copy(request: Request) -> Response:
    """Duplicate a format into the organiser's folder, with its own id, to adapt it."""
    if not _is_organiser(request):
        return _forbidden(request)
    form = await request.form()
    token = form.get("csrf")
    if not check_csrf(
        services(request).csrf_key, "organiser", token if isinstance(token, str) else None
    ):
        return await organiser_home(request, "This form has expired; reload the page.", 400)
    entry = _find(request, str(request.path_params["name"]))
    if entry is None:
        return await organiser_home(request, "Unknown format.", 404)
    shipped, own = _folders(request)
    own.mkdir(parents=True, exist_ok=True)
    name = _unique_name(entry.name, (shipped, own))
    text = read_text(entry.path)
    # a copy is a new format: its id changes, so events say which one they ran
    text = re.sub(r"(?m)^id:\s*\S+", f"id: {name}", text, count=1)
    (own / f"{name}.yaml").write_text(text, encoding="utf-8")
    return RedirectResponse(f"/organiser/formats/{name}/edit", status_code=303)


async def format_edit(request: Request) -> Response:
    """A copy's YAML in a text area; saving checks it like `facilitation check` does and keeps
    the text, with every problem listed, when it does not pass."""
    if not _is_organiser(request):
        return _forbidden(request)
    svc = services(request)
    lang = lang_of(request)
    entry = _find(request, str(request.path_params["name"]))
    if entry is None or not entry.own:
        return svc.pages.page(request, "not_found.html", lang, {"live": None}, 404)
    shipped, _ = _folders(request)
    text = read_text(entry.path)
    problems: list[Problem] = []
    saved = False
    status = 200
    if request.method == "POST":
        form = await request.form()
        token = form.get("csrf")
        typed = form.get("source")
        if not check_csrf(svc.csrf_key, "organiser", token if isinstance(token, str) else None):
            problems = [
                Problem(
                    entry.path.name,
                    1,
                    1,
                    "this form has expired; copy your text, reload the page and paste it again",
                )
            ]
        elif not isinstance(typed, str) or len(typed.encode()) > MAX_FORMAT_BYTES:
            problems = [Problem(entry.path.name, 1, 1, "the format is empty or too large")]
        else:
            text = typed.replace("\r\n", "\n")
            try:
                parse_format(text, entry.path.name, None, file_resolver(entry.path.parent, shipped))
            except FormatError as error:
                problems = list(error.problems)
            if not problems and form.get("action") != "check":
                entry.path.write_text(text, encoding="utf-8")
                saved = True
        status = 400 if problems else 200
        if saved:
            return RedirectResponse(f"/organiser/formats/{entry.name}?saved=1", status_code=303)
    context = {
        "live": None,
        "name": entry.name,
        "source": text,
        "csrf": _csrf(request),
        "problems": [{"line": p.line, "column": p.column, "text": p.render()} for p in problems],
        "checked": request.method == "POST" and not problems,
    }
    return svc.pages.page(request, "organiser_edit.html", lang, context, status_code=status)


async def format_download(request: Request) -> Response:
    if not _is_organiser(request):
        return _forbidden(request)
    entry = _find(request, str(request.path_params["name"]))
    if entry is None:
        return Response("Not found", status_code=404)
    return Response(
        read_text(entry.path),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{entry.name}.yaml"'},
    )


async def schema_download(request: Request) -> Response:
    return JSONResponse(format_json_schema())


async def event_create(request: Request) -> Response:
    svc = services(request)
    if not _is_organiser(request):
        return _forbidden(request)
    form = await request.form(max_part_size=MAX_ROSTER_BYTES)
    token = form.get("csrf")
    if not check_csrf(svc.csrf_key, "organiser", token if isinstance(token, str) else None):
        return await organiser_home(request, "This form has expired; reload the page.", 400)
    name = form.get("format")
    entry = _find(request, name) if isinstance(name, str) and re.fullmatch(SLUG, name) else None
    if entry is None or entry.format is None:
        return await organiser_home(request, "Unknown format.", 400)
    params = {
        key.removeprefix("param_"): value
        for key, value in form.multi_items()
        if key.startswith("param_") and isinstance(value, str) and value != ""
    }
    upload = form.get("roster")
    shipped, _ = _folders(request)
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            roster = parse_roster(tables.decode(data), upload.filename)
        else:
            roster = load_roster_file(demo_roster_path(svc.settings.formats_dir))
        live = await svc.events.create(
            format_source=read_text(entry.path),
            format_name=str(entry.path),
            roster=roster,
            params=params,
            resolve=file_resolver(entry.path.parent, shipped),
        )
    except (FormatError, RosterError) as error:
        return await organiser_home(request, str(error), 400)
    except UnicodeDecodeError:
        return await organiser_home(request, "The roster is not UTF-8 text.", 400)
    return RedirectResponse(f"/e/{live.code}/console?key={live.row.secret}", status_code=303)


routes = [
    Route("/organiser", organiser_home, name="organiser"),
    Route("/organiser/events", event_create, methods=["POST"], name="event_create"),
    Route("/organiser/schema.json", schema_download, name="schema"),
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
