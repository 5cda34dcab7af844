"""The format language: YAML text -> a validated `Format`, with errors at file:line:column.

A format is a reusable description of a session (see docs in README and `facilitation schema`).
Parsing is pure (`parse_format(text, name)`); `load_format_file` is the thin loader.

Validation is done by pydantic models (which also give the JSON Schema for editors); the YAML
node tree is kept so that every error can point at the line and column of the offending key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from facilitation.core.formats.errors import At
from facilitation.core.formats.model import SEMVER, SLUG, Model
from facilitation.core.formats.parameters import PARAMETER_NAME, Parameter
from facilitation.core.formats.texts import Lang, Text

LANGUAGE_VERSION = 1
Role = Literal["facilitator", "participant", "holder", "partner", "jury", "decider", "observer"]

VOTERS: tuple[Role, ...] = ("participant", "holder", "partner")
BASIC_ROLES: tuple[Role, ...] = ("facilitator", "participant")


class Headcount(Model):
    min: int = Field(default=1, ge=1)
    max: int | None = Field(default=None, ge=1)


class StepBase(Model):
    id: Annotated[str, Field(pattern=SLUG)] | None = None
    title: Text | None = None
    body: Text | None = Field(default=None, description="Instructions shown on phones and screen.")
    minutes: float | None = Field(default=None, gt=0, le=24 * 60)
    autostart: bool = Field(default=False, description="Start the timer when the step begins.")


class InfoStep(StepBase):
    """A slide: welcome, instructions, a message to the room."""

    kind: Literal["info"]


class BreakStep(StepBase):
    kind: Literal["break"]


class TalkStep(StepBase):
    """A timed conversation (networking, discussion) with no input collected."""

    kind: Literal["talk"]


RESERVED_FIELDS = frozenset({"csrf", "step", "project", "vote", "card", "score", "choice"})


class InputField(Model):
    """One field of what participants submit (an idea, a first step, a comment, a rating…)."""

    id: Annotated[str, Field(pattern=SLUG)]
    label: Text
    type: Literal["text", "long_text", "rating"] = "text"
    max_length: int = Field(default=280, ge=1, le=4000, description="text fields: characters")
    scale: tuple[int, int] = Field(default=(1, 5), description="rating fields: [min, max]")
    required: bool = True

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        # these names already travel in the same forms
        if value in RESERVED_FIELDS:
            raise ValueError(
                f"{value!r} is reserved; name the field otherwise "
                f"(reserved: {', '.join(sorted(RESERVED_FIELDS))})"
            )
        return value


class Feedback(Model):
    """Anonymous feedback the audience leaves on each project; only its holder reads it."""

    fields: list[InputField] = Field(
        default_factory=lambda: [
            InputField(
                id="rating", type="rating", label={"fr": "Votre appréciation", "en": "Your rating"}
            ),
            InputField(
                id="comment",
                type="long_text",
                required=False,
                max_length=600,
                label={
                    "fr": "Un conseil, une question, un encouragement",
                    "en": "A tip, a question, some encouragement",
                },
            ),
        ],
        min_length=1,
    )


class PitchStep(StepBase):
    """One pitch per project of the roster, each with a pitch timer then a Q&A timer."""

    kind: Literal["pitch"]
    feedback: Feedback | None = Field(
        default=None, description="let the audience give each project anonymous feedback"
    )
    pitch_minutes: float = Field(default=6, gt=0, le=120)
    qa_minutes: float = Field(default=2, ge=0, le=120)
    lineup: Literal["hidden", "visible"] = Field(
        default="hidden",
        description="hidden: participants and screen see a project only when its pitch starts.",
    )
    order: Literal["roster", "random"] = "roster"


class InputStep(StepBase):
    """Participants submit items (ideas, questions, needs…) against a small schema."""

    kind: Literal["input"]
    prompt: Text
    fields: list[InputField] = Field(min_length=1, max_length=6)
    per_person: int | None = Field(default=1, ge=1, description="items per person (null: any)")
    visibility: Literal["own", "group", "all", "facilitator"] = Field(
        default="all",
        description="who sees submitted items: their author, their group (the tables of "
        "`groups`), everyone, or the facilitator only (the screen shows them when "
        "visibility is all)",
    )
    groups: str | None = Field(
        default=None,
        description="visibility group: id of the groups step whose tables share their items "
        "(default: the last groups step before this one)",
    )
    authorship: Literal["anonymous", "attributed"] = "anonymous"
    who: list[Role] = Field(default_factory=lambda: list(VOTERS))


class ItemsRef(Model):
    """Vote on what participants submitted in an input step."""

    items: Annotated[str, Field(pattern=SLUG, description="id of the input step")]


class VoteOption(Model):
    id: Annotated[str, Field(pattern=SLUG)]
    label: Text


Method = Literal["single", "approval", "dots", "rating", "ranking", "majority_judgment", "rubric"]
METHODS: tuple[str, ...] = (
    "single",
    "approval",
    "dots",
    "rating",
    "ranking",
    "majority_judgment",
    "rubric",
)

# Majority judgment's usual verbal scale, best first (Balinski & Laraki).
DEFAULT_GRADES: tuple[dict[Lang, str], ...] = (
    {"fr": "Excellent", "en": "Excellent"},
    {"fr": "Très bien", "en": "Very good"},
    {"fr": "Bien", "en": "Good"},
    {"fr": "Assez bien", "en": "Fairly good"},
    {"fr": "Passable", "en": "Passable"},
    {"fr": "Insuffisant", "en": "Poor"},
    {"fr": "À rejeter", "en": "Reject"},
)


class Criterion(Model):
    """A jury rubric criterion: scored on its scale, weighted in the project's mean."""

    id: Annotated[str, Field(pattern=SLUG)]
    title: Text
    weight: float = Field(default=1, gt=0)
    scale: tuple[int, int] = (1, 5)


# Which keys make sense for which method: a key set for another method is an error, so a
# typo'd method does not silently ignore the budget the organiser wrote.
METHOD_KEYS: dict[str, frozenset[str]] = {
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
    count: Literal["borda", "copeland"] | None = Field(
        default=None, description="ranking: how orders are counted"
    )
    criteria: list[Criterion] | None = Field(default=None, description="rubric: criteria")
    require_all: bool | None = Field(
        default=None, description="rating/MJ/rubric: every option must get a mark"
    )
    tie_break: Literal["none", "random", "order"] = Field(
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
        return tuple(self.grades) if self.grades else DEFAULT_GRADES

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


class GroupsStep(StepBase):
    """Forms groups (tables) of the people present; phones show "table 7, with Léa and Malik"."""

    kind: Literal["groups"]
    size: int | None = Field(default=3, ge=1, le=50, description="people per group")
    else_size: int | None = Field(
        default=None, ge=1, le=50, description='"3, else 4": the other size allowed'
    )
    count: int | None = Field(default=None, ge=1, le=500, description="or: number of groups")
    mode: Literal["random", "balanced", "self"] = Field(
        default="random", description="balanced: spread `balance_by`; self: people choose"
    )
    balance_by: Literal["role", "organisation"] | None = None
    choices: list[VoteOption] | None = Field(
        default=None, description="self: the tables or topics people choose from"
    )
    merge: str | None = Field(
        default=None, description="id of an earlier groups step whose groups merge (1-2-4-All)"
    )
    factor: int = Field(default=2, ge=2, le=10, description="merge: groups merged together")
    who: list[Role] = Field(
        default_factory=lambda: list(VOTERS), description="who is placed in a group"
    )


class RotateStep(StepBase):
    """Rounds: groups visit stations, or people meet in new pairs or tables each round, or
    roles rotate inside groups (Troika)."""

    kind: Literal["rotate"]
    scheme: Literal["stations", "pairs", "tables", "world_cafe", "troika"]
    rounds: int | None = Field(default=None, ge=1, le=50, description="default: one per station")
    round_minutes: float = Field(default=10, gt=0, le=240)
    stations: Literal["projects"] | list[VoteOption] | None = Field(
        default=None, description="stations: the stands groups visit"
    )
    groups: str | None = Field(
        default=None, description="id of the groups step whose groups rotate (stations, troika)"
    )
    size: int = Field(default=4, ge=2, le=20, description="pairs/tables/world_cafe: table size")
    questions: list[Text] | None = Field(
        default=None, description="one question per round (World Café)"
    )
    feedback: Feedback | None = Field(
        default=None, description="stations that are projects: feedback on each visit"
    )
    who: list[Role] = Field(
        default_factory=lambda: list(VOTERS), description="pairs/tables: who takes part"
    )


class PassStep(StepBase):
    """25/10: each round every card goes to someone who did not write it nor see it yet, who
    scores it."""

    kind: Literal["pass"]
    items: Annotated[str, Field(pattern=SLUG, description="id of the input step")]
    rounds: int = Field(default=5, ge=1, le=20)
    round_minutes: float = Field(default=1, gt=0, le=60)
    scale: tuple[int, int] = (1, 5)


class Tag(Model):
    """An offer or a need people can declare (funding, mentoring, premises…)."""

    id: Annotated[str, Field(pattern=SLUG)]
    label: Text


# The ESS vocabulary of the sample data: a format may declare its own `tags`.
DEFAULT_TAGS: tuple[Tag, ...] = tuple(
    Tag(id=i, label={"fr": fr, "en": en})
    for i, fr, en in (
        ("funding", "Financement", "Funding"),
        ("mentoring", "Mentorat", "Mentoring"),
        ("legal-advice", "Conseil juridique", "Legal advice"),
        ("digital-skills", "Compétences numériques", "Digital skills"),
        ("volunteers", "Bénévoles", "Volunteers"),
        ("premises", "Locaux", "Premises"),
        ("public-partnership", "Partenariat public", "Public partnership"),
        ("distribution-network", "Réseau de distribution", "Distribution network"),
        ("communication", "Communication", "Communication"),
        ("impact-measurement", "Mesure d'impact", "Impact measurement"),
        ("open-source-dev", "Développement logiciel libre", "Open-source development"),
        ("local-anchoring", "Ancrage territorial", "Local anchoring"),
    )
)


class MatchStep(StepBase):
    """Scheduled one-to-one meetings between those who need and those who offer, from
    people's wishes ("I want to meet this project") and complementary offers and needs."""

    kind: Literal["match"]
    slots: int = Field(default=6, ge=1, le=48, description="meeting slots")
    slot_minutes: float = Field(default=10, gt=0, le=120)
    start: Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}$")] | None = Field(
        default=None, description="time of the first slot (HH:MM), for agendas and calendars"
    )
    tables: int | None = Field(default=None, ge=1, le=2000, description="tables per slot")
    min_meetings: int = Field(default=1, ge=0, le=48, description="per person, when possible")
    max_meetings: int | None = Field(default=None, ge=1, le=48)
    tags: list[Tag] | None = Field(default=None, description="offers/needs vocabulary")

    def vocabulary(self) -> tuple[Tag, ...]:
        return tuple(self.tags) if self.tags else DEFAULT_TAGS


class UseStep(StepBase):
    """Runs another format's steps here, with its parameters set (TRIZ uses 1-2-4-All three
    times). Step ids of the nested format get this step's id as a prefix."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["use"]
    format: Annotated[
        str,
        Field(
            pattern=SLUG,
            description="a shipped format id or a file name (without .yaml) next to this format",
        ),
    ]
    with_: dict[str, int | float | str | bool] = Field(
        default_factory=dict, alias="with", description="parameter values of the nested format"
    )


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
    tie_break: Literal["none", "random", "order"] = Field(
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


Step = Annotated[
    InfoStep
    | BreakStep
    | TalkStep
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
STEP_KINDS = (
    "info",
    "break",
    "talk",
    "pitch",
    "input",
    "vote",
    "reveal",
    "groups",
    "rotate",
    "pass",
    "match",
    "use",
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

    def match_step(self) -> MatchStep | None:
        """The event's matchmaking (the first match step), if it has one."""
        return next((s for s in self.steps if isinstance(s, MatchStep)), None)

    def input_steps(self) -> dict[str, InputStep]:
        return {step_id(s, i): s for i, s in enumerate(self.steps) if isinstance(s, InputStep)}

    def vote_steps(self) -> dict[str, VoteStep]:
        return {step_id(s, i): s for i, s in enumerate(self.steps) if isinstance(s, VoteStep)}


def step_id(step: StepBase, index: int) -> str:
    """Steps without an id get `<kind>-<position>`, stable as long as the steps keep their order."""
    kind: str = getattr(step, "kind", "step")
    return step.id or f"{kind}-{index + 1}"


# --- parsing ---------------------------------------------------------------------------------
