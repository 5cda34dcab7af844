"""Word clouds: one term per answer, variants counted together, a layout with no overlap, and
an SVG that escapes what people typed."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from facilitation.core.wordclouds import (
    MAX_WORDS,
    STOP_WORDS,
    Count,
    count_terms,
    layout,
    term_of,
    words_of,
)
from facilitation.presenters.clouds import HEIGHT, WIDTH, cloud

letters = st.sampled_from(list("abcdeéèêàâçîïôûùœxyz"))
words = st.text(letters, min_size=1, max_size=9)
answers = st.lists(words, min_size=1, max_size=4).map(" ".join)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def ngettext(one: str, many: str, n: int) -> str:
    return one if n == 1 else many


def test_variants_of_case_and_accents_count_together_and_show_as_most_typed() -> None:
    counts = count_terms(["Énergie", "énergie", "energie", "ÉNERGIE", "énergie", "Lien social"])
    assert counts[0] == Count("energie", "énergie", 5)
    assert counts[1] == Count("lien social", "Lien social", 1)


def test_small_words_are_set_aside_and_elisions_dropped() -> None:
    assert term_of("la transition écologique").key == term_of("Transition Écologique ").key  # type: ignore[union-attr]
    assert term_of("l'énergie").shown == "énergie"  # type: ignore[union-attr]
    assert term_of("L’Énergie").key == "energie"  # type: ignore[union-attr]
    assert term_of("the power of the people").shown == "power people"  # type: ignore[union-attr]
    # a term made only of small words is kept rather than lost
    assert term_of("to be").shown == "to be"  # type: ignore[union-attr]


def test_more_than_three_words_or_none_is_not_a_term() -> None:
    assert term_of("un deux trois quatre cinq") is None
    assert term_of("   ") is None
    assert term_of("!!! ???") is None


@given(answers)
def test_case_and_accents_do_not_change_the_key(answer: str) -> None:
    term = term_of(answer)
    assert term_of(answer.upper()) == (None if term is None else term_of(answer.upper()))
    if term is not None:
        assert term_of(answer.upper()).key == term.key  # type: ignore[union-attr]
        assert term_of(strip_accents(answer)).key == term.key  # type: ignore[union-attr]
        assert len(term.key.split()) <= MAX_WORDS
        assert all(w not in STOP_WORDS for w in term.key.split()) or term.key == " ".join(
            strip_accents(w).casefold() for w in words_of(answer)
        )


@given(st.lists(answers, max_size=40), st.sets(words.map(str.casefold), max_size=3))
def test_counts_add_up_and_hidden_terms_stay_out(
    given_answers: list[str], hidden: set[str]
) -> None:
    counts = count_terms(given_answers, hidden)
    terms = [term_of(a) for a in given_answers]
    kept = [t for t in terms if t is not None and t.key not in hidden]
    assert sum(c.count for c in counts) == len(kept)
    assert not {c.key for c in counts} & hidden
    assert [c.count for c in counts] == sorted((c.count for c in counts), reverse=True)
    for c in counts:
        assert c.shown in {t.shown for t in kept if t.key == c.key}


@given(
    st.lists(
        st.tuples(words, st.integers(1, 50)), min_size=1, max_size=70, unique_by=lambda t: t[0]
    )
)
def test_layout_keeps_boxes_apart_inside_the_plane_and_is_deterministic(
    terms: list[tuple[str, int]],
) -> None:
    counts = sorted((Count(w, w, n) for w, n in terms), key=lambda c: (-c.count, c.key))
    placed = layout(counts, width=WIDTH, height=HEIGHT)
    assert placed == layout(counts, width=WIDTH, height=HEIGHT)
    assert len(placed) <= 60
    for i, a in enumerate(placed):
        assert a.width / 2 <= a.x <= WIDTH - a.width / 2
        assert a.height / 2 <= a.y <= HEIGHT - a.height / 2
        for b in placed[i + 1 :]:
            apart_x = abs(a.x - b.x) * 2 >= a.width + b.width
            apart_y = abs(a.y - b.y) * 2 >= a.height + b.height
            assert apart_x or apart_y, (a, b)
    # the most given term is never the one left out, and is at least as large as any other
    assert placed[0].term == counts[0]
    assert all(placed[0].size >= p.size for p in placed)


def test_a_small_cloud_places_every_term() -> None:
    counts = count_terms(["énergie"] * 5 + ["lien"] * 3 + ["coopération", "territoire", "emploi"])
    assert len(layout(counts)) == len(counts) == 5


def test_the_svg_escapes_what_people_typed_and_lists_every_word() -> None:
    drawn = cloud(
        ["<b>alert</b>", "aujourd'hui", "énergie", "énergie"], set(), 'Say "<one>"', ngettext
    )
    root = ET.fromstring(drawn.svg)  # well-formed XML: nothing typed broke out of a text node
    svg = "{http://www.w3.org/2000/svg}"
    # each word is a <text> whose <title> gives its count and whose tail is the word itself
    texts = [t.find(f"{svg}title").tail for t in root.iter(f"{svg}text")]  # type: ignore[union-attr]
    assert "<b>" not in drawn.svg  # markup typed in is reduced to its words
    assert sorted(texts) == ["aujourd'hui", "b alert b", "énergie"]
    assert root.get("aria-label") == 'Say "<one>"'
    assert drawn.words[0].shown == "énergie"
    assert drawn.answers == 4


def test_hidden_words_leave_the_picture_and_the_list() -> None:
    drawn = cloud(["énergie", "Énergie", "lien"], {"energie"}, "t", ngettext)
    assert [w.shown for w in drawn.words] == ["lien"]
    assert "nergie" not in drawn.svg
