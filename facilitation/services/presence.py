"""Who is connected to each event right now, whichever process holds their socket.

Seating places the people present, counts show how many are connected, and pushes render
only for the audiences and languages someone is using: all of these ask this service, never
a process's own list of sockets. `LocalPresence` keeps the answer in memory, which is exact
for one process; the scale-out issue adds an implementation backed by Redis.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class Presence(Protocol):
    async def arrive(self, code: str, audience: str, lang: str, person: int | None) -> None:
        """One more connection of `person` (None for a screen or a console)."""

    async def leave(self, code: str, audience: str, lang: str, person: int | None) -> None:
        """That connection closed."""

    async def people(self, code: str) -> list[int]:
        """Participants with at least one open connection, in order of arrival."""

    async def rooms(self, code: str) -> set[tuple[str, str]]:
        """(audience, language) pairs with at least one open connection."""


@dataclass(frozen=True)
class Counts:
    """One event's open connections: per person, and per (audience, language)."""

    people: Mapping[int, int]
    rooms: Mapping[tuple[str, str], int]


class LocalPresence:
    def __init__(self) -> None:
        # a person with two tabs open counts once, and stays until both are closed
        self._people: dict[str, Counter[int]] = defaultdict(Counter)
        self._rooms: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)

    async def arrive(self, code: str, audience: str, lang: str, person: int | None) -> None:
        self._rooms[code][(audience, lang)] += 1
        if person is not None:
            self._people[code][person] += 1

    async def leave(self, code: str, audience: str, lang: str, person: int | None) -> None:
        rooms = self._rooms[code]
        rooms[(audience, lang)] -= 1
        if rooms[(audience, lang)] <= 0:
            del rooms[(audience, lang)]
        if person is not None:
            people = self._people[code]
            people[person] -= 1
            if people[person] <= 0:
                del people[person]

    async def people(self, code: str) -> list[int]:
        return list(self._people.get(code, ()))

    async def rooms(self, code: str) -> set[tuple[str, str]]:
        return set(self._rooms.get(code, ()))

    def connections(
        self, code: str, audience: str, lang: str, person: int | None
    ) -> tuple[int, int]:
        """Open connections of one room, and of one person (0 for None), without copying
        the whole event's counts."""
        rooms, people = self._rooms.get(code), self._people.get(code)
        in_room = rooms.get((audience, lang), 0) if rooms else 0
        of_person = people.get(person, 0) if people and person is not None else 0
        return in_room, of_person

    def counts(self, code: str) -> Counts:
        return Counts(dict(self._people.get(code, {})), dict(self._rooms.get(code, {})))
