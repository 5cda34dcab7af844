"""French and English: gettext catalogues, and which language a request gets.

Catalogues are the `.po` files under `facilitation/locale/`, compiled in memory at start-up,
so there is no build step and contributors edit one text file per language.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from facilitation.core.languages import LANGUAGES

SOURCE_LANGUAGE = "en"  # msgids are English
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == SOURCE_LANGUAGE or lang not in LANGUAGES:
        return gettext.NullTranslations()
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def negotiate(
    explicit: str | None, cookie: str | None, accept_language: str | None, default: str
) -> str:
    """A language chosen on the page wins, then the browser's preference, then the event's."""
    for choice in (explicit, cookie):
        if choice in LANGUAGES:
            return choice
    for lang in _accepted(accept_language or ""):
        if lang in LANGUAGES:
            return lang
    return default if default in LANGUAGES else LANGUAGES[0]


def _accepted(header: str) -> list[str]:
    weighted = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-")[0]
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def mark(message: str) -> str:
    """Marks a message for extraction (imported as `_`); it is translated where it is shown."""
    return message
