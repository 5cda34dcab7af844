"""Running events: the engine's state for each event, kept in step with storage.

The database is the source of truth; a `LiveEvent` is a cache of one event's plan and state,
rebuilt from storage at start-up. Every change goes through `Events`, which applies the pure
engine, commits, and only then updates the cache, so a change a client is told about is saved.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

from facilitation.core import voting
from facilitation.core.ballot_forms import FormError, ballot_from_fields
from facilitation.core.engine import (
    Action,
    EventState,
    apply_action,
    build_plan,
    initial_state,
    may_vote,
    results_visible,
    reveal_progress,
    visible_projects,
)
from facilitation.core.formats import (
    FormatError,
    Problem,
    Resolver,
    RevealStep,
    VoteStep,
    parse_format,
)
from facilitation.core.inputs import InputError, clean_submission, item_label
from facilitation.core.rosters import Project, Roster
from facilitation.core.wordclouds import term_of
from facilitation.security import new_event_code, new_participant_token, new_secret
from facilitation.services.announcements import (
    Announcer,
    Change,
    ItemAdded,
    ItemsModerated,
    StateChanged,
    TallyChanged,
)
from facilitation.services.live_event import LiveEvent
from facilitation.services.serial import EventLocks, one_at_a_time
from facilitation.storage import BallotRow, EventRow, FeedbackRow, ItemRow, ParticipantRow, Store


def now_ms() -> int:
    return int(time.time() * 1000)


class RefusedError(Exception):
    """A ballot, item or feedback that was not recorded; `code` selects the translated message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Events:
    """All events of one database, loaded on first use."""

    def __init__(self, storage: Store, announcer: Announcer | None = None) -> None:
        self.storage = storage
        self.announcer = announcer or Announcer()
        self._cache: dict[str, LiveEvent] = {}
        self.locks = EventLocks()
        self.announcer.subscribe_elsewhere(self.on_change_elsewhere)

    async def on_change_elsewhere(self, change: Change) -> None:
        """Another server process moved an event on or changed its items: what is kept here
        is read again (an event not yet loaded here is read when first asked for)."""
        live = self._cache.get(change.code)
        if live is None:
            return
        if isinstance(change, StateChanged):
            live.state = self.storage.load_state(live.id)
        elif isinstance(change, ItemAdded | ItemsModerated):
            self.refresh_items(live)

    def catch_up(self, live: LiveEvent) -> None:
        """With other processes, the stored state may be newer than the one heard of (their
        push and their relayed change travel apart): read it. Alone, the kept one is it."""
        if self.announcer.relay is not None:
            live.state = self.storage.load_state(live.id)

    def reload(self) -> list[LiveEvent]:
        """Every kept event read again (after a link to the other processes was lost, the
        changes made meanwhile were not heard); the events read."""
        for live in self._cache.values():
            live.state = self.storage.load_state(live.id)
            self.refresh_items(live)
        return list(self._cache.values())

    def get(self, code: str) -> LiveEvent | None:
        code = code.upper()
        if code in self._cache:
            return self._cache[code]
        row = self.storage.event_by_code(code)
        if row is None:
            return None
        live = self._load(row)
        self._cache[code] = live
        return live

    def list_rows(self) -> list[EventRow]:
        """Every event of the database, for the organiser's home."""
        return self.storage.list_events()

    def _load(self, row: EventRow) -> LiveEvent:
        fmt = parse_format(
            row.format_source, row.format_name, row.params, _stored_resolver(row.nested)
        )
        projects = tuple(Project.model_validate(p) for p in row.roster)
        plan = build_plan(fmt, projects, row.seed)
        live = LiveEvent(row, plan, self.storage.load_state(row.id))
        self.refresh_items(live)
        return live

    def refresh_items(self, live: LiveEvent) -> None:
        """Votes on submitted items see the items that are neither hidden nor merged."""
        options: dict[str, tuple[tuple[str, str], ...]] = {}
        for step_id, step in live.format.input_steps().items():
            options[step_id] = tuple(
                (f"i{item.id}", item_label(step.fields, item.fields) or f"#{item.id}")
                for item in self.storage.items(live.id, step_id)
                if not item.hidden and item.merged_into is None
            )
        live.plan = replace(live.plan, item_options=options)

    async def submit_item(
        self, live: LiveEvent, participant: ParticipantRow, step_id: object, raw: object
    ) -> ItemRow:
        """Store what a participant submitted in the current input step."""
        steps = live.format.input_steps()
        if not isinstance(step_id, str) or step_id not in steps:
            raise RefusedError("no_input", "there is no such input step")
        step = steps[step_id]
        if live.stage.step_id != step_id:
            raise RefusedError("input_not_current", "this step is not on now")
        if participant.role not in step.who:
            raise RefusedError("not_allowed", "your role does not take part in this step")
        try:
            values = clean_submission(step.fields, raw)
        except InputError as error:
            raise RefusedError(error.code, str(error)) from None
        first = values.get(step.fields[0].id)
        if step.cloud and isinstance(first, str) and term_of(first) is None:
            raise RefusedError("too_many_words", "a word cloud takes one to three words")
        item = await self.storage.add_item(
            live.id, step_id, participant.id, values, now_ms(), step.per_person
        )
        if item is None:
            raise RefusedError("item_limit", "you reached the number of items for this step")
        self.refresh_items(live)
        await self.announcer.announce(ItemAdded(live.code, participant.id))
        return item

    async def moderate(self, live: LiveEvent, action: object, item_ids: list[int]) -> None:
        """Hide, show or merge items (the first selected keeps the others)."""
        now = now_ms()
        if not item_ids:
            raise RefusedError("nothing_selected", "no item selected")
        if action in ("hide", "show"):
            await self.storage.set_items_hidden(live.id, item_ids, action == "hide", now)
        elif action == "merge" and len(item_ids) > 1:
            await self.storage.merge_items(live.id, item_ids[0], item_ids[1:], now)
        else:
            raise RefusedError("nothing_selected", "merging needs two items or more")
        self.refresh_items(live)
        await self.announcer.announce(ItemsModerated(live.code))

    def items(
        self, live: LiveEvent, step_id: str | None = None, author: int | None = None
    ) -> list[ItemRow]:
        return self.storage.items(live.id, step_id, author)

    def feedback(self, live: LiveEvent, project_id: str | None = None) -> list[FeedbackRow]:
        return self.storage.feedback(live.id, project_id)

    def feedback_of(self, live: LiveEvent, participant: ParticipantRow) -> dict[str, Any]:
        return self.storage.feedback_of(live.id, participant.id)

    def ballots_of(self, live: LiveEvent, participant: ParticipantRow) -> dict[str, Any]:
        return self.storage.ballots_of(live.id, participant.id)

    def ballots(self, live: LiveEvent, vote_id: str) -> list[BallotRow]:
        return self.storage.ballots(live.id, vote_id)

    def count_ballots(self, live: LiveEvent, vote_id: str) -> int:
        return self.storage.count_ballots(live.id, vote_id)

    async def give_feedback(
        self, live: LiveEvent, participant: ParticipantRow, project_id: object, raw: object
    ) -> dict[str, str | int]:
        """Anonymous feedback on a project that has already presented."""
        if not isinstance(project_id, str) or project_id not in live.plan.lineup:
            raise RefusedError("no_project", "there is no such project")
        spec = live.feedback_spec(project_id)
        if spec is None:
            raise RefusedError("no_feedback", "this format asks no feedback on projects")
        if project_id not in visible_projects(live.plan, live.state):
            raise RefusedError("no_project", "this project has not presented yet")
        if participant.project_id == project_id:
            raise RefusedError("own_project", "no feedback on your own project")
        try:
            values = clean_submission(spec.fields, raw)
        except InputError as error:
            raise RefusedError(error.code, str(error)) from None
        await self.storage.put_feedback(live.id, project_id, participant.id, values, now_ms())
        await self.announcer.announce(TallyChanged(live.code))  # the console counts feedback
        return values

    async def create(
        self,
        *,
        format_source: str,
        format_name: str,
        roster: Roster,
        params: dict[str, Any],
        lang: str | None = None,
        seed: int | None = None,
        resolve: Resolver | None = None,
    ) -> LiveEvent:
        """A new event. Formats it nests (`use` steps) are found with `resolve` and kept with
        the event, so that it runs the same whatever happens to the files afterwards."""
        nested: dict[str, tuple[str, str]] = {}

        def recording(ref: str) -> tuple[str, str]:
            nested[ref] = (resolve or _no_nesting)(ref)
            return nested[ref]

        fmt = parse_format(format_source, format_name, params, recording)
        seed = seed if seed is not None else int.from_bytes(new_secret().encode()[:4], "big")
        plan = build_plan(fmt, roster, seed)
        now = now_ms()
        code = new_event_code()
        while self.storage.code_exists(code):
            code = new_event_code()
        row = await self.storage.create_event(
            code=code,
            secret=new_secret(),
            format_id=fmt.id,
            format_name=format_name,
            format_source=format_source,
            roster=[json.loads(p.model_dump_json()) for p in roster],
            params=params,
            lang=lang or fmt.lang,
            seed=seed,
            state=initial_state(plan, now),
            now=now,
            nested=nested,
        )
        if "holder" in fmt.roles:
            for project in roster:
                await self.storage.invite(
                    row.id,
                    token=new_participant_token(),
                    role="holder",
                    name=project.holder or project.title,
                    project_id=project.id,
                    now=now,
                )
        live = self._load(row)
        self._cache[row.code] = live
        return live

    @one_at_a_time
    async def act(self, live: LiveEvent, action: Action, actor: str = "facilitator") -> EventState:
        """Apply a facilitator action and commit it. Raises EngineError. Announcing the change
        is the caller's (services.console), which first seats people if the stage needs it."""
        now = now_ms()
        # another process may have moved the event on: the engine starts from what is stored
        live.state = self.storage.load_state(live.id)
        if action.name == "reveal" and action.vote is None:
            action = replace(action, places=self.reveal_places(live))
        new = apply_action(live.plan, live.state, action, now)
        detail = {k: v for k, v in vars(action).items() if v is not None and k != "name"}
        detail["stage"] = new.cursor
        await self.storage.save_state(
            live.id, new, now=now, actor=actor, action=action.name, detail=detail
        )
        live.state = new
        return new

    async def cast(
        self,
        live: LiveEvent,
        participant: ParticipantRow,
        vote_id: object,
        raw: object = None,
        *,
        fields: object = None,
    ) -> dict[str, object]:
        """Validate and commit a participant's ballot, given as ballot JSON (`raw`) or as the
        vote form's fields; RefusedError says why not."""
        if not isinstance(vote_id, str) or vote_id not in live.format.vote_steps():
            raise RefusedError("no_vote", "there is no such vote")
        if fields is not None:
            raw = self._ballot_from_fields(live, vote_id, fields)
        refusal = may_vote(live.plan, live.state, vote_id, participant.role)
        if refusal is not None:
            raise RefusedError(refusal.code, str(refusal))
        step = live.format.vote_steps()[vote_id]
        if step.voters == "ticketed" and not participant.ticketed:
            raise RefusedError("ticket_needed", "this vote counts only ballots from tickets")
        forbidden = live.hidden_options(vote_id)
        if participant.project_id and not step.own_project:
            forbidden |= {participant.project_id}
        ballot = self._validated(live, vote_id, raw, forbidden)
        if not await self.storage.put_ballot(live.id, vote_id, participant.id, ballot, now_ms()):
            raise RefusedError("vote_closed", "this vote is closed")
        await self.announcer.announce(TallyChanged(live.code))
        return ballot

    async def cast_paper(self, live: LiveEvent, vote_id: str, fields: object) -> dict[str, object]:
        """A ballot collected on paper and typed in by the facilitator: judged like a phone's,
        and accepted until the results are revealed (paper is often counted after closing)."""
        if vote_id not in live.format.vote_steps():
            raise RefusedError("no_vote", "there is no such vote")
        if live.state.vote(vote_id).revealed:
            raise RefusedError("vote_closed", "the results are out")
        raw = self._ballot_from_fields(live, vote_id, fields)
        ballot = self._validated(live, vote_id, raw, frozenset())
        await self.storage.put_paper_ballot(live.id, vote_id, ballot, now_ms())
        await self.announcer.announce(TallyChanged(live.code))
        return ballot

    async def delete_paper(self, live: LiveEvent, vote_id: str, ballot_id: int) -> None:
        if live.state.vote(vote_id).revealed:
            raise RefusedError("vote_closed", "the results are out")
        await self.storage.delete_paper_ballot(live.id, ballot_id, now_ms())
        await self.announcer.announce(TallyChanged(live.code))

    @staticmethod
    def _validated(
        live: LiveEvent, vote_id: str, raw: object, forbidden: frozenset[str]
    ) -> dict[str, object]:
        try:
            return voting.validate_ballot(live.vote_spec(vote_id), raw, forbidden=forbidden)
        except voting.BallotError as error:
            raise RefusedError(error.code, str(error)) from None

    @staticmethod
    def _ballot_from_fields(live: LiveEvent, vote_id: str, fields: object) -> object:
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in fields.items()
        ):
            raise RefusedError("malformed", "fields must map names to lists of strings")
        step = live.format.vote_steps()[vote_id]
        options = [option_id for option_id, _ in live.plan.vote_options(vote_id)]
        criteria = [c.id for c in step.criteria or []]
        try:
            return ballot_from_fields(step.method, options, fields, criteria)
        except FormError as error:
            raise RefusedError(error.code, str(error)) from None

    def stage_result(
        self, live: LiveEvent, audience: str
    ) -> voting.VoteResult | voting.CombinedResult | None:
        """The tally the current stage may show this audience: the console always sees its
        vote's tally; others see it once revealed (or live if the format says so)."""
        stage = live.stage
        step = live.plan.step(stage)
        if isinstance(step, VoteStep):
            if audience == "console" or results_visible(live.plan, live.state, stage.step_id):
                return self.results(live, stage.step_id)
            return None
        if isinstance(step, RevealStep) and step.scores is None:
            shown, _ = reveal_progress(live.plan, live.state, stage) or (0, 0)
            if audience != "console" and shown == 0:
                return None
            if step.vote:
                return self.results(live, step.vote)
            parts = [(p.vote, self.results(live, p.vote), p.weight) for p in step.combine or []]
            return voting.combine_results(parts, tie_break=step.tie_break, seed=live.row.seed)
        return None

    def reveal_places(self, live: LiveEvent) -> tuple[int, ...] | None:
        """On a reveal step of votes, the place of each option worth showing, best first:
        the options that got something (None when nothing did, or for a reveal of scores)."""
        step = live.plan.step(live.stage)
        if not isinstance(step, RevealStep) or step.scores is not None:
            return None
        result = self.stage_result(live, "console")
        if result is None:
            return None
        places = result.places()
        return tuple(places[o] for o in result.supported()) or None

    def results(self, live: LiveEvent, vote_id: str) -> voting.VoteResult:
        ballots = [b.ballot for b in self.storage.ballots(live.id, vote_id) if not b.set_aside]
        return voting.tally(live.vote_spec(vote_id), ballots, seed=live.row.seed)


def _no_nesting(ref: str) -> tuple[str, str]:
    raise FormatError([Problem(ref, 1, 1, "nested formats cannot be read here")])


def _stored_resolver(nested: dict[str, list[str]]) -> Resolver:
    def resolve(ref: str) -> tuple[str, str]:
        if ref not in nested:
            raise FormatError([Problem(ref, 1, 1, "this event did not keep that format")])
        text, name = nested[ref]
        return text, name

    return resolve
