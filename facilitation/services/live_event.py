"""One running event as the process holds it: its stored row, plan and state, and what its
ballots read at every turn (kept until the plan or the stage reached changes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from facilitation.core import voting
from facilitation.core.engine import EventState, Plan, Stage, visible_projects
from facilitation.core.formats import Feedback, Format, PitchStep, RotateStep, VoteStep, localise
from facilitation.storage import EventRow


@dataclass
class LiveEvent:
    row: EventRow
    plan: Plan
    state: EventState
    _specs: dict[str, tuple[Plan, voting.VoteSpec]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _hidden: tuple[Plan, int, frozenset[str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def code(self) -> str:
        return self.row.code

    @property
    def format(self) -> Format:
        return self.plan.format

    @property
    def stage(self) -> Stage:
        return self.plan.stages[self.state.cursor]

    @property
    def current_vote(self) -> str | None:
        """The vote of the current stage if it is a vote step (not a reveal)."""
        stage = self.stage
        return stage.step_id if isinstance(self.plan.step(stage), VoteStep) else None

    def vote_spec(self, vote_id: str) -> voting.VoteSpec:
        """The format's vote step as the counting module's spec (defaults filled in)."""
        # read at every ballot: made again only when the plan changes (a vote on ideas gets
        # its options as they come in)
        kept = self._specs.get(vote_id)
        if kept is not None and kept[0] is self.plan:
            return kept[1]
        spec = self._vote_spec(vote_id)
        self._specs[vote_id] = (self.plan, spec)
        return spec

    def _vote_spec(self, vote_id: str) -> voting.VoteSpec:
        step = self.format.vote_steps()[vote_id]
        options = tuple(option_id for option_id, _ in self.plan.vote_options(vote_id))
        scale = step.scale or (1, 5)
        return voting.VoteSpec(
            method=step.method,
            options=options,
            min_choices=step.min_choices if step.min_choices is not None else 1,
            max_choices=step.max_choices,
            budget=step.budget or 3,
            cap=step.cap,
            scale=scale,
            grades=tuple(localise(g, self.row.lang, self.format.lang) for g in step.grade_labels()),
            count=step.count or "borda",
            criteria=tuple(voting.Criterion(c.id, c.weight, c.scale) for c in step.criteria or []),
            allow_abstain=step.allow_abstain,
            tie_break=step.tie_break,
            require_all=bool(step.require_all),
        )

    def feedback_spec(self, project_id: str) -> Feedback | None:
        """The feedback fields of the pitch step where this project presents, if any."""
        for stage in self.plan.stages:
            step = self.plan.step(stage)
            if stage.project == project_id and isinstance(step, PitchStep) and step.feedback:
                return step.feedback
            if isinstance(step, RotateStep) and step.stations == "projects" and step.feedback:
                return step.feedback
        return None

    def hidden_options(self, vote_id: str) -> frozenset[str]:
        """Projects not yet presented may not be voted for (nor shown)."""
        step = self.format.vote_steps()[vote_id]
        if step.options != "projects":
            return frozenset()
        # read at every ballot: what the audience has seen changes with the stage reached
        kept = self._hidden
        if kept is None or kept[0] is not self.plan or kept[1] != self.state.reached:
            shown = set(visible_projects(self.plan, self.state))
            hidden = frozenset(p.id for p in self.plan.projects if p.id not in shown)
            kept = self._hidden = (self.plan, self.state.reached, hidden)
        return kept[2]
