"""Ballots as spreadsheets: one row per ballot, one column per option.

A cell holds that voter's mark for that option: 1/0 (single, approval), a number of points
(dots), a score (rating), a rank (ranking: 1 = first, empty = unranked) or a grade label
(majority judgment; empty = the worst grade). Rubric ballots use `option.criterion` columns.
The same layout is read by `facilitation tally` and written by the ballot downloads, so a
download can be tallied again by hand.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.core.voting import BallotError, VoteSpec, validate_ballot
from facilitation.exports.tables import csv_text, unguarded


class BallotFileError(ValueError):
    """`file:row: message` for the first ballot that cannot be read."""


def _fold(text: str) -> str:
    """Grade labels typed by hand: compare without case and surrounding spaces."""
    return unicodedata.normalize("NFC", text.strip()).casefold()


def _sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        return csv.excel


def read_ballots_csv(
    text: str, name: str, method: str, spec_for: Any
) -> tuple[VoteSpec, list[dict[str, object]]]:
    """Parse a ballots CSV; `spec_for(options)` builds the vote's spec once the header is read.
    Returns the spec and the validated ballots; BallotFileError names the row at fault."""
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), _sniff(text)))
    rows = [[cell.strip() for cell in row] for row in rows]
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


# --- writing ---------------------------------------------------------------------------------


def ballot_columns(spec: VoteSpec) -> list[str]:
    if spec.method == "rubric":
        return [f"{o}.{c.id}" for o in spec.options for c in spec.criteria]
    return list(spec.options)


def ballot_marks(spec: VoteSpec, ballot: Mapping[str, Any]) -> list[int | str]:
    """One ballot under `ballot_columns(spec)`: numbers, grade labels, "" where unmarked.
    Numbers stay numbers so that the CSV writer does not take a negative score for a formula."""
    if ballot.get("abstain"):
        return [""] * len(ballot_columns(spec))
    match spec.method:
        case "single":
            return [int(o == ballot["choice"]) for o in spec.options]
        case "approval":
            return [int(o in ballot["choices"]) for o in spec.options]
        case "dots":
            return [ballot["points"].get(o, "") for o in spec.options]
        case "rating":
            return [ballot["scores"].get(o, "") for o in spec.options]
        case "ranking":
            order = ballot["order"]
            return [order.index(o) + 1 if o in order else "" for o in spec.options]
        case "majority_judgment":
            return [
                spec.grades[ballot["grades"][o]] if o in ballot["grades"] else ""
                for o in spec.options
            ]
        case _:
            scores = ballot["scores"]
            return [scores.get(o, {}).get(c.id, "") for o in spec.options for c in spec.criteria]


def ballot_cells(spec: VoteSpec, ballot: Mapping[str, Any]) -> list[str]:
    """One ballot as cells under `ballot_columns(spec)` (empty cells for an abstention)."""
    return [str(mark) for mark in ballot_marks(spec, ballot)]


BallotEntry = tuple[Mapping[str, Any], bool, str]  # ballot, on paper?, voter's display name


def anonymised(rows: Sequence[BallotEntry]) -> list[BallotEntry]:
    """Ballots in an order that says nothing of when (or by whom) they were cast."""
    return sorted(rows, key=lambda r: (json.dumps(r[0], sort_keys=True), r[1], r[2]))


def ballots_csv(
    spec: VoteSpec, rows: Sequence[tuple[Mapping[str, Any], bool, str]], *, names: bool
) -> str:
    """(ballot, paper, display name) rows as CSV; names only for attributed votes."""
    header = ["paper", "abstain", *(["name"] if names else []), *ballot_columns(spec)]
    return csv_text(
        [
            header,
            *(
                [
                    int(paper),
                    int(bool(ballot.get("abstain"))),
                    *([name] if names else []),
                    *ballot_marks(spec, ballot),
                ]
                for ballot, paper, name in anonymised(rows)
            ),
        ]
    )


def ballots_json(
    spec: VoteSpec, rows: Sequence[tuple[Mapping[str, Any], bool, str]], *, names: bool
) -> list[dict[str, Any]]:
    return [
        {"paper": paper, **({"name": name} if names else {}), "ballot": dict(ballot)}
        for ballot, paper, name in anonymised(rows)
    ]
