"""A copy's file as a file: its history (each save keeps the version it replaced, shown as a
difference and brought back with one button), and formats brought from another organiser
(checked like `facilitation check`, never executed: YAML is read with the safe loader only)."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from facilitation.core.inputs import whole_number
from facilitation.services.format_library import MAX_FORMAT_BYTES, LibraryFormat
from facilitation.web.guards import forbidden_page, organiser, organiser_csrf
from facilitation.web.organiser import home_page
from facilitation.web.services import lang_of, remember_lang, services


def difference(old: str, new: str) -> list[dict[str, str]]:
    """The lines that differ between two versions, with three lines of context, for display."""
    rows = []
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3)
    for line in list(lines)[2:]:  # the two file-name lines say nothing here
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        rows.append({"kind": kind, "text": line})
    return rows


async def _own(request: Request) -> LibraryFormat | None:
    entry = await services(request).formats.find(str(request.path_params["name"]))
    return entry if entry is not None and entry.own else None


def _not_found(request: Request) -> Response:
    svc = services(request)
    return svc.pages.page(request, "not_found.html", lang_of(request), {"live": None}, 404)


@organiser()
async def history_page(request: Request) -> Response:
    entry = await _own(request)
    if entry is None:
        return _not_found(request)
    return await _history(request, entry, None, 200)


async def _history(
    request: Request, entry: LibraryFormat, error: str | None, status: int
) -> Response:
    library = services(request).formats
    versions = await library.versions(entry)
    current = library.source(entry)
    chosen = whole_number(request.query_params.get("version", "")) or None
    if chosen is None and versions:
        chosen = versions[0].number
    old = library.version_text(entry, chosen) if chosen is not None else None
    context: dict[str, Any] = {
        "live": None,
        "name": entry.name,
        "tab": "history",
        "csrf": organiser_csrf(request),
        "error": error,
        "restored": request.query_params.get("restored"),
        "versions": [
            {
                "number": v.number,
                "saved": datetime.fromtimestamp(v.saved, UTC).strftime("%Y-%m-%d %H:%M UTC"),
            }
            for v in versions
        ],
        "chosen": chosen if old is not None else None,
        "diff": difference(old, current) if old is not None else [],
    }
    svc = services(request)
    page = svc.pages.page(request, "organiser_history.html", lang_of(request), context, status)
    return remember_lang(request, page)


async def _history_expired(request: Request) -> Response:
    entry = await _own(request)
    if entry is None:  # a refused post says so, whatever the name in its address
        return forbidden_page(request, lang_of(request))
    return await _history(request, entry, "This form has expired; reload the page.", 400)


@organiser(_history_expired)
async def history_restore(request: Request) -> Response:
    """Bring back an earlier version; what it replaces becomes a version in turn."""
    entry = await _own(request)
    if entry is None:
        return _not_found(request)
    form = await request.form()
    raw = form.get("version")
    number = whole_number(raw) if isinstance(raw, str) else None
    library = services(request).formats
    text = library.version_text(entry, number) if number is not None else None
    if text is None:
        return await _history(request, entry, "There is no such version.", 404)
    problems = await library.write(entry, text)
    if problems:
        return await _history(request, entry, "\n".join(p.render() for p in problems), 400)
    url = f"/organiser/formats/{entry.name}/history?restored={number}"
    return RedirectResponse(url, status_code=303)


async def _import_expired(request: Request) -> Response:
    return await home_page(request, "This form has expired; reload the page.", 400)


@organiser(_import_expired, max_part_size=MAX_FORMAT_BYTES + 1)
async def format_import(request: Request) -> Response:
    form = await request.form(max_part_size=MAX_FORMAT_BYTES + 1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await home_page(request, "Choose a .yaml file to import.", 400)
    data = await upload.read(MAX_FORMAT_BYTES + 1)
    name, problems = await services(request).formats.import_file(upload.filename, data)
    if name is None:
        lines = "\n".join(p.render() for p in problems)
        return await home_page(request, f"Not imported:\n{lines}", 400)
    return RedirectResponse(f"/organiser/formats/{name}/builder", status_code=303)


routes = [
    Route("/organiser/import", format_import, methods=["POST"], name="format_import"),
    Route("/organiser/formats/{name:str}/history", history_page, name="history"),
    Route(
        "/organiser/formats/{name:str}/history",
        history_restore,
        methods=["POST"],
        name="history_restore",
    ),
]
