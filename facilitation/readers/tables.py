"""Tables people bring as files (rosters, wishes, ballots), read the same way everywhere.

They come out of spreadsheets saved as CSV: UTF-8, often behind a byte-order mark, with `,`
between columns, or `;` where the comma is the decimal separator (French settings), or tabs
when pasted from a sheet. The delimiter is read off the header line, outside quotes: column
names rarely hold one, while cells often do ("funding,premises" in a `;` file). csv.Sniffer,
used before by two of the readers, guessed from the cells, and took the apostrophe that our
downloads put before formula-like text ('+ great) for a quote character.

Every reader strips its cells, so spaces typed after a delimiter are skipped before parsing,
which also makes `a, "b, c"` (typed by hand) two cells.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

DELIMITERS = (",", ";", "\t")
_BOM = "\ufeff"


def decode(data: bytes) -> str:
    """An uploaded file's text (UnicodeDecodeError when it is not UTF-8)."""
    return data.decode("utf-8-sig")


def read_text(path: str | Path) -> str:
    """A file's text (OSError, or UnicodeDecodeError when it is not UTF-8)."""
    return Path(path).read_text(encoding="utf-8-sig")


def delimiter(text: str) -> str:
    """The delimiter the header line uses most, `,` when it uses none."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text.lstrip(_BOM).split("\n", 1)[0]:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(DELIMITERS, key=counts.__getitem__)


def rows(text: str) -> tuple[list[list[str]], str]:
    """The rows of CSV text, and the delimiter they were split on."""
    text = text.lstrip(_BOM)
    found = delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=found, skipinitialspace=True)
    return list(reader), found


def dict_rows(text: str) -> csv.DictReader[str]:
    """The rows of CSV text as mappings from the header's names (`line_num` says where)."""
    text = text.lstrip(_BOM)
    return csv.DictReader(io.StringIO(text), delimiter=delimiter(text), skipinitialspace=True)
