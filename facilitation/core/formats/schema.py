"""A whole format: its metadata, parameters, roles and steps, and the checks across steps
(distinct ids, references to steps of the right kind)."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field, model_validator

from facilitation.core.formats.errors import At
from facilitation.core.formats.model import SEMVER, SLUG, Model
from facilitation.core.formats.parameters import PARAMETER_NAME, Parameter
from facilitation.core.formats.steps import (
    BASIC_ROLES,
    QA,
    BreakStep,
    GroupsStep,
    InfoStep,
    InputStep,
    MatchStep,
    PassStep,
    PitchStep,
    QAStep,
    Role,
    RotateStep,
    TalkStep,
    UseStep,
    step_id,
)
from facilitation.core.formats.texts import Text
from facilitation.core.formats.votes import ItemsRef, RevealStep, VoteStep
from facilitation.core.languages import Lang

LANGUAGE_VERSION = 1


class Headcount(Model):
    min: int = Field(default=1, ge=1)
    max: int | None = Field(default=None, ge=1)


Step = Annotated[
    InfoStep
    | BreakStep
    | TalkStep
    | QAStep
    | PitchStep
    | InputStep
    | VoteStep
    | RevealStep
    | GroupsStep
    | RotateStep
    | PassStep
    | MatchStep
    | UseStep,
    Field(discriminator="kind"),
]
# Error messages list the kinds in the order of the union.
STEP_KINDS: tuple[str, ...] = tuple(
    get_args(model.model_fields["kind"].annotation)[0] for model in get_args(get_args(Step)[0])
)


class Format(Model):
    """A session template. Steps run in order; `$name` refers to a parameter."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: Literal[1] = Field(default=1, description="Version of the format language.")
    id: Annotated[str, Field(pattern=SLUG)]
    version: Annotated[str, Field(pattern=SEMVER)]
    title: Text
    description: Text | None = None
    lang: Lang = Field(default="fr", description="Language of plain-string texts.")
    licence: str | None = None
    attribution: str | None = None
    participants: Headcount | None = None
    parameters: dict[Annotated[str, Field(pattern=PARAMETER_NAME)], Parameter] = Field(
        default_factory=dict
    )
    roles: list[Role] = Field(default_factory=lambda: list(BASIC_ROLES))
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_references(self) -> Format:
        seen: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            sid = step_id(step, index)
            if sid in seen:
                raise At(
                    ("steps", index, "id"),
                    f"steps {seen[sid] + 1} and {index + 1} have the same id {sid!r}; "
                    "give each step a distinct id",
                )
            seen[sid] = index
        votes = {step_id(s, i) for i, s in enumerate(self.steps) if isinstance(s, VoteStep)}
        inputs = {step_id(s, i) for i, s in enumerate(self.steps) if isinstance(s, InputStep)}
        for index, step in enumerate(self.steps):
            self._check_step_refs(step, index)
            refs = step.options if isinstance(step, VoteStep) else None
            if isinstance(refs, ItemsRef) and refs.items not in inputs:
                known = ", ".join(sorted(inputs)) or "none"
                raise At(
                    ("steps", index, "options", "items"),
                    f"vote options refer to input step {refs.items!r}, which is "
                    f"not an input step id (input steps: {known})",
                )
        for index, step in enumerate(self.steps):
            if not isinstance(step, RevealStep):
                continue
            for vote in step.votes():
                if vote not in votes:
                    known = ", ".join(sorted(votes)) or "none"
                    raise At(
                        ("steps", index, "vote" if step.vote else "combine"),
                        f"reveal step refers to vote {vote!r}, which is not a vote step id "
                        f"(vote steps: {known})",
                    )
        return self

    def step_ids(self) -> list[str]:
        return [step_id(s, i) for i, s in enumerate(self.steps)]

    def _check_step_refs(self, step: Step, index: int) -> None:
        """Steps that build on earlier ones must name steps of the right kind."""
        kinds = {step_id(s, i): s.kind for i, s in enumerate(self.steps)}
        refs: list[tuple[str, str | None, str]] = []
        if isinstance(step, GroupsStep):
            refs.append(("merge", step.merge, "groups"))
        if isinstance(step, RotateStep):
            refs.append(("groups", step.groups, "groups"))
            if step.scheme == "stations" and step.stations is None:
                raise At(
                    ("steps", index, "scheme"),
                    "a stations rotation needs 'stations' (projects or a list)",
                )
            if step.scheme in ("stations", "troika") and step.groups is None:
                raise At(
                    ("steps", index, "scheme"),
                    f"a {step.scheme} rotation needs 'groups' (a groups step id)",
                )
        if isinstance(step, PassStep):
            refs.append(("items", step.items, "input"))
        if isinstance(step, InputStep):
            refs.append(("groups", step.groups, "groups"))
            if step.cloud and step.fields[0].type == "rating":
                raise At(
                    ("steps", index, "cloud"),
                    "a word cloud shows the first field's answers: make it a text field",
                )
            if step.visibility == "group" and self.group_source(step) is None:
                raise At(
                    ("steps", index, "visibility"),
                    "visibility 'group' needs a groups step before this one "
                    "(or 'groups: <id of a groups step>')",
                )
        if isinstance(step, RevealStep):
            refs.append(("scores", step.scores, "pass"))
        for key, ref, kind in refs:
            if ref is not None and kinds.get(ref) != kind:
                known = ", ".join(sorted(k for k, v in kinds.items() if v == kind)) or "none"
                raise At(
                    ("steps", index, key),
                    f"'{key}' refers to {ref!r}, which is not a {kind} step id "
                    f"({kind} steps: {known})",
                )

    def group_source(self, step: InputStep) -> str | None:
        """The groups step whose tables see each other's items in a `visibility: group` step."""
        if step.groups is not None:
            return step.groups
        source = None
        for index, other in enumerate(self.steps):
            if other is step:
                return source
            if isinstance(other, GroupsStep):
                source = step_id(other, index)
        return None

    def uses_projects(self) -> bool:
        """Whether the event has projects at all: pitched, voted on or visited."""
        return any(
            isinstance(s, PitchStep)
            or (isinstance(s, VoteStep) and s.options == "projects")
            or (isinstance(s, RotateStep) and s.stations == "projects")
            for s in self.steps
        )

    def match_step(self) -> MatchStep | None:
        """The event's matchmaking (the first match step), if it has one."""
        return next((s for s in self.steps if isinstance(s, MatchStep)), None)

    # A format is frozen: these indexes are made once, not at each of the several reads a
    # ballot or a page makes. Callers read them and never change them.
    def input_steps(self) -> dict[str, InputStep]:
        return self._input_steps

    def qa_steps(self) -> dict[str, QA]:
        """Steps that take audience questions, by id, with how they take them."""
        return self._qa_steps

    def vote_steps(self) -> dict[str, VoteStep]:
        return self._vote_steps

    @cached_property
    def _input_steps(self) -> dict[str, InputStep]:
        return {step_id(s, i): s for i, s in enumerate(self.steps) if isinstance(s, InputStep)}

    @cached_property
    def _qa_steps(self) -> dict[str, QA]:
        return {step_id(s, i): s.qa for i, s in enumerate(self.steps) if s.qa is not None}

    @cached_property
    def _vote_steps(self) -> dict[str, VoteStep]:
        return {step_id(s, i): s for i, s in enumerate(self.steps) if isinstance(s, VoteStep)}
