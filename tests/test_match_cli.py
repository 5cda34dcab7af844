from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import icalendar
import openpyxl
import pytest

from facilitation.cli import main
from facilitation.readers.matchmaking import (
    MatchFileError,
    read_participants_csv,
    read_profiles_yaml,
    read_wishes_csv,
)

# the fictional sample rosters of shared/data, copied into the repository
DATA = Path(__file__).resolve().parent / "data" / "sample"
PARTICIPANTS = DATA / "participants.csv"


def roster() -> dict[str, dict[str, str]]:
    with PARTICIPANTS.open(encoding="utf-8") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def check_meetings_file(path: Path, slots: int, tables: int | None = None) -> list[dict[str, str]]:
    people = roster()
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows, "the sample data makes meetings"
    assert list(rows[0])[:6] == ["slot", "table", "a", "b", "score", "reason"]
    busy: Counter[tuple[str, str]] = Counter()
    for row in rows:
        slot = int(row["slot"])
        assert 1 <= slot <= slots
        if tables is not None:
            assert 1 <= int(row["table"]) <= tables
        assert int(row["score"]) > 0 and row["reason"]
        for person in (row["a"], row["b"]):
            busy[(person, row["slot"])] += 1
            allowed = people[person]["available_slots"] if person in people else ""
            if allowed:
                assert row["slot"] in allowed.split(";"), f"{person} unavailable in {slot}"
        if row["a"] in people and row["b"] in people:
            assert people[row["a"]]["role"] == "partner" != people[row["b"]]["role"]
    assert max(busy.values()) == 1, "nobody is double-booked"
    return rows


def test_match_on_the_sample_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "meetings.csv"
    status = main(
        [
            "match",
            str(PARTICIPANTS),
            "--slots",
            "12",
            "--tables",
            "20",
            "--min-meetings",
            "1",
            "--max-meetings",
            "6",
            "-o",
            str(out),
        ]
    )
    assert status == 0
    rows = check_meetings_file(out, slots=12, tables=20)
    per_person = Counter(p for row in rows for p in (row["a"], row["b"]))
    assert max(per_person.values()) <= 6
    printed = capsys.readouterr().out
    assert f"meetings: {len(rows)} placed" in printed
    assert "meetings per person: min" in printed
    assert "tables per slot:" in printed
    assert "people without a meeting:" in printed


def test_match_with_wishes_and_every_output(tmp_path: Path) -> None:
    wishes = tmp_path / "wishes.csv"
    wishes.write_text(
        "from,to,level\np001,p008,must\np008,p001,want\np002,p009,no\np009,p002,must\n",
        encoding="utf-8",
    )
    out = tmp_path / "meetings.csv"
    status = main(
        [
            "match",
            str(PARTICIPANTS),
            "--wishes",
            str(wishes),
            "--partners",
            str(DATA / "partners.yaml"),
            "--projects",
            str(DATA / "projects.yaml"),
            "--tags",
            str(DATA / "tags.yaml"),
            "--slots",
            "12",
            "--seed",
            "3",
            "-o",
            str(out),
            "--xlsx",
            str(tmp_path / "m.xlsx"),
            "--json",
            str(tmp_path / "m.json"),
            "--html",
            str(tmp_path / "agendas.html"),
            "--ics-dir",
            str(tmp_path / "ics"),
            "--start",
            "2026-06-12T18:00",
            "--slot-minutes",
            "12",
            "--event-id",
            "carrefour-2026",
        ]
    )
    assert status == 0
    rows = check_meetings_file(out, slots=12)
    pairs = {(row["a"], row["b"]) for row in rows}
    assert ("p008", "p001") in pairs, "a mutual must is met"
    assert ("p009", "p002") not in pairs, "a no excludes, even against a must"
    assert rows[0]["start"].startswith("2026-06-12T")
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert book["Meetings"].max_row == len(rows) + 1
    document = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert len(document["meetings"]) == len(rows)
    assert {p["id"] for p in document["people"]} >= {"p001", "fondation-lien", "glaneuse"}
    page = (tmp_path / "agendas.html").read_text(encoding="utf-8")
    assert page.count('<section class="agenda">') == len(document["people"])
    calendar = icalendar.Calendar.from_ical((tmp_path / "ics" / "p001.ics").read_bytes())
    mine = [row for row in rows if "p001" in (row["a"], row["b"])]
    assert len(list(calendar.walk("VEVENT"))) == len(mine)


def test_same_seed_same_output(tmp_path: Path) -> None:
    outputs = []
    for name in ("one.csv", "two.csv"):
        args = [
            "match",
            str(PARTICIPANTS),
            "--slots",
            "12",
            "--seed",
            "5",
            "-o",
            str(tmp_path / name),
        ]
        assert main(args) == 0
        outputs.append((tmp_path / name).read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]


SLOTS_TABLES = ("--slots", "12", "--tables", "25", "-o")


def test_match_through_a_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "meetings.csv"
    result = subprocess.run(
        [sys.executable, "-m", "facilitation", "match", str(PARTICIPANTS), *SLOTS_TABLES, str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "meetings:" in result.stdout
    check_meetings_file(out, slots=12, tables=25)


def test_meetings_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", str(PARTICIPANTS), "--slots", "12", "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("slot,table,a,b,score,reason")
    assert "meetings:" in captured.err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--slots", "12", "--ics-dir", "x"], "--ics-dir needs --start"),
        (["--slots", "12", "--start", "tonight"], "is not a date and time"),
        (["--slots", "0"], "slots must be at least 1"),
        (["--slots", "12", "--min-meetings", "3", "--max-meetings", "2"], "max_meetings"),
        (["--slots", "5"], "participants.csv:3: slots 6, 9, 10 are outside 1–5"),
        (["--slots", "12", "--tags", "TAGS"], "unknown tag"),
    ],
)
def test_errors_are_one_clean_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    tags = tmp_path / "tags.yaml"
    tags.write_text("- {id: funding}\n", encoding="utf-8")
    extra = [str(tags) if e == "TAGS" else e for e in extra]
    status = main(["match", str(PARTICIPANTS), *extra, "-o", str(tmp_path / "m.csv")])
    err = capsys.readouterr().err
    assert status == 1
    assert message in err
    assert "Traceback" not in err
    assert all(line.strip() for line in err.splitlines())


def test_missing_file_and_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["match", str(tmp_path / "nope.csv"), "--slots", "3", "-o", "m.csv"]) == 1
    assert "nope.csv:1: cannot read" in capsys.readouterr().err
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    target = str(blocked / "m.csv")
    assert main(["match", str(PARTICIPANTS), "--slots", "12", "-o", target]) == 1
    err = capsys.readouterr().err
    assert err.startswith("facilitation match: error: cannot write") and err.count("\n") == 1


# --- the readers ---------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_participants_csv_problems_name_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people.csv",
        "id,name,role,offers,needs,available_slots,max_meetings\n"
        "a,Ann,partner,funding,,1;2,3\n"
        "a,Again,participant,,,,\n"
        ",Nobody,participant,,,,\n"
        "b,Bob,partnr,,,,\n"
        "c,Cy,participant,,,x;4,many\n",
    )
    with pytest.raises(MatchFileError) as caught:
        read_participants_csv(path, slots=3)
    assert caught.value.problems == (
        f"{path}:3: duplicate id 'a' (first on line 2)",
        f"{path}:4: empty id",
        f"{path}:5: unknown role 'partnr' (expected one of holder, participant, partner)",
        f"{path}:6: slot 'x' is not a number",
        f"{path}:6: slot 4 is outside 1–3 (--slots 3)",
        f"{path}:6: max_meetings 'many' is not a whole number",
    )


def test_participants_csv_semicolon_spreadsheet_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_bytes(
        "\ufeffid;name;role;organisation;offers;needs;available_slots\n"
        "p1;Zoé;partner;Mairie;funding,premises;;1,3\n".encode()
    )
    (profile,) = read_participants_csv(path, slots=3)
    assert profile.name == "Zoé" and profile.side == "offer"
    assert profile.offers == {"funding", "premises"} and profile.available_slots == {1, 3}


def test_participants_csv_missing_column(tmp_path: Path) -> None:
    with pytest.raises(MatchFileError, match=r"people.csv:1: missing column id"):
        read_participants_csv(write(tmp_path, "people.csv", "name,role\nAnn,partner\n"))


def test_shared_sample_files_read() -> None:
    people = read_participants_csv(PARTICIPANTS, slots=12)
    assert len(people) == 150
    assert sum(p.side == "offer" for p in people) == 28
    partners = read_profiles_yaml(DATA / "partners.yaml", "offer", slots=12)
    assert len(partners) == 24 and partners[0].offers == {"funding", "mentoring"}
    projects = read_profiles_yaml(DATA / "projects.yaml", "need")
    assert projects[0].name == "La Glaneuse" and "volunteers" in projects[0].needs


def test_profiles_yaml_problems_carry_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "partners.yaml",
        "- {id: a, name: A, offers: [funding]}\n- {name: no id}\n- {id: a, name: again}\n"
        "- {id: b, name: B, available_slots: [1, 9]}\n",
    )
    with pytest.raises(MatchFileError) as caught:
        read_profiles_yaml(path, "offer", slots=4)
    assert caught.value.problems == (
        f"{path}:2: missing id",
        f"{path}:3: duplicate id 'a' (first on line 1)",
        f"{path}:4: slot 9 is outside 1–4",
    )


def test_wishes_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "wishes.csv",
        "from,to,level\na,b,must\nb,a,WANT\na,zz,want\na,b,no\nb,b,want\nb,a,maybe\n",
    )
    with pytest.raises(MatchFileError) as caught:
        read_wishes_csv(path, {"a", "b"})
    assert caught.value.problems == (
        f"{path}:4: unknown participant 'zz' in column to",
        f"{path}:5: second wish from a to b (first on line 2)",
        f"{path}:6: b cannot wish to meet themselves",
        f"{path}:7: level must be one of must, want, no (got 'maybe')",
    )
    good = write(tmp_path, "ok.csv", "from,to,level\na,b,must\nb,a,WANT\n\n")
    assert [(w.source, w.target, w.level) for w in read_wishes_csv(good, {"a", "b"})] == [
        ("a", "b", "must"),
        ("b", "a", "want"),
    ]


def test_match_prints_the_bound_the_gap_and_the_musts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14's first example: one slot, A→B must (same side), A↔C must: A–C, proven."""
    people = write(
        tmp_path,
        "people.csv",
        "id,name,role,organisation,offers,needs,available_slots\n"
        "a,Ana,participant,,,,\nb,Bea,participant,,,,\nc,Cyd,partner,,,,\n",
    )
    wishes = write(tmp_path, "wishes.csv", "from,to,level\na,b,must\na,c,must\nc,a,must\n")
    out = tmp_path / "m.csv"
    args = ["match", str(people), "--wishes", str(wishes), "--slots", "1", "-o", str(out)]
    assert main([*args, "--time-limit", "5"]) == 0
    printed = capsys.readouterr().out
    assert "total score 330" in printed
    assert "score bound: 330, gap 0 (proven optimal)" in printed
    assert "musts met: 1 of 1 possible" in printed
    assert "must not met: Ana–Bea: clashes with other musts" in printed
    with out.open(encoding="utf-8") as f:
        assert [(r["a"], r["b"]) for r in csv.DictReader(f)] == [("c", "a")]
    assert main([*args, "--time-limit", "0"]) == 1
    assert "--time-limit must be a positive number" in capsys.readouterr().err
