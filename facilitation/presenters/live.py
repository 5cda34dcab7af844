"""What each audience sees of a running event, as template contexts and rendered fragments.

The same views feed the plain HTTP pages (console, projector, phone) and what realtime
pushes, so a page loaded and a page pushed never differ.
"""

from __future__ import annotations

from typing import Any

from facilitation.core.ballot_forms import fields_from_ballot
from facilitation.core.engine import reveal_progress
from facilitation.core.formats import RevealStep
from facilitation.messages import refusal_message
from facilitation.presenters.interaction import InteractionViews
from facilitation.presenters.pages import Pages
from facilitation.presenters.schedules import anonymous_label, schedule_view
from facilitation.presenters.views import (
    Audience,
    Counts,
    agenda,
    input_view,
    reveal_view,
    stage_view,
)
from facilitation.security import csrf_token, facilitator_subject
from facilitation.services.events import Events, now_ms
from facilitation.services.health import StorageHealth
from facilitation.services.live_event import LiveEvent
from facilitation.services.meetings import Meetings
from facilitation.services.presence import Presence
from facilitation.services.review import BallotReview
from facilitation.services.seating import SEATED_KINDS, Seating
from facilitation.storage import ItemRow, ParticipantRow

AUDIENCES: tuple[Audience, ...] = ("participant", "screen", "console")
FRAGMENTS: dict[Audience, str] = {
    "participant": "_participant_step.html",
    "screen": "_screen_step.html",
    "console": "_console_state.html",
}
Seat = tuple[int, frozenset[int]]


def table_of(tables: dict[int, Seat], person: int) -> Seat:
    """A person's table and tablemates; someone seated nowhere sits alone (table 0)."""
    return tables.get(person, (0, frozenset({person})))


# what a phone's page is given for the counts it does not show
NO_COUNTS = Counts(connected=0, ballots=0)


class LiveViews:
    def __init__(
        self,
        events: Events,
        seating: Seating,
        meetings: Meetings,
        presence: Presence,
        pages: Pages,
        csrf_key: str,
        health: StorageHealth,
        review: BallotReview | None = None,
        interaction: InteractionViews | None = None,
    ) -> None:
        self.events = events
        self.seating = seating
        self.meetings = meetings
        self.presence = presence
        self.pages = pages
        self.csrf_key = csrf_key
        self.health = health
        self.review = review
        self.interaction = interaction

    async def counts(self, live: LiveEvent) -> Counts:
        vote_id = live.plan.vote_of(live.stage)
        ballots = self.events.count_ballots(live, vote_id) if vote_id else 0
        return Counts(
            connected=len(await self.presence.people(live.code)),
            ballots=ballots,
            head_count=self.review.head_count(live) if self.review else None,
        )

    async def context(self, live: LiveEvent, audience: Audience, lang: str) -> dict[str, Any]:
        """What the templates of `audience` need; the tally only where it may be shown."""
        # Phones show no counts: reading who is connected (every person, from Redis with
        # several processes) and counting ballots for each phone's page would cost reads
        # that grow with the room at every join.
        counts = NO_COUNTS if audience == "participant" else await self.counts(live)
        result = self.events.stage_result(live, audience)
        items = None
        if live.stage.step_id in live.format.input_steps():
            items = self.events.items(live, live.stage.step_id)
        view = stage_view(live, lang, audience, counts, result, now_ms(), items)
        context: dict[str, Any] = {
            "view": view,
            "live": live,
            "counts": counts,
            "audience": audience,
        }
        if self.interaction is not None:
            self.interaction.extend(view, live, audience, lang)
        if audience in ("screen", "console"):
            view["tables"] = self.seating.tables(live, lang)
        if audience == "console":
            view["cards_problem"] = self.seating.cards_problem(live)
            # a troika's extra round, for groups of four, when every group is smaller
            tables = view.get("tables") or []
            view["all_on_break"] = bool(tables) and all(
                t["roles"] and set(t["roles"].values()) == {"break"} for t in tables
            )
            view["pitch_counts"] = self.pitch_counts(live)
        reveal = live.plan.step(live.stage)
        if isinstance(reveal, RevealStep) and reveal.scores:
            shown, _ = reveal_progress(live.plan, live.state, live.stage) or (0, 0)
            if audience == "console" or shown:
                totals = self.seating.totals(live, reveal.scores)
                view["reveal"] = reveal_view(live, reveal, lang, audience, totals, counts)
        source = self.groups_step(live)
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
            problem = self.health.problem()
            context["storage_problem"] = refusal_message(lang, problem) if problem else None
        return context

    async def render(self, live: LiveEvent, audience: Audience, lang: str) -> dict[str, Any]:
        """The pushed step of one audience in one language."""
        context = await self.context(live, audience, lang)
        view = context["view"]
        html = self.pages.fragment(FRAGMENTS[audience], lang, context)
        payload = {
            "revision": live.state.revision,
            "html": html,
            "announce": view["announce"],
            "timer": live.state.timer.to_json(now_ms()),
            "seated": live.stage.kind in SEATED_KINDS,
            "vote": view["vote"] and {"id": view["vote"]["id"], "status": view["vote"]["status"]},
        }
        if audience == "participant":  # the phone's tab follows the step
            payload["title"] = f"{view['page_title']} · {live.code}"
        return payload

    def own_inputs(
        self,
        live: LiveEvent,
        participant: ParticipantRow,
        invited: list[ParticipantRow] | None = None,
    ) -> dict[str, Any]:
        """Everything a phone shows again after a reload: ballots, items, feedback, name
        (`invited`: `meetings.invited(live)` when the caller has read it already)."""
        items: dict[str, list[dict[str, Any]]] = {}
        for item in self.events.items(live, author=participant.id):
            if item.merged_into is None:
                items.setdefault(item.step_id, []).append({"id": item.id, "fields": item.fields})
        wishes = {}
        if live.format.match_step():
            wishes = self.meetings.own_wishes(live, participant, invited)
        return {
            "name": participant.name,
            "wishes": wishes,
            "fields": self.own_fields(live, participant),
            "items": items,
            "feedback": self.events.feedback_of(live, participant),
            "questions": self.interaction.own(live, participant) if self.interaction else None,
        }

    def pitch_counts(self, live: LiveEvent) -> dict[str, int | None] | None:
        """During a pitch, for the facilitator: feedback given on the project so far, and how
        many want to meet it (None where the format asks no feedback or has no meetings)."""
        project = live.stage.project
        if project is None:
            return None
        return {
            "feedback": len(self.events.feedback(live, project))
            if live.feedback_spec(project)
            else None,
            "wishes": self.meetings.wishes_towards(live, project)
            if live.format.match_step()
            else None,
        }

    def own_fields(self, live: LiveEvent, participant: ParticipantRow) -> dict[str, Any]:
        """The participant's ballots as vote-form fields, to show them again on the phone."""
        ballots = self.events.ballots_of(live, participant)
        return {vote: fields_from_ballot(ballot) for vote, ballot in ballots.items()}

    async def participant_page(
        self, live: LiveEvent, participant: ParticipantRow, lang: str
    ) -> dict[str, Any]:
        """The phone's whole page: the step, and what this person sent, sits at and meets."""
        context = await self.context(live, "participant", lang)
        matching = live.format.match_step() is not None
        invited = self.meetings.invited(live) if matching else []
        draft = self.meetings.draft(live) if matching else None
        mine = self.own_inputs(live, participant, invited)
        context.update(
            participant=participant,
            mine_fields=mine["fields"],
            mine=mine,
            seat=self.seating.seats(live, lang).get(participant.id),
            my_schedule=schedule_view(self.meetings, live, participant, lang, draft),
            me_as=anonymous_label(draft, participant),
            people_to_meet=self.meetings.people_to_meet(live, participant, mine["wishes"], invited)
            if matching
            else [],
        )
        shared = self.group_input(live, participant, lang)
        if shared is not None:
            context["view"]["input"] = shared
        return context

    def groups_step(self, live: LiveEvent) -> str | None:
        """The groups step whose tables share the current input step's items, if any."""
        step = live.format.input_steps().get(live.stage.step_id)
        if step is None or step.visibility != "group":
            return None
        return live.format.group_source(step)

    def group_input(
        self, live: LiveEvent, participant: ParticipantRow, lang: str
    ) -> dict[str, Any] | None:
        """The current input step as this person's group sees it, if the step shares by group
        (a person seated nowhere sees what they sent themselves)."""
        source = self.groups_step(live)
        if source is None:
            return None
        tables = self.seating.tables_of(live, source)
        items = self.events.items(live, live.stage.step_id)
        return self.group_view(live, lang, items, table_of(tables, participant.id))

    @staticmethod
    def group_view(live: LiveEvent, lang: str, items: list[ItemRow], seat: Seat) -> dict[str, Any]:
        table, members = seat
        view = input_view(live, live.stage.step_id, lang, "participant", items, group=members)
        view["table"] = table
        return view

    def items_payload(self, live: LiveEvent, view: dict[str, Any], lang: str) -> dict[str, Any]:
        html = self.pages.fragment("_items_list.html", lang, {"view": {"input": view}})
        return {"step": live.stage.step_id, "html": html}

    async def items_list(self, live: LiveEvent, lang: str) -> dict[str, Any]:
        """An input step's list as everyone sees it (the step itself is not re-sent, so
        nobody loses what they are typing)."""
        context = await self.context(live, "participant", lang)
        html = self.pages.fragment("_items_list.html", lang, context)
        return {"step": live.stage.step_id, "html": html}
