"""Raw ballots from phones to their normal form, or BallotError saying what is wrong."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.core.voting.spec import (
    MAX_OPTIONS,
    BallotError,
    VoteSpec,
)


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise BallotError("malformed", f"'{key}' must map options to values")
    if len(value) > MAX_OPTIONS:
        raise BallotError("malformed", f"'{key}' has too many entries")
    return value


def _integer(value: object, what: str) -> int:
    # infinities and NaN are floats too (JSON from a phone may carry them): int() refuses them
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
        or int(value) != value
    ):
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
        raise BallotError("no_points", "give at least one point")
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
        raise BallotError("nothing_marked", "mark at least one option")
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
        raise BallotError("nothing_ranked", "rank at least one option")
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
        if given:
            out[option] = {c: given[c] for c in criteria if c in given}
    if spec.require_all:
        # every project this voter may score, on every criterion: a jury's sheet is complete
        empty = sum(len(criteria) - len(out.get(o, {})) for o in spec.options if o not in forbidden)
        if empty:
            raise BallotError("missing_criteria", f"{empty} scores still empty: score them all")
    if not out:
        raise BallotError("nothing_scored", "score at least one project")
    return {"scores": {o: out[o] for o in _ordered(spec, list(out))}}
