"""The hand-written XLSX sheets: the cells written column by column, by value, are the cells
of `_xlsx_cell` row by row, whatever the kinds in a column and the size of the pieces."""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime

import openpyxl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.datetime import from_excel, to_excel

from facilitation.exports.workbooks import _XML_ILLEGAL, _sheet_xml, _xlsx_cell, xlsx_workbook
from tests.cells import cells

_CELLS = cells("<&>ab \x01é")
_KINDS = (
    _CELLS,
    st.integers(0, 3),
    st.floats(allow_nan=False, width=16),
    st.text(alphabet="<ab", max_size=3),
    st.booleans(),
)


def _row_of(kind: st.SearchStrategy[object], width: int) -> st.SearchStrategy[list[object]]:
    return st.lists(kind, min_size=width, max_size=width)


def _table(width: int) -> st.SearchStrategy[list[list[object]]]:
    """Rows of mixed kinds, or columns of one kind each (the common case, cached by value)."""
    mixed = st.lists(st.one_of(*(_row_of(kind, width) for kind in _KINDS)), max_size=7)
    by_column = st.lists(st.sampled_from(_KINDS), min_size=width, max_size=width).flatmap(
        lambda kinds: st.lists(st.tuples(*kinds).map(list), max_size=7)
    )
    return st.one_of(mixed, by_column)


@given(
    st.integers(0, 4).flatmap(_table),
    st.lists(_CELLS, max_size=5),
    st.integers(1, 4),
)
def test_a_sheet_has_the_cells_of_xlsx_cell_row_by_row(
    rows: list[list[object]], ragged: list[object], part_rows: int
) -> None:
    for table in (rows, [*rows, ragged]):
        expected = "".join(
            f'<row r="{n}">' + "".join(_xlsx_cell(v, n == 1) for v in row) + "</row>"
            for n, row in enumerate(table, start=1)
        )
        found = re.search("<sheetData>(.*)</sheetData>", _sheet_xml(table, (), part_rows), re.S)
        assert found is not None and found.group(1) == expected


@given(st.integers(1, 4).flatmap(_table).filter(bool))
def test_cells_without_references_land_in_their_columns(rows: list[list[object]]) -> None:
    # Empty cells hold their place: what follows them stays in its column.
    table = [["h"] * len(rows[0]), *rows]
    data = xlsx_workbook([("S", table, ())])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not re.search(rb"<c [^>]*r=", archive.read("xl/worksheets/sheet1.xml"))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["S"]
    read = [list(r) for r in sheet.iter_rows(min_row=2, max_col=len(rows[0]), values_only=True)]
    assert read == [[_read_back(v) for v in row] for row in rows]


def _read_back(value: object) -> object:
    """What a spreadsheet holds for a value written into a cell."""
    if value == "":
        return None
    if isinstance(value, str):  # characters XML cannot hold are left out
        return _XML_ILLEGAL.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, datetime):  # a day's fraction keeps milliseconds
        return from_excel(to_excel(value))
    return value
