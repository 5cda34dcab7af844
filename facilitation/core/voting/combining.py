"""Several votes combined into one ranking (e.g. audience and jury, weighted)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from facilitation.core.voting.spec import (
    TieBreak,
    VoteResult,
    VoteSpec,
    standings,
)
from facilitation.core.voting.tallies import rank_with_ties, winners


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

    def places(self) -> dict[str, int]:
        return standings(self.ranking, self.ties)

    def supported(self) -> tuple[str, ...]:
        return self.ranking

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
    ranking, ties = rank_with_ties(spec, keys, seed)
    counted = sum(r.n_ballots for _, r, _ in parts)
    return CombinedResult(
        ranking=ranking,
        ties=ties,
        winners=winners(ranking, keys, spec, counted),
        scores=scores,
        parts=tuple(shown),
    )
