"""The printable schedules of a matchmaking draft: one person per printed page, in the
event's language, styled by static/css/print.css."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from facilitation.core.collector import collector_paused
from facilitation.core.matchmaking import Draft, Profile
from facilitation.exports.schedules import DEFAULT_SLOT_LENGTH, slot_times
from facilitation.i18n import mark as _
from facilitation.reasons import ScheduleWords


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@collector_paused()
def schedules_html(
    draft: Draft,
    start: datetime | None = None,
    slot_length: timedelta = DEFAULT_SLOT_LENGTH,
    *,
    title: str = "",
    people: Iterable[str] | None = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
    stylesheet: str = "",
    style: str = "",
) -> str:
    """One printed page per person (everyone by default). Styled by `stylesheet` (the
    address of static/css/print.css), as pages may carry no inline style under the CSP; a
    file written to disk carries the same rules in `style` instead."""
    words = ScheduleWords(lang, labels or {})
    title = title or words.say(_("Meetings"))
    chosen: Sequence[Profile]
    if people is None:
        chosen = sorted(draft.profiles, key=lambda p: (p.name.casefold(), p.id))
    else:
        chosen = [draft.people[p] for p in people if p in draft.people]
    heads = "".join(
        f'<th scope="col">{_e(words.say(h))}</th>'
        for h in (_("Time"), _("Table"), _("With"), _("Why"))
    )
    # Each slot's time, each person and each reason is on many pages: escaped once.
    when: dict[int, str] = {}
    with_whom: dict[str, str] = {}
    why: dict[str, str] = {}
    heading = f"<h1>{_e(title)}</h1>"
    pages: list[str] = []
    for profile in chosen:
        rows: list[str] = []
        for m in draft.meetings_of(profile.id):
            if m.slot not in when:
                text = words.say(_("Slot %(n)d"), n=m.slot)
                if start is not None:
                    begin, end = slot_times(m.slot, start, slot_length)
                    text = f"{begin:%H:%M}–{end:%H:%M}"
                when[m.slot] = _e(text)
            other_id = m.other(profile.id)
            if other_id not in with_whom:
                other = draft.people.get(other_id)
                cell = _e(other.name if other else other_id)
                if other and other.organisation:
                    cell += f"<br><small>{_e(other.organisation)}</small>"
                with_whom[other_id] = cell
            reason = words.why(m, profile.id)
            if reason not in why:
                why[reason] = _e(reason)
            rows.append(
                f"<tr><td>{when[m.slot]}</td><td>{m.table}</td><td>{with_whom[other_id]}</td>"
                f"<td>{why[reason]}</td></tr>"
            )
        body = (
            f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            if rows
            else '<p class="none">' + _e(words.say(_("No meeting scheduled."))) + "</p>"
        )
        organisation = (
            f'<p class="organisation">{_e(profile.organisation)}</p>'
            if profile.organisation
            else ""
        )
        pages.append(
            f'<section class="agenda">{heading}<h2>{_e(profile.name)}</h2>'
            f"{organisation}{body}</section>"
        )
    link = f'<link rel="stylesheet" href="{_e(stylesheet)}">' if stylesheet else ""
    if style:
        link += f"<style>{style}</style>"
    return (
        f'<!doctype html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>{link}</head>"
        f'<body class="agendas">{"".join(pages)}</body></html>\n'
    )
