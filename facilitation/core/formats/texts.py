"""Localised texts: a plain string in the format's language, or one string per language."""

from __future__ import annotations

from facilitation.core.languages import LANGUAGES, Lang

Text = str | dict[Lang, str]


def localise(text: Text | None, lang: str, fallback: str = "fr") -> str:
    """The text in `lang`, else in `fallback`, else in any language given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for key in (lang, fallback, *LANGUAGES):
        if key in text:
            return text[key]
    return ""
