"""The file stays the truth: a format opened in the builder and posted back as shown writes
nothing, for every shipped format and for generated ones; an edit writes what was typed and
the file still reads as the same model, with its comments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import FormData

from facilitation.core.formats import STEP_KINDS, parse_format
from facilitation.core.formats.starters import new_step
from facilitation.presenters.builder_page import builder_context, panel_fields
from facilitation.presenters.pages import Pages
from facilitation.services.format_documents import FormatDocument, plain
from facilitation.web.builder_forms import apply_fields
from tests.builder_forms import form_fields, replaced
from tests.conftest import FORMATS, ROOT

PAGES = Pages(ROOT / "templates", ROOT / "static")
SHIPPED = sorted(FORMATS.glob("*.yaml"))


def panels(doc: FormatDocument) -> list[str]:
    return ["header", "parameters"] + [f"step-{i}" for i in range(doc.step_count())]


def shown_form(
    doc: FormatDocument, text: str, panel: str, lang: str = "en"
) -> list[tuple[str, str]]:
    """The fields of the builder's real template for this panel, as a browser posts them."""
    context = builder_context(plain(doc.root), text, panel, [], {}, lang)
    context.update({"name": "f", "csrf": "token"})
    return form_fields(PAGES.fragment("_builder.html", lang, context))


def post_back(doc: FormatDocument, panel: str, fields: list[tuple[str, str]]) -> list[Any]:
    form = FormData(fields)
    problems = []
    for base, group in panel_fields(plain(doc.root), panel):
        problems += apply_fields(doc, group, base, form)
    return problems


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_format_round_trips_through_every_panel(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = FormatDocument(text)
    assert doc.text() == text, "opening a file changes nothing"
    for panel in panels(doc):
        for lang in ("fr", "en"):
            assert post_back(doc, panel, shown_form(doc, text, panel, lang)) == []
            assert not doc.dirty, (path.name, panel, lang)
    assert doc.text() == text


def test_an_edit_keeps_comments_order_and_the_model() -> None:
    source = (FORMATS / "carrefour-des-possibles.yaml").read_text(encoding="utf-8")
    doc = FormatDocument(source)
    fields = replaced(
        shown_form(doc, source, "step-2"),
        v__steps__2__method="approval",
        v__steps__2__question__en="Which projects moved you most? Pick any.",
    )
    assert post_back(doc, "step-2", fields) == []
    text = doc.text()
    before, after = parse_format(source), parse_format(text)
    assert after.steps[2].method == "approval"  # type: ignore[union-attr]
    assert after.steps[2].question == {  # type: ignore[union-attr]
        "fr": "Quel projet vous a le plus touché ?",
        "en": "Which projects moved you most? Pick any.",
    }
    assert after.steps[:2] == before.steps[:2] and after.steps[3:] == before.steps[3:]
    comments = [line for line in source.splitlines() if "#" in line]
    assert comments == [line for line in text.splitlines() if "#" in line]
    changed = [a for a, b in zip(source.splitlines(), text.splitlines(), strict=True) if a != b]
    assert len(changed) == 2, changed  # the method line and the English question line


# Generated formats: a header with comments, steps of every kind from the add menu, texts
# with the characters YAML cares about.
texts = (
    st.text(alphabet=st.sampled_from(list("abcdeé ÀZ:?#,'\"-[]{}!%&*|>…")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
HEADER = """# a format written by hand
format: 1
id: generated   # its id
version: 1.0.0
title: {fr: Essai, en: Trial}
steps:
  - kind: info   # the first step
    title: Bonjour
"""


@settings(max_examples=25)
@given(
    kinds=st.lists(st.sampled_from([k for k in STEP_KINDS if k != "use"]), min_size=1, max_size=6),
    titles=st.lists(st.tuples(texts, texts), min_size=6, max_size=6),
    minutes=st.lists(st.integers(1, 90), min_size=6, max_size=6),
)
def test_generated_formats_edit_save_load_give_the_same_model(
    kinds: list[str], titles: list[tuple[str, str]], minutes: list[int]
) -> None:
    doc = FormatDocument(HEADER)
    for kind in kinds:
        steps = plain(doc.steps)
        try:
            doc.insert_step(len(steps), new_step(kind, steps, len(steps)))
        except ValueError:
            continue  # a reveal with no vote before it, a pass-around with no input
    text = doc.text()
    parse_format(text)  # what the add menu makes passes the checks
    reopened = FormatDocument(text)
    expected: dict[int, tuple[dict[str, str], int]] = {}
    for i in range(reopened.step_count()):
        fr, en = titles[i % len(titles)]
        fields = replaced(
            shown_form(reopened, text, f"step-{i}"),
            **{f"v__steps__{i}__title__fr": fr, f"v__steps__{i}__title__en": en},
        )
        if f"v.steps.{i}.minutes" in dict(fields):
            fields = replaced(fields, **{f"v__steps__{i}__minutes": str(minutes[i % 6])})
        assert post_back(reopened, f"step-{i}", fields) == []
        expected[i] = ({"fr": fr, "en": en}, minutes[i % 6])
    saved = reopened.text()
    fmt = parse_format(saved)
    for i, (title, length) in expected.items():
        assert fmt.steps[i].title == title
        if fmt.steps[i].kind not in ("pitch",):
            assert fmt.steps[i].minutes == length
    assert "# a format written by hand" in saved and "id: generated   # its id" in saved
    assert "# the first step" in saved
    # and the saved file opens unchanged again
    again = FormatDocument(saved)
    for panel in panels(again):
        assert post_back(again, panel, shown_form(again, saved, panel)) == []
    assert not again.dirty and again.text() == saved
