"""The counting core: every method, property-based, plus worked examples from the literature."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from facilitation.core.voting import (
    BallotError,
    Criterion,
    VoteResult,
    VoteSpec,
    combine_results,
    majority_value,
    rank_points,
    tally,
    validate_ballot,
)

OPTIONS = ("a", "b", "c", "d", "e")

SPECS = {
    "single": VoteSpec("single", OPTIONS, allow_abstain=True),
    "approval": VoteSpec("approval", OPTIONS, min_choices=0, max_choices=3),
    "dots": VoteSpec("dots", OPTIONS, budget=5, cap=3),
    "rating": VoteSpec("rating", OPTIONS, scale=(1, 5)),
    "borda": VoteSpec("ranking", OPTIONS),
    "copeland": VoteSpec("ranking", OPTIONS, count="copeland"),
    "majority_judgment": VoteSpec("majority_judgment", OPTIONS),
    "rubric": VoteSpec("rubric", OPTIONS, criteria=(Criterion("impact", 2.0), Criterion("team"))),
}


@st.composite
def raw_ballot(draw: st.DrawFn, name: str) -> dict[str, Any]:
    spec = SPECS[name]
    subset = draw(st.lists(st.sampled_from(OPTIONS), unique=True, min_size=1))
    match name:
        case "single":
            if draw(st.booleans()) and draw(st.booleans()):
                return {"abstain": True}
            return {"choice": draw(st.sampled_from(OPTIONS))}
        case "approval":
            return {"choices": subset[:3]}
        case "dots":
            budget = 5
            points = {}
            for option in subset:
                amount = draw(st.integers(1, min(3, budget))) if budget else 0
                if amount:
                    points[option] = amount
                    budget -= amount
            return {"points": points}
        case "rating":
            return {"scores": {o: draw(st.integers(1, 5)) for o in subset}}
        case "borda" | "copeland":
            return {"order": subset}
        case "majority_judgment":
            return {"grades": {o: draw(st.integers(0, len(spec.grades) - 1)) for o in subset}}
        case _:
            return {
                "scores": {
                    o: {"impact": draw(st.integers(1, 5)), "team": draw(st.integers(1, 5))}
                    for o in subset
                }
            }


def ballots_for(name: str, max_size: int = 25) -> st.SearchStrategy[list[dict[str, Any]]]:
    spec = SPECS[name]
    return st.lists(raw_ballot(name), max_size=max_size).map(
        lambda raws: [validate_ballot(spec, r) for r in raws]
    )


def place(result: VoteResult, option: str) -> int:
    """Best place an option can claim (ties share the best place of their group)."""
    for group in result.ties:
        if option in group:
            return min(result.ranking.index(o) for o in group)
    return result.ranking.index(option)


# --- properties for every method -------------------------------------------------------------


@pytest.mark.parametrize("name", list(SPECS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_result_does_not_depend_on_ballot_order(name: str, data: st.DataObject) -> None:
    ballots = data.draw(ballots_for(name))
    shuffled = list(ballots)
    random.Random(data.draw(st.integers())).shuffle(shuffled)
    assert tally(SPECS[name], ballots).to_json() == tally(SPECS[name], shuffled).to_json()


@pytest.mark.parametrize("name", list(SPECS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_ranking_is_a_permutation_and_winners_lead_it(name: str, data: st.DataObject) -> None:
    result = tally(SPECS[name], data.draw(ballots_for(name)))
    assert sorted(result.ranking) == sorted(OPTIONS)
    assert result.winners == result.ranking[: len(result.winners)]
    for group in result.ties:
        positions = sorted(result.ranking.index(o) for o in group)
        assert positions == list(range(positions[0], positions[0] + len(group)))


@settings(max_examples=80, deadline=None)
@given(ballots_for("single"))
def test_single_counts_add_up(ballots: list[dict[str, Any]]) -> None:
    result = tally(SPECS["single"], ballots)
    counts = result.to_json()["counts"]
    assert sum(counts.values()) == result.n_ballots - result.n_abstentions
    assert result.n_abstentions == sum(1 for b in ballots if b.get("abstain"))


@settings(max_examples=80, deadline=None)
@given(ballots_for("dots"))
def test_dots_totals_conserve_points(ballots: list[dict[str, Any]]) -> None:
    result = tally(SPECS["dots"], ballots)
    assert sum(result.to_json()["totals"].values()) == sum(
        sum(b["points"].values()) for b in ballots
    )


@settings(max_examples=80, deadline=None)
@given(ballots_for("majority_judgment"))
def test_merit_profiles_hold_one_grade_per_ballot(ballots: list[dict[str, Any]]) -> None:
    result = tally(SPECS["majority_judgment"], ballots)
    for profile in result.to_json()["profiles"].values():
        assert sum(profile) == len(ballots)


# Monotonicity: one more ballot that prefers X never lowers X where the method guarantees it.
FAVOURING: dict[str, Any] = {
    "single": lambda x: {"choice": x},
    "approval": lambda x: {"choices": [x]},
    "dots": lambda x: {"points": {x: 3}},
    "borda": lambda x: {"order": [x]},
    "majority_judgment": lambda x: {"grades": {x: 0}},
    "rating": lambda x: {"scores": {x: 5, **{o: 1 for o in OPTIONS if o != x}}},
}


@pytest.mark.parametrize("name", list(FAVOURING))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_ballot_for_x_never_lowers_x(name: str, data: st.DataObject) -> None:
    spec = SPECS[name]
    ballots = data.draw(ballots_for(name))
    x = data.draw(st.sampled_from(OPTIONS))
    before = tally(spec, ballots)
    after = tally(spec, [*ballots, validate_ballot(spec, FAVOURING[name](x))])
    assert after.scores[x] >= before.scores[x] or name == "majority_judgment"
    assert place(after, x) <= place(before, x)


@settings(max_examples=60, deadline=None)
@given(ballots_for("majority_judgment"), st.sampled_from(OPTIONS))
def test_majority_judgment_best_grade_never_worsens_the_median(
    ballots: list[dict[str, Any]], x: str
) -> None:
    spec = SPECS["majority_judgment"]
    before = tally(spec, ballots).to_json()["median_grades"][x]
    after = tally(spec, [*ballots, {"grades": {x: 0}}]).to_json()["median_grades"][x]
    assert before is None or after <= before  # 0 is the best grade


@settings(max_examples=60, deadline=None)
@given(ballots_for("borda"))
def test_borda_points_add_up(ballots: list[dict[str, Any]]) -> None:
    result = tally(SPECS["borda"], ballots)
    n = len(OPTIONS)
    expected = sum(sum(n - 1 - r for r in range(len(b["order"]))) for b in ballots)
    assert sum(result.to_json()["borda"].values()) == expected


@settings(max_examples=60, deadline=None)
@given(ballots_for("copeland"))
def test_pairwise_table_is_consistent(ballots: list[dict[str, Any]]) -> None:
    data = tally(SPECS["copeland"], ballots).to_json()
    pairwise = data["pairwise"]
    for a in OPTIONS:
        for b in OPTIONS:
            if a != b:
                assert pairwise[a][b] + pairwise[b][a] <= len(ballots)
    winner = data["condorcet_winner"]
    if winner is not None:
        assert all(pairwise[winner][o] > pairwise[o][winner] for o in OPTIONS if o != winner)


# --- worked examples -------------------------------------------------------------------------

TENNESSEE = ("memphis", "nashville", "chattanooga", "knoxville")


def tennessee_ballots() -> list[dict[str, Any]]:
    """The Wikipedia example for Condorcet and Borda ("Tennessee capital"): 42 % of voters
    live near Memphis, 26 % near Nashville, 15 % near Chattanooga, 17 % near Knoxville, each
    ranking cities by distance."""
    return (
        [{"order": ["memphis", "nashville", "chattanooga", "knoxville"]}] * 42
        + [{"order": ["nashville", "chattanooga", "knoxville", "memphis"]}] * 26
        + [{"order": ["chattanooga", "knoxville", "nashville", "memphis"]}] * 15
        + [{"order": ["knoxville", "chattanooga", "nashville", "memphis"]}] * 17
    )


def test_tennessee_condorcet_copeland_and_borda() -> None:
    copeland = tally(VoteSpec("ranking", TENNESSEE, count="copeland"), tennessee_ballots())
    data = copeland.to_json()
    assert data["condorcet_winner"] == "nashville"
    assert copeland.ranking == ("nashville", "chattanooga", "knoxville", "memphis")
    assert data["copeland"] == {"memphis": -3, "nashville": 3, "chattanooga": 1, "knoxville": -1}
    assert data["pairwise"]["nashville"]["memphis"] == 58
    assert data["pairwise"]["chattanooga"]["knoxville"] == 83
    borda = tally(VoteSpec("ranking", TENNESSEE), tennessee_ballots())
    # Borda scores (3-2-1-0 points) as in the article: N 194, C 173, M 126, K 107
    assert borda.to_json()["borda"] == {
        "memphis": 126,
        "nashville": 194,
        "chattanooga": 173,
        "knoxville": 107,
    }
    assert borda.winners == ("nashville",)


def test_majority_judgment_reference_profiles() -> None:
    """The reference case of Mieux Voter's majority judgment libraries ("Few judgments": three
    grades, three judges; tallies there are worst grade first) with its expected ranks."""
    worst_first = [[1, 1, 1], [1, 0, 2], [3, 0, 0], [2, 0, 1], [0, 3, 0]]
    expected_ranks = [3, 1, 5, 4, 2]
    grades = ("good", "fair", "poor")
    options = tuple(f"p{i}" for i in range(5))
    spec = VoteSpec("majority_judgment", options, grades=grades)
    ballots: list[dict[str, Any]] = [{"grades": {}} for _ in range(3)]
    for option, tally_row in zip(options, worst_first, strict=True):
        best_first = list(reversed(tally_row))
        judge = 0
        for grade, count in enumerate(best_first):
            for _ in range(count):
                ballots[judge]["grades"][option] = grade
                judge += 1
    result = tally(spec, ballots)
    assert [result.ranking.index(o) + 1 for o in options] == expected_ranks


def test_majority_value_follows_balinski_laraki() -> None:
    # grades 0 (best) .. 3: lower median of [0,1,3,3] is 3, then 1, then 3, then 0
    assert majority_value([1, 1, 0, 2]) == (-3, -1, -3, 0)
    # the same median, decided by what remains: [1,1,1] beats [0,1,2] (second term 1 < 2)
    assert majority_value([0, 3, 0]) > majority_value([1, 1, 1])


def test_ungraded_options_count_as_the_worst_grade() -> None:
    spec = VoteSpec("majority_judgment", ("x", "y"))
    result = tally(spec, [{"grades": {"x": 3}}, {"grades": {"x": 3}}])
    assert result.to_json()["profiles"]["y"][-1] == 2
    assert result.ranking == ("x", "y")


def test_rubric_weighted_means() -> None:
    spec = VoteSpec("rubric", ("p", "q"), criteria=(Criterion("impact", 3), Criterion("team", 1)))
    ballots = [
        {"scores": {"p": {"impact": 5, "team": 1}, "q": {"impact": 2, "team": 5}}},
        {"scores": {"p": {"impact": 3, "team": 3}, "q": {"impact": 4, "team": 5}}},
    ]
    result = tally(spec, ballots)
    means = result.to_json()["weighted_means"]
    assert means["p"] == pytest.approx((3 * 4 + 1 * 2) / 4)
    assert means["q"] == pytest.approx((3 * 3 + 1 * 5) / 4)
    assert result.to_json()["criterion_means"]["q"]["team"] == 5


def test_combined_result_by_rank_points() -> None:
    options = ("x", "y", "z")
    jury = tally(VoteSpec("single", options), [{"choice": "x"}] * 3 + [{"choice": "y"}])
    public = tally(VoteSpec("single", options), [{"choice": "z"}] * 5 + [{"choice": "y"}] * 4)
    assert rank_points(jury) == {"x": 2, "y": 1, "z": 0}
    combined = combine_results([("jury", jury, 1), ("public", public, 1)])
    # x: (2 + 0) / 2 = 1, y: (1 + 1) / 2 = 1, z: (0 + 2) / 2 = 1 -> a three-way tie
    assert combined.ties == (("x", "y", "z"),)
    weighted = combine_results([("jury", jury, 2), ("public", public, 1)])
    assert weighted.ranking[0] == "x" and weighted.parts[0]["weight"] == pytest.approx(2 / 3)


def test_ties_share_rank_points() -> None:
    result = tally(VoteSpec("single", ("x", "y", "z")), [{"choice": "x"}, {"choice": "y"}])
    assert rank_points(result) == {"x": 1.5, "y": 1.5, "z": 0}


def test_tie_breaks() -> None:
    options = ("x", "y")
    ballots = [{"choice": "x"}, {"choice": "y"}]
    none = tally(VoteSpec("single", options), ballots)
    assert none.ties == (("x", "y"),) and none.winners == ("x", "y")
    order = tally(VoteSpec("single", options, tie_break="order"), ballots)
    assert order.ties == () and order.winners == ("x",)
    draws = {
        tally(VoteSpec("single", options, tie_break="random"), ballots, seed=s).winners
        for s in range(20)
    }
    assert draws == {("x",), ("y",)}
    assert (
        tally(VoteSpec("single", options, tie_break="random"), ballots, seed=3).winners
        == tally(VoteSpec("single", options, tie_break="random"), ballots, seed=3).winners
    )


# --- invalid ballots -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("single", {"choice": "zz"}, "unknown_option"),
        ("single", {"choice": ["a"]}, "unknown_option"),
        ("single", "a", "malformed"),
        ("approval", {"choices": ["a", "b", "c", "d"]}, "too_many_choices"),
        ("approval", {"choices": ["a", "a"]}, "malformed"),
        ("dots", {"points": {"a": 3, "b": 3}}, "over_budget"),
        ("dots", {"points": {"a": 4}}, "over_cap"),
        ("dots", {"points": {"a": -1}}, "malformed"),
        ("dots", {"points": {"a": 1.5}}, "malformed"),
        ("dots", {"points": {"a": True}}, "malformed"),
        ("rating", {"scores": {"a": 6}}, "out_of_scale"),
        ("rating", {"scores": {"zz": 3}}, "unknown_option"),
        ("borda", {"order": ["a", "b", "a"]}, "duplicate_rank"),
        ("borda", {"order": []}, "nothing_ranked"),
        ("dots", {"points": {}}, "no_points"),
        ("rating", {"scores": {}}, "nothing_marked"),
        ("rubric", {"scores": {}}, "nothing_scored"),
        ("majority_judgment", {"grades": {"a": 7}}, "out_of_scale"),
        ("rubric", {"scores": {"a": {"impact": 9}}}, "out_of_scale"),
        ("rubric", {"scores": {"a": {"charm": 3}}}, "malformed"),
        ("approval", {"abstain": True}, "abstain_not_allowed"),
        ("borda", {"order": ["a"] * 1000}, "malformed"),
    ],
)
def test_invalid_ballots_are_refused_with_a_reason(name: str, raw: object, code: str) -> None:
    with pytest.raises(BallotError) as caught:
        validate_ballot(SPECS[name], raw)
    assert caught.value.code == code
    assert str(caught.value)


def test_forbidden_options_and_required_marks() -> None:
    with pytest.raises(BallotError) as caught:
        validate_ballot(SPECS["single"], {"choice": "a"}, forbidden=frozenset({"a"}))
    assert caught.value.code == "forbidden_option"
    strict = VoteSpec("rating", ("a", "b"), require_all=True)
    with pytest.raises(BallotError) as caught:
        validate_ballot(strict, {"scores": {"a": 3}})
    assert caught.value.code == "missing_score"


def test_a_rubric_that_requires_all_refuses_a_sheet_with_empty_scores() -> None:
    """A jury sheet with 1 of its 40 scores filled was accepted: projects left out entirely
    were never checked. Every project the juror may score needs every criterion."""
    projects = tuple(f"p{i}" for i in range(10))
    criteria = tuple(Criterion(c) for c in ("impact", "usage", "feasibility", "team"))
    strict = VoteSpec("rubric", projects, criteria=criteria, require_all=True)
    with pytest.raises(BallotError) as caught:
        validate_ballot(strict, {"scores": {"p0": {"impact": 3}}})
    assert caught.value.code == "missing_criteria"
    assert "39" in str(caught.value)
    full = {p: {c.id: 3 for c in criteria} for p in projects}
    with pytest.raises(BallotError):
        validate_ballot(strict, {"scores": {**full, "p9": {"impact": 3}}})
    assert validate_ballot(strict, {"scores": full})["scores"] == full
    # the juror's own project is not theirs to score: the sheet is complete without it
    del full["p4"]
    assert validate_ballot(strict, {"scores": full}, forbidden=frozenset({"p4"}))
    # without require_all a partial sheet stays welcome
    loose = VoteSpec("rubric", projects, criteria=criteria)
    assert validate_ballot(loose, {"scores": {"p0": {"impact": 3}}})


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_any_json_is_either_a_ballot_or_a_ballot_error(raw: object) -> None:
    for spec in SPECS.values():
        try:
            ballot = validate_ballot(spec, raw)
        except BallotError:
            continue
        assume(ballot)
        assert validate_ballot(spec, ballot) == ballot  # normal forms are fixed points
