"""Why a meeting was proposed, in the reader's language: on a person's phone, schedule and
calendar ("you", "they"), and in the organiser's files (both people by name).

The core says why as `ReasonPart`s with tag ids; the words and the tags' labels are here, so
that every audience and every file reads the same sentences, translated the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, TypeAlias

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
    return OrganiserReasons(names, lang, labels).why(candidate)


# What a reason says depends only on the wishes and the tags given, never on who the two
# people are: `_ReasonKey` is that shape, and each shape is worded once per file.
_ReasonKey: TypeAlias = tuple[
    mm.WishLevel | None, mm.WishLevel | None, tuple[str, ...], tuple[str, ...]
]
# One sentence of a reason: its words, and which names go in (none, the wisher, or the giver
# and the taker) with the tags' labels.
_Sentence: TypeAlias = tuple[str, Literal["", "a", "b", "ab", "ba"], str]


class OrganiserReasons:
    """`neutral_reason` for the many meetings of one file: each shape of reason is worded once
    (25,000 meetings have a few hundred shapes), then only the names change."""

    def __init__(self, names: Mapping[str, str], lang: str, labels: Mapping[str, str]) -> None:
        self.names = names
        self.labels = labels
        self.translations = translations(lang)
        self._sentences: dict[_ReasonKey, tuple[_Sentence, ...]] = {}

    def why(self, candidate: mm.Candidate) -> str:
        key = (candidate.a_wish, candidate.b_wish, candidate.a_gives, candidate.b_gives)
        sentences = self._sentences.get(key)
        if sentences is None:
            sentences = self._sentences[key] = self._word(candidate)
        a = self.names.get(candidate.a, candidate.a)
        b = self.names.get(candidate.b, candidate.b)
        out = []
        for text, who, tags in sentences:
            if who == "":
                out.append(text)
            elif who == "a" or who == "b":
                out.append(text % {"name": a if who == "a" else b})
            else:
                giver, taker = (a, b) if who == "ab" else (b, a)
                out.append(text % {"giver": giver, "taker": taker, "tags": tags})
        return "; ".join(out)

    def _word(self, candidate: mm.Candidate) -> tuple[_Sentence, ...]:
        t = self.translations
        out: list[_Sentence] = []
        # the first person's offers first, as the draft's own English sentence has them
        for part in sorted(
            mm.reason_parts(candidate, candidate.a), key=lambda p: p.kind == "they_offer"
        ):
            tags = ", ".join(self.labels.get(tag, tag) for tag in part.tags)
            match part.kind:
                case "mutual":
                    must = t.gettext("mutual wish (must)")
                    out.append((must if part.must else t.gettext("mutual wish"), "", ""))
                case "asked_them" | "asked_you":
                    text = (
                        t.gettext("%(name)s wishes to meet (must)")
                        if part.must
                        else t.gettext("%(name)s wishes to meet")
                    )
                    out.append((text, "a" if part.kind == "asked_them" else "b", ""))
                case "they_offer" | "you_offer":
                    text = t.ngettext(
                        "%(giver)s offers %(tags)s for %(taker)s's need",
                        "%(giver)s offers %(tags)s for %(taker)s's needs",
                        len(part.tags),
                    )
                    out.append((text, "ba" if part.kind == "they_offer" else "ab", tags))
                case _:
                    out.append((t.gettext("added by the organiser"), "", ""))
        return tuple(out)


class ScheduleWords:
    """The sentences of a person's schedule (calendar and print) in one language."""

    def __init__(self, lang: str, labels: Mapping[str, str]) -> None:
        self.lang = lang
        self.labels = labels
        self.gettext = translations(lang).gettext
        # (wishes, tags given, whether the reader is `a`): all a reason depends on
        self._why: dict[tuple[_ReasonKey, bool], str] = {}

    def why(self, m: mm.Candidate, person: str) -> str:
        key = ((m.a_wish, m.b_wish, m.a_gives, m.b_gives), person == m.a)
        found = self._why.get(key)
        if found is None:
            found = reason_text(mm.reason_parts(m, person), self.lang, self.labels)
            self._why[key] = found
        return found

    def say(self, message: str, **values: object) -> str:
        return self.gettext(message) % values
