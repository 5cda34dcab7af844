"""A person's schedule of meetings as their phone shows it, reasons in their language."""

from __future__ import annotations

from typing import Any

from facilitation.core import matchmaking as mm
from facilitation.reasons import reason_text
from facilitation.services.live_event import LiveEvent
from facilitation.services.meetings import Meetings
from facilitation.services.participants import ParticipantRow


def schedule_view(
    meetings: Meetings, live: LiveEvent, person: ParticipantRow, lang: str, draft: mm.Draft | None
) -> list[dict[str, Any]]:
    """A person's published meetings in `draft` (`meetings.draft(live)`, read once by the
    caller), in slot order: when, where, with whom and why."""
    if draft is None or not draft.published:
        return []
    shown = mm.published_view(draft)
    me = str(person.id)
    start = meetings.start(live)
    length = meetings.slot_length(live)
    labels = meetings.labels(live, lang)
    out = []
    for meeting in shown.meetings_of(me):
        other = shown.people.get(meeting.other(me))
        begins = start + (meeting.slot - 1) * length if start else None
        out.append(
            {
                "slot": meeting.slot,
                "table": meeting.table,
                "time": begins.strftime("%H:%M") if begins else None,
                "with": other.name if other else meeting.other(me),
                "organisation": other.organisation if other else "",
                "why": reason_text(mm.reason_parts(meeting, me), lang, labels),
            }
        )
    return out


def anonymous_label(draft: mm.Draft | None, person: ParticipantRow) -> str | None:
    """The number ("#14") others read on their agendas for a person who gave no name, so
    that their own phone can say it; None when they are named or meet nobody."""
    if draft is None or not draft.published or person.name:
        return None
    me = str(person.id)
    if not any(me in (m.a, m.b) for m in draft.published):
        return None
    name = draft.name(me)
    return name if name.startswith("#") else None
