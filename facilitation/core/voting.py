"""Ballots -> results, one pure function per voting method.

Ballots arrive as JSON from phones; `validate_ballot` turns a raw ballot into its normal form or
raises `BallotError` saying what is wrong; `tally` counts normal ballots. Results never depend
on the order ballots arrive in. Randomness (the "random" tie-break) comes from a seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median
from typing import Any, Literal, get_args

import numpy as np

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


# --- validation ------------------------------------------------------------------------------


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise BallotError("malformed", f"'{key}' must map options to values")
    if len(value) > MAX_OPTIONS:
        raise BallotError("malformed", f"'{key}' has too many entries")
    return value


def _integer(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise BallotError("malformed", f"{what} must be a whole number, got {value!r}")
    return int(value)


def _known(spec: VoteSpec, option: object, forbidden: frozenset[str]) -> str:
    if not isinstance(option, str) or option not in spec.options:
        raise BallotError("unknown_option", f"{option!r} is not one of the options")
    if option in forbidden:
        raise BallotError("forbidden_option", f"you may not vote for {option!r}")
    return option


def _ordered(spec: VoteSpec, options: Sequence[str]) -> list[str]:
    position = {o: i for i, o in enumerate(spec.options)}
    return sorted(options, key=position.__getitem__)


def validate_ballot(
    spec: VoteSpec, raw: object, *, forbidden: frozenset[str] = frozenset()
) -> dict[str, object]:
    """The normal form of `raw` for this vote, or BallotError with what is wrong."""
    if not isinstance(raw, Mapping):
        raise BallotError("malformed", "a ballot is an object")
    if raw.get("abstain") is True:
        if not spec.allow_abstain:
            raise BallotError("abstain_not_allowed", "abstaining is not allowed in this vote")
        return {"abstain": True}
    match spec.method:
        case "single":
            return {"choice": _known(spec, raw.get("choice"), forbidden)}
        case "approval":
            return _validate_approval(spec, raw, forbidden)
        case "dots":
            return _validate_dots(spec, raw, forbidden)
        case "rating":
            return {
                "scores": _validate_scores(
                    spec, _mapping(raw, "scores"), forbidden, spec.scale, "score"
                )
            }
        case "ranking":
            return _validate_ranking(spec, raw, forbidden)
        case "majority_judgment":
            scale = (0, len(spec.grades) - 1)
            return {
                "grades": _validate_scores(spec, _mapping(raw, "grades"), forbidden, scale, "grade")
            }
        case "rubric":
            return _validate_rubric(spec, raw, forbidden)
    raise BallotError("malformed", f"unknown method {spec.method!r}")


def _validate_approval(
    spec: VoteSpec, raw: Mapping[str, Any], forbidden: frozenset[str]
) -> dict[str, object]:
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) > MAX_OPTIONS:
        raise BallotError("malformed", "'choices' must be a list of options")
    picked = [_known(spec, c, forbidden) for c in choices]
    if len(set(picked)) != len(picked):
        raise BallotError("malformed", "an option is chosen twice")
    most = spec.max_choices or len(spec.options)
    if len(picked) > most:
        raise BallotError("too_many_choices", f"at most {most} choices, got {len(picked)}")
    if len(picked) < spec.min_choices:
        raise BallotError("too_few_choices", f"at least {spec.min_choices} choices")
    return {"choices": _ordered(spec, picked)}


def _validate_dots(
    spec: VoteSpec, raw: Mapping[str, Any], forbidden: frozenset[str]
) -> dict[str, object]:
    points: dict[str, int] = {}
    for option, value in _mapping(raw, "points").items():
        amount = _integer(value, "points")
        if amount < 0:
            raise BallotError("malformed", "points cannot be negative")
        if amount == 0:
            continue
        _known(spec, option, forbidden)
        if spec.cap is not None and amount > spec.cap:
            raise BallotError("over_cap", f"at most {spec.cap} on one option, got {amount}")
        points[option] = amount
    spent = sum(points.values())
    if spent > spec.budget:
        raise BallotError("over_budget", f"{spent} points spent of a budget of {spec.budget}")
    if not points:
        raise BallotError("too_few_choices", "give at least one point")
    return {"points": {o: points[o] for o in _ordered(spec, list(points))}}


def _validate_scores(
    spec: VoteSpec,
    marks: Mapping[str, Any],
    forbidden: frozenset[str],
    scale: tuple[int, int],
    what: str,
) -> dict[str, int]:
    out: dict[str, int] = {}
    for option, value in marks.items():
        _known(spec, option, forbidden)
        mark = _integer(value, what)
        if not scale[0] <= mark <= scale[1]:
            raise BallotError("out_of_scale", f"{what} {mark} is outside {scale[0]}–{scale[1]}")
        out[option] = mark
    required = [o for o in spec.options if o not in forbidden]
    if spec.require_all and any(o not in out for o in required):
        raise BallotError("missing_score", "every option needs a mark")
    if not out:
        raise BallotError("too_few_choices", "mark at least one option")
    return {o: out[o] for o in _ordered(spec, list(out))}


def _validate_ranking(
    spec: VoteSpec, raw: Mapping[str, Any], forbidden: frozenset[str]
) -> dict[str, object]:
    order = raw.get("order")
    if not isinstance(order, list) or len(order) > MAX_OPTIONS:
        raise BallotError("malformed", "'order' must be a list of options, best first")
    ranked = [_known(spec, o, forbidden) for o in order]
    if len(set(ranked)) != len(ranked):
        raise BallotError("duplicate_rank", "an option is ranked twice")
    if not ranked:
        raise BallotError("too_few_choices", "rank at least one option")
    if spec.max_choices is not None and len(ranked) > spec.max_choices:
        raise BallotError("too_many_choices", f"rank at most {spec.max_choices} options")
    return {"order": ranked}


def _validate_rubric(
    spec: VoteSpec, raw: Mapping[str, Any], forbidden: frozenset[str]
) -> dict[str, object]:
    scores = _mapping(raw, "scores")
    out: dict[str, dict[str, int]] = {}
    criteria = {c.id: c for c in spec.criteria}
    for option, marks in scores.items():
        _known(spec, option, forbidden)
        if not isinstance(marks, Mapping):
            raise BallotError("malformed", "each project's scores map criteria to scores")
        given: dict[str, int] = {}
        for criterion, value in marks.items():
            if criterion not in criteria:
                raise BallotError("malformed", f"{criterion!r} is not a criterion")
            mark = _integer(value, "score")
            low, high = criteria[criterion].scale
            if not low <= mark <= high:
                raise BallotError("out_of_scale", f"score {mark} is outside {low}–{high}")
            given[criterion] = mark
        if spec.require_all and set(given) != set(criteria):
            raise BallotError("missing_score", "score every criterion")
        if given:
            out[option] = {c: given[c] for c in criteria if c in given}
    if not out:
        raise BallotError("too_few_choices", "score at least one project")
    return {"scores": {o: out[o] for o in _ordered(spec, list(out))}}


# --- ranking with ties -----------------------------------------------------------------------


def _rank(
    spec: VoteSpec,
    keys: Mapping[str, tuple[float, ...]],
    seed: int,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Options best first by `keys` (higher is better), ties broken by the spec's rule.
    Returns the ranking and the groups still tied after the tie-break."""
    groups: dict[tuple[float, ...], list[str]] = {}
    for option in spec.options:
        groups.setdefault(keys[option], []).append(option)
    ranking: list[str] = []
    ties: list[tuple[str, ...]] = []
    draw = random.Random(seed)
    for key in sorted(groups, reverse=True):
        group = groups[key]  # already in declaration order
        if len(group) > 1:
            if spec.tie_break == "random":
                group = sorted(group)
                draw.shuffle(group)
            elif spec.tie_break == "none":
                ties.append(tuple(group))
        ranking += group
    return tuple(ranking), tuple(ties)


def _winners(
    ranking: Sequence[str], keys: Mapping[str, tuple[float, ...]], spec: VoteSpec, n_counted: int
) -> tuple[str, ...]:
    if not ranking or n_counted == 0:
        return ()
    if spec.tie_break != "none":
        return (ranking[0],)
    return tuple(o for o in ranking if keys[o] == keys[ranking[0]])


def _result(
    spec: VoteSpec,
    ballots: Sequence[Mapping[str, Any]],
    scores: Mapping[str, float],
    details: dict[str, Any],
    seed: int,
    keys: Mapping[str, tuple[float, ...]] | None = None,
) -> VoteResult:
    abstentions = sum(1 for b in ballots if b.get("abstain"))
    keys = keys or {o: (scores[o],) for o in spec.options}
    ranking, ties = _rank(spec, keys, seed)
    counted = len(ballots) - abstentions
    return VoteResult(
        method=spec.method,
        options=spec.options,
        n_ballots=len(ballots),
        n_abstentions=abstentions,
        ranking=ranking,
        ties=ties,
        winners=_winners(ranking, keys, spec, counted),
        scores=dict(scores),
        details=details,
    )


# --- the methods -----------------------------------------------------------------------------


def tally(spec: VoteSpec, ballots: Sequence[Mapping[str, Any]], *, seed: int = 0) -> VoteResult:
    """Count normal-form ballots (as `validate_ballot` returns them)."""
    counted = [b for b in ballots if not b.get("abstain")]
    match spec.method:
        case "single":
            return _tally_counts(spec, ballots, [[b["choice"]] for b in counted], seed)
        case "approval":
            return _tally_counts(spec, ballots, [b["choices"] for b in counted], seed)
        case "dots":
            return _tally_dots(spec, ballots, counted, seed)
        case "rating":
            return _tally_rating(spec, ballots, counted, seed)
        case "ranking":
            return _tally_ranking(spec, ballots, counted, seed)
        case "majority_judgment":
            return _tally_majority_judgment(spec, ballots, counted, seed)
        case "rubric":
            return _tally_rubric(spec, ballots, counted, seed)
    raise ValueError(f"unknown method {spec.method!r}")


def _tally_counts(
    spec: VoteSpec, ballots: Sequence[Mapping[str, Any]], picks: list[list[str]], seed: int
) -> VoteResult:
    counts = dict.fromkeys(spec.options, 0)
    for chosen in picks:
        for option in chosen:
            counts[option] += 1
    voters = len(picks)
    shares = {o: (counts[o] / voters if voters else 0.0) for o in spec.options}
    return _result(spec, ballots, counts, {"counts": counts, "shares": shares}, seed)


def _tally_dots(
    spec: VoteSpec,
    ballots: Sequence[Mapping[str, Any]],
    counted: list[Mapping[str, Any]],
    seed: int,
) -> VoteResult:
    totals = dict.fromkeys(spec.options, 0)
    supporters = dict.fromkeys(spec.options, 0)
    for ballot in counted:
        for option, amount in ballot["points"].items():
            totals[option] += amount
            supporters[option] += 1
    spent = sum(totals.values())
    shares = {o: (totals[o] / spent if spent else 0.0) for o in spec.options}
    details = {"totals": totals, "supporters": supporters, "shares": shares, "spent": spent}
    return _result(spec, ballots, totals, details, seed)


def _tally_rating(
    spec: VoteSpec,
    ballots: Sequence[Mapping[str, Any]],
    counted: list[Mapping[str, Any]],
    seed: int,
) -> VoteResult:
    low, high = spec.scale
    marks: dict[str, list[int]] = {o: [] for o in spec.options}
    for ballot in counted:
        for option, score in ballot["scores"].items():
            marks[option].append(score)
    means = {o: (sum(m) / len(m) if m else 0.0) for o, m in marks.items()}
    medians = {o: (float(median(m)) if m else None) for o, m in marks.items()}
    distribution = {o: {str(s): m.count(s) for s in range(low, high + 1)} for o, m in marks.items()}
    # Options nobody rated come last, then higher mean, then more raters.
    keys = {o: (1.0 if marks[o] else 0.0, means[o], float(len(marks[o]))) for o in spec.options}
    details = {
        "means": means,
        "medians": medians,
        "distribution": distribution,
        "raters": {o: len(m) for o, m in marks.items()},
        "scale": [low, high],
    }
    return _result(spec, ballots, means, details, seed, keys)


def positions(spec: VoteSpec, orders: Sequence[Sequence[str]]) -> np.ndarray[Any, Any]:
    """p[b][i] = place of option i on ballot b (0 = first); options a ballot leaves unranked
    share the place after its last ranked one."""
    n = len(spec.options)
    index = {o: i for i, o in enumerate(spec.options)}
    places = np.empty((len(orders), n), dtype=np.int32)
    for row, order in enumerate(orders):
        places[row].fill(len(order))
        places[row, [index[o] for o in order]] = np.arange(len(order), dtype=np.int32)
    return places


def pairwise_matrix(places: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """m[i][j] = voters preferring option i to option j (a ranked option beats every unranked
    one; unranked options are tied with each other)."""
    n = places.shape[1]
    matrix = np.zeros((n, n), dtype=np.int64)
    for start in range(0, len(places), 4096):  # bounded memory for very large votes
        chunk = places[start : start + 4096]
        matrix += (chunk[:, :, None] < chunk[:, None, :]).sum(axis=0)
    return matrix


def _tally_ranking(
    spec: VoteSpec,
    ballots: Sequence[Mapping[str, Any]],
    counted: list[Mapping[str, Any]],
    seed: int,
) -> VoteResult:
    n = len(spec.options)
    index = {o: i for i, o in enumerate(spec.options)}
    orders = [b["order"] for b in counted]
    places = positions(spec, orders)
    matrix = pairwise_matrix(places)
    # Borda for partial rankings ("modified Borda"): the option in place r (from 0) gets
    # n - 1 - r points; unranked options get 0.
    lengths = np.array([len(o) for o in orders], dtype=np.int32)[:, None]
    borda = np.where(places < lengths, n - 1 - places, 0).sum(axis=0)
    wins = (matrix > matrix.T).sum(axis=1)
    losses = (matrix < matrix.T).sum(axis=1)
    copeland = {o: float(wins[i] - losses[i]) for o, i in index.items()}
    condorcet = [o for o, i in index.items() if wins[i] == n - 1]
    details = {
        "count": spec.count,
        "borda": {o: int(borda[i]) for o, i in index.items()},
        "copeland": copeland,
        "wins": {o: int(wins[i]) for o, i in index.items()},
        "losses": {o: int(losses[i]) for o, i in index.items()},
        "pairwise": {
            a: {b: int(matrix[i][j]) for b, j in index.items() if b != a} for a, i in index.items()
        },
        "condorcet_winner": condorcet[0] if condorcet else None,
    }
    keys: dict[str, tuple[float, ...]]
    if spec.count == "copeland":
        scores = copeland
        # Copeland ties are common: Borda decides among equal Copeland scores.
        keys = {o: (copeland[o], float(borda[index[o]])) for o in spec.options}
    else:
        scores = {o: float(borda[i]) for o, i in index.items()}
        keys = {o: (scores[o],) for o in spec.options}
    return _result(spec, ballots, scores, details, seed, keys)


@lru_cache(maxsize=64)
def _median_order(n: int) -> np.ndarray[Any, Any]:
    """The places (0 = best) in which a sorted list of n grades loses its lower median, one
    after another. It depends on n only: from the middle outwards, alternating sides."""
    order: list[int] = []
    if n == 0:
        return np.array(order, dtype=np.int64)
    if n % 2:
        low = high = (n - 1) // 2
        order.append(low)
        turn_right = True
    else:
        low, high = n // 2, n // 2
        order.append(high)
        turn_right = False
    while len(order) < n:
        if turn_right:
            high += 1
            order.append(high)
        else:
            low -= 1
            order.append(low)
        turn_right = not turn_right
    return np.array(order, dtype=np.int64)


def majority_value(profile: Sequence[int]) -> tuple[int, ...]:
    """Balinski & Laraki's majority value from a merit profile (voters per grade, best grade
    first): the median grade, then the median of what remains once it is removed, and so on.
    Options compare by these sequences; the tuple holds -grade so that higher is better."""
    grades = np.repeat(np.arange(len(profile)), profile)
    return tuple(int(g) for g in -grades[_median_order(len(grades))])


def _tally_majority_judgment(
    spec: VoteSpec,
    ballots: Sequence[Mapping[str, Any]],
    counted: list[Mapping[str, Any]],
    seed: int,
) -> VoteResult:
    worst = len(spec.grades) - 1
    profiles = {o: [0] * len(spec.grades) for o in spec.options}
    for ballot in counted:
        grades = ballot["grades"]
        for option in spec.options:
            # an option left ungraded counts as the worst grade ("À rejeter")
            profiles[option][grades.get(option, worst)] += 1
    keys = {o: majority_value(profiles[o]) for o in spec.options}
    medians = {o: (-keys[o][0] if keys[o] else None) for o in spec.options}
    details = {
        "grades": list(spec.grades),
        "profiles": profiles,
        "median_grades": medians,
        "median_labels": {
            o: (spec.grades[m] if m is not None else None) for o, m in medians.items()
        },
    }
    scores: dict[str, float] = {}
    for option in spec.options:
        grade = medians[option]
        scores[option] = float(worst if grade is None else grade)
    return _result(spec, ballots, scores, details, seed, keys)


def _tally_rubric(
    spec: VoteSpec,
    ballots: Sequence[Mapping[str, Any]],
    counted: list[Mapping[str, Any]],
    seed: int,
) -> VoteResult:
    criteria = {c.id: c for c in spec.criteria}
    per_criterion: dict[str, dict[str, list[int]]] = {
        o: {c: [] for c in criteria} for o in spec.options
    }
    for ballot in counted:
        for option, marks in ballot["scores"].items():
            for criterion, mark in marks.items():
                per_criterion[option][criterion].append(mark)
    means = {
        o: {c: (sum(m) / len(m) if m else None) for c, m in marks.items()}
        for o, marks in per_criterion.items()
    }
    total_weight = sum(c.weight for c in spec.criteria) or 1.0

    def weighted(option: str) -> float:
        # a criterion nobody scored counts as its lowest mark, so skipping cannot help
        total = 0.0
        for criterion in spec.criteria:
            mean = means[option][criterion.id]
            total += criterion.weight * (criterion.scale[0] if mean is None else mean)
        return total / total_weight

    scored = {o: any(per_criterion[o][c] for c in criteria) for o in spec.options}
    weighted_means = {o: weighted(o) for o in spec.options}
    keys = {o: (1.0 if scored[o] else 0.0, weighted_means[o]) for o in spec.options}
    details = {
        "weighted_means": weighted_means,
        "criterion_means": means,
        "jurors": {
            o: max((len(m) for m in per_criterion[o].values()), default=0) for o in spec.options
        },
        "criteria": [
            {"id": c.id, "weight": c.weight, "scale": list(c.scale)} for c in spec.criteria
        ],
    }
    return _result(spec, ballots, weighted_means, details, seed, keys)


# --- combining votes -------------------------------------------------------------------------


def rank_points(result: VoteResult) -> dict[str, float]:
    """Points by place: of n options, the first gets n - 1, the last 0; tied options share
    the average of the places they span."""
    n = len(result.ranking)
    tied = {o: group for group in result.ties for o in group}
    points: dict[str, float] = {}
    position = 0
    done: set[str] = set()
    for option in result.ranking:
        if option in done:
            continue
        group = tied.get(option, (option,))
        places = [n - 1 - (position + k) for k in range(len(group))]
        for member in group:
            points[member] = sum(places) / len(places)
            done.add(member)
        position += len(group)
    return points


@dataclass(frozen=True)
class CombinedResult:
    ranking: tuple[str, ...]
    ties: tuple[tuple[str, ...], ...]
    winners: tuple[str, ...]
    scores: Mapping[str, float]
    parts: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "combined",
            "ranking": list(self.ranking),
            "winners": list(self.winners),
            "ties": [list(t) for t in self.ties],
            "scores": dict(self.scores),
            "parts": list(self.parts),
        }


def combine_results(
    parts: Sequence[tuple[str, VoteResult, float]],
    *,
    tie_break: TieBreak = "none",
    seed: int = 0,
) -> CombinedResult:
    """Merge votes on the same options by weighted rank points (weights are normalised):
    e.g. jury 0.5 + public 0.5. Each part's place and points are kept for display."""
    if not parts:
        raise ValueError("nothing to combine")
    options = parts[0][1].options
    total = sum(weight for _, _, weight in parts) or 1.0
    scores = dict.fromkeys(options, 0.0)
    shown = []
    for name, result, weight in parts:
        points = rank_points(result)
        for option in options:
            scores[option] += weight / total * points.get(option, 0.0)
        shown.append(
            {
                "vote": name,
                "weight": weight / total,
                "places": {o: result.ranking.index(o) + 1 for o in result.ranking},
                "points": points,
            }
        )
    spec = VoteSpec(method="single", options=options, tie_break=tie_break)
    keys = {o: (round(scores[o], 9),) for o in options}
    ranking, ties = _rank(spec, keys, seed)
    counted = sum(r.n_ballots for _, r, _ in parts)
    return CombinedResult(
        ranking=ranking,
        ties=ties,
        winners=_winners(ranking, keys, spec, counted),
        scores=scores,
        parts=tuple(shown),
    )
