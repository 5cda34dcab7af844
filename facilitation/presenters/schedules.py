"""A person's schedule of meetings as their phone shows it, reasons in their language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.core import matchmaking as mm
from facilitation.i18n import translations
from facilitation.services.events import LiveEvent
from facilitation.services.meetings import Meetings
from facilitation.services.participants import ParticipantRow


def reason_text(parts: Sequence[mm.ReasonPart], lang: str, labels: Mapping[str, str]) -> str:
    """Why a meeting was proposed, in `lang`, with the vocabulary's labels for tags."""
    t = translations(lang)
    out = []
    for part in parts:
        tags = ", ".join(labels.get(tag, tag) for tag in part.tags)
        n = len(part.tags)
        match part.kind, part.must:
            case "mutual", False:
                out.append(t.gettext("mutual wish"))
            case "mutual", True:
                out.append(t.gettext("mutual wish (must)"))
            case "asked_them", False:
                out.append(t.gettext("you asked to meet them"))
            case "asked_them", True:
                out.append(t.gettext("you asked to meet them (must)"))
            case "asked_you", False:
                out.append(t.gettext("they asked to meet you"))
            case "asked_you", True:
                out.append(t.gettext("they asked to meet you (must)"))
            case "they_offer", _:
                text = t.ngettext(
                    "they offer %(tags)s for your need", "they offer %(tags)s for your needs", n
                )
                out.append(text % {"tags": tags})
            case "you_offer", _:
                text = t.ngettext(
                    "you offer %(tags)s for their need", "you offer %(tags)s for their needs", n
                )
                out.append(text % {"tags": tags})
            case _:
                out.append(t.gettext("added by the organiser"))
    return "; ".join(out)


def schedule_view(
    meetings: Meetings, live: LiveEvent, person: ParticipantRow, lang: str
) -> list[dict[str, Any]]:
    """A person's published meetings, in slot order: when, where, with whom and why."""
    draft = meetings.draft(live)
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


def anonymous_label(meetings: Meetings, live: LiveEvent, person: ParticipantRow) -> str | None:
    """The number ("#14") others read on their agendas for a person who gave no name, so
    that their own phone can say it; None when they are named or meet nobody."""
    draft = meetings.draft(live)
    if draft is None or not draft.published or person.name:
        return None
    me = str(person.id)
    if not any(me in (m.a, m.b) for m in draft.published):
        return None
    name = draft.name(me)
    return name if name.startswith("#") else None
