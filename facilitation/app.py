"""The ASGI application: Starlette pages wrapped by the socket.io server."""

from __future__ import annotations

import logging
import time

import socketio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp

from facilitation.core.admission import Allowance
from facilitation.messages import refusal_message
from facilitation.presenters.fresh_pages import FreshPages
from facilitation.presenters.interaction import InteractionViews
from facilitation.presenters.live import LiveViews
from facilitation.presenters.pages import Pages
from facilitation.processes.shared import Shared
from facilitation.realtime.admission import Admission, Caps
from facilitation.realtime.hub import Hub
from facilitation.realtime.interaction import InteractionHub
from facilitation.security import SecurityHeadersMiddleware
from facilitation.services.admission import LocalAdmission
from facilitation.services.announcements import Announcer
from facilitation.services.console import Console
from facilitation.services.events import Events
from facilitation.services.format_library import FormatLibrary
from facilitation.services.health import StorageHealth, StorageUnavailableError
from facilitation.services.interaction import Interaction
from facilitation.services.meetings import Meetings
from facilitation.services.participants import Participants
from facilitation.services.presence import LocalPresence, Presence
from facilitation.services.review import BallotReview
from facilitation.services.seating import Seating
from facilitation.services.sessions import Sessions
from facilitation.settings import Settings
from facilitation.storage.opening import open_store
from facilitation.web import (
    ballots,
    builder,
    console,
    format_files,
    holder,
    matchmaking,
    organiser,
    participant,
    people,
    review,
    screen,
)
from facilitation.web import interaction as interaction_forms
from facilitation.web.assets import Assets
from facilitation.web.bodies import BodyLimitMiddleware
from facilitation.web.services import Services, lang_of, services

log = logging.getLogger(__name__)


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    return services(request).pages.page(
        request, "not_found.html", lang_of(request), {"live": None}, status_code=status
    )


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return services(request).pages.page(
        request, "error.html", lang_of(request), {"live": None}, status_code=500
    )


async def storage_unavailable(request: Request, exc: Exception) -> Response:
    """A write the database refused for now (full disk, lock held too long): a page saying so
    and that nothing of this request was kept, not a bare 500."""
    code = exc.code if isinstance(exc, StorageUnavailableError) else "server_error"
    log.warning("request not saved on %s: %s", request.url.path, exc)
    lang = lang_of(request)
    context = {"live": None, "message": refusal_message(lang, code)}
    return services(request).pages.page(request, "unavailable.html", lang, context, status_code=503)


def create_app(settings: Settings) -> ASGIApp:
    storage = open_store(settings.db_path, busy_timeout_s=settings.busy_timeout_s)
    announcer = Announcer()
    allowance = Allowance(settings.new_identities_per_minute, settings.new_identities_burst)
    shared = (
        Shared(settings.redis_url, announcer, allowance, settings.tally_interval_s)
        if settings.redis_url
        else None
    )
    presence: Presence = shared.presence if shared else LocalPresence()
    events = Events(storage, announcer)
    participants = Participants(storage, shared.admission if shared else LocalAdmission(allowance))
    seating = Seating(storage, announcer)
    meetings = Meetings(storage, announcer, presence)
    console_service = Console(events, seating, presence, announcer)
    ballot_review = BallotReview(storage, announcer)
    interaction = Interaction(storage, announcer)
    pages = Pages(settings.templates_dir, settings.static_dir)
    if settings.compile_templates:
        pages.compile_all()
    interaction_views = InteractionViews(interaction, pages)
    csrf_key = storage.signing_key()
    views = LiveViews(
        events,
        seating,
        meetings,
        presence,
        pages,
        csrf_key,
        StorageHealth(storage),
        ballot_review,
        interaction_views,
    )
    sessions = Sessions(
        storage,
        announcer,
        facilitator_s=settings.facilitator_session_s,
        organiser_s=settings.organiser_session_s,
    )
    hub = Hub(
        events,
        participants,
        seating,
        meetings,
        presence,
        views,
        announcer,
        sessions,
        max_payload=settings.max_payload_bytes,
        max_message=settings.max_message_bytes,
        interval=settings.tally_interval_s,
        public_url=settings.public_url,
        ping=(settings.ping_interval_s, settings.ping_timeout_s),
        admission=Admission(
            Caps(
                per_event=settings.max_sockets_per_event,
                screens_per_event=settings.max_screens_per_event,
                per_address=settings.max_sockets_per_address,
            ),
            trust_forwarded_for=settings.trust_forwarded_for,
        ),
        pending=shared.pending if shared else None,
        manager=shared.socket_manager() if shared else None,
    )
    InteractionHub(hub, interaction, interaction_views, announcer)
    fresh = FreshPages(settings.tally_interval_s, time.monotonic)
    announcer.subscribe(fresh.on_change)
    announcer.subscribe_elsewhere(fresh.on_change)
    routes = [
        # first: a phone's first load is four of these for one page, matched before the rest
        Mount("/static", Assets(settings.static_dir), name="static"),
        *participant.routes,
        *console.routes,
        *interaction_forms.routes,
        *screen.routes,
        *people.routes,
        *review.routes,
        *ballots.routes,
        *holder.routes,
        *matchmaking.routes,
        *organiser.routes,
        *builder.routes,
        *format_files.routes,
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(BodyLimitMiddleware)],
        exception_handlers={
            404: not_found,
            405: not_found,
            500: server_error,
            StorageUnavailableError: storage_unavailable,
        },
    )
    app.state.services = Services(
        settings=settings,
        events=events,
        participants=participants,
        seating=seating,
        meetings=meetings,
        console=console_service,
        review=ballot_review,
        views=views,
        pages=pages,
        csrf_key=csrf_key,
        organiser_key=storage.organiser_key(),
        formats=FormatLibrary(settings.formats_dir, settings.own_formats_dir()),
        sessions=sessions,
        interaction=interaction,
        fresh=fresh,
    )

    async def resync() -> None:
        """Redis came back: what was missed meanwhile is read and pushed again."""
        hub.steps.forget_all()
        fresh.forget_all()
        for live in events.reload():
            await hub.push(live)

    async def startup() -> None:
        if shared is not None:
            shared.on_resync(resync)
            await shared.start()

    async def shutdown() -> None:
        await interaction.flush()
        if shared is not None:
            await shared.stop()
        storage.close()

    # The store is opened here and closed when the server stops: the writes still queued are
    # committed and the writer thread ends before the process does.
    asgi: ASGIApp = socketio.ASGIApp(
        hub.sio,
        other_asgi_app=SecurityHeadersMiddleware(app),
        on_startup=startup,
        on_shutdown=shutdown,
    )
    return asgi
