"""Socket.io: who is connected to which event, and what is pushed to them. Socket handlers call
the services, as web handlers do; the hub pushes when a service
announces a change (it never decides what changes). Rooms are per event, audience and
language (`CODE:participant:fr`), so a fragment is rendered once per language and sent to
everyone in the room, never once per phone; each phone is also in its own room
(`CODE:p:ID:fr`) for what only its table sees. Which rooms have anyone in them is asked of the
presence service, not counted here, so that a second process would answer the same. Ballot
counts and tallies are coalesced: at most a few updates a second, and only to the screen and
console.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import socketio

from facilitation.core.languages import LANGUAGES
from facilitation.i18n import negotiate
from facilitation.messages import refusal_message
from facilitation.presenters.live import AUDIENCES, LiveViews, table_of
from facilitation.presenters.views import Audience
from facilitation.realtime.admission import (
    Admission,
    SameOrigin,
    genuine_connect,
    genuine_disconnect,
    refusal,
)
from facilitation.realtime.messages import Handler, ParticipantMessages, PayloadError
from facilitation.realtime.pending import LocalPending, Pending
from facilitation.realtime.rooms import LocalRooms
from facilitation.realtime.steps import SharedSteps
from facilitation.realtime.wire import UNREADABLE, Packet
from facilitation.security import facilitator_cookie, participant_cookie
from facilitation.services.announcements import (
    Announcer,
    Change,
    ItemAdded,
    ItemsModerated,
    MeetingsChanged,
    SeatsChanged,
    SignedOut,
    StateChanged,
    TallyChanged,
)
from facilitation.services.events import Events, RefusedError
from facilitation.services.health import StorageUnavailableError
from facilitation.services.live_event import LiveEvent
from facilitation.services.meetings import Meetings, MeetingsError
from facilitation.services.participants import ParticipantRow, Participants
from facilitation.services.presence import Presence
from facilitation.services.seating import SEATED_KINDS, Seating
from facilitation.services.sessions import Sessions

log = logging.getLogger(__name__)

FRAGMENT_EVENT: dict[Audience, str] = {
    "participant": "step",
    "screen": "screen",
    "console": "console",
}


@dataclass(frozen=True)
class Connection:
    """One socket: which event and audience, and who, as read when it connected. What a
    message needs of its sender (id, role, project, ticket) never changes once a participant
    is made, so it is not read again for every message (in a burst of ballots, that read was
    half of what the hub spent on each, mostly waiting for the writer thread to let go of the
    interpreter); a name and a profile do change, and are read from storage where shown."""

    code: str
    audience: Audience
    lang: str
    participant: ParticipantRow | None = None

    @property
    def person(self) -> int | None:
        return self.participant.id if self.participant else None


def room(code: str, audience: Audience, lang: str) -> str:
    return f"{code}:{audience}:{lang}"


def person_room(code: str, person: int, lang: str) -> str:
    return f"{code}:p:{person}:{lang}"


class Hub:
    def __init__(
        self,
        events: Events,
        participants: Participants,
        seating: Seating,
        meetings: Meetings,
        presence: Presence,
        views: LiveViews,
        announcer: Announcer,
        sessions: Sessions,
        *,
        max_payload: int,
        max_message: int,
        interval: float,
        public_url: str | None,
        admission: Admission,
        ping: tuple[float, float] = (10.0, 5.0),
        pending: Pending | None = None,
        manager: socketio.AsyncManager | None = None,
    ) -> None:
        self.events = events
        self.participants = participants
        self.seating = seating
        self.meetings = meetings
        self.presence = presence
        self.views = views
        self.sessions = sessions
        self.max_payload = max_payload
        self.interval = interval
        self.admission = admission
        self.pending: Pending = pending or LocalPending()
        self.sio = socketio.AsyncServer(
            client_manager=manager or LocalRooms(),
            async_mode="asgi",
            cors_allowed_origins=SameOrigin(public_url),
            max_http_buffer_size=max_message,
            serializer=Packet,
            logger=False,
            engineio_logger=False,
            ping_interval=ping[0],
            ping_timeout=ping[1],
        )
        self.connections: dict[str, Connection] = {}
        self.steps = SharedSteps(views, interval)
        announcer.subscribe(self.on_change)
        announcer.subscribe_elsewhere(self.on_change_elsewhere)
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        messages = ParticipantMessages(events, participants, seating, meetings)
        for name, handler in messages.handlers().items():
            self.sio.on(name, self.handler(handler))
        self.sio.on("*", self.on_unknown)

    # --- connections ---------------------------------------------------------------------

    async def on_connect(
        self, sid: str, environ: dict[str, Any], auth: object = None
    ) -> dict[str, Any] | None:
        if not genuine_connect(self.sio, sid, environ):
            return await self.on_unknown("connect", sid)
        query = parse_qs(environ.get("QUERY_STRING", ""))
        code = (query.get("code") or [""])[0].upper()
        audience = (query.get("role") or ["participant"])[0]
        live = self.events.get(code) if code else None
        if live is None:
            raise refusal("unknown_event")
        if audience not in AUDIENCES:
            raise refusal("unknown_role")
        cookies = _cookies(environ.get("HTTP_COOKIE", ""))
        participant = None
        trusted = self.sessions.is_facilitator(live, cookies.get(facilitator_cookie(code)))
        if audience == "console" and not trusted:
            raise refusal("not_facilitator")
        if audience == "participant":
            token = cookies.get(participant_cookie(code))
            if token is None and isinstance(auth, dict) and isinstance(auth.get("token"), str):
                token = auth["token"]
            participant = self.participants.by_token(live, token)
            if participant is None:
                raise refusal("no_identity")
        lang = negotiate(
            (query.get("lang") or [None])[0],
            cookies.get("lang"),
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            live.row.lang,
        )
        if not self.admission.admit(sid, code, audience, self.admission.address(environ), trusted):
            raise refusal("too_many_connections", lang)
        connection = Connection(code, audience, lang, participant)
        self.connections[sid] = connection
        await self.sio.enter_room(sid, room(code, connection.audience, lang))
        await self.presence.arrive(code, connection.audience, lang, connection.person)
        if participant is not None:
            await self.sio.enter_room(sid, person_room(code, participant.id, lang))
            await self.schedule_flush(live)
            me = self.views.own_inputs(live, participant)
            await self.sio.emit("me", me, to=sid, ignore_queue=True)
        # In the room first, then the state read: a step another process moved to is either
        # pushed to this socket or already stored, never missed between the two.
        self.events.catch_up(live)
        step = await self.steps.fragment(live, connection.audience, lang)
        await self.sio.emit(FRAGMENT_EVENT[connection.audience], step, to=sid, ignore_queue=True)
        shared = self.views.group_input(live, participant, lang) if participant else None
        if shared is not None:
            items = self.views.items_payload(live, shared, lang)
            await self.sio.emit("items", items, to=sid, ignore_queue=True)
        return None

    async def on_disconnect(self, sid: str, reason: object = None) -> dict[str, Any] | None:
        if not genuine_disconnect(self.sio, sid):
            return await self.on_unknown("disconnect", sid)
        self.admission.release(sid)
        connection = self.connections.pop(sid, None)
        if connection is None:
            return None
        await self.presence.leave(
            connection.code, connection.audience, connection.lang, connection.person
        )
        if connection.person is not None:
            live = self.events.get(connection.code)
            if live is not None:
                await self.schedule_flush(live)
        return None

    # --- participant messages ------------------------------------------------------------

    def handler(self, handler: Handler) -> Callable[[str, object], Awaitable[dict[str, Any]]]:
        """Every message: the sender read again, the payload checked, and any refusal (or a
        bug) answered in the phone's language instead of leaving it waiting."""

        async def handle(sid: str, data: object = None) -> dict[str, Any]:
            connection = self.connections.get(sid)
            lang = connection.lang if connection else "en"
            try:
                live, participant = self._sender(connection)
                return await handler(live, participant, self._payload(data))
            except (PayloadError, RefusedError, MeetingsError) as error:
                code = error.code
            except StorageUnavailableError as error:
                # nothing was saved: the phone says why, the console's banner names the cause
                code = error.code
                log.warning("socket message not saved: %s", error)
                failed = self.events.get(connection.code) if connection else None
                if failed is not None:
                    await self.schedule_flush(failed)
            except ValueError as error:  # seating's refusals carry their code as text
                code = str(error)
            except Exception:
                log.exception("socket message failed")
                code = "server_error"
            return {"ok": False, "code": code, "error": refusal_message(lang, code)}

        return handle

    def _sender(self, connection: Connection | None) -> tuple[LiveEvent, ParticipantRow]:
        if connection is None or connection.participant is None:
            raise PayloadError("not_participant")
        live = self.events.get(connection.code)
        if live is None:
            raise PayloadError("unknown_event")
        return live, connection.participant

    def _payload(self, data: object) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise PayloadError("malformed")
        try:
            size = len(json.dumps(data))
        except (TypeError, ValueError):
            raise PayloadError("malformed") from None
        if size > self.max_payload:
            raise PayloadError("too_large")
        return data

    async def on_unknown(self, event: str, sid: str, data: object = None) -> dict[str, Any]:
        connection = self.connections.get(sid)
        lang = connection.lang if connection else "en"
        code = "malformed" if event == UNREADABLE else "unknown_message"
        return {"ok": False, "code": code, "error": refusal_message(lang, code)}

    # --- pushes --------------------------------------------------------------------------

    async def on_change(self, change: Change) -> None:
        """What services announced, pushed to whoever shows it."""
        live = self.events.get(change.code)
        if live is None:
            return
        self.steps.forget(change)
        match change:
            case StateChanged():
                # a seated step tells phones to fetch their own place
                await self.push(live)
                await self.push_group_items(live, None)
            case TallyChanged():
                await self.schedule_flush(live)
            case ItemAdded(author=author):
                await self.schedule_flush(live, author)
            case ItemsModerated():
                await self.push(live, ("screen", "console"))
                await self.push_items(live)
            case SeatsChanged():
                await self.push(live, ("screen", "console"))
                await self.push_seats(live)
            case MeetingsChanged():
                await self.to_participants(live, "agenda_changed", {})
                await self.push(live, ("screen",))
            case SignedOut():
                await self.close_consoles(live.code)

    async def on_change_elsewhere(self, change: Change) -> None:
        """A change another server process made and pushed: what this process keeps of the
        event is read again, and its own consoles closed at a sign-out."""
        self.steps.forget(change)
        if isinstance(change, SignedOut):
            await self.close_consoles(change.code)

    async def close_consoles(self, code: str) -> None:
        """A console opened with a session now ended must not go on receiving the room."""
        consoles = [
            sid for sid, c in self.connections.items() if c.code == code and c.audience == "console"
        ]
        await asyncio.gather(*(self.sio.disconnect(sid) for sid in consoles))

    async def push(self, live: LiveEvent, audiences: tuple[Audience, ...] = AUDIENCES) -> None:
        """One render per audience and language in use, one emit per room."""
        in_use = await self.presence.rooms(live.code)
        sends = []
        for audience in audiences:
            for lang in LANGUAGES:
                if (audience, lang) in in_use:
                    payload = await self.views.render(live, audience, lang)
                    self.steps.keep(live, audience, lang, payload)
                    name = room(live.code, audience, lang)
                    sends.append(self.sio.emit(FRAGMENT_EVENT[audience], payload, room=name))
        await asyncio.gather(*sends)

    async def to_participants(self, live: LiveEvent, event: str, data: Any) -> None:
        """One small message to every phone of the event (e.g. "your schedule changed: fetch
        it"); what differs per person is then fetched by each phone, as the load test does."""
        in_use = await self.presence.rooms(live.code)
        sends = [
            self.sio.emit(event, data, room=room(live.code, "participant", lang))
            for lang in LANGUAGES
            if ("participant", lang) in in_use
        ]
        await asyncio.gather(*sends)

    async def push_seats(self, live: LiveEvent) -> None:
        """Tables or cards changed: one small message per room; each phone then fetches its
        own place (/e/CODE/seat), which differs from phone to phone."""
        if live.stage.kind in SEATED_KINDS:
            await self.to_participants(live, "seat_changed", {"step": live.stage.step_id})

    async def schedule_flush(self, live: LiveEvent, author: int | None = None) -> None:
        """Counts and tallies go out at most once per interval, however many ballots arrive
        (on however many processes); `author` added an item, so their group's list too."""
        counts = {str(author): 1} if author is not None else None
        if await self.pending.mark(f"{live.code}:counts", counts):
            code = live.code
            asyncio.get_running_loop().call_later(
                self.interval, lambda: asyncio.ensure_future(self._flush(code))
            )

    async def _flush(self, code: str) -> None:
        authors = {int(a) for a in await self.pending.take(f"{code}:counts")}
        live = self.events.get(code)
        if live is None:
            return
        await self.push(live, ("screen", "console"))
        await self.push_items(live, authors)

    async def push_group_items(self, live: LiveEvent, authors: set[int] | None) -> None:
        """Each group's own list to its members' phones: one render per group and language;
        `authors` None means every group (after moderation or a step change)."""
        source = self.views.groups_step(live)
        if source is None or authors == set():
            return
        tables = self.seating.tables_of(live, source)
        items = self.events.items(live, live.stage.step_id)
        if authors is None:
            if not items:
                return  # a step just begun: the shared fragment already shows an empty list
            groups = set(tables.values())
        else:
            groups = {table_of(tables, a) for a in authors}
        in_use = await self.presence.rooms(live.code)
        langs = [lang for lang in LANGUAGES if ("participant", lang) in in_use]
        sends = []
        for seat in groups:
            for lang in langs:
                view = self.views.group_view(live, lang, items, seat)
                payload = self.views.items_payload(live, view, lang)
                for person in seat[1]:
                    name = person_room(live.code, person, lang)
                    sends.append(self.sio.emit("items", payload, room=name))
        await asyncio.gather(*sends)

    async def push_items(self, live: LiveEvent, authors: set[int] | None = None) -> None:
        """An input step's item list: rendered once per language to every phone when everyone
        sees it, once per group when groups do."""
        step = live.format.input_steps().get(live.stage.step_id)
        if step is None:
            return
        if step.visibility == "group":
            await self.push_group_items(live, authors)
            return
        if step.visibility != "all":
            return
        in_use = await self.presence.rooms(live.code)
        sends = []
        for lang in LANGUAGES:
            if ("participant", lang) in in_use:
                payload = await self.views.items_list(live, lang)
                name = room(live.code, "participant", lang)
                sends.append(self.sio.emit("items", payload, room=name))
        await asyncio.gather(*sends)


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
