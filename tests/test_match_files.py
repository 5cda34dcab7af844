"""Every file of a draft written at once: two processes write the same bytes as one, each
file the bytes of its export function, and a file that cannot be written is named whichever
process was writing it."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from facilitation.core.matchmaking import Draft, publish_draft, remove_meeting, run_draft
from facilitation.exports import calendars, match_files, printed, schedules
from facilitation.exports.match_files import MatchFiles, write_match_files
from tests.test_match_exports_unchanged import _generator

START, SLOT = datetime(2026, 6, 12, 18, 0), timedelta(minutes=15)
STAMP = datetime(2026, 6, 1, tzinfo=UTC)
KINDS = ("csv", "xlsx", "json", "html", "calendars")


@pytest.fixture(scope="module")
def draft() -> Draft:
    profiles, wishes, config = _generator()(200, 0.4, 3)
    made = publish_draft(run_draft(profiles, wishes, config))
    return remove_meeting(made, made.meetings[2].pair)  # calendars carry a cancellation


def _targets(folder: Path) -> MatchFiles:
    return MatchFiles(
        csv=folder / "m.csv",
        xlsx=folder / "m.xlsx",
        json=folder / "m.json",
        html=folder / "m.html",
        calendars=folder / "ics",
    )


def _read(folder: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:  # entries carry the time they were written
                found |= {f"{path.name}/{n}": archive.read(n) for n in archive.namelist()}
        elif path.is_file():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def _write(draft: Draft, folder: Path, processes: int) -> dict[str, bytes]:
    folder.mkdir()
    write_match_files(
        draft,
        _targets(folder),
        START,
        SLOT,
        title="Soirée <b>",
        event_id="ev",
        style="p{}",
        stamp=STAMP,
        processes=processes,
    )
    return _read(folder)


def test_two_processes_write_the_bytes_of_each_export(draft: Draft, tmp_path: Path) -> None:
    one, two = _write(draft, tmp_path / "one", 1), _write(draft, tmp_path / "two", 2)
    assert one == two
    assert one["m.csv"] == schedules.meetings_csv(draft, START, SLOT).encode()
    assert one["m.json"] == schedules.draft_json(draft, START, SLOT).encode()
    page = printed.schedules_html(draft, START, SLOT, title="Soirée <b>", style="p{}")
    assert one["m.html"] == page.encode()
    with zipfile.ZipFile(io.BytesIO(schedules.meetings_xlsx(draft, START, SLOT))) as book:
        assert {n: book.read(n) for n in book.namelist()} == {
            k.split("/", 1)[1]: v for k, v in one.items() if k.startswith("m.xlsx/")
        }
    by_person = calendars.schedules_ics(
        draft, START, SLOT, event_id="ev", title="Soirée <b>", stamp=STAMP
    )
    assert {k for k in one if k.startswith("ics/")} == {f"ics/{p}.ics" for p in by_person}
    assert all(one[f"ics/{p}.ics"] == data for p, data in by_person.items())


def test_the_files_are_shared_between_two_processes(
    draft: Draft, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def pid_instead(path: Path, make: object) -> None:
        path.write_text(str(os.getpid()))

    monkeypatch.setattr(match_files, "_write", pid_instead)
    folder = tmp_path / "f"
    folder.mkdir()
    targets = _targets(folder)
    write_match_files(draft, targets, START, SLOT, processes=2)
    pids = {p.read_text() for p in (targets.csv, targets.xlsx, targets.json, targets.html) if p}
    assert str(os.getpid()) in pids and len(pids) == 2
    # the CSV and the XLSX share their rows: one process writes both
    assert targets.csv and targets.xlsx
    assert targets.csv.read_text() == targets.xlsx.read_text()


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_cannot_be_written_is_named(
    draft: Draft, tmp_path: Path, kind: str, processes: int
) -> None:
    missing = tmp_path / "no-such-folder" / "x"
    targets = _targets(tmp_path)
    bad = MatchFiles(**{k: missing if k == kind else getattr(targets, k) for k in KINDS})
    if kind == "calendars":
        (tmp_path / "no-such-folder").write_text("a file where a folder should be")
    with pytest.raises(OSError) as raised:
        write_match_files(draft, bad, START, SLOT, processes=processes)
    assert raised.value.filename is not None
    assert str(raised.value.filename).startswith(str(tmp_path / "no-such-folder"))


def test_files_reading_the_same_parts_of_a_draft_are_written_by_one_process() -> None:
    """The sheets and the JSON read the reasons and the statistics: one group makes them
    once; the calendars and the page, which read neither, go to the other."""

    def job(cost: float, needs: frozenset[str] = frozenset()) -> match_files._Job:
        return match_files._Job(lambda: None, cost, needs)

    both = frozenset({"reasons", "statistics"})
    sheets = [job(2.0, frozenset({"reasons"})), job(3.0, both)]
    units = [sheets, [job(2.3, both)], [job(1.2)], [job(3.5)]]
    groups = match_files._two_groups(units)
    costs = [sorted(j.cost for u in g for j in u) for g in groups]
    assert sorted(costs) == [[1.2, 3.5], [2.0, 2.3, 3.0]]
