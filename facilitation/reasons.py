"""Why a meeting was proposed, in the reader's language: on a person's phone, schedule and
calendar ("you", "they"), and in the organiser's files (both people by name).

The core says why as `ReasonPart`s with tag ids; the words and the tags' labels are here, so
that every audience and every file reads the same sentences, translated the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitation.core import matchmaking as mm
from facilitation.i18n import translations


def reason_text(parts: Sequence[mm.ReasonPart], lang: str, labels: Mapping[str, str]) -> str:
    """Why a meeting was proposed, addressed to one of its two people."""
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


def neutral_reason(
    candidate: mm.Candidate, names: Mapping[str, str], lang: str, labels: Mapping[str, str]
) -> str:
    """Why a meeting was proposed, for the organiser: both people by name."""
    t = translations(lang)
    a, b = names.get(candidate.a, candidate.a), names.get(candidate.b, candidate.b)
    out = []
    # the first person's offers first, as the draft's own English sentence has them
    for part in sorted(
        mm.reason_parts(candidate, candidate.a), key=lambda p: p.kind == "they_offer"
    ):
        tags = ", ".join(labels.get(tag, tag) for tag in part.tags)
        n = len(part.tags)
        match part.kind:
            case "mutual":
                must = t.gettext("mutual wish (must)")
                out.append(must if part.must else t.gettext("mutual wish"))
            case "asked_them" | "asked_you":
                who = a if part.kind == "asked_them" else b
                text = (
                    t.gettext("%(name)s wishes to meet (must)")
                    if part.must
                    else t.gettext("%(name)s wishes to meet")
                )
                out.append(text % {"name": who})
            case "they_offer" | "you_offer":
                giver, taker = (b, a) if part.kind == "they_offer" else (a, b)
                text = t.ngettext(
                    "%(giver)s offers %(tags)s for %(taker)s's need",
                    "%(giver)s offers %(tags)s for %(taker)s's needs",
                    n,
                )
                out.append(text % {"giver": giver, "taker": taker, "tags": tags})
            case _:
                out.append(t.gettext("added by the organiser"))
    return "; ".join(out)


class ScheduleWords:
    """The sentences of a person's schedule (calendar and print) in one language."""

    def __init__(self, lang: str, labels: Mapping[str, str]) -> None:
        self.lang = lang
        self.labels = labels
        self.gettext = translations(lang).gettext

    def why(self, m: mm.Candidate, person: str) -> str:
        return reason_text(mm.reason_parts(m, person), self.lang, self.labels)

    def say(self, message: str, **values: object) -> str:
        return self.gettext(message) % values
