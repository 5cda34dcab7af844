"""Tables downloaded as CSV, safe to open in a spreadsheet.

Every CSV the package writes goes through `csv_text`, because its cells hold what people typed
(a display name, an idea, a project's title, an option's label): a cell that starts with
= + - @ (or with a tab or a carriage return, which spreadsheets skip before looking for those)
runs as a formula when the organiser opens the file ("CSV injection", OWASP). Such text gets a
leading apostrophe, which spreadsheets read as "this is text". Only text is guarded: numbers
are written as they are, so that a negative score stays a number a spreadsheet can add up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"


def csv_cell(value: object) -> object:
    """A value as a cell: booleans as yes/empty, datetimes to the minute, formulas as text."""
    # exact types first: a file is mostly plain text and numbers
    if type(value) is str:
        return FORMULA_GUARD + value if value.startswith(FORMULA_START) else value
    if type(value) is int:
        return value
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return FORMULA_GUARD + value
    return value


def unguarded(cell: str) -> str:
    """A cell read back from one of our downloads, without the apostrophe `csv_cell` added."""
    rest = cell.removeprefix(FORMULA_GUARD)
    return rest if rest != cell and rest.startswith(FORMULA_START) else cell


def csv_text(rows: Iterable[Iterable[object]], *, lineterminator: str = "\r\n") -> str:
    """Rows (the header first) as CSV text, every cell through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    table = [list(row) for row in rows]
    body = table[1:]
    if body and body[0] and len({len(row) for row in body}) == 1:
        # Column by column below the header: 25,000 meetings are 350,000 cells, and a column
        # holds one type, so `csv_cell` is applied to a column at once (a third faster).
        writer.writerow([csv_cell(value) for value in table[0]])
        writer.writerows(zip(*map(_csv_column, zip(*body, strict=True)), strict=True))
    else:
        writer.writerows([csv_cell(value) for value in row] for row in table)
    return out.getvalue()


def _csv_column(values: Sequence[object]) -> Sequence[object]:
    """`csv_cell` of every value of a column."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        return values
    if kinds <= {str}:
        texts = cast(Sequence[str], values)
        return [FORMULA_GUARD + v if v.startswith(FORMULA_START) else v for v in texts]
    if kinds <= {bool, datetime, type(None)}:  # few distinct values: each converted once
        cells = {value: csv_cell(value) for value in set(values)}
        return [cells[value] for value in values]
    return [csv_cell(value) for value in values]


_DECIMAL = re.compile(r"-?\d+\.\d+")


def for_excel(text: str) -> str:
    """One of our CSV downloads as Excel set to French opens it without a wizard: a byte-order
    mark (else it guesses the encoding wrong), `;` between columns and a decimal comma (what
    those settings expect; a point would make 4.5 a date)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text)):
        writer.writerow(
            cell.replace(".", ",") if _DECIMAL.fullmatch(cell) else cell for cell in row
        )
    return "\ufeff" + out.getvalue()
