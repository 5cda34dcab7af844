"""The hand-written XLSX sheets: the common types written inline give the cells of `_xlsx_cell`."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from facilitation.exports.workbooks import _column_letter, _sheet_xml, _xlsx_cell
from tests.cells import cells

_CELLS = cells("<&>ab \x01é")


def _row_of(kind: st.SearchStrategy[object], width: int) -> st.SearchStrategy[list[object]]:
    return st.lists(kind, min_size=width, max_size=width)


@given(
    st.integers(0, 4).flatmap(
        lambda width: st.lists(
            st.one_of(
                _row_of(_CELLS, width),
                _row_of(st.integers(0, 3), width),
                _row_of(st.text(alphabet="<ab", max_size=3), width),
                _row_of(st.booleans(), width),
            ),
            max_size=6,
        )
    ),
    st.lists(_CELLS, max_size=5),
)
def test_a_sheet_has_the_cells_of_xlsx_cell_row_by_row(
    rows: list[list[object]], ragged: list[object]
) -> None:
    for table in (rows, [*rows, ragged]):
        letters = [_column_letter(i) for i in range(max((len(r) for r in table), default=0))]
        expected = "".join(
            f'<row r="{n}">'
            + "".join(_xlsx_cell(f"{x}{n}", v, n == 1) for x, v in zip(letters, row, strict=False))
            + "</row>"
            for n, row in enumerate(table, start=1)
        )
        found = re.search("<sheetData>(.*)</sheetData>", _sheet_xml(table, ()), re.S)
        assert found is not None and found.group(1) == expected
