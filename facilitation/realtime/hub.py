"""Socket.io: who is connected to which event, and what is pushed to them.

Rooms are per event, audience and language (`CODE:participant:fr`), so a fragment is rendered
once per language and sent to everyone in the room, never once per phone. Ballot counts and
tallies are coalesced: at most a few updates a second, and only to the screen and console.
"""

from __future__ import annotations

import asyncio
import json
import logging
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import socketio

from facilitation.core.ballot_forms import fields_from_ballot
from facilitation.core.engine import reveal_progress
from facilitation.core.formats import RevealStep
from facilitation.i18n import LANGUAGES, negotiate
from facilitation.messages import refusal_message
from facilitation.presenters.pages import Pages
from facilitation.presenters.views import (
    Audience,
    Counts,
    agenda,
    input_view,
    reveal_view,
    stage_view,
)
from facilitation.security import csrf_token, facilitator_subject, same_secret
from facilitation.services.events import Events, LiveEvent, RefusedError, now_ms
from facilitation.services.meetings import Meetings, MeetingsError
from facilitation.services.seating import SEATED_KINDS, Seating
from facilitation.storage import ItemRow, ParticipantRow

log = logging.getLogger(__name__)

AUDIENCES: tuple[Audience, ...] = ("participant", "screen", "console")
FRAGMENTS: dict[Audience, str] = {
    "participant": "_participant_step.html",
    "screen": "_screen_step.html",
    "console": "_console_state.html",
}
MAX_NAME = 40


def participant_cookie(code: str) -> str:
    return f"p_{code}"


def facilitator_cookie(code: str) -> str:
    return f"f_{code}"


@dataclass
class Connection:
    code: str
    audience: Audience
    lang: str
    participant: ParticipantRow | None = None


def room(code: str, audience: Audience, lang: str) -> str:
    return f"{code}:{audience}:{lang}"


def clean_name(raw: object) -> str | None:
    """A display name as typed, minus control characters; None if it is not text."""
    if not isinstance(raw, str):
        return None
    text = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())[:MAX_NAME]


class Hub:
    def __init__(
        self,
        events: Events,
        pages: Pages,
        csrf_key: str,
        *,
        max_payload: int,
        max_message: int,
        interval: float,
    ) -> None:
        self.events = events
        self.seating = Seating(events.storage)
        self.meetings = Meetings(events.storage)
        self.csrf_key = csrf_key
        self.pages = pages
        self.max_payload = max_payload
        self.interval = interval
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            cors_allowed_origins=[],  # same origin only
            max_http_buffer_size=max_message,
            logger=False,
            engineio_logger=False,
        )
        self.connections: dict[str, Connection] = {}
        self.room_sizes: Counter[str] = Counter()
        # event code -> participant id -> open sockets (a person with two tabs counts once)
        self.online: dict[str, Counter[int]] = defaultdict(Counter)
        self._flush_pending: set[str] = set()
        # (event code, participant id) -> that person's sockets: lists shared by a group only
        # go to the group's phones
        self.sids: dict[tuple[str, int], set[str]] = defaultdict(set)
        # event code -> authors whose group's list changed since the last flush
        self._group_dirty: dict[str, set[int]] = defaultdict(set)
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        self.sio.on("vote", self.on_vote)
        self.sio.on("name", self.on_name)
        self.sio.on("item", self.on_item)
        self.sio.on("feedback", self.on_feedback)
        self.sio.on("score", self.on_score)
        self.sio.on("wish", self.on_wish)
        self.sio.on("profile", self.on_profile)
        self.sio.on("choose", self.on_choose)
        self.sio.on("*", self.on_unknown)

    # --- connections ---------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        code = (query.get("code") or [""])[0].upper()
        audience = (query.get("role") or ["participant"])[0]
        live = self.events.get(code) if code else None
        if live is None:
            raise socketio.exceptions.ConnectionRefusedError({"code": "unknown_event"})
        if audience not in AUDIENCES:
            raise socketio.exceptions.ConnectionRefusedError({"code": "unknown_role"})
        cookies = _cookies(environ.get("HTTP_COOKIE", ""))
        participant = None
        if audience == "console" and not same_secret(
            live.row.secret, cookies.get(facilitator_cookie(code))
        ):
            raise socketio.exceptions.ConnectionRefusedError({"code": "not_facilitator"})
        if audience == "participant":
            token = cookies.get(participant_cookie(code))
            if token is None and isinstance(auth, dict) and isinstance(auth.get("token"), str):
                token = auth["token"]
            participant = (
                self.events.storage.participant_by_token(live.id, token) if token else None
            )
            if participant is None:
                raise socketio.exceptions.ConnectionRefusedError({"code": "no_identity"})
        lang = negotiate(
            (query.get("lang") or [None])[0],
            cookies.get("lang"),
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            live.row.lang,
        )
        connection = Connection(code, audience, lang, participant)
        self.connections[sid] = connection
        name = room(code, connection.audience, lang)
        await self.sio.enter_room(sid, name)
        self.room_sizes[name] += 1
        if participant is not None:
            self.online[code][participant.id] += 1
            self.sids[(code, participant.id)].add(sid)
            self.schedule_flush(live)
            await self.sio.emit(
                "me",
                self.own_inputs(live, participant),
                to=sid,
            )
        await self.sio.emit(
            FRAGMENT_EVENT[connection.audience],
            self.render(live, connection.audience, lang),
            to=sid,
        )
        shared = self.group_input(live, participant, lang) if participant else None
        if shared is not None:
            await self.sio.emit("items", self._items_payload(live, shared, lang), to=sid)

    def own_inputs(self, live: LiveEvent, participant: ParticipantRow) -> dict[str, Any]:
        """Everything a phone shows again after a reload: ballots, items, feedback, name."""
        items: dict[str, list[dict[str, Any]]] = {}
        for item in self.events.storage.items(live.id, author=participant.id):
            if item.merged_into is None:
                items.setdefault(item.step_id, []).append({"id": item.id, "fields": item.fields})
        wishes = self.meetings.own_wishes(live, participant) if live.format.match_step() else {}
        return {
            "name": participant.name,
            "wishes": wishes,
            "fields": self.own_fields(live, participant),
            "items": items,
            "feedback": self.events.storage.feedback_of(live.id, participant.id),
        }

    def own_fields(self, live: LiveEvent, participant: ParticipantRow) -> dict[str, Any]:
        """The participant's ballots as vote-form fields, to show them again on the phone."""
        ballots = self.events.storage.ballots_of(live.id, participant.id)
        return {vote: fields_from_ballot(ballot) for vote, ballot in ballots.items()}

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        connection = self.connections.pop(sid, None)
        if connection is None:
            return
        self.room_sizes[room(connection.code, connection.audience, connection.lang)] -= 1
        if connection.participant is not None:
            online = self.online[connection.code]
            online[connection.participant.id] -= 1
            if online[connection.participant.id] <= 0:
                del online[connection.participant.id]
            key = (connection.code, connection.participant.id)
            self.sids[key].discard(sid)
            if not self.sids[key]:
                del self.sids[key]
            live = self.events.get(connection.code)
            if live is not None:
                self.schedule_flush(live)

    # --- participant messages ------------------------------------------------------------

    def _checked(self, sid: str, data: object) -> tuple[Connection, LiveEvent, dict[str, Any]]:
        connection = self.connections.get(sid)
        if connection is None or connection.participant is None:
            raise PayloadError("not_participant")
        live = self.events.get(connection.code)
        if live is None:
            raise PayloadError("unknown_event")
        if not isinstance(data, dict):
            raise PayloadError("malformed")
        try:
            size = len(json.dumps(data))
        except (TypeError, ValueError):
            raise PayloadError("malformed") from None
        if size > self.max_payload:
            raise PayloadError("too_large")
        return connection, live, data

    async def on_vote(self, sid: str, data: object = None) -> dict[str, Any]:
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, live, payload = self._checked(sid, data)
            assert connection.participant is not None
            ballot = self.events.cast(
                live,
                connection.participant,
                payload.get("vote"),
                payload.get("ballot"),
                fields=payload.get("fields"),
            )
        except (PayloadError, RefusedError) as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        except Exception:  # a bug must not take the server down nor leave the phone waiting
            log.exception("vote failed")
            return {
                "ok": False,
                "code": "server_error",
                "error": refusal_message(lang, "server_error"),
            }
        self.schedule_flush(live)
        return {
            "ok": True,
            "vote": payload["vote"],
            "ballot": ballot,
            "fields": fields_from_ballot(ballot),
        }

    async def on_item(self, sid: str, data: object = None) -> dict[str, Any]:
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, live, payload = self._checked(sid, data)
            assert connection.participant is not None
            item = self.events.submit_item(
                live, connection.participant, payload.get("step"), payload.get("fields")
            )
        except (PayloadError, RefusedError) as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        self.items_changed(live, connection.participant.id)
        return {"ok": True, "item": {"id": item.id, "step": item.step_id, "fields": item.fields}}

    async def on_feedback(self, sid: str, data: object = None) -> dict[str, Any]:
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, live, payload = self._checked(sid, data)
            assert connection.participant is not None
            values = self.events.give_feedback(
                live, connection.participant, payload.get("project"), payload.get("fields")
            )
        except (PayloadError, RefusedError) as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        return {"ok": True, "project": payload["project"], "fields": values}

    async def on_score(self, sid: str, data: object = None) -> dict[str, Any]:
        """A pass-around score for the card the phone holds this round."""
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, live, payload = self._checked(sid, data)
            assert connection.participant is not None
            score = self.seating.score(
                live, connection.participant, payload.get("card"), payload.get("score")
            )
        except PayloadError as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        except ValueError as error:
            code = str(error)
            return {"ok": False, "code": code, "error": refusal_message(lang, code)}
        self.schedule_flush(live)
        return {"ok": True, "card": payload["card"], "score": score}

    async def on_wish(self, sid: str, data: object = None) -> dict[str, Any]:
        """ "I want to meet…" (must / want / no, or None to take it back)."""
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, live, payload = self._checked(sid, data)
            assert connection.participant is not None
            result = self.meetings.wish(
                live,
                connection.participant,
                payload.get("target"),
                payload.get("level"),
                payload.get("helps"),
            )
        except (PayloadError, MeetingsError) as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        return {"ok": True, **result, "target": payload.get("target")}

    async def on_profile(self, sid: str, data: object = None) -> dict[str, Any]:
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, live, payload = self._checked(sid, data)
            assert connection.participant is not None
            profile = self.meetings.set_profile(live, connection.participant, payload)
        except (PayloadError, MeetingsError) as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        return {"ok": True, "profile": profile}

    async def on_choose(self, sid: str, data: object = None) -> dict[str, Any]:
        """A table or topic chosen before self-selected groups are formed."""
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, live, payload = self._checked(sid, data)
            assert connection.participant is not None
            choice = self.seating.choose(live, connection.participant, payload.get("choice"))
        except PayloadError as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        except ValueError as error:
            code = str(error)
            return {"ok": False, "code": code, "error": refusal_message(lang, code)}
        self.schedule_flush(live)
        return {"ok": True, "choice": choice}

    async def on_name(self, sid: str, data: object = None) -> dict[str, Any]:
        lang = self.connections[sid].lang if sid in self.connections else "en"
        try:
            connection, _, payload = self._checked(sid, data)
            name = clean_name(payload.get("name"))
            if name is None:
                raise PayloadError("malformed")
            assert connection.participant is not None
            self.events.storage.set_participant_name(connection.participant.id, name)
        except PayloadError as error:
            return {"ok": False, "code": error.code, "error": refusal_message(lang, error.code)}
        return {"ok": True, "name": name}

    async def on_unknown(self, event: str, sid: str, data: object = None) -> dict[str, Any]:
        lang = self.connections[sid].lang if sid in self.connections else "en"
        return {
            "ok": False,
            "code": "unknown_message",
            "error": refusal_message(lang, "unknown_message"),
        }

    # --- pushes --------------------------------------------------------------------------

    def counts(self, live: LiveEvent) -> Counts:
        vote_id = live.plan.vote_of(live.stage)
        ballots = self.events.storage.count_ballots(live.id, vote_id) if vote_id else 0
        return Counts(connected=len(self.online[live.code]), ballots=ballots)

    def context(self, live: LiveEvent, audience: Audience, lang: str) -> dict[str, Any]:
        """What the templates of `audience` need; the tally only where it may be shown."""
        counts = self.counts(live)
        result = self.events.stage_result(live, audience)
        items = None
        if live.stage.step_id in live.format.input_steps():
            items = self.events.storage.items(live.id, live.stage.step_id)
        view = stage_view(live, lang, audience, counts, result, now_ms(), items)
        context: dict[str, Any] = {
            "view": view,
            "live": live,
            "counts": counts,
            "audience": audience,
        }
        if audience in ("screen", "console"):
            view["tables"] = self.seating.tables(live, lang)
        reveal = live.plan.step(live.stage)
        if isinstance(reveal, RevealStep) and reveal.scores:
            shown, _ = reveal_progress(live.plan, live.state, live.stage) or (0, 0)
            if audience == "console" or shown:
                totals = self.seating.totals(live, reveal.scores)
                view["reveal"] = reveal_view(live, reveal, lang, audience, totals, counts)
        source = self._groups_step(live)
        if audience == "console" and source and items and view.get("input"):
            # the facilitator reads each table's notes: say which table wrote what
            tables = self.seating.tables_of(live, source)
            authors = {i.id: i.participant_id for i in items}
            for entry in view["input"]["items"]:
                author = authors.get(entry["id"])
                entry["table"] = tables[author][0] if author in tables else None
        if audience == "console":
            context["agenda"] = agenda(live, lang, "console")
            context["csrf"] = csrf_token(
                self.csrf_key, facilitator_subject(live.code, live.row.secret)
            )
            context["error"] = None
        return context

    def render(self, live: LiveEvent, audience: Audience, lang: str) -> dict[str, Any]:
        context = self.context(live, audience, lang)
        view = context["view"]
        html = self.pages.fragment(FRAGMENTS[audience], lang, context)
        return {
            "revision": live.state.revision,
            "html": html,
            "announce": view["announce"],
            "timer": live.state.timer.to_json(now_ms()),
            "seated": live.stage.kind in SEATED_KINDS,
            "vote": view["vote"] and {"id": view["vote"]["id"], "status": view["vote"]["status"]},
        }

    async def push(self, live: LiveEvent, audiences: tuple[Audience, ...] = AUDIENCES) -> None:
        """One render per audience and language in use, one emit per room."""
        sends = []
        for audience in audiences:
            for lang in LANGUAGES:
                name = room(live.code, audience, lang)
                if self.room_sizes[name] > 0:
                    payload = self.render(live, audience, lang)
                    sends.append(self.sio.emit(FRAGMENT_EVENT[audience], payload, room=name))
        await asyncio.gather(*sends)

    async def to_participants(self, live: LiveEvent, event: str, data: Any) -> None:
        """One small message to every phone of the event (e.g. "your agenda changed: fetch it");
        what differs per person is then fetched by each phone, as the load test does too."""
        sends = []
        for lang in LANGUAGES:
            name = room(live.code, "participant", lang)
            if self.room_sizes[name] > 0:
                sends.append(self.sio.emit(event, data, room=name))
        await asyncio.gather(*sends)

    async def state_changed(self, live: LiveEvent) -> None:
        """After a facilitator action: seat people if the new stage needs it, then push the
        step to every room (a seated step tells phones to fetch their own place)."""
        self.seating.ensure(live, list(self.online[live.code]))
        await self.push(live)
        await self.push_group_items(live, None)

    async def push_seats(self, live: LiveEvent) -> None:
        """Tables or cards changed: one small message per room; each phone then fetches its
        own place (/e/CODE/seat), which differs from phone to phone."""
        if live.stage.kind in SEATED_KINDS:
            await self.to_participants(live, "seat_changed", {"step": live.stage.step_id})

    def schedule_flush(self, live: LiveEvent) -> None:
        """Counts and tallies go out at most once per interval, however many ballots arrive."""
        if live.code in self._flush_pending:
            return
        self._flush_pending.add(live.code)
        asyncio.get_running_loop().call_later(
            self.interval, lambda: asyncio.ensure_future(self._flush(live))
        )

    def items_changed(self, live: LiveEvent, author: int) -> None:
        """An item came in: its author's group (if the step shares by group) gets the new list
        with the next flush."""
        self._group_dirty[live.code].add(author)
        self.schedule_flush(live)

    async def _flush(self, live: LiveEvent) -> None:
        self._flush_pending.discard(live.code)
        await self.push(live, ("screen", "console"))
        authors = self._group_dirty.pop(live.code, set())
        await self.push_items(live, authors)

    def _groups_step(self, live: LiveEvent) -> str | None:
        step = live.format.input_steps().get(live.stage.step_id)
        if step is None or step.visibility != "group":
            return None
        return live.format.group_source(step)

    def group_input(
        self, live: LiveEvent, participant: ParticipantRow, lang: str
    ) -> dict[str, Any] | None:
        """The current input step as this person's group sees it, if the step shares by group
        (a person seated nowhere sees what they sent themselves)."""
        source = self._groups_step(live)
        if source is None:
            return None
        tables = self.seating.tables_of(live, source)
        items = self.events.storage.items(live.id, live.stage.step_id)
        return self._group_view(live, lang, items, _table_of(tables, participant.id))

    @staticmethod
    def _group_view(
        live: LiveEvent,
        lang: str,
        items: list[ItemRow],
        seat: tuple[int, frozenset[int]],
    ) -> dict[str, Any]:
        table, members = seat
        view = input_view(live, live.stage.step_id, lang, "participant", items, group=members)
        view["table"] = table
        return view

    def _items_payload(self, live: LiveEvent, view: dict[str, Any], lang: str) -> dict[str, Any]:
        html = self.pages.fragment("_items_list.html", lang, {"view": {"input": view}})
        return {"step": live.stage.step_id, "html": html}

    async def push_group_items(self, live: LiveEvent, authors: set[int] | None) -> None:
        """Each group's own list to its members' phones: one render per group and language;
        `authors` None means every group (after moderation or a step change)."""
        source = self._groups_step(live)
        if source is None or authors == set():
            return
        tables = self.seating.tables_of(live, source)
        items = self.events.storage.items(live.id, live.stage.step_id)
        if authors is None:
            if not items:
                return  # a step just begun: the shared fragment already shows an empty list
            groups = set(tables.values())
        else:
            groups = {_table_of(tables, a) for a in authors}
        sends = []
        for seat in groups:
            payloads: dict[str, dict[str, Any]] = {}
            for person in seat[1]:
                for sid in self.sids.get((live.code, person), ()):
                    connection = self.connections.get(sid)
                    if connection is None:
                        continue
                    lang = connection.lang
                    if lang not in payloads:
                        view = self._group_view(live, lang, items, seat)
                        payloads[lang] = self._items_payload(live, view, lang)
                    sends.append(self.sio.emit("items", payloads[lang], to=sid))
        await asyncio.gather(*sends)

    async def push_items(self, live: LiveEvent, authors: set[int] | None = None) -> None:
        """An input step's item list: rendered once per language to every phone when everyone
        sees it, once per group when groups do (the whole step is not re-sent, so nobody
        loses what they are typing)."""
        step = live.format.input_steps().get(live.stage.step_id)
        if step is None:
            return
        if step.visibility == "group":
            await self.push_group_items(live, authors)
            return
        if step.visibility != "all":
            return
        sends = []
        for lang in LANGUAGES:
            name = room(live.code, "participant", lang)
            if self.room_sizes[name] > 0:
                context = self.context(live, "participant", lang)
                html = self.pages.fragment("_items_list.html", lang, context)
                sends.append(
                    self.sio.emit("items", {"step": live.stage.step_id, "html": html}, room=name)
                )
        await asyncio.gather(*sends)


FRAGMENT_EVENT: dict[Audience, str] = {
    "participant": "step",
    "screen": "screen",
    "console": "console",
}


def _table_of(
    tables: dict[int, tuple[int, frozenset[int]]], person: int
) -> tuple[int, frozenset[int]]:
    """A person's table and tablemates; someone seated nowhere sits alone (table 0)."""
    return tables.get(person, (0, frozenset({person})))


class PayloadError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
