"""Rosters of projects as files: YAML, or CSV when the name ends in .csv (split into rows by
`readers.tables`), checked by `core.rosters`."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from facilitation.core.formats import Problem
from facilitation.core.rosters import Roster, RosterError, parse_roster_yaml, roster_from_rows
from facilitation.readers import tables


def parse_roster_csv(text: str, name: str = "<roster>") -> Roster:
    """Columns id,title,holder,pitch,needs (needs separated by ';'); ',' or ';' delimited."""
    reader = tables.dict_rows(text)

    def rows() -> Iterator[tuple[int, Mapping[Any, Any]]]:
        started = reader.line_num + 1  # the header is read by now
        try:
            for row in reader:
                # line_num, read after each row, is the line that row ends on
                yield reader.line_num, row
                started = reader.line_num + 1
        except csv.Error:
            message = 'a quote (") opened on this line is never closed'
            raise RosterError([Problem(name, started, 1, message)]) from None

    try:
        header = reader.fieldnames or []
    except csv.Error:
        message = 'a quote (") in the header is never closed'
        raise RosterError([Problem(name, 1, 1, message)]) from None
    return roster_from_rows(header, rows(), name)


def parse_roster_xlsx(data: bytes, name: str = "<roster>") -> Roster:
    """The first sheet of a workbook, with the same columns as a CSV roster."""
    try:
        sheet = tables.xlsx_rows(data)
    except tables.SpreadsheetError as error:
        raise RosterError([Problem(name, 1, 1, str(error))]) from None
    header = sheet[0] if sheet else []
    rows = (
        (line, dict(zip(header, cells, strict=False)))
        for line, cells in enumerate(sheet[1:], start=2)
    )
    return roster_from_rows(header, rows, name)


def parse_roster(text: str, name: str) -> Roster:
    if name.lower().endswith(".csv"):
        return parse_roster_csv(text, name)
    return parse_roster_yaml(text, name)


def parse_roster_upload(data: bytes, name: str) -> Roster:
    """A roster as uploaded: .xlsx, .csv (UTF-8, UTF-16 or Windows-1252) or YAML."""
    if name.lower().endswith(".xlsx"):
        return parse_roster_xlsx(data, name)
    try:
        text = tables.decode(data)
    except UnicodeDecodeError:
        raise RosterError([Problem(name, 1, 1, "this file is not text (nor an .xlsx)")]) from None
    return parse_roster(text, name)


def load_roster_file(path: str | Path) -> Roster:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RosterError([Problem(str(path), 1, 1, error.strerror or str(error))]) from None
    return parse_roster_upload(data, str(path))
