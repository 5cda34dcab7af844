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
import zipfile
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

DELIMITERS = (",", ";", "\t")
_BOM = "\ufeff"


def decode(data: bytes) -> str:
    """A file's text, in the encodings spreadsheets save CSV in: UTF-16 (with its byte-order
    mark, "Unicode text"), UTF-8 with or without a mark, else Windows-1252, which French Excel
    still uses for "CSV (point-virgule)". UnicodeDecodeError when it is none of them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_text(path: str | Path) -> str:
    """A file's text, decoded as `decode` does (OSError if it cannot be read)."""
    return decode(Path(path).read_bytes())


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
    """The rows of CSV text as mappings from the header's names (`line_num` says where).
    Strict: a quote never closed raises csv.Error instead of swallowing every row after it
    into one cell."""
    text = text.lstrip(_BOM)
    return csv.DictReader(
        io.StringIO(text), delimiter=delimiter(text), skipinitialspace=True, strict=True
    )


# An XLSX file is a zip of XML parts (read with defusedxml: no entity tricks); a few megabytes
# of cells is a large roster, so a file that unpacks to far more is refused before it is read
# (a zip bomb would otherwise be).
MAX_XLSX_UNPACKED = 32 * 1024 * 1024
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class SpreadsheetError(ValueError):
    """A file that is not a spreadsheet this reader understands."""


def xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet of an XLSX workbook, as text cells row by row (empty rows kept, so
    that row N is line N of the sheet, as people see it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            if sum(i.file_size for i in book.infolist()) > MAX_XLSX_UNPACKED:
                raise SpreadsheetError("this spreadsheet is too large once unpacked")
            shared = _shared_strings(book)
            sheet = ElementTree.fromstring(book.read(_first_sheet(book)))
    except (zipfile.BadZipFile, KeyError, StopIteration, ParseError, DefusedXmlException) as e:
        raise SpreadsheetError(f"not a readable .xlsx workbook ({e})") from None
    out: list[list[str]] = []
    for row in sheet.iter(f"{_SHEET_NS}row"):
        number = int(row.get("r") or len(out) + 1)
        while len(out) < number - 1:
            out.append([])
        cells: list[str] = []
        for cell in row.iter(f"{_SHEET_NS}c"):
            column = _column_index(cell.get("r") or "") or len(cells)
            cells.extend([""] * (column - len(cells)))
            cells.append(_cell_text(cell, shared))
        out.append(cells)
    return out


def _first_sheet(book: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = next(workbook.iter(f"{_SHEET_NS}sheet"))
    rel_id = first.get(f"{_REL_NS}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target") for r in rels.iter(f"{_PKG_NS}Relationship") if r.get("Id") == rel_id
    )
    target = str(target).lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    table = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{_SHEET_NS}t")) for si in table]


def _column_index(ref: str) -> int | None:
    """0-based column of a cell reference like "C7"."""
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    if not letters:
        return None
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


def _cell_text(cell: Element, shared: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_SHEET_NS}t"))
    value = cell.findtext(f"{_SHEET_NS}v") or ""
    if kind == "s":
        return shared[int(value)] if value.isdecimal() and int(value) < len(shared) else ""
    if kind == "b":
        return "TRUE" if value == "1" else "FALSE"
    if kind in (None, "n") and value.endswith(".0"):
        return value[:-2]  # a whole number as people typed it
    return value
