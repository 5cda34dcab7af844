"""Vote steps, and reveal steps that show their results."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from facilitation.core.formats.model import SLUG, Model
from facilitation.core.formats.steps import VOTERS, Role, StepBase, VoteOption
from facilitation.core.formats.texts import Text
from facilitation.core.voting import DEFAULT_GRADE_LABELS, Count, Method, TieBreak


class ItemsRef(Model):
    """Vote on what participants submitted in an input step."""

    items: Annotated[str, Field(pattern=SLUG, description="id of the input step")]


class Criterion(Model):
    """A jury rubric criterion: scored on its scale, weighted in the project's mean."""

    id: Annotated[str, Field(pattern=SLUG)]
    title: Text
    weight: float = Field(default=1, gt=0)
    scale: tuple[int, int] = (1, 5)


# Which keys make sense for which method: a key set for another method is an error, so a
# typo'd method does not silently ignore the budget the organiser wrote.
METHOD_KEYS: dict[Method, frozenset[str]] = {
    "single": frozenset(),
    "approval": frozenset({"min_choices", "max_choices"}),
    "dots": frozenset({"budget", "cap"}),
    "rating": frozenset({"scale", "require_all"}),
    "ranking": frozenset({"count", "max_choices"}),
    "majority_judgment": frozenset({"grades", "require_all"}),
    "rubric": frozenset({"criteria", "scale", "require_all"}),
}


class VoteStep(StepBase):
    """A vote. `options: projects` votes on the roster's projects."""

    kind: Literal["vote"]
    question: Text
    method: Method = "single"
    options: Literal["projects"] | list[VoteOption] | ItemsRef = "projects"
    min_choices: int | None = Field(default=None, ge=0, description="approval: fewest options")
    max_choices: int | None = Field(default=None, ge=1, description="approval/ranking: most")
    budget: int | None = Field(default=None, ge=1, le=1000, description="dots: dots or points")
    cap: int | None = Field(default=None, ge=1, description="dots: most on one option")
    scale: tuple[int, int] | None = Field(default=None, description="rating/rubric: [min, max]")
    grades: list[Text] | None = Field(
        default=None,
        min_length=2,
        max_length=12,
        description="majority judgment: verbal grades, best first",
    )
    count: Count | None = Field(default=None, description="ranking: how orders are counted")
    criteria: list[Criterion] | None = Field(default=None, description="rubric: criteria")
    require_all: bool | None = Field(
        default=None, description="rating/MJ/rubric: every option must get a mark"
    )
    tie_break: TieBreak = Field(
        default="none", description="none: ties are shown; random: seeded draw; order: listed first"
    )
    ballots: Literal["secret", "attributed"] = Field(
        default="secret", description="attributed: downloads show the voter's display name"
    )
    who: list[Role] = Field(default_factory=lambda: list(VOTERS))
    results: Literal["hidden", "live"] = Field(
        default="hidden", description="hidden: the screen shows results only when revealed."
    )
    open: Literal["on_enter", "manual"] = Field(
        default="on_enter", description="on_enter: the vote opens when the step begins."
    )
    allow_abstain: bool = False
    voters: Literal["open", "ticketed"] = Field(
        default="open",
        description="open: every phone that joins votes; ticketed: only voting tickets and "
        "personal links (one person, one ballot), plus paper ballots",
    )
    own_project: bool = Field(
        default=False, description="May a project's holder vote for their own project?"
    )

    @model_validator(mode="after")
    def _keys_fit_the_method(self) -> VoteStep:
        allowed = METHOD_KEYS[self.method]
        for key in (
            "min_choices",
            "max_choices",
            "budget",
            "cap",
            "scale",
            "grades",
            "count",
            "criteria",
            "require_all",
        ):
            if getattr(self, key) is not None and key not in allowed:
                users = sorted(m for m, keys in METHOD_KEYS.items() if key in keys)
                raise ValueError(
                    f"'{key}' does not apply to method {self.method} (only to {', '.join(users)})"
                )
        if self.method == "rubric" and not self.criteria:
            raise ValueError("a rubric vote needs 'criteria'")
        if self.scale is not None and self.scale[0] >= self.scale[1]:
            raise ValueError("'scale' is [lowest, highest] with lowest < highest")
        if self.cap is not None and self.budget is not None and self.cap > self.budget:
            raise ValueError("'cap' cannot exceed 'budget'")
        if (
            self.min_choices is not None
            and self.max_choices is not None
            and self.min_choices > self.max_choices
        ):
            raise ValueError("'min_choices' cannot exceed 'max_choices'")
        return self

    def grade_labels(self) -> tuple[Text, ...]:
        return tuple(self.grades) if self.grades else DEFAULT_GRADE_LABELS

    @field_validator("options")
    @classmethod
    def _distinct_options(
        cls, options: Literal["projects"] | list[VoteOption] | ItemsRef
    ) -> Literal["projects"] | list[VoteOption] | ItemsRef:
        if isinstance(options, list):
            ids = [o.id for o in options]
            if len(ids) < 2:
                raise ValueError("a vote needs at least two options")
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"option ids must be distinct: {', '.join(dupes)}")
        return options


class CombinedPart(Model):
    vote: Annotated[str, Field(pattern=SLUG)]
    weight: float = Field(default=1, gt=0)
    title: Text | None = None


class RevealStep(StepBase):
    """Shows a vote's results (or several votes combined) when the facilitator reveals them."""

    kind: Literal["reveal"]
    vote: (
        Annotated[str, Field(pattern=SLUG, description="id of the vote step to reveal")] | None
    ) = None
    combine: list[CombinedPart] | None = Field(
        default=None,
        min_length=2,
        description="votes merged by rank points, e.g. jury 50 % + public 50 %",
    )
    order: Literal["all", "countdown"] = Field(
        default="all", description="countdown: each click reveals the next place, last first"
    )
    top: int | None = Field(default=None, ge=1, description="show only the first `top` places")
    tie_break: TieBreak = Field(
        default="none", description="combine: how equal combined scores are decided"
    )
    scores: Annotated[str, Field(pattern=SLUG)] | None = Field(
        default=None, description="id of a pass step: reveal the best-scored cards"
    )

    @model_validator(mode="after")
    def _one_source(self) -> RevealStep:
        sources = [s for s in (self.vote, self.combine, self.scores) if s is not None]
        if len(sources) != 1:
            raise ValueError("a reveal step names one of 'vote', 'combine' or 'scores'")
        return self

    def votes(self) -> list[str]:
        return [self.vote] if self.vote else [p.vote for p in self.combine or []]
