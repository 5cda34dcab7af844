"""Matchmaking during a live event: who can be matched, their wishes, the organiser's draft.

The pipeline itself is `matchmaking` (pure); this module builds its inputs from the event
(holders with their projects' needs, partners, participants who filled a profile or made a
wish), keeps the draft in storage between edits, and says what each phone's schedule holds.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from facilitation.core import matchmaking as mm
from facilitation.core.formats import MatchStep, localise
from facilitation.core.inputs import whole_number
from facilitation.services.announcements import Announcer, MeetingsChanged, TallyChanged
from facilitation.services.events import now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.services.presence import LocalPresence, Presence
from facilitation.services.serial import EventLocks, one_at_a_time
from facilitation.storage import ParticipantRow, Store

MAX_TAGS = 30
# The exact model's time limit for a draft made from the console: the organiser is waiting;
# reaching it still gives a draft, with its gap shown.
SOLVER_SECONDS = 20.0


class MeetingsError(ValueError):
    """A request the matchmaking refuses; `code` selects the translated message."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


# --- who can be matched ---------------------------------------------------------------------


def _tags(values: object, known: set[str]) -> list[str]:
    if not isinstance(values, list):
        return []
    return sorted({v for v in values if isinstance(v, str) and v in known})[:MAX_TAGS]


class Meetings:
    def __init__(
        self, storage: Store, announcer: Announcer | None = None, presence: Presence | None = None
    ) -> None:
        self.storage = storage
        self.announcer = announcer or Announcer()
        self.presence = presence or LocalPresence()
        self.locks = EventLocks()
        # by event id: the version of the saved draft, and the draft parsed
        self._drafts: dict[int, tuple[int, mm.Draft | None]] = {}

    @staticmethod
    def step(live: LiveEvent) -> MatchStep:
        step = live.format.match_step()
        if step is None:
            raise MeetingsError("no_matchmaking", "this event has no matchmaking")
        return step

    def profiles(self, live: LiveEvent, present: Collection[int] | None = None) -> list[mm.Profile]:
        """Holders (their project's needs), partners, and participants who said what they
        offer or need or made a wish; everyone else stays out of the matchmaking. With
        `present`, only those people are matched (nobody is sent to an empty table)."""
        step = self.step(live)
        wishes = self.storage.wishes(live.id)
        wishers = {source for source, _, _ in wishes}
        wished = {target for _, target, _ in wishes}
        holders = {p.id for p in self.storage.participants(live.id) if p.role == "holder"}
        # someone from the audience who asks to meet a project comes to it as a possible help
        towards_projects = {s for s, t, level in wishes if t in holders and level != "no"}
        out = []
        for person in self.storage.participants(live.id):
            data = person.profile
            offers = set(data.get("offers", []))
            needs = set(data.get("needs", []))
            organisation = str(data.get("organisation", ""))
            if person.role == "holder" and person.project_id in live.plan.lineup:
                project = live.plan.project(person.project_id)
                needs |= set(project.needs)
                organisation = organisation or project.title
            side: mm.Side = "need"
            if (
                person.role == "partner"
                or data.get("side") == "offer"
                or (
                    person.role == "participant"
                    and "side" not in data
                    and person.id in towards_projects
                )
            ):
                side = "offer"
            involved = (
                person.role in ("holder", "partner")
                or offers
                or needs
                or person.id in wishers
                or person.id in wished
            )
            if not involved or (present is not None and person.id not in present):
                continue
            slots = frozenset(
                s for s in data.get("slots", []) if isinstance(s, int) and 1 <= s <= step.slots
            )
            out.append(
                mm.Profile(
                    id=str(person.id),
                    name=person.name or organisation or f"#{person.id}",
                    side=side,
                    organisation=organisation,
                    offers=frozenset(offers),
                    needs=frozenset(needs),
                    available_slots=slots,
                )
            )
        return out

    async def absent(self, live: LiveEvent) -> list[mm.Profile]:
        """People the matchmaking would place who have no phone connected now: holders and
        partners who never opened their link, or left."""
        present = set(await self.presence.people(live.code))
        return [p for p in self.profiles(live) if int(p.id) not in present]

    def wishes(self, live: LiveEvent, among: Collection[mm.Profile] | None = None) -> list[mm.Wish]:
        """The wishes, or those between people of `among` (a wish towards someone left out
        cannot be met)."""
        ids = None if among is None else {p.id for p in among}
        wishes = [
            mm.Wish(str(s), str(t), level)  # type: ignore[arg-type]
            for s, t, level in self.storage.wishes(live.id)
        ]
        return [w for w in wishes if ids is None or {w.source, w.target} <= ids]

    # --- what phones send -------------------------------------------------------------------

    @one_at_a_time
    async def set_profile(
        self, live: LiveEvent, person: ParticipantRow, raw: object
    ) -> dict[str, Any]:
        step = self.step(live)
        if not isinstance(raw, Mapping):
            raise MeetingsError("malformed")
        known = {t.id for t in step.vocabulary()}
        organisation = raw.get("organisation", "")
        if not isinstance(organisation, str) or len(organisation) > 120:
            raise MeetingsError("too_long")
        side = raw.get("side", "need")
        slots = raw.get("slots", [])
        profile = {
            "organisation": " ".join(organisation.split()),
            "side": "offer" if side == "offer" else "need",
            "offers": _tags(raw.get("offers"), known),
            "needs": _tags(raw.get("needs"), known),
            "slots": sorted({s for s in slots if isinstance(s, int) and 1 <= s <= step.slots})
            if isinstance(slots, list)
            else [],
        }
        await self.storage.set_profile(person.id, profile)
        return profile

    @one_at_a_time
    async def wish(
        self,
        live: LiveEvent,
        person: ParticipantRow,
        target: object,
        level: object,
        helps: object = None,
    ) -> dict[str, Any]:
        """`target` is a participant id or "project:<id>" (its holder); level must, want, no
        or None to withdraw. `helps`: tags of the project's needs the person can help with."""
        self.step(live)
        if level is not None and level not in mm.WISH_LEVELS:
            raise MeetingsError("malformed")
        other = self._target(live, target)
        if other is None or other.id == person.id:
            raise MeetingsError("no_person")
        await self.storage.put_wish(live.id, person.id, other.id, level, now_ms())
        if helps is not None and other.project_id:
            needs = set(live.plan.project(other.project_id).needs)
            offered = set(_tags(helps, needs))
            # the profile as stored now: the caller's row may predate a profile just set
            current = self.storage.participant_by_token(live.id, person.token) or person
            data = dict(current.profile)
            data["offers"] = sorted(set(data.get("offers", [])) | offered)
            await self.storage.set_profile(person.id, data)
        await self.announcer.announce(TallyChanged(live.code))  # the console counts wishes
        return {"target": other.id, "level": level}

    def _target(self, live: LiveEvent, target: object) -> ParticipantRow | None:
        people = self.storage.invited(live.id)
        if isinstance(target, str) and target.startswith("project:"):
            project = target.removeprefix("project:")
            return next((p for p in people if p.role == "holder" and p.project_id == project), None)
        if isinstance(target, int) and not isinstance(target, bool):
            return next((p for p in people if p.id == target), None)
        return None

    def invited(self, live: LiveEvent) -> list[ParticipantRow]:
        """Holders, partners and everyone else invited by name: whom a phone can wish to meet
        (read once per page by the caller, for the two methods below)."""
        return self.storage.invited(live.id)

    def own_wishes(
        self, live: LiveEvent, person: ParticipantRow, invited: list[ParticipantRow] | None = None
    ) -> dict[str, str]:
        """A phone's wishes by target ("project:<id>" for holders, else the person's id);
        `invited` is read only if it has some and the caller gave none (a socket joining)."""
        wishes = self.storage.wishes_from(live.id, person.id)
        if not wishes:
            return {}
        # holders are always invited: reading only the invited keeps a page load from
        # scanning the whole audience
        invited = self.invited(live) if invited is None else invited
        holders = {p.id: p.project_id for p in invited if p.role == "holder" and p.project_id}
        return {(f"project:{holders[t]}" if t in holders else str(t)): level for t, level in wishes}

    def people_to_meet(
        self,
        live: LiveEvent,
        person: ParticipantRow,
        mine: dict[str, str],
        invited: list[ParticipantRow],
    ) -> list[dict[str, Any]]:
        """Projects already presented and partners, with this person's wish about each
        (`mine`: their `own_wishes`)."""
        from facilitation.core.engine import visible_projects

        shown = set(visible_projects(live.plan, live.state))
        out = []
        for other in sorted(invited, key=lambda p: p.id):
            if other.id == person.id:
                continue
            if other.role == "holder" and other.project_id in shown:
                target = f"project:{other.project_id}"
                out.append(
                    {
                        "target": target,
                        "name": live.plan.project(other.project_id).title,
                        "organisation": other.name,
                        "level": mine.get(target),
                    }
                )
            elif other.role == "partner":
                out.append(
                    {
                        "target": str(other.id),
                        "name": other.name,
                        "organisation": other.profile.get("organisation", ""),
                        "level": mine.get(str(other.id)),
                    }
                )
        return out

    def wishes_towards(self, live: LiveEvent, project_id: str) -> int:
        """How many people said they want to meet this project's holders (must or want)."""
        holders = {
            p.id
            for p in self.storage.invited(live.id)
            if p.role == "holder" and p.project_id == project_id
        }
        return sum(
            1 for _, t, level in self.storage.wishes(live.id) if t in holders and level != "no"
        )

    def wishers_of(self, live: LiveEvent, person: ParticipantRow) -> tuple[list[str], int]:
        """Who wants to meet this person: the names they gave, and how many gave none."""
        names = {p.id: p.name for p in self.storage.participants(live.id)}
        sources = [
            s
            for s, t, level in self.storage.wishes(live.id)
            if t == person.id and level in ("must", "want")
        ]
        named = sorted(names[s] for s in sources if names.get(s))
        return named, len(sources) - len(named)

    # --- the organiser's draft --------------------------------------------------------------

    def config(
        self, live: LiveEvent, overrides: Mapping[str, int | None] | None = None
    ) -> mm.MatchConfig:
        step = self.step(live)
        values: dict[str, Any] = {
            "slots": step.slots,
            "tables": step.tables,
            "min_meetings": step.min_meetings,
            "max_meetings": step.max_meetings,
            "seed": live.row.seed,
        }
        values.update({k: v for k, v in (overrides or {}).items() if k in values})
        return mm.MatchConfig(**values)

    def draft(self, live: LiveEvent) -> mm.Draft | None:
        """The saved draft, parsed once per save: phones read it on every page load, and a
        draft of 10,000 meetings takes 0.2 s to parse. The version is read before the draft:
        a save in between costs a parse more, never a stale draft."""
        version = self.storage.draft_version(live.id)
        kept = self._drafts.get(live.id)
        if kept is not None and kept[0] == version:
            return kept[1]
        data = self.storage.load_draft(live.id)
        draft = mm.draft_from_json(data) if data else None
        self._drafts[live.id] = (version, draft)
        return draft

    async def _save(self, live: LiveEvent, draft: mm.Draft, action: str) -> mm.Draft:
        await self.storage.save_draft(live.id, mm.draft_to_json(draft), now_ms(), action)
        return draft

    @one_at_a_time
    async def run(
        self,
        live: LiveEvent,
        overrides: Mapping[str, int | None] | None = None,
        present_only: bool = False,
    ) -> mm.Draft:
        """A new draft; `present_only` leaves out whoever has no phone connected now."""
        profiles = await self._matched(live, present_only)
        draft = mm.run_draft(
            profiles,
            self.wishes(live, profiles),
            self.config(live, overrides),
            time_limit=SOLVER_SECONDS,
        )
        previous = self.draft(live)
        if previous is not None:  # a new draft keeps what phones were shown until published
            draft = mm.Draft(
                draft.config,
                draft.profiles,
                draft.wishes,
                draft.meetings,
                draft.unplaced,
                previous.removed,
                previous.published,
                previous.revision + 1,
                previous.published_revision,
            )
        return await self._save(live, draft, "run")

    @one_at_a_time
    async def refill(self, live: LiveEvent, present_only: bool = False) -> mm.Draft:
        draft = self._existing(live)
        profiles = await self._matched(live, present_only)
        return await self._save(
            live,
            mm.refill_draft(
                draft, profiles, self.wishes(live, profiles), time_limit=SOLVER_SECONDS
            ),
            "refill",
        )

    async def _matched(self, live: LiveEvent, present_only: bool) -> list[mm.Profile]:
        present = set(await self.presence.people(live.code)) if present_only else None
        return self.profiles(live, present)

    @one_at_a_time
    async def edit(
        self,
        live: LiveEvent,
        action: str,
        first: mm.Pair | None,
        second: mm.Pair | None = None,
        slot: int | None = None,
    ) -> mm.Draft:
        draft = self._existing(live)
        if action == "publish":
            draft = await self._save(live, mm.publish_draft(draft), "publish")
            await self.announcer.announce(MeetingsChanged(live.code))
            return draft
        if first is None:
            raise MeetingsError("nothing_selected")
        match action:
            case "lock":
                draft = mm.lock_meeting(draft, first)
            case "unlock":
                draft = mm.unlock_meeting(draft, first)
            case "remove":
                draft = mm.remove_meeting(draft, first)
            case "move" if slot is not None:
                draft = mm.move_meeting(draft, first, slot)
            case "swap" if second is not None:
                draft = mm.swap_meetings(draft, first, second)
            case _:
                raise MeetingsError("malformed")
        return await self._save(live, draft, action)

    def _existing(self, live: LiveEvent) -> mm.Draft:
        draft = self.draft(live)
        if draft is None:
            raise MeetingsError("no_draft", "make a draft first")
        return draft

    # --- schedules --------------------------------------------------------------------------

    def start(self, live: LiveEvent) -> datetime | None:
        return meeting_start(live)

    def slot_length(self, live: LiveEvent) -> timedelta:
        return timedelta(minutes=self.step(live).slot_minutes)

    def labels(self, live: LiveEvent, lang: str) -> dict[str, str]:
        return {
            t.id: localise(t.label, lang, live.format.lang) for t in self.step(live).vocabulary()
        }

    def statistics(self, draft: mm.Draft) -> mm.Statistics:
        return mm.draft_statistics(draft)


def pair_of(text: object) -> mm.Pair | None:
    """ "12-34" (two participant ids) as a meeting's pair."""
    if not isinstance(text, str) or text.count("-") != 1:
        return None
    a, b = text.split("-")
    return (a, b) if whole_number(a) is not None and whole_number(b) is not None else None


def meeting_start(live: LiveEvent) -> datetime | None:
    """The first slot's time on the event's day (from the match step's `start`), the time
    agendas, downloads and the projector's slot clock all count from."""
    step = live.format.match_step()
    if step is None or not step.start:
        return None
    hours, minutes = (int(x) for x in step.start.split(":"))
    day = datetime.fromtimestamp(live.row.created_at / 1000)
    return day.replace(hour=hours % 24, minute=minutes, second=0, microsecond=0)
