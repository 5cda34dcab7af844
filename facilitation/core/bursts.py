"""Bursts of new identities: many participants made from one client address within seconds
of each other. A room of phones joins over minutes, each from its own address; a script
joins from one address, one identity after the other. Pure: the times are given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    id: int
    origin: str  # the client address it was made from
    created_at: int  # ms


@dataclass(frozen=True)
class Burst:
    origin: str
    members: tuple[int, ...]  # participant ids, in the order they were made
    first_at: int
    last_at: int

    @property
    def key(self) -> int:
        """Names the burst in a form: its first member (a burst is found again the same way
        while nobody joins in the middle of it)."""
        return self.members[0]


def find_bursts(identities: Iterable[Identity], within_ms: int, at_least: int) -> list[Burst]:
    """Runs of identities from one origin each made within `within_ms` of the one before,
    of `at_least` identities or more; the biggest first."""
    by_origin: dict[str, list[Identity]] = defaultdict(list)
    for identity in identities:
        by_origin[identity.origin].append(identity)
    found: list[Burst] = []
    for origin, made in by_origin.items():
        made.sort(key=lambda i: (i.created_at, i.id))
        run: list[Identity] = []
        following: list[Identity | None] = [*made, None]  # None closes the last run
        for nxt in following:
            if nxt is not None and run and nxt.created_at - run[-1].created_at <= within_ms:
                run.append(nxt)
                continue
            if len(run) >= max(1, at_least):
                members = tuple(i.id for i in run)
                found.append(Burst(origin, members, run[0].created_at, run[-1].created_at))
            run = [nxt] if nxt is not None else []
    return sorted(found, key=lambda b: (-len(b.members), b.first_at))
