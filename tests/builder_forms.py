"""Reading the builder's HTML form back into what a browser would post (stdlib parser)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # a browser drops the one newline that follows <textarea>
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s] or [self._options[0][0]]
            self.fields.append((self._select, chosen[0]))
            self._select = None


def form_fields(page: str, form_id: str = "builder") -> list[tuple[str, str]]:
    reader = _FormReader(form_id)
    reader.feed(page)
    return reader.fields


def replaced(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with some values changed (names with dots given with '__' for '.')."""
    named = {k.replace("__", "."): v for k, v in values.items()}
    missing = set(named) - {k for k, _ in fields}
    assert not missing, f"not in the form: {missing}"
    return [(k, named.get(k, v)) for k, v in fields]
