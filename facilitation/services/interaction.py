"""What the audience sends besides ballots: questions (asked, upvoted, moderated), reactions
and the words of a word cloud.

Questions belong to the step where they were asked and, during a pitch, to the project
pitching: its holder reads them afterwards. The store keeps one upvote per person per
question; `core.questions` says what the rows add up to once duplicates are merged.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from facilitation.core import questions as core
from facilitation.core.admission import Allowance, Bucket, admit
from facilitation.core.formats import QA, InputStep
from facilitation.core.inputs import InputError, clean_name
from facilitation.core.wordclouds import term_of
from facilitation.services.announcements import (
    Announcer,
    ItemsModerated,
    QuestionsChanged,
    ReactionsSent,
)
from facilitation.services.events import RefusedError, now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.storage import ParticipantRow, QuestionRow, QuestionSettings, Store

# A phone may send a few reactions in a burst, then about three a second: applause is a
# moment, not a stream, and a script in the room cannot flood the projector.
REACTIONS = Allowance(per_minute=180, burst=10)
# Reactions are counted, not kept one by one: totals are written at most this often.
REACTION_FLUSH_S = 0.5


@dataclass(frozen=True)
class Board:
    """A step's questions as a facilitator or a phone sees them."""

    step_id: str
    spec: QA
    moderation: core.Moderation
    listed: list[core.Question]
    queue: list[core.Question]  # awaiting approval (pre-moderation)
    counts: dict[int, int]
    focus: core.Question | None
    upvoted: frozenset[int] = field(default_factory=frozenset)  # by the phone asking
    mine: frozenset[int] = field(default_factory=frozenset)  # asked by the phone asking


def _question(row: QuestionRow) -> core.Question:
    return core.Question(
        row.id,
        row.text,
        row.created_at / 1000,
        row.state,  # type: ignore[arg-type]
        row.answered,
        row.name,
        row.project_id,
        row.merged_into,
    )


class Interaction:
    def __init__(
        self,
        storage: Store,
        announcer: Announcer,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.storage = storage
        self.announcer = announcer
        self.clock = clock or (lambda: now_ms() / 1000)
        self._buckets: dict[tuple[str, int], Bucket] = {}
        self._pending: dict[tuple[str, int, str], Counter[str]] = {}
        self._flushing: asyncio.Task[None] | None = None

    # --- where questions are open --------------------------------------------------------

    def spec(self, live: LiveEvent, step_id: str | None = None) -> QA | None:
        """The questions of a step (the current one by default), if it takes any."""
        return live.format.qa_steps().get(step_id or live.stage.step_id)

    def moderation(self, live: LiveEvent, spec: QA) -> core.Moderation:
        chosen = self.storage.question_settings(live.id).moderation
        return "pre" if (chosen or spec.moderation) == "pre" else "post"

    # --- phones --------------------------------------------------------------------------

    async def ask(
        self, live: LiveEvent, participant: ParticipantRow, text: object, name: object = None
    ) -> QuestionRow:
        spec = self.spec(live)
        if spec is None:
            raise RefusedError("no_questions", "questions are not open now")
        try:
            cleaned = core.clean_question(text, spec.max_length)
        except InputError as error:
            raise RefusedError(error.code, str(error)) from None
        shown_name = clean_name(name) if spec.names and name not in (None, "") else None
        stage = live.stage
        row = await self.storage.add_question(
            live.id,
            stage.step_id,
            stage.project,
            participant.id,
            cleaned,
            shown_name or None,
            core.first_state(self.moderation(live, spec)),
            now_ms(),
            spec.per_person,
        )
        if row is None:
            raise RefusedError("question_limit", "you asked as many questions as this step takes")
        await self.announcer.announce(QuestionsChanged(live.code, stage.step_id))
        return row

    async def upvote(
        self, live: LiveEvent, participant: ParticipantRow, question_id: object, up: object = True
    ) -> bool:
        """Upvote a listed question, or take the upvote back (`up` False); whether the
        person's upvote now stands."""
        if type(question_id) is not int or not isinstance(up, bool):
            raise RefusedError("malformed", "an upvote names a question by number")
        rows = {q.id: q for q in self.storage.questions(live.id)}
        row = rows.get(question_id)
        if row is None:
            raise RefusedError("unknown_question", "there is no such question")
        roots = core.roots([_question(q) for q in rows.values()])
        root = roots[question_id]
        if up:
            if not await self.storage.upvote(live.id, root, participant.id, now_ms()):
                if rows[root].state != "shown":
                    raise RefusedError("question_closed", "this question takes no upvotes")
                return True  # already upvoted: a second tap changes nothing
        else:
            # the upvote may sit on a question since merged into this one
            group = [q for q, r in roots.items() if r == root]
            await self.storage.take_back_upvote(live.id, group, participant.id)
        await self.announcer.announce(QuestionsChanged(live.code, row.step_id))
        return up

    # --- the facilitator -----------------------------------------------------------------

    async def moderate(self, live: LiveEvent, action: object, question_ids: Sequence[int]) -> None:
        """approve, hide, show, answered, unanswered; focus (one question on the projector)
        and unfocus; merge (the first selected keeps the others)."""
        ids = list(question_ids)
        known = {q.id: q for q in self.storage.questions(live.id)}
        if action == "unfocus":
            await self._set_focus(live, None)
            return
        if not ids or any(i not in known for i in ids):
            raise RefusedError("nothing_selected", "no question selected")
        now = now_ms()
        changes: dict[object, tuple[str | None, bool | None]] = {
            "approve": ("shown", None),
            "show": ("shown", None),
            "hide": ("hidden", None),
            "answered": (None, True),
            "unanswered": (None, False),
        }
        if action in changes:
            state, answered = changes[action]
            await self.storage.moderate_questions(live.id, ids, state, answered, now)
        elif action == "merge":
            try:
                others = core.check_merge([_question(q) for q in known.values()], ids[0], ids[1:])
            except core.MergeError as error:
                raise RefusedError(error.code, str(error)) from None
            await self.storage.merge_questions(live.id, ids[0], others, now)
        elif action == "focus" and len(ids) == 1:
            await self._set_focus(live, ids[0])
            return
        else:
            raise RefusedError("unknown_action", "no such action on questions")
        await self.announcer.announce(QuestionsChanged(live.code, known[ids[0]].step_id))

    async def _set_focus(self, live: LiveEvent, question_id: int | None) -> None:
        settings = self.storage.question_settings(live.id)
        await self.storage.set_question_settings(
            live.id, QuestionSettings(question_id, settings.moderation)
        )
        await self.announcer.announce(QuestionsChanged(live.code, live.stage.step_id))

    async def set_moderation(self, live: LiveEvent, moderation: object) -> None:
        if moderation not in ("post", "pre"):
            raise RefusedError("malformed", "moderation is post or pre")
        settings = self.storage.question_settings(live.id)
        await self.storage.set_question_settings(
            live.id, QuestionSettings(settings.focus, str(moderation))
        )
        await self.announcer.announce(QuestionsChanged(live.code, live.stage.step_id))

    # --- reading -------------------------------------------------------------------------

    def board(
        self,
        live: LiveEvent,
        step_id: str | None = None,
        *,
        for_audience: bool,
        participant: ParticipantRow | None = None,
        order: core.Order | None = None,
        project_id: str | None = None,
    ) -> Board | None:
        """A step's questions (the current step's by default; during a pitch, only those to
        the project pitching), or None if the step takes none. The audience sees shown
        questions; the facilitator also the hidden ones and the queue. With `participant`,
        which of them that person upvoted and asked."""
        sid = step_id or live.stage.step_id
        spec = self.spec(live, sid)
        if spec is None:
            return None
        project = project_id if step_id is not None else live.stage.project
        rows = self.storage.questions(live.id, sid, project)
        questions = [_question(r) for r in rows]
        ids = {q.id for q in questions}
        upvotes = [(q, p) for q, p in self.storage.question_upvotes(live.id) if q in ids]
        counts = core.upvote_counts(questions, upvotes)
        settings = self.storage.question_settings(live.id)
        by_id = {q.id: q for q in questions}
        focus = by_id.get(settings.focus) if settings.focus is not None else None
        upvoted: frozenset[int] = frozenset()
        mine: frozenset[int] = frozenset()
        if participant is not None:
            root = core.roots(questions)
            upvoted = frozenset(root[q] for q, p in upvotes if p == participant.id)
            mine = frozenset(r.id for r in rows if r.participant_id == participant.id)
        return Board(
            sid,
            spec,
            self.moderation(live, spec),
            core.listed(questions, counts, order or spec.order, for_audience=for_audience),
            [] if for_audience else core.queue(questions),
            counts,
            focus if focus is not None and focus.state == "shown" else None,
            upvoted,
            mine,
        )

    def of_project(self, live: LiveEvent, project_id: str) -> list[tuple[core.Question, int]]:
        """Every question asked to a project (hidden ones left out), with its upvotes."""
        rows = self.storage.questions(live.id, project_id=project_id)
        questions = [_question(r) for r in rows]
        ids = {q.id for q in questions}
        upvotes = [(q, p) for q, p in self.storage.question_upvotes(live.id) if q in ids]
        counts = core.upvote_counts(questions, upvotes)
        kept = core.listed(questions, counts, "votes")
        return [(q, counts.get(q.id, 0)) for q in kept]

    def every_question(self, live: LiveEvent) -> list[dict[str, object]]:
        """Every question of the event that was not merged away, for the report and its
        downloads: where and to whom it was asked, upvotes (merged duplicates included),
        answered, hidden, still waiting for approval."""
        rows = self.storage.questions(live.id)
        questions = [_question(r) for r in rows]
        counts = core.upvote_counts(questions, self.storage.question_upvotes(live.id))
        return [
            {
                "step": r.step_id,
                "project": r.project_id or "",
                "project_title": live.plan.project(r.project_id).title if r.project_id else "",
                "question": r.text,
                "name": r.name or "",
                "upvotes": counts.get(r.id, 0),
                "merged": sum(1 for q in rows if q.merged_into == r.id),
                "answered": r.answered,
                "state": r.state,
                "asked_at": r.created_at,
            }
            for r in sorted(rows, key=lambda r: (-counts.get(r.id, 0), r.id))
            if r.merged_into is None
        ]

    # --- reactions -----------------------------------------------------------------------

    def reaction_kinds(self, live: LiveEvent) -> list[str]:
        step = live.plan.step(live.stage)
        return list(getattr(step, "reactions", None) or [])

    async def react(self, live: LiveEvent, participant: ParticipantRow, kind: object) -> None:
        if not isinstance(kind, str) or kind not in self.reaction_kinds(live):
            raise RefusedError("no_reaction", "this reaction is not open now")
        key = (live.code, participant.id)
        allowed, bucket = admit(self._buckets.get(key), REACTIONS, self.clock())
        self._buckets[key] = bucket
        if not allowed:
            raise RefusedError("too_fast", "a little slower")
        step_id = live.stage.step_id
        self._pending.setdefault((live.code, live.id, step_id), Counter())[kind] += 1
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush_later())
        await self.announcer.announce(ReactionsSent(live.code, step_id, kind))

    async def _flush_later(self) -> None:
        await asyncio.sleep(REACTION_FLUSH_S)
        await self.flush()

    async def flush(self) -> None:
        """Write the reactions counted so far (also called when the server stops)."""
        pending, self._pending = self._pending, {}
        for (_, event_id, step_id), counts in pending.items():
            await self.storage.add_reactions(event_id, step_id, dict(counts))

    def reactions(self, live: LiveEvent) -> dict[str, dict[str, int]]:
        """Totals per step, including those not written yet."""
        totals = self.storage.reactions(live.id)
        for (code, _, step_id), counts in self._pending.items():
            if code == live.code:
                step = totals.setdefault(step_id, {})
                for kind, n in counts.items():
                    step[kind] = step.get(kind, 0) + n
        return totals

    # --- word clouds ---------------------------------------------------------------------

    def cloud_answers(self, live: LiveEvent, step_id: str) -> list[str]:
        step = live.format.input_steps().get(step_id)
        if step is None or not step.cloud:
            return []
        first = step.fields[0].id
        return [
            str(item.fields[first])
            for item in self.storage.items(live.id, step_id)
            if not item.hidden and item.merged_into is None and first in item.fields
        ]

    def hidden_words(self, live: LiveEvent, step_id: str) -> set[str]:
        return self.storage.cloud_hidden(live.id, step_id)

    async def hide_word(self, live: LiveEvent, step_id: object, term: object, hidden: bool) -> None:
        steps = live.format.input_steps()
        if not isinstance(step_id, str) or not isinstance(steps.get(step_id), InputStep):
            raise RefusedError("no_input", "there is no such input step")
        found = term_of(term) if isinstance(term, str) else None
        if found is None:
            raise RefusedError("malformed", "name the word to hide")
        await self.storage.set_cloud_hidden(live.id, step_id, found.key, hidden)
        # the cloud is a view of the step's items: hiding a word is moderating them
        await self.announcer.announce(ItemsModerated(live.code))
