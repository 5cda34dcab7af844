"""The live event as a pure state machine: where we are, the timer, the state of each vote.

A format's steps expand into *stages*, the positions the facilitator moves through: one per
simple step, and for a pitch step two per project (pitch, then questions). All functions are
pure: the current time is passed in as `now` (milliseconds since the epoch).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Literal, get_args

from facilitation.core.formats import (
    Format,
    GroupsStep,
    ItemsRef,
    MatchStep,
    PassStep,
    PitchStep,
    RevealStep,
    RotateStep,
    Step,
    Text,
    VoteStep,
    step_id,
)
from facilitation.core.reveals import next_reveal, shown_places
from facilitation.core.rosters import Project

Phase = Literal["main", "pitch", "qa", "round"]
VoteStatus = Literal["pending", "open", "closed"]


class EngineError(ValueError):
    """An action that is not possible now; `code` names it for translated messages."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Stage:
    index: int
    step_index: int
    step_id: str
    kind: str
    phase: Phase = "main"
    project: str | None = None  # project id, for pitch stages
    project_number: int | None = None  # 1-based position in the lineup
    seconds: int | None = None
    round: int | None = None  # 1-based round of a rotation or pass-around
    rounds: int | None = None


@dataclass(frozen=True)
class Plan:
    """What an event will go through: its format, lineup and stages."""

    format: Format
    projects: tuple[Project, ...]
    lineup: tuple[str, ...]
    stages: tuple[Stage, ...]
    # Options of votes on submitted items, by input step id: known only once people submit.
    item_options: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def step(self, stage: Stage) -> Step:
        return self.format.steps[stage.step_index]

    def project(self, project_id: str) -> Project:
        return next(p for p in self.projects if p.id == project_id)

    def vote_options(self, vote_id: str) -> tuple[tuple[str, Text], ...]:
        """(option id, label) pairs of a vote: the projects, or the declared options."""
        vote = self.format.vote_steps()[vote_id]
        if vote.options == "projects":
            return tuple((p.id, p.title) for p in self.projects)
        if isinstance(vote.options, ItemsRef):
            return self.item_options.get(vote.options.items, ())
        return tuple((o.id, o.label) for o in vote.options)

    def vote_of(self, stage: Stage) -> str | None:
        """The vote a stage shows: its own for a vote step, the revealed one for a reveal step
        (None for a reveal that combines several votes)."""
        step = self.step(stage)
        if isinstance(step, VoteStep):
            return stage.step_id
        if isinstance(step, RevealStep):
            return step.vote
        return None

    def places(self, reveal: RevealStep) -> int:
        """How many places a reveal step shows in all: its `top`, or every option."""
        if reveal.scores is not None:
            passing = self.format.steps[self.format.step_ids().index(reveal.scores)]
            assert isinstance(passing, PassStep)
            count = len(self.item_options.get(passing.items, ()))
        else:
            count = len(self.vote_options(reveal.votes()[0]))
        return min(reveal.top, count) if reveal.top else count


def _seconds(minutes: float | None) -> int | None:
    return None if minutes is None else round(minutes * 60)


def _add_stage(
    stages: list[Stage],
    step_index: int,
    sid: str,
    kind: str,
    phase: Phase = "main",
    minutes: float | None = None,
    **more: Any,
) -> None:
    stages.append(
        Stage(len(stages), step_index, sid, kind, phase, seconds=_seconds(minutes), **more)
    )


def agenda_timings(plan: Plan) -> list[tuple[Stage, int, int]]:
    """(stage, start, length) in seconds from the beginning, as planned: each stage starts when
    the one before ends; stages without a timer take no planned time."""
    out, start = [], 0
    for stage in plan.stages:
        length = stage.seconds or 0
        out.append((stage, start, length))
        start += length
    return out


def rounds_of(step: RotateStep | PassStep, projects: int, fmt: Format | None = None) -> int:
    """Rounds of a rotation: as declared, else one per station (stations), one per member of
    the largest troika group its groups step allows (each member is the client once), or 3."""
    if step.rounds is not None:
        return step.rounds
    if isinstance(step, RotateStep) and step.scheme == "stations":
        return projects if step.stations == "projects" else len(step.stations or [])
    if isinstance(step, RotateStep) and step.questions:
        return len(step.questions)
    if isinstance(step, RotateStep) and step.scheme == "troika" and fmt and step.groups:
        groups = next(
            (
                g
                for i, g in enumerate(fmt.steps)
                if isinstance(g, GroupsStep) and step_id(g, i) == step.groups
            ),
            None,
        )
        if groups is not None and groups.size:
            return max(groups.size, groups.else_size or 0)
    return 3


def build_plan(fmt: Format, projects: Sequence[Project], seed: int = 0) -> Plan:
    """Expand the format's steps for this roster. `seed` fixes a random pitch order."""
    lineup = [p.id for p in projects]
    stages: list[Stage] = []
    shuffled = False
    for step_index, step in enumerate(fmt.steps):
        add = partial(_add_stage, stages, step_index, step_id(step, step_index), step.kind)
        if isinstance(step, PitchStep):
            order = list(lineup)
            if step.order == "random" and not shuffled:
                random.Random(seed).shuffle(order)
                lineup, shuffled = order, True
            for number, project_id in enumerate(order, start=1):
                phases: tuple[tuple[Phase, float | None], ...] = (
                    ("pitch", step.pitch_minutes),
                    ("qa", step.qa_minutes),
                )
                for phase, minutes in phases:
                    if phase == "qa" and not minutes:
                        continue
                    add(phase, minutes, project=project_id, project_number=number)
        elif isinstance(step, MatchStep):
            add(minutes=step.minutes or step.slots * step.slot_minutes)
        elif isinstance(step, RotateStep | PassStep):
            count = rounds_of(step, len(projects), fmt)
            for number in range(1, count + 1):
                add("round", step.round_minutes, round=number, rounds=count)
        else:
            add(minutes=step.minutes)
    return Plan(fmt, tuple(projects), tuple(lineup), tuple(stages))


@dataclass(frozen=True)
class Timer:
    """A countdown whose deadline the server holds. Negative remaining time is overtime."""

    duration_ms: int | None = None
    remaining_ms: int = 0  # while paused
    deadline_ms: int | None = None  # while running

    @property
    def running(self) -> bool:
        return self.deadline_ms is not None

    def remaining_at(self, now: int) -> int:
        return self.deadline_ms - now if self.deadline_ms is not None else self.remaining_ms

    def start(self, now: int) -> Timer:
        if self.running or self.duration_ms is None:
            return self
        return replace(self, deadline_ms=now + self.remaining_ms)

    def pause(self, now: int) -> Timer:
        if not self.running:
            return self
        return replace(self, remaining_ms=self.remaining_at(now), deadline_ms=None)

    def extend(self, seconds: int) -> Timer:
        if self.duration_ms is None:
            return self
        ms = seconds * 1000
        if self.deadline_ms is not None:
            return replace(self, deadline_ms=self.deadline_ms + ms)
        return replace(self, remaining_ms=self.remaining_ms + ms)

    def to_json(self, now: int) -> dict[str, int | bool | None]:
        return {
            "duration_ms": self.duration_ms,
            "remaining_ms": self.remaining_at(now),
            "deadline_ms": self.deadline_ms,
            "running": self.running,
            "server_now_ms": now,
        }


def fresh_timer(stage: Stage) -> Timer:
    if stage.seconds is None:
        return Timer()
    return Timer(duration_ms=stage.seconds * 1000, remaining_ms=stage.seconds * 1000)


@dataclass(frozen=True)
class VoteState:
    status: VoteStatus = "pending"
    revealed: bool = False
    reopened: int = 0


@dataclass(frozen=True)
class EventState:
    cursor: int = 0
    timer: Timer = field(default_factory=Timer)
    votes: Mapping[str, VoteState] = field(default_factory=dict)
    revision: int = 0
    reached: int = 0  # the furthest stage entered: going back does not hide a pitched project
    # Places shown so far by each reveal step (countdown reveals one place per click).
    reveals: Mapping[str, int] = field(default_factory=dict)
    sound: bool = False  # a chime on the projector, a buzz on phones, when time is up

    def vote(self, vote_id: str) -> VoteState:
        return self.votes.get(vote_id, VoteState())


def initial_state(plan: Plan, now: int) -> EventState:
    state = EventState(votes={v: VoteState() for v in plan.format.vote_steps()})
    return _enter(plan, state, 0, now)


# --- actions ---------------------------------------------------------------------------------


ActionName = Literal[
    "next",
    "back",
    "jump",
    "timer_start",
    "timer_pause",
    "timer_toggle",
    "timer_extend",
    "timer_reset",
    "sound_toggle",
    "vote_open",
    "vote_close",
    "vote_reopen",
    "reveal",
]
ACTIONS: frozenset[str] = frozenset(get_args(ActionName))


@dataclass(frozen=True)
class Action:
    name: ActionName
    stage: int | None = None  # jump
    seconds: int | None = None  # timer_extend (may be negative)
    vote: str | None = None  # vote_* and reveal; defaults to the current stage's vote
    # reveal step: the places of the options worth showing, best first (from the tally)
    places: tuple[int, ...] | None = None


def _set_vote(state: EventState, vote_id: str, vote: VoteState) -> EventState:
    return replace(state, votes={**state.votes, vote_id: vote})


def _leave(plan: Plan, state: EventState) -> EventState:
    """Leaving a vote step closes its vote: phones only show the current step."""
    stage = plan.stages[state.cursor]
    step = plan.step(stage)
    if isinstance(step, VoteStep) and state.vote(stage.step_id).status == "open":
        state = _set_vote(state, stage.step_id, replace(state.vote(stage.step_id), status="closed"))
    return state


def _enter(plan: Plan, state: EventState, cursor: int, now: int) -> EventState:
    stage = plan.stages[cursor]
    step = plan.step(stage)
    state = replace(
        state, cursor=cursor, timer=fresh_timer(stage), reached=max(state.reached, cursor)
    )
    if isinstance(step, VoteStep) and step.open == "on_enter":
        vote = state.vote(stage.step_id)
        if vote.status == "pending":
            state = _set_vote(state, stage.step_id, replace(vote, status="open"))
    autostart = step.autostart or stage.phase == "qa"
    if autostart:
        state = replace(state, timer=state.timer.start(now))
    return state


def _move(plan: Plan, state: EventState, cursor: int, now: int) -> EventState:
    if not 0 <= cursor < len(plan.stages):
        raise EngineError("no_such_stage", f"there is no stage {cursor + 1}")
    if cursor == state.cursor:
        return state
    return _enter(plan, _leave(plan, state), cursor, now)


def apply_action(plan: Plan, state: EventState, action: Action, now: int) -> EventState:
    """The state after a facilitator action; EngineError if it is not possible now."""
    stage = plan.stages[state.cursor]
    new: EventState
    match action.name:
        case "next":
            if state.cursor + 1 >= len(plan.stages):
                raise EngineError("at_end", "this is the last step")
            new = _move(plan, state, state.cursor + 1, now)
        case "back":
            if state.cursor == 0:
                raise EngineError("at_start", "this is the first step")
            new = _move(plan, state, state.cursor - 1, now)
        case "jump":
            if action.stage is None:
                raise EngineError("no_such_stage", "jump needs a stage")
            new = _move(plan, state, action.stage, now)
        case "timer_start":
            new = replace(state, timer=state.timer.start(now))
        case "timer_pause":
            new = replace(state, timer=state.timer.pause(now))
        case "timer_toggle":
            timer = state.timer.pause(now) if state.timer.running else state.timer.start(now)
            new = replace(state, timer=timer)
        case "timer_extend":
            new = replace(state, timer=state.timer.extend(action.seconds or 60))
        case "timer_reset":
            new = replace(state, timer=fresh_timer(stage))
        case "sound_toggle":
            new = replace(state, sound=not state.sound)
        case "vote_open" | "vote_close" | "vote_reopen" | "reveal":
            new = _vote_action(plan, state, action)
        case _:
            raise EngineError("unknown_action", f"unknown action {action.name!r}")
    return replace(new, revision=state.revision + 1)


def _reveal_step(
    plan: Plan, state: EventState, step: RevealStep, step_key: str, ranks: Sequence[int] | None
) -> EventState:
    """One click on a reveal step: everything at once, or the next place of a countdown.
    The votes shown are closed; once every place is out they count as revealed."""
    votes = step.votes()
    if any(state.vote(v).status == "pending" for v in votes):
        raise EngineError("vote_not_started", "this vote has not been opened yet")
    rows = shown_places(plan.places(step), ranks)
    shown, places = state.reveals.get(step_key, 0), len(rows)
    if shown >= places:
        raise EngineError("already_revealed", "everything is already revealed")
    shown = next_reveal(shown, rows, step.order == "countdown")
    state = replace(state, reveals={**state.reveals, step_key: shown})
    for vote_id in votes:
        vote = state.vote(vote_id)
        state = _set_vote(
            state,
            vote_id,
            replace(vote, status="closed", revealed=vote.revealed or shown >= places),
        )
    return state


def _vote_action(plan: Plan, state: EventState, action: Action) -> EventState:
    stage = plan.stages[state.cursor]
    step = plan.step(stage)
    if action.name == "reveal" and isinstance(step, RevealStep) and action.vote is None:
        return _reveal_step(plan, state, step, stage.step_id, action.places)
    vote_id = action.vote or plan.vote_of(stage)
    if vote_id is None or vote_id not in plan.format.vote_steps():
        raise EngineError("no_vote", "there is no vote at this step")
    vote = state.vote(vote_id)
    # a vote is opened (or reopened) only from its own step, never from a reveal of it
    current = isinstance(step, VoteStep) and stage.step_id == vote_id
    match action.name:
        case "vote_open":
            if vote.status != "pending":
                raise EngineError(
                    "vote_not_pending",
                    "this vote was already opened; closing is final unless you reopen it",
                )
            if not current:
                raise EngineError("vote_not_current", "open a vote from its own step")
            return _set_vote(state, vote_id, replace(vote, status="open"))
        case "vote_close":
            if vote.status != "open":
                raise EngineError("vote_not_open", "this vote is not open")
            return _set_vote(state, vote_id, replace(vote, status="closed"))
        case "vote_reopen":
            if vote.status != "closed":
                raise EngineError("vote_not_closed", "only a closed vote can be reopened")
            if not current:
                raise EngineError("vote_not_current", "reopen a vote from its own step")
            return _set_vote(
                state,
                vote_id,
                replace(vote, status="open", revealed=False, reopened=vote.reopened + 1),
            )
        case _:  # reveal: showing results ends the vote
            if vote.status == "pending":
                raise EngineError("vote_not_started", "this vote has not been opened yet")
            if revealed_later(plan, vote_id) is not None:
                raise EngineError(
                    "revealed_later", "a reveal step shows this vote: reveal it from there"
                )
            return _set_vote(state, vote_id, replace(vote, status="closed", revealed=True))


# --- who may do what -------------------------------------------------------------------------


def may_vote(plan: Plan, state: EventState, vote_id: str, role: str) -> EngineError | None:
    """None if a participant with `role` may cast or change a ballot in `vote_id` now."""
    votes = plan.format.vote_steps()
    if vote_id not in votes:
        return EngineError("no_vote", "there is no such vote")
    if role not in votes[vote_id].who:
        return EngineError("not_a_voter", "your role does not vote in this vote")
    if plan.vote_of(plan.stages[state.cursor]) != vote_id or not isinstance(
        plan.step(plan.stages[state.cursor]), VoteStep
    ):
        return EngineError("vote_not_current", "this vote is not on now")
    if state.vote(vote_id).status != "open":
        return EngineError("vote_closed", "this vote is closed")
    return None


def reveal_progress(
    plan: Plan, state: EventState, stage: Stage, places: Sequence[int] | None = None
) -> tuple[int, int] | None:
    """(rows shown, rows in all) on a reveal step; None elsewhere. `places` as in Action."""
    step = plan.step(stage)
    if not isinstance(step, RevealStep):
        return None
    total = len(shown_places(plan.places(step), places))  # fewer than a v1 event counted
    return min(state.reveals.get(stage.step_id, 0), total), total


def revealed_later(plan: Plan, vote_id: str) -> Stage | None:
    """The reveal stage showing this vote, if any: the vote's own step keeps results for it."""
    for stage in plan.stages:
        step = plan.step(stage)
        if isinstance(step, RevealStep) and vote_id in step.votes():
            return stage
    return None


def results_visible(plan: Plan, state: EventState, vote_id: str) -> bool:
    """Whether the screen and phones may show this vote's results (never before a reveal)."""
    vote = state.vote(vote_id)
    return vote.revealed or (
        plan.format.vote_steps()[vote_id].results == "live" and vote.status != "pending"
    )


def visible_projects(plan: Plan, state: EventState) -> tuple[str, ...]:
    """Projects the audience may know about: with a hidden lineup, only those that started."""
    reached: list[str] = []
    hidden = {
        s.project
        for s in plan.stages
        if s.project is not None
        and isinstance(step := plan.step(s), PitchStep)
        and step.lineup == "hidden"
    }
    for stage in plan.stages[: state.reached + 1]:
        if stage.project is not None and stage.project not in reached:
            reached.append(stage.project)
    return tuple(p for p in plan.lineup if p in reached or p not in hidden)
