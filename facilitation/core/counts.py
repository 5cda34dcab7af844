"""Counts typed into facilitator forms (tickets to make, heads in the room, burst settings)."""

from __future__ import annotations


def whole_number(raw: object, top: int) -> int | None:
    """`raw` as a whole number from 0 to `top`, else None. ASCII digits only: `str.isdigit`
    also accepts "²" and other digits that `int` refuses, and a long string of digits costs
    `int` quadratic time."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(top)):
        return None
    value = int(text)
    return value if value <= top else None
