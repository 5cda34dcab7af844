"""Answers shown as a word cloud: each answer becomes one term of one to three words, terms
that differ only by case or accents count together, and the cloud is laid out on a plane.
Pure: the layout is deterministic, no I/O and no randomness.

A term keeps the words people typed (with their accents); small words of French and English
("la", "the", "de", "of") are set aside so that "la transition" and "Transition" meet. The
form shown is the one most people typed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass

MAX_WORDS = 3

# Closed-class words of both languages; a term made only of these is kept as typed rather
# than lost ("to be"), see `term_of`.
_STOP_WORDS_TEXT = """
    a à au aux avec ce ces cet cette d de des du elle en et eux il ils je j l la le les leur
    leurs lui ma mais me mes moi mon ne nos notre nous on ou où par pas pour qu que qui s sa se
    ses son sur ta te tes toi ton tu un une vos votre vous y c n m t est sont être plus très
    a an and are as at be but by for from has have i in into is it its of on or our so that
    the their them they this to was we were with you your very
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Letters and digits, with an apostrophe or hyphen allowed inside a word ("aujourd'hui",
# "tiers-lieu"); typographic apostrophes count as the plain one.
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def _fold(word: str) -> str:
    """The key two spellings share when they differ only by case or accents."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Term:
    key: str  # what variants share: folded words joined by a space
    shown: str  # as typed (normalised to NFC, single spaces)


def words_of(answer: str) -> list[str]:
    """The words of an answer, as typed (NFC, typographic apostrophes made plain)."""
    text = unicodedata.normalize("NFC", answer).replace("\u2019", "'").replace("\u02bc", "'")
    return _WORD.findall(text)


def term_of(answer: str, *, max_words: int = MAX_WORDS) -> Term | None:
    """The term an answer stands for, or None if it has no word or more than `max_words`
    after the small words are set aside (the form refuses those)."""
    words = words_of(answer)
    if not words:
        return None
    # "l'énergie" → "énergie": an elided article is part of the word in French
    kept = [_drop_elision(w) for w in words if _fold(w) not in STOP_WORDS] or words
    if len(kept) > max_words:
        return None
    return Term(" ".join(_fold(w) for w in kept), " ".join(kept))


def _drop_elision(word: str) -> str:
    head, sep, tail = word.partition("'")
    if sep and tail and _fold(head) in STOP_WORDS:
        return tail
    return word


def _preferred(forms: Counter[str]) -> str:
    """The form most people typed; on a tie the one with accents (people who type them mean
    them), then the lowercase one, then alphabetical order so that the choice is stable."""
    return min(
        forms,
        key=lambda f: (-forms[f], -sum(1 for ch in f if not ch.isascii()), f != f.lower(), f),
    )


@dataclass(frozen=True)
class Count:
    key: str
    shown: str
    count: int


def count_terms(answers: Iterable[str], hidden: Set[str] = frozenset()) -> list[Count]:
    """Terms with how many answers gave them, most given first (then alphabetical); terms
    whose key is in `hidden` (set aside by the facilitator) are left out."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for answer in answers:
        term = term_of(answer)
        if term is not None and term.key not in hidden:
            forms[term.key][term.shown] += 1
    counts = [Count(key, _preferred(f), sum(f.values())) for key, f in forms.items()]
    return sorted(counts, key=lambda c: (-c.count, c.key))


@dataclass(frozen=True)
class Placed:
    term: Count
    x: float  # centre of the text's box
    y: float
    size: float  # font size, in the plane's units
    width: float
    height: float


# Average advance of a character in a sans-serif font, in ems: enough to keep boxes apart
# without measuring glyphs (the renderer uses a font of that family).
CHAR_EM = 0.58
LINE_EM = 1.1


def layout(
    counts: list[Count],
    *,
    width: float = 800,
    height: float = 450,
    smallest: float = 16,
    largest: float = 72,
    most: int = 60,
) -> list[Placed]:
    """Place the `most` most given terms on a width × height plane, the most given largest
    and nearest the centre, along a spiral, boxes never overlapping. A term that finds no room
    is left out of the picture (the text alternative still lists it)."""
    chosen = counts[:most]
    if not chosen:
        return []
    top = chosen[0].count
    low = min(c.count for c in chosen)
    sizes = []
    for term in chosen:
        share = 1.0 if top == low else (term.count - low) / (top - low)
        # area, not height, grows with the count: sqrt keeps a 10-vote word from eclipsing all
        sizes.append(smallest + (largest - smallest) * math.sqrt(share))
    # boxes covering more than about half the plane cannot all be packed: shrink them together
    area = sum(
        max(1, len(t.shown)) * CHAR_EM * LINE_EM * s * s for t, s in zip(chosen, sizes, strict=True)
    )
    shrink = min(1.0, math.sqrt(0.45 * width * height / area))
    placed: list[Placed] = []
    grid: dict[tuple[int, int], list[Placed]] = defaultdict(list)
    for term, size in zip(chosen, sizes, strict=True):
        box = _place(term, size * shrink, grid, width, height)
        if box is not None:
            placed.append(box)
            for cell in _cells(box):
                grid[cell].append(box)
    return placed


CELL = 32.0


def _cells(box: Placed) -> list[tuple[int, int]]:
    """The grid cells a box touches: a candidate is only compared with boxes near it."""
    left, right = int((box.x - box.width / 2) // CELL), int((box.x + box.width / 2) // CELL)
    top, bottom = int((box.y - box.height / 2) // CELL), int((box.y + box.height / 2) // CELL)
    return [(i, j) for i in range(left, right + 1) for j in range(top, bottom + 1)]


def _place(
    term: Count,
    size: float,
    grid: dict[tuple[int, int], list[Placed]],
    width: float,
    height: float,
) -> Placed | None:
    w = max(1, len(term.shown)) * size * CHAR_EM
    h = size * LINE_EM
    if w > width or h > height:
        return None
    aspect = width / height
    angle = 0.0
    # an Archimedean spiral stretched to the plane's shape, walked a few units at a time
    while (radius := 3.0 * angle) <= max(width, height):
        angle += 0.5 if radius < 8 else 8.0 / radius
        x = width / 2 + radius * math.cos(angle) * aspect
        y = height / 2 + radius * math.sin(angle)
        if not (w / 2 <= x <= width - w / 2 and h / 2 <= y <= height - h / 2):
            continue
        candidate = Placed(term, x, y, size, w, h)
        if not any(
            _overlap(candidate, o) for cell in _cells(candidate) for o in grid.get(cell, ())
        ):
            return candidate
    return None


def _overlap(a: Placed, b: Placed) -> bool:
    return abs(a.x - b.x) * 2 < a.width + b.width + 4 and abs(a.y - b.y) * 2 < a.height + b.height
