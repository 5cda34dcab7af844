"""`facilitation rounds`: plans written as CSV or printable HTML, figures printed, bad input
told in one line."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from facilitation.cli import main


def read_plan(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and list(rows[0]) == ["round", "table", "person"]
    return rows


def repeats(rows: list[dict[str, str]]) -> int:
    tables: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        tables[(row["round"], row["table"])].append(row["person"])
    met = Counter(tuple(sorted(p)) for t in tables.values() for p in combinations(t, 2))
    return sum(n - 1 for n in met.values() if n > 1)


@pytest.mark.parametrize(
    ("n", "size", "rounds"), [(16, 4, 5), (25, 5, 6), (15, 3, 7), (32, 4, 9), (32, 4, 10)]
)
def test_table_rows_are_written_without_repeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], n: int, size: int, rounds: int
) -> None:
    out = tmp_path / "plan.csv"
    argv = ["rounds", "--people", str(n), "--scheme", "tables", "--size", str(size)]
    assert main([*argv, "--rounds", str(rounds), "-o", str(out)]) == 0
    rows = read_plan(out)
    assert len(rows) == n * rounds
    for r in range(1, rounds + 1):
        seated = [row for row in rows if row["round"] == str(r)]
        assert sorted(int(row["person"]) for row in seated) == list(range(1, n + 1))
        assert set(Counter(row["table"] for row in seated).values()) == {size}
    assert repeats(rows) == 0
    printed = capsys.readouterr().out
    assert f"{n} people, {rounds} rounds (tables, tables of {size})" in printed
    assert "repeat encounters: 0\nlower bound: 0\nbest known: 0\n" in printed


def test_names_from_a_roster_are_guarded_and_the_html_is_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "people.csv"
    names = ["=HYPERLINK(1)", "<b>Zoé</b>", "Ana", "Ana", "Bo", "Cy", "Di", "Ed"]
    roster.write_text("organisation;name\n" + "".join(f"x;{n}\n" for n in names), "utf-8")
    out = tmp_path / "plan.csv"
    argv = ["rounds", "--people", str(roster), "--scheme", "world-cafe", "--size", "4"]
    assert main([*argv, "--rounds", "2", "--seed", "3", "-o", str(out)]) == 0
    rows = read_plan(out)
    people = Counter(row["person"] for row in rows)
    assert people["'=HYPERLINK(1)"] == 2 and "=HYPERLINK(1)" not in people
    assert people["Ana"] == 4, "two people called Ana, both seated every round"
    assert len(rows) == 16
    page = tmp_path / "plan.html"
    assert main([*argv, "--rounds", "2", "--format", "html", "-o", str(page)]) == 0
    text = page.read_text("utf-8")
    assert "<b>Zoé</b>" not in text and "&lt;b&gt;Zoé&lt;/b&gt;" in text
    assert text.count('class="agenda plan-round"') == 2
    assert text.count('class="card"') == len(names)
    assert "(host)" in text and ".seating-plan .card" in text
    capsys.readouterr()


def test_the_printed_plan_speaks_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "plan.html"
    argv = ["rounds", "--people", "9", "--scheme", "troika", "--size", "3", "--format", "html"]
    assert main([*argv, "--lang", "fr", "-o", str(page)]) == 0
    text = page.read_text("utf-8")
    assert "Tour 3" in text and "Plan de table" in text and "(personne consultée)" in text
    assert "rencontres répétées : 18" in capsys.readouterr().out


def test_pairs_to_stdout_keep_the_figures_off_the_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rounds", "--people", "6", "--scheme", "pairs", "--rounds", "5", "-o", "-"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "round,table,person" and len(lines) == 1 + 6 * 5
    assert "repeat encounters: 0" in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--people", "1", "--scheme", "tables", "--size", "3"], "at least 2 people"),
        (["--people", "10", "--scheme", "tables"], "--size is needed"),
        (["--people", "10", "--scheme", "tables", "--size", "1"], "--size must be"),
        (["--people", "10", "--scheme", "tables", "--size", "3", "--rounds", "0"], "--rounds"),
        (["--people", "missing.csv", "--scheme", "tables", "--size", "3"], "missing.csv: "),
    ],
)
def test_bad_input_is_one_line_and_status_1(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["rounds", *argv, "-o", str(tmp_path / "plan.csv")]
    if "missing.csv" in argv:
        args[2] = str(tmp_path / "missing.csv")
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("facilitation rounds: error: ") and message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "plan.csv").exists()


def test_bad_files_and_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("name\n\n", "utf-8")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"name\n\x81\x8d\x8f\xff\xfe\n")
    base = ["rounds", "--scheme", "tables", "--size", "3"]
    assert main([*base, "--people", str(empty), "-o", str(tmp_path / "p.csv")]) == 1
    assert "no names below the header" in capsys.readouterr().err
    assert main([*base, "--people", str(binary), "-o", str(tmp_path / "p.csv")]) == 1
    assert "not a text file" in capsys.readouterr().err
    assert main([*base, "--people", "9", "-o", str(tmp_path / "no" / "p.csv")]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and len(err.splitlines()) == 1
    assert main([*base, "--people", "9", "--lang", "fr", "-o", str(tmp_path)]) == 1
    assert "erreur : impossible d’écrire" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main([*base[:2], "circle", "--people", "9", "-o", "-"])
    assert exit_.value.code == 2
