"""A list of people as a CSV file, for plans made ahead of the day: their names, one a row,
from the `name` column (any case), else the first column."""

from __future__ import annotations

import csv
from pathlib import Path

from facilitation.i18n import mark as _
from facilitation.readers import tables


class PeopleFileError(ValueError):
    """A people file that cannot be read: `message` (English, in the catalogue) with `params`
    (the file's name, the reason), translated where it is shown."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


def read_people_csv(path: str | Path) -> list[str]:
    """Names in the order of the file, empty rows skipped; the same name may come twice (two
    people can share a name: they are told apart by their row)."""
    name = str(path)
    try:
        text = tables.read_text(path)
    except OSError as error:
        raise PeopleFileError(
            _("%(file)s: %(reason)s"), file=name, reason=str(error.strerror or error)
        ) from None
    except UnicodeDecodeError:  # cp1252 decodes any byte but five
        raise PeopleFileError(_("%(file)s: not a text file"), file=name) from None
    try:
        rows, _delimiter = tables.rows(text)
    except csv.Error as error:
        raise PeopleFileError(_("%(file)s: %(reason)s"), file=name, reason=str(error)) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise PeopleFileError(_("%(file)s: no names (expected a header such as: name)"), file=name)
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("name") if "name" in header else 0
    people: list[str] = []
    for row in rows[1:]:
        cell = row[column].strip() if column < len(row) else ""
        if cell:
            people.append(cell)
    if not people:
        raise PeopleFileError(_("%(file)s: no names below the header"), file=name)
    return people
