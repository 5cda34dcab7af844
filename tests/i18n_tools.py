"""Extract translatable messages from templates and code; `python tests/i18n_tools.py update`
merges new ones into facilitation/locale/fr/LC_MESSAGES/messages.po (then translate them)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "facilitation" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "tr": (2,), "N_": None}


def extract() -> Catalog:
    catalog = Catalog(project="facilitation", charset="utf-8")
    sources = [
        (
            ROOT / "templates",
            [("**.html", "jinja2")],
            {"**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}},
        ),
        (ROOT / "facilitation", [("**.py", "python")], {}),
    ]
    for directory, method_map, options in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            directory, method_map, options, keywords=KEYWORDS
        ):
            catalog.add(
                message,
                None,
                [(str(directory.name + "/" + filename), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def load_po() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def update() -> None:
    template = extract()
    if PO.exists():
        catalog = load_po()
        catalog.update(template, no_fuzzy_matching=True)
    else:
        PO.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale="fr", project="facilitation", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
        missing = [m.id for m in load_po() if m.id and not m.string]
        print(f"{PO}: {len(missing)} messages to translate")
    else:
        print(__doc__)
