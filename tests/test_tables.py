"""Tables in and out: one reader of spreadsheet files, one CSV writer, used everywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitation.core.voting import VoteSpec
from facilitation.exports.tables import csv_text, unguarded
from facilitation.readers import tables
from facilitation.readers.ballots import read_ballots_csv
from facilitation.readers.matchmaking import read_participants_csv
from facilitation.readers.rosters import parse_roster
from tests.test_architecture import PACKAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id;name;offers\np1;Zoé;funding,premises,mentoring\n", ";"),
        ("\ufeffid;title\na;Alpha\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ('"id";"name, full"\n1;x\n', ";"),
        ('id,title,pitch\na,Alpha,"we; do; things"\n', ","),
        ("alone\n1\n", ","),
        ("", ","),
    ],
)
def test_the_delimiter_is_read_off_the_header(text: str, expected: str) -> None:
    assert tables.delimiter(text) == expected


def test_rows_keep_quoted_delimiters_and_skip_typed_spaces() -> None:
    rows, found = tables.rows('\ufeffid, title\na, "Beta, the second"\n')
    assert found == "," and rows == [["id", "title"], ["a", "Beta, the second"]]


def test_text_kept_as_text_is_not_taken_for_quotes() -> None:
    # what the ballots download writes for grades that look like formulas
    rows, _ = tables.rows("a,b\n'+ great,'= fine\n'- weak,\n")
    assert rows[1:] == [["'+ great", "'= fine"], ["'- weak", ""]]


def test_decoding_drops_the_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffid;name\n".encode())
    assert tables.read_text(path) == tables.decode(path.read_bytes()) == "id;name\n"
    # not UTF-8: Windows-1252, as French Excel saves CSV; bytes it leaves undefined raise
    assert tables.decode(b"id;name\n\xe9\n") == "id;name\n\u00e9\n"
    with pytest.raises(UnicodeDecodeError):
        tables.decode(b"id;name\n\x81\n")


def test_the_three_readers_split_a_french_spreadsheet_alike(tmp_path: Path) -> None:
    roster = parse_roster("\ufeffid;title;needs\na;Alpha, Beta;funding, premises\n", "r.csv")
    assert roster[0].title == "Alpha, Beta" and roster[0].needs == ("funding", "premises")
    path = tmp_path / "people.csv"
    path.write_text("\ufeffid;name;role;offers\np1;Zoé, Ann;partner;funding,premises\n", "utf-8")
    (person,) = read_participants_csv(path)
    assert person.name == "Zoé, Ann" and person.offers == {"funding", "premises"}
    _, ballots = read_ballots_csv(
        "\ufeffa;b\n4,0;2\n", "b.csv", "rating", lambda o: VoteSpec("rating", o, scale=(1, 5))
    )
    assert ballots == [{"scores": {"a": 4, "b": 2}}], "4,0 is a French 4.0, not two cells"


@given(
    st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=4),
    st.lists(
        st.lists(
            st.one_of(st.integers(-100, 100), st.text().filter(lambda t: not t.startswith("'"))),
            min_size=4,
            max_size=4,
        ),
        max_size=4,
    ),
)
def test_what_the_writer_writes_the_reader_reads(
    header: list[str], body: list[list[object]]
) -> None:
    rows = [header, *(row[: len(header)] for row in body)]
    read, found = tables.rows(csv_text(rows))
    assert found == ","
    assert [[unguarded(cell).strip() for cell in row] for row in read] == [
        [str(value).strip() for value in row] for row in rows
    ]


def _calls(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            names.add(node.attr)
    return names


def test_only_the_table_modules_read_and_write_csv() -> None:
    users = {
        str(path.relative_to(PACKAGE)): used
        for path in sorted(PACKAGE.rglob("*.py"))
        if (used := _calls(path) & {"reader", "writer", "DictReader", "DictWriter", "Sniffer"})
    }
    # exports/tables reads only its own output, to give it the flavour Excel expects
    assert users == {
        "exports/tables.py": {"writer", "reader"},
        "readers/tables.py": {"reader", "DictReader"},
    }
