"""A word cloud drawn as SVG on the server, with the list of words and counts that is its
text alternative: phones and projectors need no script and no font download to show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from facilitation.core.wordclouds import Count, count_terms, layout

WIDTH, HEIGHT = 800.0, 450.0

# Dark enough on white for normal-size text (4.5:1 and more), distinct from one another;
# the largest words take the first colours.
PALETTE = ("#1d4e89", "#8a2c0d", "#1f6f43", "#5b2a86", "#7a4b00", "#0b5563", "#8c1d4f")


@dataclass(frozen=True)
class Cloud:
    svg: str  # the picture, labelled by the title; `words` says the same in text
    words: list[Count]  # every term, most given first (also those left out of the picture)
    answers: int


def cloud(
    answers: Iterable[str],
    hidden: Set[str],
    title: str,
    ngettext: Callable[[str, str, int], str],
) -> Cloud:
    """The cloud of `answers`, without the terms the facilitator hid (by key)."""
    given = list(answers)
    counts = count_terms(given, hidden)
    placed = layout(counts, width=WIDTH, height=HEIGHT)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}"'
        f' class="word-cloud" role="img" aria-label={quoteattr(title)}>'
    ]
    for index, box in enumerate(placed):
        colour = PALETTE[index % len(PALETTE)]
        label = ngettext("%(num)d answer", "%(num)d answers", box.term.count) % {
            "num": box.term.count
        }
        parts.append(
            f'<text x="{box.x:.1f}" y="{box.y:.1f}" font-size="{box.size:.1f}"'
            f' fill="{colour}" text-anchor="middle" dominant-baseline="central">'
            f"<title>{escape(label)}</title>{escape(box.term.shown)}</text>"
        )
    parts.append("</svg>")
    return Cloud("".join(parts), counts, len(given))
