"""Tables: how many of which size, who sits at which (random, balanced, self-selected),
and tables merged into larger ones."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal


class GroupingError(ValueError):
    """Impossible as asked (e.g. pass-around with one participant)."""


@dataclass(frozen=True)
class Group:
    table: int
    members: tuple[str, ...]
    roles: Mapping[str, str] = field(default_factory=dict)  # person -> role in this group


Round = tuple[Group, ...]


# --- sizes -----------------------------------------------------------------------------------


def group_sizes(
    n: int, *, size: int | None = None, else_size: int | None = None, count: int | None = None
) -> list[int]:
    """Sizes of the groups for n people (see the module's rules), largest first."""
    if n <= 0:
        return []
    if count is not None:
        count = max(1, min(count, n))
        base, extra = divmod(n, count)
        return [base + 1] * extra + [base] * (count - extra)
    if size is None or size < 1:
        raise GroupingError("give a group size or a number of groups")
    if n <= size:
        return [n]
    if else_size is not None and else_size != size and else_size >= 1:
        # most groups of `size`: try every count of `else_size` groups, fewest first
        for others in range(0, n // else_size + 1):
            rest = n - others * else_size
            if rest >= 0 and rest % size == 0:
                return sorted([size] * (rest // size) + [else_size] * others, reverse=True)
    groups = max(1, round(n / size))
    return group_sizes(n, count=groups)


# --- forming groups --------------------------------------------------------------------------


def _cut(people: Sequence[str], sizes: Sequence[int]) -> Round:
    out, start = [], 0
    for table, size in enumerate(sizes, start=1):
        out.append(Group(table, tuple(people[start : start + size])))
        start += size
    return tuple(out)


def form_groups(
    people: Sequence[str],
    *,
    rng: random.Random,
    size: int | None = None,
    else_size: int | None = None,
    count: int | None = None,
    mode: Literal["random", "balanced", "self"] = "random",
    attribute: Mapping[str, str] | None = None,
    choices: Mapping[str, str] | None = None,
) -> Round:
    """Groups of everyone, once each. `balanced` spreads each value of `attribute` (e.g. role,
    organisation) evenly over the groups; `self` keeps people who chose the same label together
    (an overfull choice is split, people without a choice fill the gaps)."""
    people = list(dict.fromkeys(people))
    sizes = group_sizes(len(people), size=size, else_size=else_size, count=count)
    if mode == "random":
        shuffled = list(people)
        rng.shuffle(shuffled)
        return _cut(shuffled, sizes)
    if mode == "balanced":
        return _balanced(people, sizes, attribute or {}, rng)
    return _self_selected(
        people, sizes, choices or {}, rng, size or max(sizes, default=1), else_size
    )


def _balanced(
    people: Sequence[str], sizes: Sequence[int], attribute: Mapping[str, str], rng: random.Random
) -> Round:
    """Deal people value by value round the tables (skipping full ones), then swap until every
    value is spread within one per table wherever swaps can get it there."""
    by_value: dict[str, list[str]] = defaultdict(list)
    for person in people:
        by_value[attribute.get(person, "")].append(person)
    members: list[list[str]] = [[] for _ in sizes]
    table = 0
    for value in sorted(by_value, key=lambda v: (-len(by_value[v]), v)):
        group = list(by_value[value])
        rng.shuffle(group)
        for person in group:
            while len(members[table]) >= sizes[table]:
                table = (table + 1) % len(sizes)
            members[table].append(person)
            table = (table + 1) % len(sizes)
    _spread(members, attribute)
    return tuple(Group(t + 1, tuple(m)) for t, m in enumerate(members))


def _spread(members: list[list[str]], attribute: Mapping[str, str]) -> None:
    def count(table: list[str], value: str) -> int:
        return sum(1 for m in table if attribute.get(m, "") == value)

    values = sorted({attribute.get(m, "") for table in members for m in table})
    for _ in range(len(values) * sum(len(t) for t in members)):
        worst = None
        for value in values:
            counts = [count(t, value) for t in members]
            if max(counts) - min(counts) > 1:
                worst = (value, counts.index(max(counts)), counts.index(min(counts)))
                break
        if worst is None:
            return
        value, high, low = worst
        swapped = False
        for i, a in enumerate(members[high]):
            if attribute.get(a, "") != value:
                continue
            for j, b in enumerate(members[low]):
                other = attribute.get(b, "")
                # moving b to the high table must not push b's value out of balance
                if other != value and count(members[high], other) <= count(members[low], other):
                    members[high][i], members[low][j] = b, a
                    swapped = True
                    break
            if swapped:
                break
        if not swapped:
            return


def _self_selected(
    people: Sequence[str],
    sizes: Sequence[int],
    choices: Mapping[str, str],
    rng: random.Random,
    size: int,
    else_size: int | None,
) -> Round:
    largest = max(size, else_size or size)
    chosen: dict[str, list[str]] = defaultdict(list)
    free: list[str] = []
    for person in people:
        label = choices.get(person)
        (chosen[label] if label else free).append(person)
    groups: list[list[str]] = []
    for label in sorted(chosen):
        members = chosen[label]
        parts = math.ceil(len(members) / largest)
        for part in group_sizes(len(members), count=parts):
            groups.append(members[:part])
            members = members[part:]
    rng.shuffle(free)
    for person in free:
        open_groups = [g for g in groups if len(g) < size]
        if open_groups:
            min(open_groups, key=len).append(person)
        else:
            groups.append([person])
    # people who ended alone (everyone else chose) join the smallest other group
    lonely = [g for g in groups if len(g) == 1 and len(groups) > 1]
    for group in lonely:
        groups.remove(group)
        min(groups, key=len).extend(group)
    return tuple(Group(t, tuple(g)) for t, g in enumerate(groups, start=1))


def merge_groups(previous: Sequence[Group], factor: int = 2) -> Round:
    """1 -> 2 -> 4: consecutive groups merge `factor` at a time; a group left over joins the
    last merged group rather than staying alone."""
    merged: list[list[str]] = []
    for start in range(0, len(previous), factor):
        members = [m for g in previous[start : start + factor] for m in g.members]
        if len(previous[start : start + factor]) < factor and merged:
            merged[-1].extend(members)
        else:
            merged.append(members)
    return tuple(Group(t, tuple(m)) for t, m in enumerate(merged, start=1))


# --- rotations -------------------------------------------------------------------------------
