"""Vote forms <-> ballots, for every method: what a phone shows is what it sent."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitation.core.ballot_forms import FormError, ballot_from_fields, fields_from_ballot
from facilitation.core.voting import Criterion, VoteSpec, validate_ballot

OPTIONS = ("a", "b", "c", "d")
CRITERIA = ("impact", "team")
SPECS = {
    "single": VoteSpec("single", OPTIONS),
    "approval": VoteSpec("approval", OPTIONS),
    "dots": VoteSpec("dots", OPTIONS, budget=6),
    "rating": VoteSpec("rating", OPTIONS),
    "ranking": VoteSpec("ranking", OPTIONS),
    "majority_judgment": VoteSpec("majority_judgment", OPTIONS),
    "rubric": VoteSpec("rubric", OPTIONS, criteria=tuple(Criterion(c) for c in CRITERIA)),
}


@st.composite
def ballots(draw: st.DrawFn, method: str) -> dict[str, Any]:
    subset = draw(st.lists(st.sampled_from(OPTIONS), unique=True, min_size=1))
    match method:
        case "single":
            return {"choice": subset[0]}
        case "approval":
            return {"choices": subset}
        case "dots":
            return {"points": {o: 1 for o in subset}}
        case "rating":
            return {"scores": {o: draw(st.integers(1, 5)) for o in subset}}
        case "ranking":
            return {"order": subset}
        case "majority_judgment":
            return {"grades": {o: draw(st.integers(0, 6)) for o in subset}}
        case _:
            return {"scores": {o: {c: draw(st.integers(1, 5)) for c in CRITERIA} for o in subset}}


@pytest.mark.parametrize("method", list(SPECS))
@given(data=st.data())
def test_fields_round_trip(method: str, data: st.DataObject) -> None:
    spec = SPECS[method]
    ballot = validate_ballot(spec, data.draw(ballots(method)))
    fields = fields_from_ballot(ballot)
    again = ballot_from_fields(method, OPTIONS, fields, CRITERIA)
    assert validate_ballot(spec, again) == ballot


def test_abstention_and_duplicate_ranks() -> None:
    assert ballot_from_fields("single", OPTIONS, {"abstain": ["1"]}) == {"abstain": True}
    with pytest.raises(FormError) as caught:
        ballot_from_fields("ranking", OPTIONS, {"rank.a": ["1"], "rank.b": ["1"]})
    assert caught.value.code == "duplicate_rank"
    with pytest.raises(FormError):
        ballot_from_fields("dots", OPTIONS, {"points.a": ["lots"]})
    with pytest.raises(FormError):
        ballot_from_fields("single", OPTIONS, {f"f{i}": ["x"] for i in range(1000)})
