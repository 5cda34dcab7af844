"""The organiser home: start an event from a shipped format, with a roster and parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.formats import (
    Format,
    FormatError,
    file_resolver,
    localise,
    parse_format,
    read_text,
)
from facilitation.rosters import RosterError, load_roster_file, parse_roster
from facilitation.security import check_csrf, csrf_token, same_secret
from facilitation.web.services import COOKIE_MAX_AGE, lang_of, remember_lang, services

ORGANISER_COOKIE = "organiser"
MAX_ROSTER_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ShippedFormat:
    name: str  # file stem, used in forms
    path: Path
    format: Format


def shipped_formats(formats_dir: Path) -> list[ShippedFormat]:
    found = []
    for path in sorted(formats_dir.glob("*.yaml")):
        try:
            fmt = parse_format(read_text(path), str(path), None, file_resolver(formats_dir))
            found.append(ShippedFormat(path.stem, path, fmt))
        except FormatError:
            continue  # `facilitation check` reports it; the home lists what can run
    return found


def demo_roster_path(formats_dir: Path) -> Path:
    return formats_dir / "rosters" / "demo.yaml"


def _is_organiser(request: Request) -> bool:
    return same_secret(
        services(request).storage.organiser_key(), request.cookies.get(ORGANISER_COOKIE)
    )


def _csrf(request: Request) -> str:
    return csrf_token(services(request).csrf_key, "organiser")


async def organiser_home(
    request: Request, error: str | None = None, status_code: int = 200
) -> Response:
    svc = services(request)
    lang = lang_of(request)
    key = request.query_params.get("key")
    if key is not None:
        if not same_secret(svc.storage.organiser_key(), key):
            return svc.pages.page(request, "forbidden.html", lang, {"live": None}, 403)
        response = RedirectResponse("/organiser", status_code=303)
        response.set_cookie(
            ORGANISER_COOKIE, key, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax"
        )
        return response
    if not _is_organiser(request):
        return svc.pages.page(request, "forbidden.html", lang, {"live": None}, 403)
    formats = [
        {
            "name": s.name,
            "title": localise(s.format.title, lang, s.format.lang),
            "description": localise(s.format.description, lang, s.format.lang),
            "steps": len(s.format.steps),
            "parameters": [
                {
                    "name": pname,
                    "title": localise(p.title, lang, s.format.lang) or pname,
                    "type": p.type,
                    "default": p.default,
                    "min": p.min,
                    "max": p.max,
                    "choices": p.choices,
                }
                for pname, p in s.format.parameters.items()
            ],
        }
        for s in shipped_formats(svc.settings.formats_dir)
    ]
    events = [
        {"code": e.code, "format": e.format_id, "created_at": e.created_at}
        for e in svc.storage.list_events()
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
        },
        status_code=status_code,
    )
    return remember_lang(request, page)


async def event_create(request: Request) -> Response:
    svc = services(request)
    if not _is_organiser(request):
        return svc.pages.page(request, "forbidden.html", lang_of(request), {"live": None}, 403)
    form = await request.form(max_part_size=MAX_ROSTER_BYTES)
    if not check_csrf(svc.csrf_key, "organiser", _text(form.get("csrf"))):
        return await organiser_home(request, "This form has expired; reload the page.", 400)
    shipped = {s.name: s for s in shipped_formats(svc.settings.formats_dir)}
    chosen = shipped.get(_text(form.get("format")) or "")
    if chosen is None:
        return await organiser_home(request, "Unknown format.", 400)
    params = {
        key.removeprefix("param_"): value
        for key, value in form.multi_items()
        if key.startswith("param_") and isinstance(value, str) and value != ""
    }
    upload = form.get("roster")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            roster = parse_roster(data.decode("utf-8-sig"), upload.filename)
        else:
            roster = load_roster_file(demo_roster_path(svc.settings.formats_dir))
        live = svc.events.create(
            format_source=read_text(chosen.path),
            format_name=str(chosen.path),
            roster=roster,
            params=params,
            resolve=file_resolver(chosen.path.parent, svc.settings.formats_dir),
        )
    except (FormatError, RosterError) as error:
        return await organiser_home(request, str(error), 400)
    except UnicodeDecodeError:
        return await organiser_home(request, "The roster is not UTF-8 text.", 400)
    return RedirectResponse(f"/e/{live.code}/console?key={live.row.secret}", status_code=303)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


routes = [
    Route("/organiser", organiser_home, name="organiser"),
    Route("/organiser/events", event_create, methods=["POST"], name="event_create"),
]
