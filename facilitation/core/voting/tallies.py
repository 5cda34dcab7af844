"""Normal ballots to results, one function per method; ties ranked, broken by seed."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from functools import lru_cache
from statistics import median
from typing import Any

import numpy as np

from facilitation.core.voting.spec import (
    VoteResult,
    VoteSpec,
)

# --- ranking with ties -----------------------------------------------------------------------


def rank_with_ties(
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


def winners(
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
    ranking, ties = rank_with_ties(spec, keys, seed)
    counted = len(ballots) - abstentions
    return VoteResult(
        method=spec.method,
        options=spec.options,
        n_ballots=len(ballots),
        n_abstentions=abstentions,
        ranking=ranking,
        ties=ties,
        winners=winners(ranking, keys, spec, counted),
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
