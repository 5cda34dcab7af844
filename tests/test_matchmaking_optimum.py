"""Matchmaking reaches the best schedulable plan (issue 14): musts are promises, slots are part
of the choice, nothing placeable is left out, tables balance over any number of slots, and the
statistics say how good the plan is. Checked against an independent brute force."""

from __future__ import annotations

import itertools
import math
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitation.core.matchmaking import (
    SHORTFALL_PENALTY,
    Candidate,
    MatchConfig,
    Profile,
    Wish,
    draft_statistics,
    run_draft,
    schedule_meetings,
    score_pair,
)
from facilitation.core.matchmaking.assignment import solve_assignment
from tests.test_matchmaking import check_draft

TAGS = ["funding", "mentoring", "legal"]


def person(pid: str, side: str, slots: tuple[int, ...] = (), **kw: object) -> Profile:
    return Profile(pid, pid.upper(), side, available_slots=frozenset(slots), **kw)  # type: ignore[arg-type]


# --- the examples ------------------------------------------------------------------


def test_a_same_side_must_does_not_take_the_place_of_a_better_must() -> None:
    """1 slot; A, B participants, C partner; A→B must, A↔C must: A–C (330), not A–B (150)."""
    people = [person("a", "need"), person("b", "need"), person("c", "offer")]
    wishes = [Wish("a", "b", "must"), Wish("a", "c", "must"), Wish("c", "a", "must")]
    draft = run_draft(people, wishes, MatchConfig(slots=1))
    stats = draft_statistics(draft)
    assert {m.pair for m in draft.meetings} == {("c", "a")}
    assert stats.total_score == 330
    assert (stats.musts_met, stats.musts_possible) == (1, 1)
    assert [(u.a, u.b, u.problem) for u in stats.unmet_musts] == [("a", "b", "clash")]
    assert (stats.score_bound, stats.gap) == (330, 0)


def test_slots_are_part_of_the_choice() -> None:
    """2 slots; X and Y free only in slot 1; X↔P, Y↔P, Z→P musts: P–X or P–Y, and P–Z (480)."""
    people = [
        person("p", "offer"),
        person("x", "need", (1,)),
        person("y", "need", (1,)),
        person("z", "need"),
    ]
    wishes = [
        Wish("x", "p", "must"),
        Wish("p", "x", "must"),
        Wish("y", "p", "must"),
        Wish("p", "y", "must"),
        Wish("z", "p", "must"),
    ]
    draft = run_draft(people, wishes, MatchConfig(slots=2))
    check_draft(draft)
    stats = draft_statistics(draft)
    assert stats.total_score == 480
    assert ("p", "z") in {m.pair for m in draft.meetings}
    assert (stats.musts_met, stats.musts_possible) == (2, 2)
    assert [u.problem for u in stats.unmet_musts] == ["clash"]
    assert stats.gap == 0


def test_thirteen_meetings_over_nine_slots_are_spread() -> None:
    people = [person(f"o{i:02d}", "offer") for i in range(13)]
    people += [person(f"n{i:02d}", "need") for i in range(13)]
    wishes = [Wish(f"n{i:02d}", f"o{i:02d}", "want") for i in range(13)]
    stats = draft_statistics(run_draft(people, wishes, MatchConfig(slots=9)))
    assert stats.meetings == 13
    assert max(stats.tables_per_slot) == 2  # ceil(13 / 9)


def test_unmeetable_musts_say_why() -> None:
    people = [
        person("bank", "offer", (1,)),
        person("coop", "need", (2,)),
        person("full", "offer", max_meetings=0),
        person("shy", "offer"),
    ]
    wishes = [
        Wish("coop", "bank", "must"),  # never free together
        Wish("coop", "full", "must"),  # takes no meeting
        Wish("coop", "shy", "must"),
        Wish("shy", "coop", "no"),  # a no wins over a must
    ]
    stats = draft_statistics(run_draft(people, wishes, MatchConfig(slots=2)))
    problems = {(u.a, u.b): u.problem for u in stats.unmet_musts}
    assert problems == {
        ("bank", "coop"): "availability",
        ("coop", "full"): "quota",
        ("coop", "shy"): "refused",
    }
    assert (stats.musts_met, stats.musts_possible) == (0, 0)


def test_time_limit_reached_reports_a_proven_gap_not_a_claim() -> None:
    """A tiny limit on the exact model: whatever it finds, its bound is never below the plan."""
    people = [person(f"o{i}", "offer", (1 + i % 3, 1 + (i + 1) % 3)) for i in range(12)]
    people += [person(f"n{i}", "need", (1 + i % 3,)) for i in range(30)]
    people += [person(f"q{i}", "need") for i in range(6)]
    wishes = [Wish(f"n{i}", f"o{(i * 7) % 12}", "must") for i in range(30)]
    wishes += [Wish(f"q{i}", f"q{(i + 1) % 6}", "must") for i in range(6)]
    draft = run_draft(people, wishes, MatchConfig(slots=3, tables=8), time_limit=0.001)
    check_draft(draft)
    stats = draft_statistics(draft)
    assert stats.gap is not None and stats.gap >= 0
    assert stats.score_bound == stats.total_score + stats.gap
    assert stats.musts_met <= stats.musts_possible


def test_scheduler_places_what_the_greedy_colouring_cannot() -> None:
    """N3 is free in slot 3 only, so two of its three meetings cannot be placed; the greedy
    colouring (with Kempe repair) also left out one of O2's, which the exact fallback places."""
    o0, o1, o2 = (person(f"o{i}", "offer", (1, 3)) for i in range(3))
    n0, n1, n2 = person("n0", "need"), person("n1", "need", (1, 3)), person("n2", "need", (1,))
    n3, n4 = person("n3", "need", (3,)), person("n4", "need", (1, 2, 3))
    meetings = [_candidate(o0, n3), _candidate(o1, n3), _candidate(o2, n0)]
    meetings += [_candidate(o2, n2), _candidate(o2, n3)]
    people = [o0, o1, o2, n0, n1, n2, n3, n4]
    schedule = schedule_meetings(meetings, people, MatchConfig(slots=3, seed=1))
    assert len(schedule.meetings) == 3
    assert {u.candidate.b for u in schedule.unplaced} == {"n3"}
    assert all(u.problem for u in schedule.unplaced)


def _candidate(one: Profile, two: Profile) -> Candidate:
    found = score_pair(one, two, "want", None)
    assert found is not None
    return found


# --- properties against an independent brute force -----------------------------------------


@st.composite
def small_instances(draw: st.DrawFn) -> tuple[list[Profile], list[Wish], MatchConfig]:
    slots = draw(st.integers(1, 3))
    n = draw(st.integers(2, 6))
    profiles = []
    for i in range(n):
        free: frozenset[int] = frozenset()
        if draw(st.booleans()):
            free = frozenset(draw(st.sets(st.integers(1, slots), min_size=1)))
        profiles.append(
            Profile(
                f"p{i}",
                f"P{i}",
                draw(st.sampled_from(["offer", "need"])),
                offers=frozenset(draw(st.sets(st.sampled_from(TAGS), max_size=2))),
                needs=frozenset(draw(st.sets(st.sampled_from(TAGS), max_size=2))),
                available_slots=free,
                min_meetings=draw(st.one_of(st.none(), st.integers(0, 2))),
                max_meetings=draw(st.one_of(st.none(), st.integers(0, 3))),
            )
        )
    wishes = []
    for _ in range(draw(st.integers(0, 2 * n))):
        a, b = draw(st.lists(st.sampled_from(profiles), min_size=2, max_size=2, unique=True))
        level = draw(st.sampled_from(["must", "must", "want", "no"]))
        wishes.append(Wish(a.id, b.id, level))
    config = MatchConfig(
        slots=slots,
        tables=draw(st.one_of(st.none(), st.integers(1, 3))),
        min_meetings=draw(st.integers(0, 1)),
        seed=draw(st.integers(0, 2)),
    )
    return profiles, wishes, config


def _free(p: Profile, config: MatchConfig) -> set[int]:
    return set(p.available_slots) or set(range(1, config.slots + 1))


def best_schedulable(
    profiles: list[Profile], wishes: list[Wish], config: MatchConfig
) -> tuple[int, int]:
    """(musts met, score - penalties) of the best plan, by trying every slot of every pair."""
    levels = {(w.source, w.target): w.level for w in wishes}
    pairs: list[tuple[Candidate, list[int]]] = []
    for a, b in itertools.combinations(profiles, 2):
        c = score_pair(a, b, levels.get((a.id, b.id)), levels.get((b.id, a.id)))
        common = sorted(_free(a, config) & _free(b, config))
        if c is not None and common:
            pairs.append((c, common))
    top = {
        p.id: min(config.slots if p.max_meetings is None else p.max_meetings, len(_free(p, config)))
        for p in profiles
    }
    low = {
        p.id: config.min_meetings if p.min_meetings is None else p.min_meetings for p in profiles
    }
    busy: set[tuple[str, int]] = set()
    load: Counter[int] = Counter()
    degree: Counter[str] = Counter()
    best = (-1, -(10**9))

    def visit(k: int, musts: int, score: int) -> None:
        nonlocal best
        if k == len(pairs):
            missing = sum(max(0, low[p] - degree[p]) for p in low)
            best = max(best, (musts, score - SHORTFALL_PENALTY * missing))
            return
        visit(k + 1, musts, score)
        c, common = pairs[k]
        if degree[c.a] >= top[c.a] or degree[c.b] >= top[c.b]:
            return
        for s in common:
            if (c.a, s) in busy or (c.b, s) in busy:
                continue
            if config.tables is not None and load[s] >= config.tables:
                continue
            busy.update({(c.a, s), (c.b, s)})
            load[s] += 1
            degree[c.a] += 1
            degree[c.b] += 1
            visit(k + 1, musts + ("must" in (c.a_wish, c.b_wish)), score + c.score)
            busy.difference_update({(c.a, s), (c.b, s)})
            load[s] -= 1
            degree[c.a] -= 1
            degree[c.b] -= 1

    visit(0, 0, 0)
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_the_plan_is_the_best_schedulable_one(
    instance: tuple[list[Profile], list[Wish], MatchConfig],
) -> None:
    profiles, wishes, config = instance
    draft = run_draft(profiles, wishes, config)
    check_draft(draft)
    stats = draft_statistics(draft)
    degree = Counter(p for m in draft.meetings for p in m.pair)
    missing = sum(
        max(0, (config.min_meetings if p.min_meetings is None else p.min_meetings) - degree[p.id])
        for p in profiles
    )
    musts, objective = best_schedulable(profiles, wishes, config)
    assert stats.musts_met == musts, "every must that can be met together is met"
    assert stats.total_score - SHORTFALL_PENALTY * missing == objective
    assert stats.musts_possible == musts
    assert stats.gap == 0
    assert stats.score_bound == stats.total_score
    assert all(u.problem for u in stats.unmet_musts)
    assert not draft.unplaced


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 12), st.integers(1, 15), st.integers(1, 4), st.integers(0, 3), st.data())
def test_tables_per_slot_never_exceed_the_even_share(
    slots: int, meetings: int, partners: int, seed: int, data: st.DataObject
) -> None:
    """Everyone free, any slot count: at most ceil(M / slots) tables in any slot."""
    holders = max(1, -(-meetings // partners))
    people = [person(f"o{i:02d}", "offer", max_meetings=slots) for i in range(partners)]
    people += [person(f"n{i:02d}", "need") for i in range(holders)]
    pairs = data.draw(
        st.sets(
            st.tuples(st.integers(0, partners - 1), st.integers(0, holders - 1)),
            max_size=meetings,
        )
    )
    wishes = [Wish(f"n{j:02d}", f"o{i:02d}", "want") for i, j in pairs]
    draft = run_draft(people, wishes, MatchConfig(slots=slots, seed=seed))
    check_draft(draft)
    count = len(draft.meetings)
    if count:
        assert max(draft_statistics(draft).tables_per_slot) <= math.ceil(count / slots)


def test_assignment_model_is_exact_on_a_small_case() -> None:
    """Two people free in slot 1 only, one in both: two of the three meetings fit."""
    found = solve_assignment(3, 2, [0, 0, 1], [1, 2, 2], [1, 3, 1], [5, 4, 3])
    assert found is not None and found.optimal
    assert found.objective == 5 + 4 and found.slots[0] == 0 and found.slots[1] == 1
