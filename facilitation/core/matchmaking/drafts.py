"""The organiser's draft: the first run, refills, edits by hand, publication.

Every operation returns a new `Draft`, or raises `EditError` with a sentence to show.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from facilitation.core.collector import collector_paused
from facilitation.core.matchmaking.planning import Plan, plan_meetings
from facilitation.core.matchmaking.profiles import (
    EditError,
    MatchConfig,
    MatchError,
    Pair,
    Profile,
    Wish,
    minimum_meetings,
)
from facilitation.core.matchmaking.scheduling import (
    Meeting,
    Unplaced,
    meeting_at,
    slot_order,
)
from facilitation.core.matchmaking.scoring import (
    Candidate,
    pair_order,
    score_pair,
    score_profiles,
)


@dataclass(frozen=True)
class Draft:
    """Everything the organiser reviews; every operation returns a new Draft.

    `published` is the snapshot phones see; `revision` grows with every change (iCalendar
    SEQUENCE numbers come from it). `removed` keeps the meetings the organiser removed, so that
    a re-run does not bring them back and calendars can be told they are cancelled.
    """

    config: MatchConfig
    profiles: tuple[Profile, ...]
    wishes: tuple[Wish, ...]
    meetings: tuple[Meeting, ...]
    unplaced: tuple[Unplaced, ...] = ()
    removed: tuple[Meeting, ...] = ()
    published: tuple[Meeting, ...] = ()
    revision: int = 1
    published_revision: int = 0
    # Proven by the last run or refill: no plan meets more musts than `musts_bound`, and none
    # meeting as many scores more than `objective_bound` (score minus `SHORTFALL_PENALTY` per
    # meeting missing below a minimum). None: no claim (drafts stored before they existed).
    objective_bound: int | None = None
    musts_bound: int | None = None

    @cached_property
    def views(self) -> dict[Hashable, Any]:
        """What readers derive from this draft (its statistics, a file's rows), kept for the
        next reader: a draft never changes, and writing every file of an event derives the
        same views several times. Readers keep what they find here as it is."""
        return {}

    @cached_property
    def people(self) -> Mapping[str, Profile]:
        return {p.id: p for p in self.profiles}

    @cached_property
    def _by_pair(self) -> Mapping[Pair, Meeting]:
        return {m.pair: m for m in self.meetings}

    @cached_property
    def _by_person(self) -> Mapping[str, tuple[Meeting, ...]]:
        found: dict[str, list[Meeting]] = {}
        for m in self.meetings:
            found.setdefault(m.a, []).append(m)
            found.setdefault(m.b, []).append(m)
        return {person: tuple(sorted(ms, key=slot_order)) for person, ms in found.items()}

    def meeting(self, pair: Pair) -> Meeting | None:
        """The meeting between two people, whichever order they are given in."""
        found = self._by_pair.get(pair)
        return found if found is not None else self._by_pair.get((pair[1], pair[0]))

    def meetings_of(self, person: str) -> tuple[Meeting, ...]:
        return self._by_person.get(person, ())

    def name(self, person: str) -> str:
        profile = self.people.get(person)
        return profile.name if profile is not None else person


@collector_paused()
def run_draft(
    profiles: Sequence[Profile],
    wishes: Sequence[Wish],
    config: MatchConfig,
    *,
    time_limit: float | None = None,
) -> Draft:
    """Score and plan: the first draft the organiser reviews. `time_limit` (seconds) bounds
    the exact model, when it is needed; the draft's bounds say how close it got."""
    table = score_profiles(profiles, wishes, config)
    plan = plan_meetings(table, profiles, config, time_limit=time_limit)
    return _with_plan(
        Draft(
            config=config,
            profiles=tuple(sorted(profiles, key=lambda p: p.id)),
            wishes=tuple(wishes),
            meetings=(),
        ),
        plan,
        (),
    )


def _with_plan(draft: Draft, plan: Plan, fixed: Sequence[Meeting]) -> Draft:
    """The draft with the plan's meetings, and its bounds over the whole draft."""
    levels = {(w.source, w.target): w.level for w in draft.wishes}
    fixed_musts = sum(1 for m in fixed if "must" in (levels.get(m.pair), levels.get(m.pair[::-1])))
    return replace(
        draft,
        meetings=plan.schedule.meetings,
        unplaced=plan.schedule.unplaced,
        objective_bound=sum(m.score for m in fixed) + plan.objective_bound,
        musts_bound=fixed_musts + plan.musts_bound,
    )


@collector_paused()
def refill_draft(
    draft: Draft,
    profiles: Sequence[Profile] | None = None,
    wishes: Sequence[Wish] | None = None,
    *,
    people: Collection[str] | None = None,
    time_limit: float | None = None,
) -> Draft:
    """Add meetings in empty slots for new or under-served people; nothing placed moves.

    `people` defaults to everyone not in the draft before, everyone below their minimum and
    everyone without a meeting. Meetings the organiser removed are not proposed again.
    """
    profiles = tuple(draft.profiles if profiles is None else profiles)
    wishes = tuple(draft.wishes if wishes is None else wishes)
    known = {p.id for p in profiles}
    for m in draft.meetings:
        for person in (m.a, m.b):
            if person not in known:
                raise MatchError(
                    f"{draft.name(person)} has meetings in the draft; remove them first"
                )
    if people is None:
        count: dict[str, int] = {}
        for m in draft.meetings:
            count[m.a] = count.get(m.a, 0) + 1
            count[m.b] = count.get(m.b, 0) + 1
        people = {
            p.id
            for p in profiles
            if p.id not in draft.people
            or count.get(p.id, 0) < max(1, minimum_meetings(p, draft.config))
        }
    table = score_profiles(
        profiles,
        wishes,
        draft.config,
        fixed=draft.meetings,
        eligible=people,
        excluded=[m.pair for m in draft.removed],
    )
    plan = plan_meetings(table, profiles, draft.config, fixed=draft.meetings, time_limit=time_limit)
    renewed = replace(
        draft,
        profiles=tuple(sorted(profiles, key=lambda p: p.id)),
        wishes=wishes,
        revision=draft.revision + 1,
    )
    return _with_plan(renewed, plan, draft.meetings)


def _find(draft: Draft, pair: Pair) -> Meeting:
    found = draft.meeting(pair)
    if found is None:
        raise EditError(f"no meeting between {draft.name(pair[0])} and {draft.name(pair[1])}")
    return found


def _unlocked(draft: Draft, pair: Pair) -> Meeting:
    found = _find(draft, pair)
    if found.locked:
        raise EditError(
            f"the meeting of {draft.name(found.a)} and {draft.name(found.b)} is locked; "
            "unlock it first"
        )
    return found


def _with_meetings(
    draft: Draft, meetings: Iterable[Meeting], removed: tuple[Meeting, ...] | None = None
) -> Draft:
    return replace(
        draft,
        meetings=tuple(sorted(meetings, key=slot_order)),
        removed=draft.removed if removed is None else removed,
        revision=draft.revision + 1,
    )


def _check_place(
    draft: Draft, a: str, b: str, slot: int, table: int | None, ignore: Collection[Pair]
) -> int:
    """The table to use for a meeting of a and b in `slot`, or EditError saying why not."""
    config = draft.config
    if not 1 <= slot <= config.slots:
        raise EditError(f"slot {slot} does not exist (slots 1–{config.slots})")
    others = [m for m in draft.meetings if m.slot == slot and m.pair not in ignore]
    for person in (a, b):
        profile = draft.people.get(person)
        if profile is None:
            raise EditError(f"unknown person {person!r}")
        if profile.available_slots and slot not in profile.available_slots:
            raise EditError(f"{profile.name} is not available in slot {slot}")
        clash = next((m for m in others if m.involves(person)), None)
        if clash is not None:
            raise EditError(
                f"{profile.name} already meets {draft.name(clash.other(person))} in slot {slot}"
            )
    taken = {m.table for m in others}
    if table is None:
        table = next(t for t in range(1, len(taken) + 2) if t not in taken)
    if table < 1:
        raise EditError("tables are numbered from 1")
    if table in taken:
        holder = next(m for m in others if m.table == table)
        raise EditError(
            f"table {table} in slot {slot} is taken by {draft.name(holder.a)} and "
            f"{draft.name(holder.b)}"
        )
    if config.tables is not None and table > config.tables:
        if len(taken) >= config.tables:
            raise EditError(f"no table left in slot {slot}")
        raise EditError(f"table {table} does not exist (tables 1–{config.tables})")
    return table


def move_meeting(draft: Draft, pair: Pair, slot: int, table: int | None = None) -> Draft:
    """Move a meeting to another slot (and table: the first free one if not given)."""
    m = _unlocked(draft, pair)
    table = _check_place(draft, m.a, m.b, slot, table, {m.pair})
    moved = replace(m, slot=slot, table=table, published=False)
    return _with_meetings(draft, [moved if x.pair == m.pair else x for x in draft.meetings])


def swap_meetings(draft: Draft, first: Pair, second: Pair) -> Draft:
    """Exchange the slots and tables of two meetings."""
    m1, m2 = _unlocked(draft, first), _unlocked(draft, second)
    if m1.pair == m2.pair:
        return draft
    # Each meeting leaves its slot and table to the other: ignore both when checking clashes.
    both = {m1.pair, m2.pair}
    _check_place(draft, m1.a, m1.b, m2.slot, m2.table, both)
    _check_place(draft, m2.a, m2.b, m1.slot, m1.table, both)
    new1 = replace(m1, slot=m2.slot, table=m2.table, published=False)
    new2 = replace(m2, slot=m1.slot, table=m1.table, published=False)
    swapped = {m1.pair: new1, m2.pair: new2}
    return _with_meetings(draft, [swapped.get(x.pair, x) for x in draft.meetings])


def remove_meeting(draft: Draft, pair: Pair) -> Draft:
    """Remove a meeting; a re-run will not propose it again."""
    m = _unlocked(draft, pair)
    return _with_meetings(
        draft, [x for x in draft.meetings if x.pair != m.pair], removed=(*draft.removed, m)
    )


def add_meeting(
    draft: Draft, first: str, second: str, slot: int | None = None, table: int | None = None
) -> Draft:
    """Add a meeting by hand (in the first slot that suits both if `slot` is None)."""
    for person in (first, second):
        if person not in draft.people:
            raise EditError(f"unknown person {person!r}")
    if first == second:
        raise EditError("a meeting needs two different people")
    if draft.meeting((first, second)) is not None:
        raise EditError(f"{draft.name(first)} and {draft.name(second)} already meet")
    levels = {(w.source, w.target): w.level for w in draft.wishes}
    for source, target in ((first, second), (second, first)):
        if levels.get((source, target)) == "no":
            raise EditError(f"{draft.name(source)} does not want to meet {draft.name(target)}")
    one, two = draft.people[first], draft.people[second]
    candidate = score_pair(one, two, levels.get((first, second)), levels.get((second, first)))
    if candidate is None:
        a, b = sorted((one, two), key=pair_order)
        candidate = Candidate(a.id, b.id, 0, "added by the organiser", None, None, (), ())
    if slot is None:
        slot = next(
            (s for s in range(1, draft.config.slots + 1) if _fits(draft, first, second, s)), None
        )
        if slot is None:
            raise EditError(f"{one.name} and {two.name} have no free slot in common")
    table = _check_place(draft, first, second, slot, table, set())
    removed = tuple(m for m in draft.removed if m.pair != candidate.pair)
    return _with_meetings(
        draft, [*draft.meetings, meeting_at(candidate, slot, table)], removed=removed
    )


def _fits(draft: Draft, a: str, b: str, slot: int) -> bool:
    try:
        _check_place(draft, a, b, slot, None, set())
    except EditError:
        return False
    return True


def lock_meeting(draft: Draft, pair: Pair) -> Draft:
    """Lock a meeting: edits refuse to touch it."""
    return _set_lock(draft, pair, locked=True)


def unlock_meeting(draft: Draft, pair: Pair) -> Draft:
    return _set_lock(draft, pair, locked=False)


def _set_lock(draft: Draft, pair: Pair, *, locked: bool) -> Draft:
    m = _find(draft, pair)
    if m.locked == locked:
        return draft
    changed = replace(m, locked=locked)
    return _with_meetings(draft, [changed if x.pair == m.pair else x for x in draft.meetings])


def publish_draft(draft: Draft) -> Draft:
    """Make the current meetings the ones phones and downloads show."""
    meetings = tuple(replace(m, published=True) for m in draft.meetings)
    return replace(
        draft,
        meetings=meetings,
        published=meetings,
        revision=draft.revision + 1,
        published_revision=draft.revision + 1,
    )


def published_view(draft: Draft) -> Draft:
    """The draft as last published (what participants see); made once per draft, as every
    phone's page reads it."""
    found: Draft | None = draft.views.get(published_view)
    if found is None:
        found = draft.views[published_view] = replace(
            draft, meetings=draft.published, unplaced=(), revision=draft.published_revision
        )
    return found
