"""How a reveal step brings results out: which places it shows, and how many rows one click
of a countdown adds (the rows tied at a place come out together)."""

from __future__ import annotations

from collections.abc import Sequence


def shown_places(cap: int, places: Sequence[int] | None) -> list[int]:
    """The places a reveal step shows, best first: up to its `cap` (its `top`, or every
    option; rows tied with the last place come too), among the options worth showing when
    the tally says which (`places`: their places, best first)."""
    if not places:
        return list(range(1, cap + 1))
    return [p for p in places if p <= cap]


def next_reveal(shown: int, places: Sequence[int], countdown: bool) -> int:
    """How many rows are shown after one more click: the next place of a countdown (all the
    rows tied at it at once), or everything."""
    total = len(places)
    if not countdown or shown >= total:
        return total
    place = places[total - shown - 1]
    return total - places.index(place)
