"""Downloads of a matchmaking draft: CSV, XLSX, iCalendar, JSON, plain text (printable HTML:
`printed`).

Every function takes the draft plus the event's start and the length of a slot, and returns
str or bytes; writing files is the caller's business. Words people read (reasons, headings,
calendar entries) are in `lang`, tags by their labels in `labels`; column names stay ids.

iCalendar is written here rather than with icalendar (25,000 meetings: 2.6 s against 15.1 s),
as XLSX is in `workbooks`; the tests read every file back with openpyxl and icalendar, so
those stay the judges of the formats.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from facilitation.core.matchmaking import (
    Draft,
    Meeting,
    Pair,
    draft_statistics,
    draft_to_json,
)
from facilitation.exports.statistics import statistics_text as statistics_text
from facilitation.exports.tables import csv_text
from facilitation.exports.workbooks import xlsx_workbook
from facilitation.i18n import mark as _
from facilitation.reasons import OrganiserReasons, ScheduleWords

DEFAULT_SLOT_LENGTH = timedelta(minutes=15)

MEETING_COLUMNS = (
    "slot",
    "table",
    "a",
    "b",
    "score",
    "reason",
    "start",
    "end",
    "a_name",
    "a_organisation",
    "b_name",
    "b_organisation",
    "locked",
    "published",
)
UNPLACED_COLUMNS = ("a", "b", "score", "reason", "problem", "a_name", "b_name")
PEOPLE_COLUMNS = ("id", "name", "organisation", "side", "meetings", "slots")


def slot_times(slot: int, start: datetime, slot_length: timedelta) -> tuple[datetime, datetime]:
    begin = start + (slot - 1) * slot_length
    return begin, begin + slot_length


def meeting_uid(event_id: str, pair: Pair) -> str:
    """A calendar UID that survives moves and table changes: event and the two people only."""
    a, b = sorted(pair)
    digest = hashlib.sha256("\x1f".join((event_id, a, b)).encode()).hexdigest()[:32]
    return f"{digest}@facilitation"


def _names(draft: Draft) -> dict[str, str]:
    return {p.id: p.name for p in draft.profiles}


def _organiser_reasons(
    draft: Draft, lang: str, labels: Mapping[str, str] | None
) -> Mapping[Pair, str]:
    """Why each meeting (removed ones too) was proposed, for the organiser's files: the same
    sentences in the CSV, the XLSX and the JSON, worded once per draft."""
    key = ("organiser reasons", lang, tuple(sorted((labels or {}).items())))
    found: Mapping[Pair, str] | None = draft.views.get(key)
    if found is None:
        reasons = OrganiserReasons(_names(draft), lang, labels or {})
        found = draft.views[key] = {
            m.pair: reasons.why(m) for m in (*draft.meetings, *draft.removed)
        }
    return found


def _meeting_rows(
    draft: Draft,
    start: datetime | None,
    slot_length: timedelta,
    lang: str,
    labels: Mapping[str, str] | None,
) -> list[Sequence[Any]]:
    """The rows of the Meetings table (CSV and XLSX), without the header; the same list for
    the same arguments, as both files are often written from one draft."""
    key = ("meeting rows", start, slot_length, lang, tuple(sorted((labels or {}).items())))
    rows: list[Sequence[Any]]
    if key in draft.views:
        rows = draft.views[key]
        return rows
    why = _organiser_reasons(draft, lang, labels)
    people = draft.people
    times = _slot_times(draft, start, slot_length)
    rows = draft.views[key] = []
    for m in draft.meetings:
        a = people.get(m.a)
        b = people.get(m.b)
        begin, end = times[m.slot]
        rows.append(
            [
                m.slot,
                m.table,
                m.a,
                m.b,
                m.score,
                why[m.pair],
                begin,
                end,
                a.name if a else m.a,
                a.organisation if a else "",
                b.name if b else m.b,
                b.organisation if b else "",
                m.locked,
                m.published,
            ]
        )
    return rows


def _slot_times(
    draft: Draft, start: datetime | None, slot_length: timedelta
) -> dict[int, tuple[datetime, datetime] | tuple[None, None]]:
    """Begin and end by slot (None without a start), for every slot a meeting is in: a
    file has thousands of meetings in a few slots."""
    slots = {m.slot for m in (*draft.meetings, *draft.removed)}
    if start is None:
        return {slot: (None, None) for slot in slots}
    return {slot: slot_times(slot, start, slot_length) for slot in slots}


def meetings_csv(
    draft: Draft,
    start: datetime | None = None,
    slot_length: timedelta = DEFAULT_SLOT_LENGTH,
    *,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> str:
    """All meetings, one row each, by slot then table (`start`/`end` empty without a start)."""
    return csv_text(
        [MEETING_COLUMNS, *_meeting_rows(draft, start, slot_length, lang, labels)],
        lineterminator="\n",
    )


# --- XLSX ----------------------------------------------------------------------------------


def meetings_xlsx(
    draft: Draft,
    start: datetime | None = None,
    slot_length: timedelta = DEFAULT_SLOT_LENGTH,
    *,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> bytes:
    """Sheets Meetings, People, Unplaced and Statistics."""
    meetings: list[Sequence[Any]] = [MEETING_COLUMNS]
    meetings += _meeting_rows(draft, start, slot_length, lang, labels)
    reasons = OrganiserReasons(_names(draft), lang, labels or {})
    people: list[Sequence[Any]] = [PEOPLE_COLUMNS]
    for p in draft.profiles:
        mine = draft.meetings_of(p.id)
        slots = " ".join(str(m.slot) for m in mine)
        people.append([p.id, p.name, p.organisation, p.side, len(mine), slots])
    unplaced: list[Sequence[Any]] = [UNPLACED_COLUMNS]
    for u in draft.unplaced:
        c = u.candidate
        why = reasons.why(c)
        unplaced.append([c.a, c.b, c.score, why, u.problem, draft.name(c.a), draft.name(c.b)])
    statistics: list[Sequence[Any]] = [("statistic", "value")]
    statistics += [
        [part.strip() for part in line.split(": ", 1)]
        for line in statistics_text(draft, lang).splitlines()
    ]
    return xlsx_workbook(
        [
            ("Meetings", meetings, (6, 6, 10, 10, 7, 60, 17, 17, 24, 28, 24, 28, 8, 10)),
            ("People", people, (10, 24, 28, 8, 10, 30)),
            ("Unplaced", unplaced, (10, 10, 7, 60, 60, 24, 24)),
            ("Statistics", statistics, (28, 80)),
        ]
    )


# --- iCalendar -----------------------------------------------------------------------------


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 folding: lines of at most 75 octets, never splitting a UTF-8 character."""
    if line.isascii():  # one octet per character: cut the text itself
        if len(line) <= 75:
            return line
        rest = (line[i : i + 74] for i in range(75, len(line), 74))
        return "\r\n ".join([line[:75], *rest])
    data = line.encode()
    if len(data) <= 75:
        return line
    pieces: list[str] = []
    begin, limit = 0, 75
    while begin < len(data):
        end = min(begin + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # continuation byte
            end -= 1
        pieces.append(data[begin:end].decode())
        begin, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(pieces)


def _ics_time(value: datetime) -> str:
    if value.tzinfo is None:  # floating time: the wall clock wherever the phone is
        return value.strftime("%Y%m%dT%H%M%S")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def schedule_ics(
    draft: Draft,
    person: str,
    start: datetime,
    slot_length: timedelta = DEFAULT_SLOT_LENGTH,
    *,
    event_id: str,
    title: str = "",
    location: str = "",
    stamp: datetime | None = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> bytes:
    """One person's schedule. Removed meetings that had been published come back as
    CANCELLED, so a re-download takes them off the calendar."""
    return schedules_ics(
        draft,
        start,
        slot_length,
        event_id=event_id,
        title=title,
        location=location,
        stamp=stamp,
        people=[person],
        lang=lang,
        labels=labels,
    )[person]


def schedules_ics(
    draft: Draft,
    start: datetime,
    slot_length: timedelta = DEFAULT_SLOT_LENGTH,
    *,
    event_id: str,
    title: str = "",
    location: str = "",
    stamp: datetime | None = None,
    people: Iterable[str] | None = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """Schedules by person id: of `people`, or of everyone with a meeting or a cancellation."""
    stamp_text = _ics_time((stamp or datetime.now(UTC)).astimezone(UTC))
    current = {m.pair for m in draft.meetings}
    cancelled: dict[str, list[Meeting]] = {}
    for m in draft.removed:
        if m.published and m.pair not in current:
            for p in m.pair:
                cancelled.setdefault(p, []).append(m)
    if people is None:
        people = sorted({p for m in draft.meetings for p in m.pair} | set(cancelled))
    writer = _CalendarWriter(
        draft,
        start,
        slot_length,
        event_id,
        title,
        location,
        stamp_text,
        ScheduleWords(lang, labels or {}),
    )
    return {person: writer.calendar(person, cancelled.get(person, ())) for person in people}


class _CalendarWriter:
    """Calendars of one draft. Each meeting is in two calendars and each slot's times, each
    person's name and each table's place in many: those lines are written once."""

    def __init__(
        self,
        draft: Draft,
        start: datetime,
        slot_length: timedelta,
        event_id: str,
        title: str,
        location: str,
        stamp_text: str,
        words: ScheduleWords,
    ) -> None:
        self.draft = draft
        self.start = start
        self.slot_length = slot_length
        self.event_id = event_id
        self.title = title
        self.location = location
        self.words = words
        self.stamp_line = "DTSTAMP:" + stamp_text
        self.sequence_line = f"SEQUENCE:{draft.revision}"
        self._times: dict[int, tuple[str, str]] = {}
        self._uids: dict[Pair, str] = {}
        self._summaries: dict[str, str] = {}
        self._places: dict[int, str] = {}
        # Escaping commutes with filling in numbers and an escaped reason: the sentence is
        # escaped once, each reason once, not 50,000 descriptions.
        self._description = "DESCRIPTION:" + _ics_text(
            words.gettext(_("Slot %(slot)d, table %(table)d. Why: %(why)s"))
        )
        self._whys: dict[str, str] = {}

    def calendar(self, person: str, cancelled: Sequence[Meeting]) -> bytes:
        draft, words = self.draft, self.words
        name = draft.name(person)
        title = self.title
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//facilitation//matchmaking//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            _fold("X-WR-CALNAME:" + _ics_text(f"{title} – {name}" if title else name)),
        ]
        for m, status in [
            *((m, "CONFIRMED") for m in draft.meetings_of(person)),
            *((m, "CANCELLED") for m in cancelled),
        ]:
            begin, end = self._slot_lines(m.slot)
            why = words.why(m, person)
            escaped = self._whys.get(why)
            if escaped is None:
                escaped = self._whys[why] = _ics_text(why)
            values = {"slot": m.slot, "table": m.table, "why": escaped}
            lines += [
                "BEGIN:VEVENT",
                self._uid(m.pair),
                self.stamp_line,
                self.sequence_line,
                begin,
                end,
                self._summary(m.other(person)),
                self._place(m.table),
                _fold(self._description % values),
                "STATUS:" + status,
                "TRANSP:OPAQUE",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        return ("\r\n".join(lines) + "\r\n").encode()

    def _slot_lines(self, slot: int) -> tuple[str, str]:
        found = self._times.get(slot)
        if found is None:
            begin, end = slot_times(slot, self.start, self.slot_length)
            found = self._times[slot] = ("DTSTART:" + _ics_time(begin), "DTEND:" + _ics_time(end))
        return found

    def _uid(self, pair: Pair) -> str:
        found = self._uids.get(pair)
        if found is None:
            found = self._uids[pair] = "UID:" + meeting_uid(self.event_id, pair)
        return found

    def _summary(self, other: str) -> str:
        found = self._summaries.get(other)
        if found is None:
            profile = self.draft.people.get(other)
            who = profile.name if profile else other
            if profile and profile.organisation:
                who += f" ({profile.organisation})"
            text = self.words.say(_("Meeting with %(name)s"), name=who)
            found = self._summaries[other] = _fold("SUMMARY:" + _ics_text(text))
        return found

    def _place(self, table: int) -> str:
        found = self._places.get(table)
        if found is None:
            place = self.words.say(_("Table %(n)d"), n=table)
            place += f", {self.location}" if self.location else ""
            found = self._places[table] = _fold("LOCATION:" + _ics_text(place))
        return found


# --- JSON and text -------------------------------------------------------------------------


def _timed(
    meeting: Mapping[str, Any], times: Mapping[int, tuple[str, str] | None]
) -> dict[str, Any]:
    # slot and table lead, as in the CSV: people read this file too
    found = {"slot": meeting["slot"], "table": meeting["table"], **meeting}
    at = times[found["slot"]]
    if at is not None:
        found["start"], found["end"] = at
    return found


def draft_json(
    draft: Draft,
    start: datetime | None = None,
    slot_length: timedelta = DEFAULT_SLOT_LENGTH,
    *,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> str:
    """The whole result: settings, people, wishes, meetings, unplaced, removed, statistics.

    Built on the stored form of the draft (`draft_to_json`), with what a reader of the file
    needs besides: times, statistics, and wishes worded as in the wishes CSV (from, to).
    """
    stats = draft_statistics(draft)
    stored = draft_to_json(draft, with_published=False)
    reasons = OrganiserReasons(_names(draft), lang, labels or {})
    why = _organiser_reasons(draft, lang, labels)
    times = {
        slot: None if begin is None or end is None else (begin.isoformat(), end.isoformat())
        for slot, (begin, end) in _slot_times(draft, start, slot_length).items()
    }
    for m in (*stored["meetings"], *stored["removed"]):
        m["reason"] = why.get((m["a"], m["b"]), m["reason"])
    for u, candidate in zip(stored["unplaced"], draft.unplaced, strict=True):
        u["candidate"]["reason"] = reasons.why(candidate.candidate)
    document = {
        "format": "facilitation-matchmaking",
        "version": 1,
        "config": {
            **stored["config"],
            "start": start.isoformat() if start is not None else None,
            "slot_minutes": slot_length / timedelta(minutes=1),
        },
        "revision": stored["revision"],
        "published_revision": stored["published_revision"],
        "statistics": {
            "people": stats.people,
            "meetings": stats.meetings,
            "unplaced": stats.unplaced,
            "total_score": stats.total_score,
            "slots_used": stats.slots_used,
            "tables_per_slot": list(stats.tables_per_slot),
            "meetings_per_person": {
                "min": stats.meetings_min,
                "mean": round(stats.meetings_mean, 3),
                "max": stats.meetings_max,
            },
            "without_meeting": list(stats.without_meeting),
            "below_minimum": [
                {"person": s.person, "minimum": s.minimum, "meetings": s.meetings}
                for s in stats.below_minimum
            ],
            "wishes": {w.level: {"satisfied": w.satisfied, "total": w.total} for w in stats.wishes},
        },
        # who someone is comes before their side, as in version 1 of this file
        "people": [
            {"id": p["id"], "name": p["name"], "organisation": p["organisation"], **p}
            for p in stored["profiles"]
        ],
        "wishes": [
            {"from": w["source"], "to": w["target"], "level": w["level"]} for w in stored["wishes"]
        ],
        "meetings": [_timed(m, times) for m in stored["meetings"]],
        "unplaced": [
            {
                "a": u["candidate"]["a"],
                "b": u["candidate"]["b"],
                "score": u["candidate"]["score"],
                "reason": u["candidate"]["reason"],
                "problem": u["problem"],
            }
            for u in stored["unplaced"]
        ],
        "removed": [_timed(m, times) for m in stored["removed"]],
    }
    return _json_lines(document)


# One encoder for every item: `json.dumps` with any option builds a new encoder per call, and
# `JSONEncoder.encode` builds a new C encoder per call (a third of the time for 56,000 items).
_JSON = json.JSONEncoder(ensure_ascii=False)
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)


def _item_encoder() -> Callable[[object], str]:
    if _C_ENCODER is None:  # pragma: no cover - CPython always has its C encoder
        return _JSON.encode
    encoder = _C_ENCODER(
        None, _JSON.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
    )
    return lambda value: "".join(encoder(value, 0))


def _json_lines(document: Mapping[str, object]) -> str:
    """One top-level key, and one list item, per line: readable, diffable, and written by
    json's C encoder (an indent would switch to the pure-Python one, 3x slower)."""
    encode = _item_encoder()
    parts: list[str] = []
    for key, value in document.items():
        head = json.dumps(key) + ": "
        if isinstance(value, list) and value:
            items = ",\n  ".join([encode(v) for v in value])
            parts.append(f"{head}[\n  {items}\n ]")
        else:
            parts.append(head + encode(value))
    return "{\n " + ",\n ".join(parts) + "\n}\n"
