"""Ballots typed in a spreadsheet, read for `facilitation tally`.

The layout is the one the ballot downloads write (facilitation.exports.ballot_files): one row
per ballot, one column per option, the option ids in the header.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from facilitation.core.voting import BallotError, VoteSpec, validate_ballot
from facilitation.exports.tables import unguarded
from facilitation.readers import tables


class BallotFileError(ValueError):
    """`file:row: message` for the first ballot that cannot be read."""


def _fold(text: str) -> str:
    """Grade labels typed by hand: compare without case and surrounding spaces."""
    return unicodedata.normalize("NFC", text.strip()).casefold()


def read_ballots_csv(
    text: str, name: str, method: str, spec_for: Any
) -> tuple[VoteSpec, list[dict[str, object]]]:
    """Parse a ballots CSV; `spec_for(options)` builds the vote's spec once the header is read.
    Returns the spec and the validated ballots; BallotFileError names the row at fault."""
    rows = [[cell.strip() for cell in row] for row in tables.rows(text)[0]]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise BallotFileError(f"{name}:1: the file is empty")
    header = rows[0]
    if any(not h for h in header) or len(set(header)) != len(header):
        raise BallotFileError(f"{name}:1: the header needs one distinct option id per column")
    spec: VoteSpec = spec_for(tuple(header))
    ballots = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) > len(header):
            raise BallotFileError(f"{name}:{number}: {len(row)} cells for {len(header)} options")
        cells = dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))
        try:
            ballots.append(validate_ballot(spec, _ballot_from_cells(spec, method, cells)))
        except (BallotError, ValueError) as error:
            raise BallotFileError(f"{name}:{number}: {error}") from None
    return spec, ballots


def _number(cell: str, what: str) -> int:
    try:
        value = float(cell.replace(",", "."))
    except ValueError:
        raise ValueError(f"{cell!r} is not a {what}") from None
    if not value.is_integer():
        raise ValueError(f"{cell!r} is not a whole {what}")
    return int(value)


def _ballot_from_cells(spec: VoteSpec, method: str, cells: Mapping[str, str]) -> dict[str, object]:
    marked = {o: c for o, c in cells.items() if c != ""}
    if method in ("single", "approval"):
        bad = [c for c in marked.values() if c not in ("0", "1")]
        if bad:
            raise ValueError(f"cells hold 1 (chosen) or 0, got {bad[0]!r}")
        chosen = [o for o, c in marked.items() if c == "1"]
        if method == "single":
            if not chosen:
                return {"abstain": True}
            if len(chosen) > 1:
                raise ValueError(f"a single-choice ballot marks one option, got {len(chosen)}")
            return {"choice": chosen[0]}
        return {"choices": chosen}
    if method == "dots":
        return {"points": {o: _number(c, "number of points") for o, c in marked.items()}}
    if method == "rating":
        return {"scores": {o: _number(c, "score") for o, c in marked.items()}}
    if method in ("borda", "copeland", "ranking"):
        ranks = {o: _number(c, "rank") for o, c in marked.items()}
        if len(set(ranks.values())) < len(ranks):
            raise BallotError("duplicate_rank", "two options have the same rank")
        return {"order": sorted(ranks, key=ranks.__getitem__)}
    if method in ("majority-judgment", "majority_judgment"):
        index = {_fold(g): i for i, g in enumerate(spec.grades)}
        grades = {}
        for option, cell in marked.items():
            # a grade written like a formula ("+ good") comes back from our own downloads
            # with the apostrophe that kept it text; a label that has one itself wins
            grade = index.get(_fold(cell), index.get(_fold(unguarded(cell))))
            if grade is None:
                raise ValueError(f"{cell!r} is not a grade ({', '.join(spec.grades)})")
            grades[option] = grade
        return {"grades": grades}
    raise ValueError(f"unknown method {method!r}")
