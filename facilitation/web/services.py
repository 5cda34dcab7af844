"""What every handler needs: the services of the app and the event a URL names."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from facilitation.core.languages import LANGUAGES
from facilitation.exports.tables import for_excel
from facilitation.presenters.fresh_pages import FreshPages
from facilitation.presenters.live import LiveViews
from facilitation.presenters.pages import Pages, request_lang
from facilitation.security import csrf_token, facilitator_cookie, facilitator_subject, peer_address
from facilitation.services.console import Console
from facilitation.services.events import Events
from facilitation.services.format_library import FormatLibrary
from facilitation.services.interaction import Interaction
from facilitation.services.live_event import LiveEvent
from facilitation.services.meetings import Meetings
from facilitation.services.participants import Participants
from facilitation.services.review import BallotReview
from facilitation.services.seating import Seating
from facilitation.services.sessions import Sessions
from facilitation.settings import Settings

COOKIE_MAX_AGE = 30 * 24 * 3600


@dataclass
class Services:
    settings: Settings
    events: Events
    participants: Participants
    seating: Seating
    meetings: Meetings
    console: Console
    review: BallotReview
    views: LiveViews
    pages: Pages
    csrf_key: str
    organiser_key: str
    formats: FormatLibrary
    sessions: Sessions
    interaction: Interaction
    fresh: FreshPages


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def event_or_404(request: Request) -> LiveEvent:
    live = services(request).events.get(str(request.path_params["code"]))
    if live is None:
        raise HTTPException(404, "unknown_event")
    return live


def lang_of(request: Request, live: LiveEvent | None = None) -> str:
    default = live.row.lang if live else services(request).settings.default_lang
    return request_lang(request, default)


def remember_lang(request: Request, response: Response) -> Response:
    """A language picked with ?lang= sticks for the next pages and the socket."""
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        set_cookie(request, response, "lang", lang, max_age=COOKIE_MAX_AGE, httponly=False)
    return response


def over_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS: directly, or through a proxy that says so
    (X-Forwarded-Proto), believed only when the settings say a proxy is in front."""
    if request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return services(request).settings.trust_proxy and forwarded == "https"


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int = COOKIE_MAX_AGE,
    httponly: bool = True,
) -> None:
    """Every cookie of the app: Lax, HttpOnly unless scripts read it, Secure over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=httponly,
        samesite="lax",
        secure=over_https(request),
    )


def public_base(request: Request) -> str:
    """The address phones use: --public-url, else the address this request came to."""
    configured = services(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def client_address(request: Request) -> str:
    """The address a request came from, as new identities are limited by."""
    trust = services(request).settings.trust_forwarded_for
    return peer_address(request.scope, trust) or "unknown"


def is_facilitator(request: Request, live: LiveEvent) -> bool:
    cookie = request.cookies.get(facilitator_cookie(live.code))
    return services(request).sessions.is_facilitator(live, cookie)


def facilitator_csrf(request: Request, live: LiveEvent) -> str:
    return csrf_token(services(request).csrf_key, facilitator_subject(live.code, live.row.secret))


def attachment(request: Request, body: str | bytes, media: str, filename: str) -> Response:
    """A file to download (the browser saves it under `filename` instead of showing it); a CSV
    asked `?for=excel` comes in the flavour French Excel opens as it is."""
    excel = request.query_params.get("for") == "excel"
    if excel and media.startswith("text/csv") and isinstance(body, str):
        body = for_excel(body)
        filename = filename.replace(".csv", "-excel.csv")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
