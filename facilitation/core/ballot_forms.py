"""Ballots as HTML form fields and back, for every voting method.

Phones send their vote form's fields (over the socket, or as a plain form post when the socket
is down); both paths turn them into a ballot here, and `voting.validate_ballot` then judges it.
The reverse mapping lets a phone show its own ballot again after a reload or a pushed step,
whatever the method, with one generic piece of JavaScript.

Field names: `choice` (single), `choices` (approval, repeated), `points.<option>` (dots),
`score.<option>` (rating), `rank.<option>` (ranking, 1 = first), `grade.<option>` (majority
judgment, 0 = best grade), `score.<option>.<criterion>` (rubric), `abstain` = "1".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitation.core.inputs import whole_number

Fields = Mapping[str, Sequence[str]]
ABSTAIN = "__abstain__"

# Far beyond any real ballot: a phone cannot make the server parse a huge form.
MAX_FIELDS = 500


class FormError(ValueError):
    code = "malformed"


class DuplicateRankError(FormError):
    code = "duplicate_rank"


def _one(fields: Fields, name: str) -> str | None:
    values = fields.get(name) or []
    return values[-1].strip() if values and isinstance(values[-1], str) else None


def _int(text: str) -> int:
    number = whole_number(text, signed=True)
    if number is None:
        raise FormError(f"{text!r} is not a whole number")
    return number


def ballot_from_fields(
    method: str, options: Sequence[str], fields: Fields, criteria: Sequence[str] = ()
) -> dict[str, object]:
    """The ballot a vote form describes; marks left empty are simply absent."""
    if len(fields) > MAX_FIELDS:
        raise FormError("too many fields")
    if _one(fields, "abstain") == "1" or _one(fields, "choice") == ABSTAIN:
        return {"abstain": True}
    if method == "single":
        return {"choice": _one(fields, "choice") or ""}
    if method == "approval":
        return {"choices": [v for v in fields.get("choices", []) if isinstance(v, str)]}
    if method == "dots":
        return {"points": {o: _int(v) for o, v in _marks(options, fields, "points").items()}}
    if method == "rating":
        return {"scores": {o: _int(v) for o, v in _marks(options, fields, "score").items()}}
    if method == "ranking":
        ranks = {o: _int(v) for o, v in _marks(options, fields, "rank").items()}
        if len(set(ranks.values())) < len(ranks):
            raise DuplicateRankError("two options have the same rank")
        return {"order": sorted(ranks, key=lambda o: ranks[o])}
    if method == "majority_judgment":
        return {"grades": {o: _int(v) for o, v in _marks(options, fields, "grade").items()}}
    if method == "rubric":
        scores: dict[str, dict[str, int]] = {}
        for option in options:
            marks = {c: _one(fields, f"score.{option}.{c}") for c in criteria}
            given = {c: _int(v) for c, v in marks.items() if v}
            if given:
                scores[option] = given
        return {"scores": scores}
    raise FormError(f"unknown method {method!r}")


def _marks(options: Sequence[str], fields: Fields, prefix: str) -> dict[str, str]:
    out = {}
    for option in options:
        value = _one(fields, f"{prefix}.{option}")
        if value:
            out[option] = value
    return out


def fields_from_ballot(ballot: Mapping[str, object]) -> dict[str, list[str]]:
    """The form fields that show `ballot` again (the inverse of `ballot_from_fields`)."""
    if ballot.get("abstain"):
        return {"abstain": ["1"], "choice": [ABSTAIN]}
    out: dict[str, list[str]] = {}
    if isinstance(ballot.get("choice"), str):
        out["choice"] = [str(ballot["choice"])]
    choices = ballot.get("choices")
    if isinstance(choices, list):
        out["choices"] = [str(c) for c in choices]
    for key, prefix in (("points", "points"), ("grades", "grade")):
        marks = ballot.get(key)
        if isinstance(marks, dict):
            out.update({f"{prefix}.{o}": [str(v)] for o, v in marks.items()})
    scores = ballot.get("scores")
    if isinstance(scores, dict):
        for option, value in scores.items():
            if isinstance(value, dict):
                out.update({f"score.{option}.{c}": [str(v)] for c, v in value.items()})
            else:
                out[f"score.{option}"] = [str(value)]
    order = ballot.get("order")
    if isinstance(order, list):
        out.update({f"rank.{o}": [str(i)] for i, o in enumerate(order, start=1)})
    return out
