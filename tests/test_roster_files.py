"""Rosters as organisers have them: French Excel's CSV (Windows-1252 or UTF-8 with a mark,
`;` between columns), UTF-16 "Unicode text", an .xlsx workbook; and the mistakes that must be
said, not swallowed: a quote never closed, far too many projects, a file that is not text."""

from __future__ import annotations

import io

import openpyxl
import pytest

from facilitation.core.rosters import MAX_PROJECTS, RosterError
from facilitation.readers.rosters import parse_roster_upload

FRENCH = "id;title;holder;needs\ncantine;Cantine partagée;Nadia Ferhat;locaux, bénévoles\natelier;Atelier vélo;Léo;financement\n"


def titles(data: bytes, name: str) -> list[str]:
    return [p.title for p in parse_roster_upload(data, name)]


@pytest.mark.parametrize(
    "encoded",
    [
        FRENCH.encode("cp1252"),
        FRENCH.encode("utf-8-sig"),
        FRENCH.encode("utf-8"),
        FRENCH.encode("utf-16"),  # with its byte-order mark, as Excel's "Unicode text"
    ],
)
def test_french_spreadsheet_csv_in_every_encoding_excel_writes(encoded: bytes) -> None:
    assert titles(encoded, "projets.csv") == ["Cantine partagée", "Atelier vélo"]
    roster = parse_roster_upload(encoded, "projets.csv")
    assert roster[0].holder == "Nadia Ferhat"


def test_an_xlsx_roster_reads_like_its_csv() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in FRENCH.strip().split("\n"):
        sheet.append(row.split(";"))
    sheet.append([])  # a blank row in the middle is skipped, line numbers stay the sheet's
    sheet.append(["42", "Quarante-deux", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    roster = parse_roster_upload(buffer.getvalue(), "projets.xlsx")
    assert [p.title for p in roster] == ["Cantine partagée", "Atelier vélo", "Quarante-deux"]
    assert roster[2].id == "42"


def test_a_bad_workbook_is_named_not_a_traceback() -> None:
    with pytest.raises(RosterError, match=r"not a readable \.xlsx"):
        parse_roster_upload(b"PK\x03\x04 not really a zip", "projets.xlsx")


def test_a_quote_never_closed_is_refused_with_its_line() -> None:
    text = 'id,title\na,"Open quote\nb,Second\nc,Third\n'
    with pytest.raises(RosterError) as raised:
        parse_roster_upload(text.encode(), "projets.csv")
    problem = raised.value.problems[0]
    assert problem.line == 2 and "never closed" in problem.message


def test_far_too_many_projects_are_refused_at_once() -> None:
    rows = "".join(f"p{i},Project {i}\n" for i in range(MAX_PROJECTS + 1))
    with pytest.raises(RosterError, match=f"at most {MAX_PROJECTS} projects"):
        parse_roster_upload(f"id,title\n{rows}".encode(), "projets.csv")
    yaml = "".join(f"- {{id: p{i}, title: P{i}}}\n" for i in range(MAX_PROJECTS + 1))
    with pytest.raises(RosterError, match=f"at most {MAX_PROJECTS} projects"):
        parse_roster_upload(yaml.encode(), "projets.yaml")
    rows = "".join(f"p{i},Project {i}\n" for i in range(MAX_PROJECTS))
    assert len(parse_roster_upload(f"id,title\n{rows}".encode(), "projets.csv")) == MAX_PROJECTS


def test_a_file_that_is_not_text_is_named() -> None:
    # 0x81 is undefined in Windows-1252 and not UTF-8 either
    with pytest.raises(RosterError, match="not text"):
        parse_roster_upload(b"id,title\n\x81\x8d,x\n", "projets.csv")
