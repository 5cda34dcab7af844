"""Rosters of projects as files: YAML, or CSV when the name ends in .csv (split into rows by
`readers.tables`), checked by `core.rosters`."""

from __future__ import annotations

from pathlib import Path

from facilitation.core.rosters import Roster, parse_roster_yaml, roster_from_rows
from facilitation.readers import tables
from facilitation.readers.formats import read_text


def parse_roster_csv(text: str, name: str = "<roster>") -> Roster:
    """Columns id,title,holder,pitch,needs (needs separated by ';'); ',' or ';' delimited."""
    reader = tables.dict_rows(text)
    # line_num, read after each row, is the line that row ends on
    rows = ((reader.line_num, row) for row in reader)
    return roster_from_rows(reader.fieldnames or [], rows, name)


def parse_roster(text: str, name: str) -> Roster:
    if name.lower().endswith(".csv"):
        return parse_roster_csv(text, name)
    return parse_roster_yaml(text, name)


def load_roster_file(path: str | Path) -> Roster:
    path = Path(path)
    return parse_roster(read_text(path), str(path))
