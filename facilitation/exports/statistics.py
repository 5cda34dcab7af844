"""The organiser's summary of a matchmaking draft, one `label: value` per line: printed by
`facilitation match` and in the Statistics sheet of the XLSX download."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitation.core.matchmaking import Draft, Profile, draft_statistics
from facilitation.i18n import mark as _
from facilitation.reasons import ScheduleWords


def _some(
    ids: Sequence[str], names: Mapping[str, Profile], say: ScheduleWords, limit: int = 8
) -> str:
    shown = ", ".join(names[i].name if i in names else i for i in ids[:limit])
    more = len(ids) - limit
    return shown + (say.say(_(" and %(n)d more"), n=more) if more > 0 else "")


MUST_PROBLEMS = {
    "refused": _("one of them said no"),
    "availability": _("no slot where both are available"),
    "quota": _("one of them takes no meeting"),
    "removed": _("removed by the organiser"),
    "clash": _("clashes with other musts (slots, quotas or tables)"),
    "not_found": _("not found within the time limit, or the draft was edited"),
}


def statistics_text(draft: Draft, lang: str = "en") -> str:
    """The organiser's summary, one `label: value` per line, in `lang`."""
    s = draft_statistics(draft)
    w = ScheduleWords(lang, {})
    tables = ", ".join(str(t) for t in s.tables_per_slot)
    absent = f" ({_some(s.without_meeting, draft.people, w)})" if s.without_meeting else ""
    below = [b.person for b in s.below_minimum]
    short = f" ({_some(below, draft.people, w)})" if below else ""
    lines = [
        w.say(
            _("meetings: %(placed)d placed, %(unplaced)d not placed, total score %(score)s"),
            placed=s.meetings,
            unplaced=s.unplaced,
            score=s.total_score,
        ),
        w.say(_("slots used: %(used)d of %(slots)d"), used=s.slots_used, slots=draft.config.slots),
        w.say(
            _("tables per slot: %(tables)s (at most %(most)d)"),
            tables=tables,
            most=max(s.tables_per_slot, default=0),
        ),
        w.say(
            _("meetings per person: min %(min)d, mean %(mean)s, max %(max)d"),
            min=s.meetings_min,
            mean=f"{s.meetings_mean:.2f}",
            max=s.meetings_max,
        ),
        w.say(
            _("people without a meeting: %(n)d of %(people)d"),
            n=len(s.without_meeting),
            people=s.people,
        )
        + absent,
        w.say(_("below their minimum: %(n)d"), n=len(s.below_minimum)) + short,
    ]
    if s.score_bound is not None and s.gap is not None:
        proof = _("proven optimal") if s.gap == 0 else _("the search stopped at its time limit")
        lines.append(
            w.say(
                _("score bound: %(bound)s, gap %(gap)s (%(proof)s)"),
                bound=s.score_bound,
                gap=s.gap,
                proof=w.say(proof),
            )
        )
    if s.musts_met or s.unmet_musts:
        lines.append(
            w.say(
                _("musts met: %(met)d of %(possible)d possible"),
                met=s.musts_met,
                possible=s.musts_possible,
            )
        )
    for u in s.unmet_musts[:20]:
        lines.append(
            w.say(
                _("must not met: %(a)s–%(b)s: %(why)s"),
                a=draft.name(u.a),
                b=draft.name(u.b),
                why=w.say(MUST_PROBLEMS[u.problem]),
            )
        )
    for wish in s.wishes:
        if wish.total:
            lines.append(
                w.say(
                    _("%(level)s wishes satisfied: %(n)d of %(total)d"),
                    level=wish.level,
                    n=wish.satisfied,
                    total=wish.total,
                )
            )
    if s.locked or s.published:
        lines.append(
            w.say(
                _("locked: %(locked)d, published: %(published)d"),
                locked=s.locked,
                published=s.published,
            )
        )
    return "\n".join(lines) + "\n"
