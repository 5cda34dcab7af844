"""Templates compiled before the first phone asks (`facilitation serve`), and kept compiled
between starts: what a page shows is the same either way."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from facilitation.core.languages import LANGUAGES
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
