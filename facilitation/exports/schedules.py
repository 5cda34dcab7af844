"""Downloads of a matchmaking draft: CSV, XLSX, JSON, plain text (calendars: `calendars`,
printable HTML: `printed`).

Every function takes the draft plus the event's start and the length of a slot, and returns
str or bytes; writing files is the caller's business. Words people read (reasons, headings,
calendar entries) are in `lang`, tags by their labels in `labels`; column names stay ids.

XLSX is written in `workbooks` rather than with openpyxl, which the tests read every file back
with, so it stays the judge of the format.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from facilitation.core.collector import collector_paused
from facilitation.core.matchmaking import (
    Draft,
    Pair,
    draft_statistics,
    draft_to_json,
)
from facilitation.exports.statistics import statistics_text as statistics_text
from facilitation.exports.tables import csv_text
from facilitation.exports.workbooks import xlsx_workbook
from facilitation.reasons import OrganiserReasons

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


def _names(draft: Draft) -> dict[str, str]:
    return {p.id: p.name for p in draft.profiles}


def organiser_reasons(
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
    why = organiser_reasons(draft, lang, labels)
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


@collector_paused()
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


@collector_paused()
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


@collector_paused()
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
    why = organiser_reasons(draft, lang, labels)
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
