from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from facilitation.i18n import negotiate, translations
from tests.i18n_tools import extract, load_po


def test_every_message_has_a_french_translation() -> None:
    catalog = load_po()
    extracted = {m.id for m in extract() if m.id}
    translated = {
        m.id
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(str(m) for m in extracted - translated)
    assert not missing, f"untranslated (run python tests/i18n_tools.py update): {missing}"


def test_french_catalogue_is_used() -> None:
    assert translations("fr").gettext("Vote") == "Voter"
    assert translations("en").gettext("Vote") == "Vote"
    assert translations("fr").ngettext("%(num)d vote", "%(num)d votes", 2) == "%(num)d voix"


def test_language_choice_order() -> None:
    assert negotiate("en", "fr", "fr-FR", "fr") == "en"
    assert negotiate(None, "en", "fr-FR", "fr") == "en"
    assert negotiate(None, None, "de-DE,en;q=0.8,fr;q=0.9", "en") == "fr"
    assert negotiate(None, None, "de-DE", "en") == "en"
    assert negotiate("xx", None, None, "fr") == "fr"


@given(st.text(max_size=200), st.sampled_from(["fr", "en"]))
def test_negotiate_never_fails_on_any_header(header: str, default: str) -> None:
    assert negotiate(None, None, header, default) in ("fr", "en")
