"""Audience questions: moderation, upvotes and merging duplicates. Pure: the store keeps the
rows (one upvote per person per question is its rule), this module says what they add up to.

A question merged into another stops being listed; its upvotes count for the one it was
merged into, and a person who upvoted both counts once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from facilitation.core.inputs import InputError, clean_text

Moderation = Literal["post", "pre"]  # post: shown at once, may be hidden; pre: approved first
State = Literal["pending", "shown", "hidden"]
Order = Literal["votes", "recent"]

MAX_QUESTION = 280


@dataclass(frozen=True)
class Question:
    id: int
    text: str
    asked_at: float  # seconds, as the store recorded it
    state: State
    answered: bool = False
    name: str | None = None  # shown with the question; None: anonymous
    target: str | None = None  # the project asked, when there is one
    merged_into: int | None = None


def clean_question(raw: object, limit: int = MAX_QUESTION) -> str:
    """The question as stored, or InputError (empty, too long, not text)."""
    if not isinstance(raw, str):
        raise InputError("malformed", "a question is text")
    text = " ".join(clean_text(raw).split())
    if not text:
        raise InputError("missing_field", "the question is empty")
    if len(text) > limit:
        raise InputError("too_long", f"a question has at most {limit} characters")
    return text


def first_state(moderation: Moderation) -> State:
    return "pending" if moderation == "pre" else "shown"


def roots(questions: Iterable[Question]) -> dict[int, int]:
    """Each question's id → the id of the question it now counts for (itself if not merged).
    A chain (a merged into b, b into c) ends at c; a cycle, which merging refuses, would
    end at its smallest id rather than loop."""
    into = {q.id: q.merged_into for q in questions}
    out: dict[int, int] = {}
    for start in into:
        seen = [start]
        current = start
        while (nxt := into.get(current)) is not None and nxt not in seen:
            seen.append(nxt)
            current = nxt
        out[start] = current if into.get(current) is None else min(seen)
    return out


def upvote_counts(
    questions: Sequence[Question], upvotes: Iterable[tuple[int, int]]
) -> dict[int, int]:
    """Upvotes per listed question: `upvotes` are (question id, person) rows; a person counts
    once per question, whatever they upvoted among the questions merged into it."""
    root = roots(questions)
    people: dict[int, set[int]] = defaultdict(set)
    for question, person in upvotes:
        if question in root:
            people[root[question]].add(person)
    return {q.id: len(people.get(q.id, ())) for q in questions if root[q.id] == q.id}


def listed(
    questions: Sequence[Question],
    counts: Mapping[int, int],
    order: Order = "votes",
    *,
    for_audience: bool = True,
) -> list[Question]:
    """The questions to list: not merged; for the audience only the shown ones, for the
    facilitator the hidden ones too (pending ones are the queue, see `queue`). Most upvoted
    first (then oldest), or most recent first."""
    states = {"shown"} if for_audience else {"shown", "hidden"}
    kept = [q for q in questions if q.merged_into is None and q.state in states]
    if order == "recent":
        return sorted(kept, key=lambda q: (-q.asked_at, -q.id))
    return sorted(kept, key=lambda q: (-counts.get(q.id, 0), q.asked_at, q.id))


def queue(questions: Sequence[Question]) -> list[Question]:
    """Questions awaiting approval, oldest first."""
    return sorted(
        (q for q in questions if q.state == "pending" and q.merged_into is None),
        key=lambda q: (q.asked_at, q.id),
    )


class MergeError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_merge(questions: Sequence[Question], target: int, others: Sequence[int]) -> list[int]:
    """The questions to merge into `target`, or MergeError: the target must be a listed
    question, the others listed questions other than it; duplicates in `others` are ignored."""
    by_id = {q.id: q for q in questions}
    into = by_id.get(target)
    if into is None or into.merged_into is not None:
        raise MergeError("unknown_question", "the question to merge into is not listed")
    chosen: list[int] = []
    for other in others:
        question = by_id.get(other)
        if question is None or question.merged_into is not None:
            raise MergeError("unknown_question", f"question {other} is not listed")
        if other == target:
            raise MergeError("merge_into_itself", "a question cannot be merged into itself")
        if other not in chosen:
            chosen.append(other)
    if not chosen:
        raise MergeError("nothing_to_merge", "choose at least one question to merge")
    return chosen
