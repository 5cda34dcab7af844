"""The kinds of step a format is made of (votes and reveals are in `votes`): what each holds,
its defaults and the checks of its own keys; and the roles of the people who take part."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from facilitation.core.formats.model import SLUG, Model
from facilitation.core.formats.texts import Text

Role = Literal["facilitator", "participant", "holder", "partner", "jury", "decider", "observer"]

VOTERS: tuple[Role, ...] = ("participant", "holder", "partner")
BASIC_ROLES: tuple[Role, ...] = ("facilitator", "participant")


Reaction = Literal["applause", "heart", "plus_one", "laugh", "wow"]


class QA(Model):
    """Audience questions during a step: phones ask (to the project pitching, if any) and
    upvote; the facilitator moderates and puts one on the projector."""

    moderation: Literal["post", "pre"] = Field(
        default="post",
        description="post: shown at once, the facilitator may hide; pre: shown once approved",
    )
    names: bool = Field(
        default=True, description="askers may sign with a name (anonymous by default)"
    )
    max_length: int = Field(default=280, ge=20, le=1000, description="characters per question")
    per_person: int | None = Field(default=None, ge=1, le=50, description="null: any number")
    order: Literal["votes", "recent"] = Field(
        default="votes", description="how phones list them at first (they can switch)"
    )


class StepBase(Model):
    id: Annotated[str, Field(pattern=SLUG)] | None = None
    title: Text | None = None
    body: Text | None = Field(default=None, description="Instructions shown on phones and screen.")
    minutes: float | None = Field(default=None, gt=0, le=24 * 60)
    autostart: bool = Field(default=False, description="Start the timer when the step begins.")
    qa: QA | None = Field(
        default=None,
        description="audience questions during this step, upvoted by the room (for a pitch: "
        "to each project, during its pitch and Q&A)",
    )
    reactions: list[Reaction] | None = Field(
        default=None,
        max_length=5,
        description="reactions phones may send during this step, shown live on the projector",
    )


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


class QAStep(StepBase):
    """A question time: the room asks and upvotes, the facilitator picks what is answered."""

    kind: Literal["qa"]
    qa: QA = Field(default_factory=lambda: QA())


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
    cloud: bool = Field(
        default=False,
        description="show the answers as a word cloud (each answer: one to three words)",
    )


class VoteOption(Model):
    id: Annotated[str, Field(pattern=SLUG)]
    label: Text


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


def step_id(step: StepBase, index: int) -> str:
    """Steps without an id get `<kind>-<position>`, stable as long as the steps keep their order."""
    kind: str = getattr(step, "kind", "step")
    return step.id or f"{kind}-{index + 1}"
