from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import icalendar
import openpyxl
import pytest

from facilitation.core.matchmaking import (
    Draft,
    MatchConfig,
    Profile,
    Wish,
    move_meeting,
    publish_draft,
    remove_meeting,
    run_draft,
)
from facilitation.exports.calendars import meeting_uid, schedule_ics, schedules_ics
from facilitation.exports.printed import schedules_html
from facilitation.exports.schedules import (
    MEETING_COLUMNS,
    draft_json,
    meetings_csv,
    meetings_xlsx,
    statistics_text,
)
from tests.conftest import ROOT

START = datetime(2026, 6, 12, 18, 0)
SLOT = timedelta(minutes=20)
STAMP = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

# Names that break naive exports: markup, CSV/ICS separators, a formula, accents, emoji,
# a control character and a very long organisation (ICS lines must be folded).
NASTY = '<script>alert("x")</script> & Cie; "Les Amis", \\ Zoé 🌱\x07'
LONG = "Association pour le développement des tiers-lieux numériques et solidaires " * 3


@pytest.fixture
def draft() -> Draft:
    profiles = [
        Profile("bank", '=HYPERLINK("http://x")', "offer", "Banque; Coop", frozenset({"funding"})),
        Profile("mentor", "Mentor Zoé", "offer", LONG, frozenset({"mentoring"})),
        Profile("coop", NASTY, "need", 'Coop, "La"', needs=frozenset({"funding", "mentoring"})),
        Profile("fablab", "Fablab", "need", needs=frozenset({"funding", "mentoring"})),
    ]
    wishes = [Wish("coop", "bank", "must"), Wish("bank", "coop", "want")]
    return run_draft(profiles, wishes, MatchConfig(slots=3, tables=2))


def test_csv_has_the_columns_and_guards_formulas(draft: Draft) -> None:
    text = meetings_csv(draft, START, SLOT)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == MEETING_COLUMNS
    assert len(rows) == len(draft.meetings) == 4
    first = rows[0]
    m = draft.meetings[0]
    assert (int(first["slot"]), int(first["table"]), first["a"], first["b"]) == (
        m.slot,
        m.table,
        m.a,
        m.b,
    )
    assert int(first["score"]) == m.score and first["reason"] == m.reason
    assert first["start"] == (START + (m.slot - 1) * SLOT).isoformat(timespec="minutes")
    bank = next(r for r in rows if r["a"] == "bank")
    assert bank["a_name"].startswith("'="), "a leading = would run as a formula"
    assert next(r for r in rows if r["b"] == "coop")["b_name"] == NASTY


def test_csv_without_start_leaves_times_empty(draft: Draft) -> None:
    rows = list(csv.DictReader(io.StringIO(meetings_csv(draft))))
    assert rows[0]["start"] == "" and rows[0]["end"] == ""


def test_xlsx_reads_back_with_openpyxl(draft: Draft) -> None:
    data = meetings_xlsx(draft, START, SLOT)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Meetings", "People", "Unplaced", "Statistics"]
    sheet = book["Meetings"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == MEETING_COLUMNS
    assert len(rows) == 1 + len(draft.meetings)
    m = draft.meetings[0]
    first = rows[1]
    assert first[:6] == (m.slot, m.table, m.a, m.b, m.score, m.reason.replace("\x07", ""))
    assert first[6] == START + (m.slot - 1) * SLOT
    assert first[7] == START + m.slot * SLOT
    assert first[12] is False
    names = {r[8] for r in rows[1:]} | {r[10] for r in rows[1:]}
    assert '=HYPERLINK("http://x")' in names, "kept as text, not turned into a formula"
    assert NASTY.replace("\x07", "") in names, "control characters are not valid XML"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    people = list(book["People"].iter_rows(values_only=True))
    assert people[0] == ("id", "name", "organisation", "side", "meetings", "slots")
    assert {p[0] for p in people[1:]} == {p.id for p in draft.profiles}
    stats = dict(book["Statistics"].iter_rows(min_row=2, values_only=True))
    assert stats["meetings"].startswith("4 placed")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None


def test_xlsx_without_start_and_with_unplaced() -> None:
    lea = Profile(
        "lea", "Léa", "need", needs=frozenset({"funding"}), available_slots=frozenset({1})
    )
    malik = Profile(
        "malik", "Malik", "offer", offers=frozenset({"funding"}), available_slots=frozenset({2})
    )
    d = run_draft([lea, malik], [Wish("lea", "malik", "must")], MatchConfig(slots=2))
    assert d.meetings == ()
    book = openpyxl.load_workbook(io.BytesIO(meetings_xlsx(d)))
    assert list(book["Meetings"].iter_rows(values_only=True)) == [MEETING_COLUMNS]


def events(data: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def test_ics_parses_with_icalendar_and_escapes_text(draft: Draft) -> None:
    data = schedule_ics(draft, "coop", START, SLOT, event_id="ev-1", title="Soirée", stamp=STAMP)
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), "lines are folded"
    found = events(data)
    mine = draft.meetings_of("coop")
    assert len(found) == len(mine) == 2
    by_uid = {str(e["UID"]): e for e in found}
    for m in mine:
        event = by_uid[meeting_uid("ev-1", m.pair)]
        assert event["DTSTART"].dt == START + (m.slot - 1) * SLOT
        assert event["DTEND"].dt == START + m.slot * SLOT
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["LOCATION"]) == f"Table {m.table}"
        assert int(event["SEQUENCE"]) == draft.revision
    mentor = by_uid[meeting_uid("ev-1", ("mentor", "coop"))]
    assert str(mentor["SUMMARY"]) == f"Meeting with Mentor Zoé ({LONG})"
    bank = by_uid[meeting_uid("ev-1", ("bank", "coop"))]
    assert "mutual wish (must)" in str(bank["DESCRIPTION"])
    other = schedule_ics(draft, "bank", START, SLOT, event_id="ev-1", stamp=STAMP)
    summaries = [str(e["SUMMARY"]) for e in events(other)]
    assert f'Meeting with {NASTY} (Coop, "La")' in summaries, "; , \\ and quotes survive"


def test_ics_uid_is_stable_when_a_meeting_moves(draft: Draft) -> None:
    published = publish_draft(draft)
    before = events(schedule_ics(published, "bank", START, SLOT, event_id="ev", stamp=STAMP))
    # A meeting of the bank's with a slot free for both (meetings spread over the 3 slots).
    m, free = next(
        (x, s)
        for x in published.meetings_of("bank")
        for s in (1, 2, 3)
        if all(y.slot != s for p in x.pair for y in published.meetings_of(p))
    )
    moved = move_meeting(published, m.pair, free)
    after = events(schedule_ics(moved, "bank", START, SLOT, event_id="ev", stamp=STAMP))
    uid = meeting_uid("ev", m.pair)
    old = next(e for e in before if str(e["UID"]) == uid)
    new = next(e for e in after if str(e["UID"]) == uid)
    assert new["DTSTART"].dt == START + (free - 1) * SLOT != old["DTSTART"].dt
    assert int(new["SEQUENCE"]) > int(old["SEQUENCE"]), "calendars apply the newer version"
    assert {str(e["UID"]) for e in before} == {str(e["UID"]) for e in after}
    assert meeting_uid("ev", (m.b, m.a)) == uid
    assert meeting_uid("other-event", m.pair) != uid


def test_ics_cancels_removed_published_meetings(draft: Draft) -> None:
    published = publish_draft(draft)
    removed = remove_meeting(published, ("bank", "coop"))
    found = events(schedule_ics(removed, "coop", START, SLOT, event_id="ev", stamp=STAMP))
    status = {str(e["UID"]): str(e["STATUS"]) for e in found}
    assert status[meeting_uid("ev", ("bank", "coop"))] == "CANCELLED"
    assert list(status.values()).count("CONFIRMED") == 1
    # Never published: nothing to cancel.
    quiet = remove_meeting(draft, ("bank", "coop"))
    found = events(schedule_ics(quiet, "coop", START, SLOT, event_id="ev", stamp=STAMP))
    assert [str(e["STATUS"]) for e in found] == ["CONFIRMED"]


def test_ics_times_aware_in_utc_and_floating_when_naive(draft: Draft) -> None:
    aware = START.replace(tzinfo=UTC) + timedelta(hours=1)
    data = schedule_ics(draft, "fablab", aware, SLOT, event_id="ev", stamp=STAMP)
    assert b"Z\r\n" in data.split(b"DTSTART:")[1][:20]
    starts = sorted(e["DTSTART"].dt for e in events(data))
    assert starts[0].tzinfo is not None
    naive = schedule_ics(draft, "fablab", START, SLOT, event_id="ev", stamp=STAMP)
    assert all(e["DTSTART"].dt.tzinfo is None for e in events(naive))


def test_schedules_ics_for_everyone_with_a_meeting(draft: Draft) -> None:
    calendars = schedules_ics(draft, START, SLOT, event_id="ev", stamp=STAMP)
    assert set(calendars) == {"bank", "mentor", "coop", "fablab"}
    assert sum(len(events(c)) for c in calendars.values()) == 2 * len(draft.meetings)


class _Pages(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections = 0
        self.scripts = 0
        self.external = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sections += tag == "section"
        self.scripts += tag == "script"
        self.external += tag in {"link", "img", "iframe"} or any(
            k in {"src", "href"} for k, _ in attrs
        )


def test_html_one_page_per_person_escaped_and_styled_by_its_stylesheet(draft: Draft) -> None:
    """Regression: the page carried an inline <style>, which our own CSP blocks, so it printed
    unstyled; it now links static/css/print.css (a file on disk gets the rules inline)."""
    page = schedules_html(
        draft, START, SLOT, title="Soirée <i>ESS</i>", stylesheet="/static/css/print.css?v=1"
    )
    parser = _Pages()
    parser.feed(page)
    assert parser.sections == len(draft.profiles)
    assert parser.scripts == 0, "user text is escaped"
    assert parser.external == 1, "the stylesheet, nothing else"
    assert '<link rel="stylesheet" href="/static/css/print.css?v=1">' in page
    assert "<style" not in page
    rules = (ROOT / "static" / "css" / "print.css").read_text(encoding="utf-8")
    assert "break-after: page" in rules and "@media print" in rules
    on_disk = schedules_html(draft, START, SLOT, style=rules)
    assert f"<style>{rules}</style>" in on_disk and "<link" not in on_disk
    assert "&lt;script&gt;" in page and "Soirée &lt;i&gt;ESS&lt;/i&gt;" in page
    assert "18:00–18:20" in page or "18:20–18:40" in page
    assert "mutual wish (must); they offer funding for your need" in page


def test_html_speaks_the_events_language(draft: Draft) -> None:
    """Regression: headings, slots and reasons of the printed schedules were English, tags
    by their ids."""
    page = schedules_html(draft, START, SLOT, lang="fr", labels={"funding": "Financement"})
    assert '<html lang="fr">' in page
    assert '<th scope="col">Heure</th>' in page and "Avec" in page and "Pourquoi" in page
    assert "Time" not in page and "Why" not in page
    assert "souhait mutuel" in page and "Financement" in page
    assert "funding" not in page
    empty = schedules_html(
        run_draft([Profile("alone", "Alone")], [], MatchConfig(slots=2)), lang="fr"
    )
    assert "Aucun rendez-vous prévu." in empty


def test_files_give_reasons_in_the_events_language(draft: Draft) -> None:
    """Regression: CSV, XLSX and calendar files said why in English, tags by their ids."""
    labels = {"funding": "Financement", "mentoring": "Mentorat", "advice": "Conseil"}
    table = meetings_csv(draft, START, SLOT, lang="fr", labels=labels)
    reasons = [row["reason"] for row in csv.DictReader(io.StringIO(table))]
    assert reasons and all(r for r in reasons)
    for reason in reasons:
        assert "wish" not in reason and "offers" not in reason and "funding" not in reason
    assert any("Financement" in r for r in reasons)
    book = openpyxl.load_workbook(
        io.BytesIO(meetings_xlsx(draft, START, SLOT, lang="fr", labels=labels))
    )
    sheet = list(book["Meetings"].iter_rows(values_only=True))
    in_book = [str(row[5]) for row in sheet[1:]]
    assert len(in_book) == len(reasons) and any("Financement" in r for r in in_book)
    assert not any("wish" in r or "offers" in r for r in in_book)
    person = draft.meetings[0].a
    calendar = icalendar.Calendar.from_ical(
        schedule_ics(draft, person, START, SLOT, event_id="E", lang="fr", labels=labels)
    )
    for entry in calendar.walk("VEVENT"):
        assert str(entry["SUMMARY"]).startswith("Rendez-vous avec ")
        assert "Why" not in str(entry["DESCRIPTION"]) and "Pourquoi" in str(entry["DESCRIPTION"])


def test_html_without_start_shows_slots_and_empty_schedules() -> None:
    d = run_draft([Profile("alone", "Alone")], [], MatchConfig(slots=2))
    page = schedules_html(d)
    assert "No meeting scheduled." in page


def test_json_holds_the_whole_result(draft: Draft) -> None:
    document = json.loads(draft_json(draft, START, SLOT))
    assert document["format"] == "facilitation-matchmaking"
    assert len(document["meetings"]) == len(draft.meetings)
    assert len(document["people"]) == len(draft.profiles)
    assert document["wishes"][0] == {"from": "coop", "to": "bank", "level": "must"}
    assert document["statistics"]["wishes"]["must"] == {"satisfied": 1, "total": 1}
    first = document["meetings"][0]
    assert first["start"] == (START + (first["slot"] - 1) * SLOT).isoformat()
    assert document["config"]["slot_minutes"] == 20


def test_statistics_text(draft: Draft) -> None:
    text = statistics_text(draft)
    assert "meetings: 4 placed, 0 not placed" in text
    # Spread over every slot (issue 14), no longer "2, 2, 0".
    assert "slots used: 3 of 3" in text
    assert "tables per slot: 2, 1, 1 (at most 2)" in text
    assert "score bound: 260, gap 0 (proven optimal)" in text
    assert "musts met: 1 of 1 possible" in text
    assert "must wishes satisfied: 1 of 1" in text
