"""What a vote is (its method, options, scale, grades) and what its result holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from facilitation.core.languages import Lang

Method = Literal["single", "approval", "dots", "rating", "ranking", "majority_judgment", "rubric"]
METHODS: tuple[Method, ...] = get_args(Method)
Count = Literal["borda", "copeland"]  # how a ranking is counted
COUNTS: tuple[Count, ...] = get_args(Count)
TieBreak = Literal["none", "random", "order"]
TIE_BREAKS: tuple[TieBreak, ...] = get_args(TieBreak)

# Majority judgment's usual verbal scale, best first (Balinski & Laraki).
DEFAULT_GRADE_LABELS: tuple[dict[Lang, str], ...] = (
    {"fr": "Excellent", "en": "Excellent"},
    {"fr": "Très bien", "en": "Very good"},
    {"fr": "Bien", "en": "Good"},
    {"fr": "Assez bien", "en": "Fairly good"},
    {"fr": "Passable", "en": "Passable"},
    {"fr": "Insuffisant", "en": "Poor"},
    {"fr": "À rejeter", "en": "Reject"},
)
# A spec made without a format (the command line, tests) speaks the formats' default language.
DEFAULT_GRADES: tuple[str, ...] = tuple(label["fr"] for label in DEFAULT_GRADE_LABELS)
MAX_OPTIONS = 500  # a phone cannot make the server chew on a huge ballot


class BallotError(ValueError):
    """A ballot that cannot be counted; `code` names the problem for translated messages."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Criterion:
    id: str
    weight: float = 1.0
    scale: tuple[int, int] = (1, 5)


@dataclass(frozen=True)
class VoteSpec:
    method: Method
    options: tuple[str, ...]
    min_choices: int = 1
    max_choices: int | None = None
    budget: int = 3
    cap: int | None = None
    scale: tuple[int, int] = (1, 5)
    grades: tuple[str, ...] = DEFAULT_GRADES
    count: Count = "borda"
    criteria: tuple[Criterion, ...] = ()
    allow_abstain: bool = False
    tie_break: TieBreak = "none"
    require_all: bool = False


@dataclass(frozen=True)
class VoteResult:
    """What a vote decided. `scores` is the figure options are ranked by (count, total, mean,
    Borda or Copeland score, weighted mean; for majority judgment the median grade index, where
    lower is better). `details` holds the per-method figures for charts and downloads."""

    method: Method
    options: tuple[str, ...]
    n_ballots: int
    n_abstentions: int
    ranking: tuple[str, ...]
    ties: tuple[tuple[str, ...], ...]
    winners: tuple[str, ...]
    scores: Mapping[str, float]
    details: Mapping[str, Any] = field(default_factory=dict)

    def places(self) -> dict[str, int]:
        return standings(self.ranking, self.ties)

    def supported(self) -> tuple[str, ...]:
        """Options best first that got something (a vote, a point, a rating); a vote whose
        figures cannot be zero (ranking, grades) lists every option."""
        if self.method in ("single", "approval", "dots"):
            return tuple(o for o in self.ranking if self.scores.get(o, 0) > 0)
        count = {"rating": "raters", "rubric": "jurors"}.get(self.method)
        if count is None:
            return self.ranking
        figures: Mapping[str, int] = self.details.get(count, {})
        return tuple(o for o in self.ranking if figures.get(o, 0) > 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "ballots": self.n_ballots,
            "abstentions": self.n_abstentions,
            "ranking": list(self.ranking),
            "winners": list(self.winners),
            "ties": [list(t) for t in self.ties],
            "scores": dict(self.scores),
            **self.details,
        }


def standings(ranking: tuple[str, ...], ties: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    """1-based places; options still tied after the tie-break share the best of their places
    (two options tied first are both 1st, the next is 3rd)."""
    tied = {o: group for group in ties for o in group}
    places: dict[str, int] = {}
    for position, option in enumerate(ranking, start=1):
        group = tied.get(option)
        places[option] = (
            min((places[o] for o in group if o in places), default=position) if group else position
        )
    return places
