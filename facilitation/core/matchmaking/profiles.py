"""What matchmaking starts from: who can be matched, who wishes to meet whom, the event's
settings, and the errors of the whole pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias, get_args

Side = Literal["offer", "need"]
WishLevel = Literal["must", "want", "no"]
Pair: TypeAlias = tuple[str, str]

# Spelled once, in the type; the tuple checks what phones and files send.
WISH_LEVELS: tuple[WishLevel, ...] = get_args(WishLevel)


class MatchError(ValueError):
    """Invalid input to the matchmaking pipeline."""


class EditError(MatchError):
    """An organiser edit that was refused; the message says why."""


def wish_level(text: str) -> WishLevel:
    """`text` as a wish level; MatchError if it is not one of `WISH_LEVELS`."""
    for level in WISH_LEVELS:
        if text == level:
            return level
    raise MatchError(f"unknown wish level {text!r}")


@dataclass(frozen=True)
class Profile:
    """Someone who can be matched. `side` "offer" is the partners' side."""

    id: str
    name: str
    side: Side = "need"
    organisation: str = ""
    offers: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    available_slots: frozenset[int] = frozenset()  # empty: every slot
    min_meetings: int | None = None  # None: the event's default
    max_meetings: int | None = None


@dataclass(frozen=True)
class Wish:
    source: str
    target: str
    level: WishLevel


@dataclass(frozen=True)
class MatchConfig:
    slots: int
    tables: int | None = None  # None: as many tables as needed
    min_meetings: int = 0
    max_meetings: int | None = None  # None: one per slot
    seed: int = 0

    def __post_init__(self) -> None:
        if self.slots < 1:
            raise MatchError("slots must be at least 1")
        if self.tables is not None and self.tables < 1:
            raise MatchError("tables must be at least 1")
        if self.min_meetings < 0:
            raise MatchError("min_meetings cannot be negative")
        if self.max_meetings is not None and self.max_meetings < self.min_meetings:
            raise MatchError("max_meetings cannot be below min_meetings")


def minimum_meetings(profile: Profile, config: MatchConfig) -> int:
    """The soft minimum of meetings: the person's own, else the event's."""
    return profile.min_meetings if profile.min_meetings is not None else config.min_meetings


def maximum_meetings(profile: Profile, config: MatchConfig) -> int:
    """The person's own maximum, else the event's, else one meeting per slot."""
    top = profile.max_meetings if profile.max_meetings is not None else config.max_meetings
    return config.slots if top is None else top
