"""Jinja2 templates in each language, and rendering helpers for pages and pushed fragments."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from facilitation.core.languages import LANGUAGES
from facilitation.i18n import mark as _
from facilitation.i18n import negotiate, translations


def template_environment(templates_dir: Path, lang: str) -> jinja2.Environment:
    """Our templates in one language: escaped, translated, strict about missing names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        # templates ship with the package: checking their mtimes on every render
        # cost a fifth of a page load under a crowd of phones joining
        auto_reload=False,
        cache_size=-1,
        bytecode_cache=_compiled_templates(),
    )
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    # `_()` and `{% trans %}` without values: the same escaped text every time
    env.globals["gettext"] = env.globals["_"] = _kept_gettext(catalogue.gettext)
    return env


_KEPT_TEXTS = 4096  # more than the catalogue holds: what is not a message is not kept


def _kept_gettext(find: Any) -> Any:
    """Jinja's newstyle gettext (the translation as Markup, then `%` with the values, so
    that they are escaped), keeping the result of each message without values: a phone's
    page translates about a hundred, which took 7.5 % of the server's time per join."""
    kept: dict[str, Markup] = {}

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, message: str, **values: Any) -> str:
        if not context.eval_ctx.autoescape:
            return str(find(message)) % values
        if values:
            return Markup(find(message)) % values  # noqa: S704 - the catalogue's, as Jinja's
        found = kept.get(message)
        if found is None:
            found = Markup(find(message)) % {}  # noqa: S704 - the catalogue's, as Jinja's
            if len(kept) < _KEPT_TEXTS:
                kept[message] = found
        return found

    return gettext


@cache
def _compiled_templates() -> jinja2.BytecodeCache | None:
    """Templates compiled by an earlier start, kept in a folder of the system's temporary one
    that only this user can read (Jinja checks it): compiling them all takes 0.4 s a
    language, loading them 20 ms. None where no such folder can be made."""
    try:
        return _KeptTemplates()
    except (OSError, RuntimeError):  # pragma: no cover - a read-only or shared /tmp
        return None


class _KeptTemplates(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # a full disk costs the next start its compiling, not this page
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class Pages:
    def __init__(self, templates_dir: Path, static_dir: Path) -> None:
        self.static_dir = static_dir
        self.by_lang: dict[str, Jinja2Templates] = {}
        for lang in LANGUAGES:
            env = template_environment(templates_dir, lang)
            env.globals["lang"] = lang
            env.globals["static"] = self.static_url
            env.filters["clock"] = clock
            env.filters["duration"] = duration
            env.globals["method_names"] = METHOD_NAMES
            env.filters["num"] = number
            self.by_lang[lang] = Jinja2Templates(env=env)

    def compile_all(self) -> None:
        """Compile every template now: a first render compiles its template (up to 30 ms),
        and while it does the server answers no one, at the moment a step reaches every
        phone or a vote's ballots arrive."""
        for templates in self.by_lang.values():
            for name in templates.env.list_templates(extensions=["html"]):
                templates.env.get_template(name)

    def static_url(self, path: str) -> str:
        """A URL that changes when the file does, so phones never run a stale script."""
        return f"/static/{path}?v={_file_version(self.static_dir / path)}"

    def page(
        self,
        request: Request,
        name: str,
        lang: str,
        context: Mapping[str, Any],
        status_code: int = 200,
    ) -> HTMLResponse:
        response = self.by_lang[lang].TemplateResponse(
            request, name, dict(context), status_code=status_code
        )
        assert isinstance(response, HTMLResponse)
        return response

    def fragment(self, name: str, lang: str, context: Mapping[str, Any]) -> str:
        return self.by_lang[lang].env.get_template(name).render(context)

    def gettext(self, lang: str, message: str) -> str:
        return translations(lang).gettext(message)


def content_version(body: bytes) -> str:
    """What `?v=` says of a static file: a new file gets a new address (caches stay right)."""
    return hashlib.sha256(body).hexdigest()[:10]


@cache
def _file_version(path: Path) -> str:
    try:
        return content_version(path.read_bytes())
    except OSError:
        return "0"


def number(value: float | int | None) -> str:
    """2.0 -> "2", 2.5 -> "2.5": figures as people write them."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


# What people call each voting method, for the pages (files keep the method's id).
METHOD_NAMES: dict[str, str] = {
    "single": _("Single choice"),
    "approval": _("Approval vote"),
    "dots": _("Dot vote"),
    "rating": _("Rating"),
    "ranking": _("Ranking"),
    "majority_judgment": _("Majority judgment"),
    "rubric": _("Jury grid"),
}


def duration(minutes: float | None) -> str:
    """Minutes as m:ss, as a stopwatch shows them (4.2 -> "4:12")."""
    if minutes is None:
        return ""
    seconds = round(minutes * 60)
    return f"{seconds // 60}:{seconds % 60:02d}"


def clock(ms: int | None) -> str:
    """Milliseconds as m:ss (negative = overtime, shown with a plus sign)."""
    if ms is None:
        return ""
    over = ms < 0
    seconds = (abs(ms) + (0 if over else 999)) // 1000
    text = f"{seconds // 60}:{seconds % 60:02d}"
    return f"+{text}" if over else text


def request_lang(request: Request, default: str) -> str:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
        default,
    )
