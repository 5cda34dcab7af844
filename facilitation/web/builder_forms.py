"""The builder's posted forms read back into values for the file, one field at a time, by the
widget each field was shown with (`presenters.builder`). A value the form left as it was is
not written, so an untouched key keeps its `$parameter`, quoting and comment."""

from __future__ import annotations

import re
from typing import Any

import yaml
from starlette.datastructures import FormData

from facilitation.presenters.builder import Field, Path_, field_name
from facilitation.services.format_documents import FormatDocument, plain

_REFERENCE = re.compile(r"^\$[a-z][a-z0-9_]*$")
MAX_ROWS = 200


Form = FormData


class FieldProblem(ValueError):
    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = path


def _text(form: Form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(raw: str) -> int | float | str | None:
    raw = raw.strip().replace(",", ".") if not _REFERENCE.match(raw.strip()) else raw.strip()
    if raw == "":
        return None
    if _REFERENCE.match(raw):
        return raw
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw  # the format's checks say what is wrong with it, at this field


def _loaded(raw: str, path: Path_) -> Any:
    if raw.strip() == "":
        return None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise FieldProblem(path, f"not readable as YAML{where}") from None


def _texts(form: Form, name: str, current: Any, lang: str) -> Any:
    fr, en = _text(form, f"{name}.fr"), _text(form, f"{name}.en")
    if not fr and not en:
        return None
    given = {"fr": fr, "en": en}
    if isinstance(current, str) and given.get(lang) == current and not given[_other(lang)]:
        return current
    if isinstance(current, dict):
        order = [k for k in current if k in given] + [k for k in given if k not in current]
    else:
        order = ["fr", "en"]
    return {k: given[k] for k in order if given[k]}


def _other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def _count(form: Form, name: str) -> int:
    raw = _text(form, f"n.{name}")
    return min(int(raw), MAX_ROWS) if raw.isdigit() else 0


def read_field(field: Field, form: Form, path: Path_, current: Any, lang: str) -> Any:
    """The field's value as posted (None: leave the key out)."""
    name = field_name(path)
    widget = field.widget
    if widget in ("text", "long_text"):
        return _texts(form, name, current, lang)
    if widget == "number":
        return _number(_text(form, name))
    if widget in ("string", "choice"):
        return _text(form, name) or None
    if widget == "scalar":
        # a number, true or false, else the text as typed ("14:00" stays a time, not YAML's 840)
        raw = _text(form, name)
        if raw in ("true", "false"):
            return raw == "true"
        number = _number(raw)
        return number if isinstance(number, int | float) or raw == "" else raw
    if widget == "boolean":
        # unticked is false, except for a key with no default, which it leaves out
        return True if form.get(name) == "1" else (None if field.default is None else False)
    if widget == "pair":
        low, high = _number(_text(form, f"{name}.0")), _number(_text(form, f"{name}.1"))
        return None if low is None and high is None else [low, high]
    if widget == "roles":
        chosen = {v for v in form.getlist(name) if isinstance(v, str)}
        # the file's order stays; newly ticked ones follow in the form's order
        kept = [c for c in current if c in chosen] if isinstance(current, list) else []
        picked = kept + [c for c in field.choices if c in chosen and c not in kept]
        # no box ticked for a key the file leaves out: it stays out
        return picked if picked or current is not None else None
    if widget == "yaml":
        return _loaded(_text(form, name), path)
    if widget == "record":
        if form.get(f"{name}._on") != "1":
            return None
        here = current if isinstance(current, dict) else {}
        return _record(field.columns, form, path, here, lang)
    rows: list[Any] = []
    old = current if isinstance(current, list) else []
    for i in range(_count(form, name)):
        was = old[i] if i < len(old) else None
        row = _row(field, form, (*path, i), was, lang)
        if row is not None:
            rows.append(row)
    return rows or None


def _row(field: Field, form: Form, path: Path_, was: Any, lang: str) -> Any:
    if field.widget == "texts":
        return _texts(form, field_name(path), was, lang)
    if field.widget == "strings":
        return _text(form, field_name(path)) or None
    typed = [c for c in field.columns if c.widget not in ("boolean", "choice", "roles")]
    if not any(_filled(form, field_name((*path, c.key))) for c in typed):
        return None  # a line left empty (the new line, or one emptied to remove it)
    return _record(field.columns, form, path, was if isinstance(was, dict) else {}, lang)


def _filled(form: Form, name: str) -> bool:
    return any(_text(form, n) for n in (name, f"{name}.fr", f"{name}.en", f"{name}.0", f"{name}.1"))


def _record(
    columns: tuple[Field, ...], form: Form, path: Path_, current: dict[str, Any], lang: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in columns:
        value = read_field(column, form, (*path, column.key), current.get(column.key), lang)
        if value is None or (column.key not in current and _same(value, column.default)):
            continue
        out[column.key] = value
    # keys kept in the file that the form does not show (none today) stay as they were
    return {**{k: v for k, v in current.items() if k not in {c.key for c in columns}}, **out}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def apply_fields(
    doc: FormatDocument, fields: tuple[Field, ...], base: Path_, form: Form
) -> list[FieldProblem]:
    """Write what the form changed of these fields into the document; the fields that could
    not be read (their text stays in the form)."""
    lang = str(doc.get(("lang",)) or "fr")
    problems = []
    for field in fields:
        path = (*base, field.key)
        if form.get(f"seen.{field_name(path)}") is None:
            continue  # not shown in this form (and an unchecked box sends nothing)
        current = plain(doc.get(path))
        try:
            value = read_field(field, form, path, current, lang)
        except FieldProblem as problem:
            problems.append(problem)
            continue
        if current is None and value is not None and _same(value, field.default):
            continue  # a default the file leaves out stays out
        if _same(value, current):
            continue
        doc.assign(path, value)
    return problems
