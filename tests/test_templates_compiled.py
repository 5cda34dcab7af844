"""Templates compiled before the first phone asks (`facilitation serve`), and kept compiled
between starts: what a page shows is the same either way."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.core.languages import LANGUAGES
from facilitation.i18n import translations
from facilitation.presenters.pages import Pages, template_environment

ROOT = Path(__file__).resolve().parents[1]


def test_compile_all_leaves_no_template_to_compile_on_a_first_render() -> None:
    pages = Pages(ROOT / "templates", ROOT / "static")
    names = pages.by_lang[LANGUAGES[0]].env.list_templates(extensions=["html"])
    assert len(names) > 40
    pages.compile_all()
    for lang in LANGUAGES:
        env = pages.by_lang[lang].env
        assert {key[1] for key in env.cache} >= set(names)  # type: ignore[union-attr]


def test_a_template_from_the_kept_compilation_renders_as_a_fresh_one(tmp_path: Path) -> None:
    kept = template_environment(ROOT / "templates", "fr")
    assert isinstance(kept.bytecode_cache, jinja2.FileSystemBytecodeCache)
    fresh = template_environment(ROOT / "templates", "fr")
    fresh.bytecode_cache = None
    context = {"lang": "fr", "static": lambda p: p, "title": "<Soirée>", "message": "é & <b>"}
    for env in (kept, fresh):
        env.globals.update(context)
    for name in ("error.html", "forbidden.html", "not_found.html"):
        kept.get_template(name)  # written to the kept compilation, or read from it
        again = template_environment(ROOT / "templates", "fr")
        again.globals.update(context)
        assert again.get_template(name).render() == fresh.get_template(name).render()


def test_a_template_renders_when_its_compilation_cannot_be_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = template_environment(ROOT / "templates", "en")
    assert env.bytecode_cache is not None
    full = tmp_path / "full"
    full.mkdir()
    monkeypatch.setattr(env.bytecode_cache, "directory", str(full / "gone"))  # no such folder
    env.globals.update({"lang": "en", "static": lambda p: p})
    assert "<" in env.get_template("not_found.html").render()


def _stock(lang: str) -> jinja2.Environment:
    """Jinja's own newstyle gettext, as `template_environment` had it."""
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def _rendered(env: jinja2.Environment, source: str, values: dict[str, str]) -> str:
    try:
        return env.from_string(source).render(values)
    except (ValueError, TypeError, KeyError) as error:  # a stray % fails alike
        return type(error).__name__


@settings(max_examples=300)
@given(
    st.sampled_from(LANGUAGES),
    st.one_of(st.sampled_from(["Vote", "Next", "%(name)s wishes to meet"]), st.text("ab<&%s()")),
    st.dictionaries(st.sampled_from(["name", "n"]), st.text("x<&>\"'%", max_size=3), max_size=2),
)
def test_kept_translations_render_as_jinjas_own(
    lang: str, message: str, values: dict[str, str]
) -> None:
    ours = template_environment(ROOT / "templates", lang)
    stock = _stock(lang)
    call = "_(m" + "".join(f", {k}={k}" for k in values) + ")"
    for source in ("{{ " + call + " }}", "{{ " + call + " }}{{ " + call + " }}"):
        context = {"m": message, **values}
        assert _rendered(ours, source, context) == _rendered(stock, source, context)
    block = "{% trans %}" + message.replace("{", "") + "{% endtrans %}"
    assert _rendered(ours, block, {}) == _rendered(stock, block, {})
