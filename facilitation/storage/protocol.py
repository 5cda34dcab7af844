"""`Store`: what the rest of the application may ask of storage.

Services, handlers and exports depend on this protocol; only the place that opens the
database knows the SQLite class. Every method is one unit of work: it runs in one
transaction, and returns plain values (rows, lists, dicts), never a cursor or a lazy iterator.

Writes are coroutines: the store runs them away from the event loop and the await returns
once the transaction is committed, so an acknowledgement sent after it means "saved". Reads
are plain calls, made on the caller's thread, and see every write whose await has returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from facilitation.core.engine import EventState
from facilitation.storage.rows import (
    BallotRow,
    EventRow,
    FeedbackRow,
    ItemRow,
    LogEntry,
    OwnWish,
    ParticipantRow,
    QuestionRow,
    QuestionSettings,
    ScoreRow,
    SeatingPlan,
    WishRow,
)


class StorageError(Exception):
    """The database cannot be used (unreadable, too new) or refused a write."""


class StorageUnavailableError(StorageError):
    """A write (or a read) that could not be made now, for a reason the room should be told
    and that passes by itself: `code` is "disk_full", "database_busy" or, for a database
    server that cannot be reached, "database_unavailable". Nothing of it was kept."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Store(Protocol):
    def close(self) -> None:
        """Finish the writes already asked for, then release the database."""
        ...

    # --- keys of the database ------------------------------------------------------------

    def organiser_key(self) -> str:
        """The secret of the organiser home, made once per database."""
        ...

    def signing_key(self) -> str:
        """Signs CSRF tokens; kept in the database so forms stay valid across restarts."""
        ...

    def write_failure(self) -> str | None:
        """The code of the last write that failed for want of space or of the lock, until a
        write succeeds again (then None)."""
        ...

    def session_epoch(self, scope: str) -> int:
        """The epoch of a scope's sessions (an event's facilitator, the organiser): 0 at
        first; a session signed in an older epoch is no longer valid."""
        ...

    async def bump_session_epoch(self, scope: str) -> int:
        """Ends every session of `scope` ("sign out everywhere"); the new epoch."""
        ...

    # --- events, their state and log -----------------------------------------------------

    async def create_event(
        self,
        *,
        code: str,
        secret: str,
        format_id: str,
        format_name: str,
        format_source: str,
        roster: list[dict[str, Any]],
        params: dict[str, Any],
        lang: str,
        seed: int,
        state: EventState,
        now: int,
        nested: Mapping[str, tuple[str, str]] | None = None,
    ) -> EventRow:
        """A new event with its initial state and the log line of its creation."""
        ...

    def code_exists(self, code: str) -> bool: ...

    def event_by_code(self, code: str) -> EventRow | None:
        """The event of a code, whatever its case."""
        ...

    def latest_event(self, format_id: str, format_name: str) -> EventRow | None:
        """The last event made from this format file, to resume it."""
        ...

    def list_events(self) -> list[EventRow]:
        """All events, the newest first."""
        ...

    def load_state(self, event_id: int) -> EventState: ...

    async def save_state(
        self,
        event_id: int,
        state: EventState,
        *,
        now: int,
        actor: str,
        action: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Commit the new state and the log line of the action that made it."""
        ...

    def head_count(self, event_id: int) -> int | None:
        """How many people the facilitator counted in the room; None if not counted."""
        ...

    async def set_head_count(self, event_id: int, count: int | None, now: int) -> None:
        """Keep (or with None forget) the head count, and log it."""
        ...

    def seating_version(self, event_id: int) -> int:
        """A number that changes, in the transaction of the write, whenever what the event's
        seats show changes: seatings, scores, participants and their names."""
        ...

    def log_entries(self, event_id: int) -> list[LogEntry]:
        """The facilitator log of an event, in the order things happened."""
        ...

    # --- participants --------------------------------------------------------------------

    def participant_by_token(self, event_id: int, token: str) -> ParticipantRow | None: ...

    async def add_participant(
        self, event_id: int, token: str, now: int, origin: str | None = None
    ) -> ParticipantRow:
        """The participant of `token`, made if new (joining from the client address
        `origin`); StorageError if another event has it."""
        ...

    async def add_tickets(
        self, event_id: int, tokens: Sequence[str], now: int
    ) -> list[ParticipantRow]:
        """Voting tickets, one participant per token, and the log line that made them."""
        ...

    def tickets(self, event_id: int) -> list[ParticipantRow]:
        """Every ticket of the event, in the order they were made."""
        ...

    async def invite(
        self,
        event_id: int,
        *,
        token: str,
        role: str,
        name: str,
        now: int,
        project_id: str | None = None,
        profile: Mapping[str, Any] | None = None,
    ) -> ParticipantRow:
        """A person the organiser knows, reached by a personal link carrying `token`."""
        ...

    def invited(self, event_id: int) -> list[ParticipantRow]:
        """Holders, jury members, partners…, by role."""
        ...

    def participants(self, event_id: int) -> list[ParticipantRow]:
        """Everyone of the event, invited or not, in order of arrival."""
        ...

    async def set_participant_name(self, participant_id: int, name: str) -> None: ...

    def count_participants(self, event_id: int) -> int: ...

    async def set_profile(self, participant_id: int, profile: Mapping[str, Any]) -> None:
        """What a person offers, needs, their organisation…, for matchmaking."""
        ...

    # --- ballots -------------------------------------------------------------------------

    async def put_ballot(
        self, event_id: int, vote_id: str, participant_id: int, ballot: Mapping[str, Any], now: int
    ) -> bool:
        """Cast or replace a ballot; False (and nothing written) if the vote is not open."""
        ...

    async def put_paper_ballot(
        self, event_id: int, vote_id: str, ballot: Mapping[str, Any], now: int
    ) -> int:
        """A ballot collected on paper, typed in by the facilitator; its id."""
        ...

    async def delete_paper_ballot(self, event_id: int, ballot_id: int, now: int) -> bool:
        """Remove a paper ballot typed in by mistake; False if there is no such one."""
        ...

    def ballots(self, event_id: int, vote_id: str) -> list[BallotRow]:
        """The ballots of a vote, set aside or not, in the order they were first cast."""
        ...

    def count_ballots(self, event_id: int, vote_id: str) -> int:
        """The ballots of a vote that count (not set aside)."""
        ...

    async def set_ballots_aside(
        self,
        event_id: int,
        vote_id: str,
        participant_ids: Sequence[int],
        aside: bool,
        now: int,
        detail: Mapping[str, Any],
    ) -> int:
        """Set aside (or restore) the phone ballots of these participants in a vote, and log
        it as `set_aside` or `restore` with `detail`; how many changed."""
        ...

    def ballots_of(self, event_id: int, participant_id: int) -> dict[str, dict[str, Any]]:
        """A participant's own ballots by vote, to restore their choices after a reconnect."""
        ...

    # --- items (input steps) -------------------------------------------------------------

    async def add_item(
        self,
        event_id: int,
        step_id: str,
        participant_id: int | None,
        fields: Mapping[str, Any],
        now: int,
        limit: int | None,
    ) -> ItemRow | None:
        """Store an item unless its author already has `limit` items in this step."""
        ...

    def items(
        self, event_id: int, step_id: str | None = None, author: int | None = None
    ) -> list[ItemRow]:
        """Items in submission order, with the display name of their author."""
        ...

    async def set_items_hidden(
        self, event_id: int, item_ids: Sequence[int], hidden: bool, now: int
    ) -> int:
        """Hide (moderate away) or show items again; how many changed."""
        ...

    async def merge_items(self, event_id: int, target: int, others: Sequence[int], now: int) -> int:
        """Fold duplicates into `target`: they disappear from lists and votes but are kept."""
        ...

    # --- feedback on projects ------------------------------------------------------------

    async def put_feedback(
        self,
        event_id: int,
        project_id: str,
        participant_id: int,
        fields: Mapping[str, Any],
        now: int,
    ) -> None:
        """Give or replace a participant's feedback on a project."""
        ...

    def feedback(self, event_id: int, project_id: str | None = None) -> list[FeedbackRow]:
        """Feedback without authors (it is anonymous), in an order that says nothing of when."""
        ...

    def feedback_of(self, event_id: int, participant_id: int) -> dict[str, dict[str, Any]]:
        """A participant's own feedback by project, to show it again on their phone."""
        ...

    # --- seatings (groups, rounds, pass-around) and scores -------------------------------

    async def save_seatings(
        self,
        event_id: int,
        step_id: str,
        plans: Mapping[int, SeatingPlan],
        now: int,
        *,
        replace: bool = False,
    ) -> None:
        """Store who sits where for each round (all rounds of a rotation at once)."""
        ...

    def seating(self, event_id: int, step_id: str, round_: int) -> SeatingPlan:
        """The plan of one round of a step, None if nobody is seated there yet."""
        ...

    def seatings(self, event_id: int) -> dict[tuple[str, int], SeatingPlan]:
        """Every plan of the event by (step, round)."""
        ...

    async def put_score(
        self,
        event_id: int,
        step_id: str,
        round_: int,
        item_id: int,
        participant_id: int,
        score: int,
    ) -> None:
        """Give or replace the score a reader gave a card in one round of a pass-around."""
        ...

    def scores(self, event_id: int, step_id: str) -> list[ScoreRow]:
        """(round, item, participant, score) rows of a pass-around."""
        ...

    # --- matchmaking: wishes and the organiser's draft -----------------------------------

    async def put_wish(
        self, event_id: int, source: int, target: int, level: str | None, now: int
    ) -> None:
        """Set (or, with level None, withdraw) what `source` wishes about meeting `target`."""
        ...

    def wishes(self, event_id: int) -> list[WishRow]: ...

    def wishes_from(self, event_id: int, source: int) -> list[OwnWish]: ...

    async def save_draft(
        self, event_id: int, draft: Mapping[str, Any], now: int, action: str
    ) -> None:
        """Keep the organiser's draft and log the action that made it."""
        ...

    def draft_version(self, event_id: int) -> int:
        """A number that changes with each save of the draft (0: none saved): what a process
        compares with the draft it keeps parsed."""
        ...

    def load_draft(self, event_id: int) -> dict[str, Any] | None: ...

    # --- audience questions, reactions and word clouds -----------------------------------

    async def add_question(
        self,
        event_id: int,
        step_id: str,
        project_id: str | None,
        participant_id: int,
        text: str,
        name: str | None,
        state: str,
        now: int,
        limit: int | None,
    ) -> QuestionRow | None:
        """Store a question unless its asker already asked `limit` in this step."""
        ...

    def questions(
        self, event_id: int, step_id: str | None = None, project_id: str | None = None
    ) -> list[QuestionRow]:
        """Questions in the order they were asked (merged and hidden ones included)."""
        ...

    def question_upvotes(self, event_id: int) -> list[tuple[int, int]]:
        """(question, participant) rows of the event's upvotes."""
        ...

    async def upvote(self, event_id: int, question_id: int, participant_id: int, now: int) -> bool:
        """Upvote a shown question, once per person (the database's rule): whether it is new."""
        ...

    async def take_back_upvote(
        self, event_id: int, question_ids: Sequence[int], participant_id: int
    ) -> int:
        """Remove the person's upvotes on these questions; how many there were."""
        ...

    async def moderate_questions(
        self,
        event_id: int,
        question_ids: Sequence[int],
        state: str | None,
        answered: bool | None,
        now: int,
    ) -> int:
        """Set the state and/or the answered mark (None: unchanged), logged; how many changed."""
        ...

    async def merge_questions(
        self, event_id: int, target: int, others: Sequence[int], now: int
    ) -> int:
        """Fold duplicates into `target` (their upvotes count for it); how many were folded."""
        ...

    def question_settings(self, event_id: int) -> QuestionSettings:
        """The question on the projector and the event's moderation, if changed."""
        ...

    async def set_question_settings(self, event_id: int, settings: QuestionSettings) -> None: ...

    async def add_reactions(self, event_id: int, step_id: str, counts: Mapping[str, int]) -> None:
        """Add to the step's reaction totals."""
        ...

    def reactions(self, event_id: int) -> dict[str, dict[str, int]]:
        """Reaction totals by step and kind."""
        ...

    def cloud_hidden(self, event_id: int, step_id: str) -> set[str]:
        """Terms the facilitator took out of the step's word cloud."""
        ...

    async def set_cloud_hidden(
        self, event_id: int, step_id: str, term: str, hidden: bool
    ) -> None: ...
