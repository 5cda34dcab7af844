"""Ballots as spreadsheets: one row per ballot, one column per option.

A cell holds that voter's mark for that option: 1/0 (single, approval), a number of points
(dots), a score (rating), a rank (ranking: 1 = first, empty = unranked) or a grade label
(majority judgment; empty = the worst grade). Rubric ballots use `option.criterion` columns.
The ballot downloads write this layout after paper/abstain (and name) columns, and
`facilitation tally` reads it (facilitation.readers.ballots), so a download can be tallied
again by hand once those first columns are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.core.voting import VoteSpec
from facilitation.exports.tables import csv_text


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
