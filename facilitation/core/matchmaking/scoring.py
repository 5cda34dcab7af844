"""Scoring: which pairs are worth a meeting, and how much.

A pair is a candidate when someone wished the meeting or when one offers what the other needs;
"no" from either side excludes it. Pairs on the same side (two project holders, two partners)
are candidates only when one of them marked the meeting "must": peers rarely need an organiser,
but a must is a must.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from facilitation.core.matchmaking.profiles import (
    WISH_LEVELS,
    MatchConfig,
    MatchError,
    Pair,
    Profile,
    Wish,
    WishLevel,
)

if TYPE_CHECKING:  # meetings come out of a later phase; scoring only reads them
    from facilitation.core.matchmaking.scheduling import Meeting

IntArray: TypeAlias = npt.NDArray[np.int64]

# Scoring weights. Integers, so the solver's optimum is exact and ties are real ties.
# The ladder they make: tags only 10-30 < one "want" 40-70 < mutual "want" 110-140
# < one "must" 150-180 < must + want 220-250 < mutual "must" 330-360.
MUST_SCORE = 150
WANT_SCORE = 40
MUTUAL_BONUS = 30
TAG_SCORE = 10
# Beyond three matching tags a pair is not more useful, and long tag lists should not win.
TAG_SCORE_CAP = 3
MAX_PAIR_SCORE = 2 * MUST_SCORE + MUTUAL_BONUS + TAG_SCORE * TAG_SCORE_CAP

_WISH_SCORES: Mapping[WishLevel | None, int] = {"must": MUST_SCORE, "want": WANT_SCORE}


class _PairOf:
    """`candidate.pair`: (a, b), made on first use and kept in the instance, where later
    reads find it first. functools.cached_property does the same behind a lock (Python 3.11),
    which cost more than the tuple it saves."""

    @overload
    def __get__(self, candidate: None, owner: type | None = None) -> _PairOf: ...

    @overload
    def __get__(self, candidate: Candidate, owner: type | None = None) -> Pair: ...

    def __get__(self, candidate: Candidate | None, owner: type | None = None) -> Pair | _PairOf:
        if candidate is None:
            return self
        pair = (candidate.a, candidate.b)
        candidate.__dict__["pair"] = pair
        return pair


@dataclass(frozen=True)
class Candidate:
    """A possible meeting. `a` is on the offering side (or the smaller id when both sides match)."""

    a: str
    b: str
    score: int
    reason: str
    a_wish: WishLevel | None
    b_wish: WishLevel | None
    a_gives: tuple[str, ...]  # tags a offers that b needs
    b_gives: tuple[str, ...]

    # Kept once made: files of 25,000 meetings ask for pairs some 250,000 times. Not a field,
    # so equality, hashing and the stored form are unchanged.
    pair = _PairOf()

    def involves(self, person: str) -> bool:
        return person in (self.a, self.b)

    def other(self, person: str) -> str:
        return self.b if person == self.a else self.a


def score_pair(
    first: Profile,
    second: Profile,
    first_wish: WishLevel | None = None,
    second_wish: WishLevel | None = None,
) -> Candidate | None:
    """Score one possible meeting (wishes given from each person towards the other).

    Returns None when the pair is not a candidate: a "no", same side without a "must", or nothing
    to meet about. Availability is the scheduler's business, not the score's.
    """
    if first.id == second.id or "no" in (first_wish, second_wish):
        return None
    if first.side == second.side and "must" not in (first_wish, second_wish):
        return None
    if pair_order(first) > pair_order(second):
        first, second, first_wish, second_wish = second, first, second_wish, first_wish
    a_gives = tuple(sorted(first.offers & second.needs))
    b_gives = tuple(sorted(second.offers & first.needs))
    score = TAG_SCORE * min(TAG_SCORE_CAP, len(a_gives) + len(b_gives))
    score += _WISH_SCORES.get(first_wish, 0) + _WISH_SCORES.get(second_wish, 0)
    if first_wish is not None and second_wish is not None:
        score += MUTUAL_BONUS
    if score <= 0:
        return None
    # Filled in directly: a frozen dataclass's __init__ sets its eight fields one call at a
    # time, which took 2.6 µs a candidate instead of 1.9. Candidate has no __post_init__.
    candidate = object.__new__(Candidate)
    candidate.__dict__.update(
        a=first.id,
        b=second.id,
        score=score,
        reason=_neutral_reason(first, second, first_wish, second_wish, a_gives, b_gives),
        a_wish=first_wish,
        b_wish=second_wish,
        a_gives=a_gives,
        b_gives=b_gives,
    )
    return candidate


def is_must(candidate: Candidate | None) -> bool:
    """Whether someone marked this meeting "must": a promise, met whenever it can be."""
    return candidate is not None and "must" in (candidate.a_wish, candidate.b_wish)


def pair_order(profile: Profile) -> tuple[bool, str]:
    return (profile.side != "offer", profile.id)


def _neutral_reason(
    a: Profile,
    b: Profile,
    a_wish: WishLevel | None,
    b_wish: WishLevel | None,
    a_gives: Sequence[str],
    b_gives: Sequence[str],
) -> str:
    parts: list[str] = []
    if a_wish is not None and b_wish is not None:
        parts.append("mutual wish (must)" if "must" in (a_wish, b_wish) else "mutual wish")
    for who, wish in ((a, a_wish), (b, b_wish)):
        if wish is not None and (a_wish is None or b_wish is None):
            parts.append(f"{who.name} wishes to meet" + (" (must)" if wish == "must" else ""))
    for giver, taker, tags in ((a, b, a_gives), (b, a, b_gives)):
        if tags:
            needs = "needs" if len(tags) > 1 else "need"
            parts.append(f"{giver.name} offers {', '.join(tags)} for {taker.name}'s {needs}")
    return "; ".join(parts)


ReasonKind = Literal["mutual", "asked_them", "asked_you", "they_offer", "you_offer", "organiser"]


@dataclass(frozen=True)
class ReasonPart:
    """One reason for a meeting, as seen by one of its two people: words are the presenter's
    (in the reader's language), tags are ids of the format's vocabulary."""

    kind: ReasonKind
    must: bool = False
    tags: tuple[str, ...] = ()


def reason_parts(candidate: Candidate, viewer: str) -> tuple[ReasonPart, ...]:
    """Why this meeting was proposed, addressed to one of its two people ("you", "they")."""
    mine, theirs = (
        (candidate.a_wish, candidate.b_wish)
        if viewer == candidate.a
        else (candidate.b_wish, candidate.a_wish)
    )
    i_give, they_give = (
        (candidate.a_gives, candidate.b_gives)
        if viewer == candidate.a
        else (candidate.b_gives, candidate.a_gives)
    )
    parts: list[ReasonPart] = []
    if mine is not None and theirs is not None:
        parts.append(ReasonPart("mutual", "must" in (mine, theirs)))
    elif mine is not None:
        parts.append(ReasonPart("asked_them", mine == "must"))
    elif theirs is not None:
        parts.append(ReasonPart("asked_you", theirs == "must"))
    if they_give:
        parts.append(ReasonPart("they_offer", tags=tuple(they_give)))
    if i_give:
        parts.append(ReasonPart("you_offer", tags=tuple(i_give)))
    return tuple(parts) or (ReasonPart("organiser"),)


def reason_for(candidate: Candidate, viewer: str) -> str:
    """The reasons in English with tag ids, for files and the command line."""
    words = {
        "mutual": "mutual wish",
        "asked_them": "you asked to meet them",
        "asked_you": "they asked to meet you",
        "organiser": "added by the organiser",
    }
    out = []
    for part in reason_parts(candidate, viewer):
        if part.kind in words:
            out.append(words[part.kind] + (" (must)" if part.must else ""))
        else:
            need = "needs" if len(part.tags) > 1 else "need"
            whose = "your" if part.kind == "they_offer" else "their"
            giver = "they" if part.kind == "they_offer" else "you"
            out.append(f"{giver} offer {', '.join(part.tags)} for {whose} {need}")
    return "; ".join(out)


@dataclass(frozen=True, eq=False)
class ScoreTable:
    """Every candidate pair of an event, scored; built by `score_profiles`.

    Cross-side scores live in a dense matrix (offer side x need side) so that large events are
    scored with a few matrix products; `candidates()` lists them as `Candidate` values.
    """

    config: MatchConfig
    profiles: tuple[Profile, ...]
    offer_side: tuple[int, ...]  # indices into profiles, in tie-breaking order
    need_side: tuple[int, ...]
    scores: npt.NDArray[np.int32]  # offer_side x need_side; 0: not a candidate
    wished: npt.NDArray[np.bool_]  # pairs someone wished (always kept when pruning)
    musts: npt.NDArray[np.bool_]  # pairs someone marked "must" (a promise: they come first)
    same_side: tuple[Candidate, ...]  # same-side "must" pairs, best first
    low: IntArray  # per profile: soft minimum of new meetings
    high: IntArray  # per profile: maximum of new meetings
    table_capacity: int  # new meetings that fit on the tables
    wish_levels: Mapping[Pair, WishLevel]
    free: npt.NDArray[np.bool_]  # per profile and slot (from 0): available and not booked
    free_masks: tuple[int, ...]  # the same as bits: slot s (from 1) at bit s - 1
    # Wished pairs, scored while reading the wishes (by `Candidate.pair`): most meetings
    # chosen are wished, and scoring one builds its reason.
    wished_candidates: Mapping[Pair, Candidate]

    @cached_property
    def index(self) -> Mapping[str, int]:
        return {p.id: i for i, p in enumerate(self.profiles)}

    def candidate(self, first: str, second: str) -> Candidate | None:
        known = self.wished_candidates.get((first, second))
        if known is None:
            known = self.wished_candidates.get((second, first))
        if known is not None:
            return known
        return self._scored(self.profiles[self.index[first]], self.profiles[self.index[second]])

    def candidate_at(self, row: int, col: int) -> Candidate | None:
        """The candidate at a place of `scores` (offer side `row`, need side `col`)."""
        a = self.profiles[self.offer_side[row]]
        b = self.profiles[self.need_side[col]]
        known = self.wished_candidates.get((a.id, b.id))  # an offer comes first in a pair
        return known if known is not None else self._scored(a, b)

    def _scored(self, a: Profile, b: Profile) -> Candidate | None:
        return score_pair(
            a, b, self.wish_levels.get((a.id, b.id)), self.wish_levels.get((b.id, a.id))
        )

    def candidates(self) -> list[Candidate]:
        """All candidates (slow on large events: it builds every reason)."""
        found = list(self.same_side)
        rows, cols = np.nonzero(self.scores)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            candidate = self.candidate_at(r, c)
            if candidate is not None:
                found.append(candidate)
        return found


def score_profiles(
    profiles: Sequence[Profile],
    wishes: Sequence[Wish],
    config: MatchConfig,
    *,
    fixed: Sequence[Meeting] = (),
    eligible: Collection[str] | None = None,
    excluded: Collection[Pair] = (),
) -> ScoreTable:
    """Score every pair. `fixed` meetings take capacity and slots; with `eligible`, only pairs
    involving one of those people are candidates; `excluded` pairs never are."""
    ordered = _check_inputs(profiles, wishes, config)
    index = {p.id: i for i, p in enumerate(ordered)}
    n, slots = len(ordered), config.slots
    levels: dict[Pair, WishLevel] = {}
    for wish in wishes:  # a later wish replaces an earlier one, as on a phone
        levels[(wish.source, wish.target)] = wish.level

    busy: list[set[int]] = [set() for _ in range(n)]
    taken = np.zeros(n, dtype=np.int64)
    fixed_pairs: set[Pair] = set()
    for m in fixed:
        for person in (m.a, m.b):
            if person not in index:
                raise MatchError(f"meeting {m.a}–{m.b} involves unknown person {person!r}")
            busy[index[person]].add(m.slot)
            taken[index[person]] += 1
        fixed_pairs.update({(m.a, m.b), (m.b, m.a)})
    excluded_pairs = fixed_pairs | {(a, b) for a, b in excluded} | {(b, a) for a, b in excluded}

    free_slots = np.zeros((n, slots), dtype=np.float32)
    low = np.zeros(n, dtype=np.int64)
    high = np.zeros(n, dtype=np.int64)
    # Each person's free slots as bits too: whether two people share one is then one `&`.
    free_masks: list[int] = []
    every_slot = set(range(1, slots + 1))
    for i, p in enumerate(ordered):
        if not p.available_slots and not busy[i]:  # most people: free all evening
            free = every_slot
            free_slots[i] = 1.0
            free_masks.append((1 << slots) - 1)
        else:
            free = (set(p.available_slots) or every_slot) - busy[i]
            free_slots[i, [s - 1 for s in free]] = 1.0
            free_masks.append(sum(1 << (s - 1) for s in free))
        top = p.max_meetings if p.max_meetings is not None else config.max_meetings
        cap = slots if top is None else top
        high[i] = max(0, min(cap - taken[i], len(free)))
        bottom = p.min_meetings if p.min_meetings is not None else config.min_meetings
        low[i] = max(0, bottom - taken[i])
    if eligible is not None:
        wanted = np.array([p.id in eligible for p in ordered], dtype=bool)
    else:
        wanted = np.ones(n, dtype=bool)

    # Ties are broken by position, so the seed picks the positions.
    order = np.random.default_rng(config.seed).permutation(n)
    offer = tuple(int(i) for i in order if ordered[i].side == "offer")
    need = tuple(int(i) for i in order if ordered[i].side != "offer")
    scores = _tag_scores(ordered, offer, need)
    rows_at, cols_at = np.array(offer, dtype=np.int64), np.array(need, dtype=np.int64)
    if offer and need:
        scores[(free_slots[rows_at] @ free_slots[cols_at].T) == 0] = 0
        scores[high[rows_at] <= 0, :] = 0
        scores[:, high[cols_at] <= 0] = 0
        scores[np.ix_(~wanted[rows_at], ~wanted[cols_at])] = 0
    wished = np.zeros(scores.shape, dtype=bool)
    musts = np.zeros(scores.shape, dtype=bool)
    row = {person: r for r, person in enumerate(offer)}
    col = {person: c for c, person in enumerate(need)}

    same_side: list[Candidate] = []
    scored: dict[Pair, Candidate] = {}
    seen: set[Pair] = set()
    for source, target in levels:
        key = (source, target) if source < target else (target, source)
        if key in seen:
            continue
        seen.add(key)
        first, second = ordered[index[key[0]]], ordered[index[key[1]]]
        i, j = index[first.id], index[second.id]
        candidate = score_pair(first, second, levels.get(key), levels.get((key[1], key[0])))
        if candidate is not None:
            scored[candidate.pair] = candidate
        reachable = (
            candidate is not None
            and key not in excluded_pairs
            and high[i] > 0
            and high[j] > 0
            and free_masks[i] & free_masks[j] != 0
            and (eligible is None or wanted[i] or wanted[j])
        )
        if first.side == second.side:
            if reachable and candidate is not None:
                same_side.append(candidate)
            continue
        r, c = (row[i], col[j]) if first.side == "offer" else (row[j], col[i])
        scores[r, c] = candidate.score if reachable and candidate is not None else 0
        wished[r, c] = reachable
        musts[r, c] = reachable and is_must(candidate)
    for a, b in excluded_pairs:
        x, y = index.get(a, -1), index.get(b, -1)
        if x in row and y in col:
            scores[row[x], col[y]] = 0
            wished[row[x], col[y]] = False
            musts[row[x], col[y]] = False
    rank = {int(person): position for position, person in enumerate(order)}
    same_side.sort(key=lambda c: (-c.score, rank[index[c.a]], rank[index[c.b]]))

    table_capacity = int(high.sum())
    if config.tables is not None:
        table_capacity = min(table_capacity, max(0, config.tables * slots - len(fixed)))
    return ScoreTable(
        config=config,
        profiles=tuple(ordered),
        offer_side=offer,
        need_side=need,
        scores=scores,
        wished=wished,
        musts=musts,
        same_side=tuple(same_side),
        low=low,
        high=high,
        table_capacity=table_capacity,
        wish_levels=levels,
        free=free_slots > 0,
        free_masks=tuple(free_masks),
        wished_candidates=scored,
    )


def _check_inputs(
    profiles: Sequence[Profile], wishes: Sequence[Wish], config: MatchConfig
) -> list[Profile]:
    ids: set[str] = set()
    for p in profiles:
        if p.id in ids:
            raise MatchError(f"duplicate profile id {p.id!r}")
        ids.add(p.id)
        outside = sorted(s for s in p.available_slots if not 1 <= s <= config.slots)
        if outside:
            raise MatchError(f"{p.id}: slot {outside[0]} is outside 1–{config.slots}")
        if p.side not in ("offer", "need"):
            raise MatchError(f"{p.id}: side must be 'offer' or 'need', not {p.side!r}")
        if p.min_meetings is not None and p.min_meetings < 0:
            raise MatchError(f"{p.id}: min_meetings cannot be negative")
        if p.max_meetings is not None and p.max_meetings < 0:
            raise MatchError(f"{p.id}: max_meetings cannot be negative")
    for wish in wishes:
        for person in (wish.source, wish.target):
            if person not in ids:
                raise MatchError(f"wish {wish.source}→{wish.target}: unknown person {person!r}")
        if wish.source == wish.target:
            raise MatchError(f"wish {wish.source}→{wish.target}: one cannot wish to meet oneself")
        if wish.level not in WISH_LEVELS:
            raise MatchError(f"wish {wish.source}→{wish.target}: unknown level {wish.level!r}")
    # Sorted, so that the roster's row order never changes the result; the seed does.
    return sorted(profiles, key=lambda p: p.id)


def _tag_scores(
    profiles: Sequence[Profile], offer: Sequence[int], need: Sequence[int]
) -> npt.NDArray[np.int32]:
    tags = sorted({t for p in profiles for t in p.offers | p.needs})
    column = {t: k for k, t in enumerate(tags)}

    def matrix(rows: Sequence[int], attribute: str) -> npt.NDArray[np.float32]:
        out = np.zeros((len(rows), len(tags)), dtype=np.float32)
        for r, i in enumerate(rows):
            for t in getattr(profiles[i], attribute):
                out[r, column[t]] = 1.0
        return out

    if not offer or not need or not tags:
        return np.zeros((len(offer), len(need)), dtype=np.int32)
    counts = matrix(offer, "offers") @ matrix(need, "needs").T
    counts += matrix(offer, "needs") @ matrix(need, "offers").T
    scored: npt.NDArray[np.int32] = (np.minimum(counts, TAG_SCORE_CAP) * TAG_SCORE).astype(np.int32)
    return scored
