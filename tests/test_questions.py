"""Audience questions: a person's upvote counts once however questions are merged, taking an
upvote back removes exactly it, and moderation decides who sees what."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitation.core.inputs import InputError
from facilitation.core.questions import (
    MergeError,
    Question,
    check_merge,
    clean_question,
    first_state,
    listed,
    queue,
    roots,
    upvote_counts,
)


def ask(qid: int, at: float = 0.0, state: str = "shown", **kw: object) -> Question:
    return Question(qid, f"question {qid}", at, state, **kw)  # type: ignore[arg-type]


def merged(questions: list[Question], target: int, others: list[int]) -> list[Question]:
    chosen = check_merge(questions, target, others)
    return [
        Question(q.id, q.text, q.asked_at, q.state, q.answered, q.name, q.target, target)
        if q.id in chosen
        else q
        for q in questions
    ]


def test_a_question_is_cleaned_and_limited() -> None:
    assert clean_question("  Comment\n financez-vous\u0007 le projet ?  ") == (
        "Comment financez-vous le projet ?"
    )
    with pytest.raises(InputError) as empty:
        clean_question(" \n ")
    assert empty.value.code == "missing_field"
    with pytest.raises(InputError) as long:
        clean_question("x" * 281)
    assert long.value.code == "too_long"
    with pytest.raises(InputError) as odd:
        clean_question(["not", "text"])
    assert odd.value.code == "malformed"


def test_moderation_decides_the_first_state_and_who_sees_it() -> None:
    assert first_state("post") == "shown" and first_state("pre") == "pending"
    questions = [ask(1, 1.0, "pending"), ask(2, 2.0, "shown"), ask(3, 3.0, "hidden")]
    assert [q.id for q in listed(questions, {})] == [2]
    assert [q.id for q in listed(questions, {}, for_audience=False)] == [2, 3]
    assert [q.id for q in queue(questions)] == [1]


def test_merging_adds_upvotes_without_counting_a_person_twice() -> None:
    questions = [ask(1, 1.0), ask(2, 2.0), ask(3, 3.0)]
    upvotes = [(1, 10), (1, 11), (2, 11), (2, 12), (3, 13)]
    assert upvote_counts(questions, upvotes) == {1: 2, 2: 2, 3: 1}
    after = merged(questions, 1, [2])
    assert upvote_counts(after, upvotes) == {1: 3, 3: 1}  # person 11 counts once
    assert [q.id for q in listed(after, upvote_counts(after, upvotes))] == [1, 3]
    # merged again, into another question: the chain counts for the last one
    again = merged(after, 3, [1])
    assert upvote_counts(again, upvotes) == {3: 4}
    assert roots(again) == {1: 3, 2: 3, 3: 3}


def test_merges_that_make_no_sense_are_refused() -> None:
    questions = merged([ask(1), ask(2), ask(3)], 1, [2])
    for target, others, code in [
        (1, [1], "merge_into_itself"),
        (2, [3], "unknown_question"),  # 2 is merged already
        (1, [2], "unknown_question"),
        (9, [3], "unknown_question"),
        (1, [], "nothing_to_merge"),
    ]:
        with pytest.raises(MergeError) as refused:
            check_merge(questions, target, others)
        assert refused.value.code == code
    assert check_merge(questions, 1, [3, 3]) == [3]


def test_order_by_votes_then_age_or_most_recent_first() -> None:
    questions = [ask(1, 1.0), ask(2, 2.0), ask(3, 3.0)]
    counts = {1: 1, 2: 5, 3: 1}
    assert [q.id for q in listed(questions, counts, "votes")] == [2, 1, 3]
    assert [q.id for q in listed(questions, counts, "recent")] == [3, 2, 1]


upvote_rows = st.sets(st.tuples(st.integers(1, 6), st.integers(1, 8)), max_size=30)
merges = st.lists(st.tuples(st.integers(1, 6), st.integers(1, 6)), max_size=6)


def apply_merges(questions: list[Question], steps: list[tuple[int, int]]) -> list[Question]:
    for target, other in steps:
        try:
            questions = merged(questions, target, [other])
        except MergeError:
            continue
    return questions


@given(upvote_rows, merges)
def test_each_person_counts_at_most_once_per_listed_question(
    upvotes: set[tuple[int, int]], steps: list[tuple[int, int]]
) -> None:
    questions = apply_merges([ask(i, float(i)) for i in range(1, 7)], steps)
    counts = upvote_counts(questions, upvotes)
    root = roots(questions)
    # the count of a listed question is the number of distinct people over its merged group
    for qid, n in counts.items():
        group = {q for q, r in root.items() if r == qid}
        assert n == len({person for q, person in upvotes if q in group})
    # every upvote lands on exactly one listed question
    assert set(counts) == {r for r in root.values()}
    assert sum(counts.values()) == len({(root[q], p) for q, p in upvotes})


@given(upvote_rows.filter(bool), merges, st.data())
def test_taking_an_upvote_back_removes_at_most_one_vote(
    upvotes: set[tuple[int, int]], steps: list[tuple[int, int]], data: st.DataObject
) -> None:
    questions = apply_merges([ask(i, float(i)) for i in range(1, 7)], steps)
    taken = data.draw(st.sampled_from(sorted(upvotes)))
    before = upvote_counts(questions, upvotes)
    after = upvote_counts(questions, upvotes - {taken})
    root = roots(questions)[taken[0]]
    assert before[root] - after[root] in (0, 1)
    assert {k: v for k, v in before.items() if k != root} == {
        k: v for k, v in after.items() if k != root
    }
