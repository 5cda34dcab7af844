"""What the text editor may suggest at each place of a format, read off the format language's
JSON Schema: the keys of every mapping (a step's by its `kind`), with a label and a
description, and the values a key takes from a fixed list. The page gets it as JSON; the
browser works out where the caret is and picks the keys of that place.

Shapes are named: `$defs` names, "Format" for the file itself, "Step" for the union of step
kinds, and "names:<a>,<b>" for a mapping whose keys are a fixed list (a text's `fr`, `en`).
A key points at the shape of its mapping value (`o`), of its list items (`a`), or of the
values of a mapping of free names (`m`, the parameters); `v` and `iv` list its values and
its list items' values.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from facilitation.core.formats import format_json_schema
from facilitation.i18n import mark as _
from facilitation.presenters.builder import (
    CHOICE_LABELS,
    KIND_LABELS,
    LABELS,
    resolve_ref,
    value_shapes,
)

ROOT = "Format"
STEP = "Step"
# The builder's labels are by key; these keys of the file itself mean something else there.
ROOT_LABELS = {
    "format": _("Version of the format language"),
    "parameters": _("Parameters"),
    "steps": _("Steps"),
}

Table = dict[str, Any]


def completion_table(gettext: Callable[[str], str]) -> Table:
    """The table in the reader's language (labels only: the schema's descriptions are
    English, and the page marks them so)."""
    raw = _raw_table()
    shapes: dict[str, Any] = {}
    for name, shape in raw["shapes"].items():
        shapes[name] = {**shape}
        if "keys" in shape:
            shapes[name]["keys"] = [_translated(entry, gettext) for entry in shape["keys"]]
    return {"root": ROOT, "shapes": shapes}


def _translated(entry: dict[str, Any], gettext: Callable[[str], str]) -> dict[str, Any]:
    out = dict(entry)
    if "l" in out:
        out["l"] = gettext(out["l"])
    for values, labels in (("v", "vl"), ("iv", "ivl")):
        named = [_value_label(entry["k"], value, gettext) for value in out.get(values, ())]
        if any(named):
            out[labels] = named
    return out


def _value_label(key: str, value: str, gettext: Callable[[str], str]) -> str:
    labels = KIND_LABELS if key == "kind" else CHOICE_LABELS
    return gettext(labels[value]) if value in labels else ""


@cache
def _raw_table() -> Table:
    schema = format_json_schema()
    return {"shapes": _Reader(schema["$defs"]).read(schema)}


class _Reader:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.shapes: dict[str, Any] = {}

    def read(self, root: dict[str, Any]) -> dict[str, Any]:
        keys = self._keys(root)
        for entry in keys:
            if entry["k"] in ROOT_LABELS:
                entry["l"] = ROOT_LABELS[entry["k"]]
                if _plain(entry.get("d", "")) == _plain(entry["l"]):
                    del entry["d"]
        self.shapes[ROOT] = {"keys": keys}
        return self.shapes

    def _keys(self, model: dict[str, Any]) -> list[dict[str, Any]]:
        return [self._entry(key, prop) for key, prop in model.get("properties", {}).items()]

    def _entry(self, key: str, prop: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"k": key}
        if key in LABELS:
            entry["l"] = LABELS[key]
        described = _description(prop)
        kept, _ = value_shapes(prop)
        for branch in prop.get("anyOf", [prop]):
            self._branch(entry, branch)
            described = described or _description(branch)
        if not described and len(kept) == 1:
            # a model's own description fits a key that holds only that model
            described = _description(self._resolve(kept[0]))
        if {b.get("type") for b in kept} == {"boolean"}:
            # true and false are the values of a switch, not of a value that may be anything
            _add(entry, "v", ["true", "false"])
        if described and _plain(described) != _plain(entry.get("l", "")):
            entry["d"] = " ".join(described.split())
        return entry

    def _branch(self, entry: dict[str, Any], branch: dict[str, Any]) -> None:
        """Adds what one of a value's possible shapes offers to the key's entry."""
        shape = self._resolve(branch)
        if "const" in shape and isinstance(shape["const"], str):
            _add(entry, "v", [shape["const"]])
        if "enum" in shape:
            _add(entry, "v", [str(v) for v in shape["enum"]])
        if shape.get("type") == "object":
            if "properties" in shape:
                entry["o"] = self._shape(branch)
            elif "enum" in shape.get("propertyNames", {}):
                entry["o"] = self._names(shape["propertyNames"]["enum"])
            elif "patternProperties" in shape:
                (values,) = shape["patternProperties"].values()
                entry["m"] = self._shape(values)
        if shape.get("type") == "array" and isinstance(shape.get("items"), dict):
            items = shape["items"]
            if "discriminator" in items:
                entry["a"] = self._union(items)
            elif "enum" in items:
                _add(entry, "iv", [str(v) for v in items["enum"]])
            elif self._resolve(items).get("type") == "object":
                entry["a"] = self._shape(items)

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        return resolve_ref(node, self.defs)

    def _shape(self, node: dict[str, Any]) -> str:
        """The name of a `$defs` model, read (once) into the table."""
        ref = node.get("$ref")
        name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else f"anonymous:{len(self.shapes)}"
        if name not in self.shapes:
            self.shapes[name] = {}  # taken before reading: a model may contain itself
            self.shapes[name] = {"keys": self._keys(self._resolve(node))}
        return name

    def _names(self, names: list[str]) -> str:
        name = "names:" + ",".join(names)
        self.shapes[name] = {"keys": [{"k": n} for n in names]}
        return name

    def _union(self, items: dict[str, Any]) -> str:
        """The step kinds: each kind's keys, and for a step whose kind is not written yet,
        the keys of every kind (each once, in the order kinds first use them)."""
        by = items["discriminator"]["propertyName"]
        kinds = {
            k: self._shape({"$ref": ref}) for k, ref in items["discriminator"]["mapping"].items()
        }
        every = list(kinds)
        merged: dict[str, dict[str, Any]] = {}
        for name in kinds.values():
            for entry in self.shapes[name]["keys"]:
                if entry["k"] == by:
                    # a step's kind may be changed to any other
                    entry["v"] = every
                merged.setdefault(entry["k"], entry)
        self.shapes[STEP] = {"by": by, "of": kinds, "keys": list(merged.values())}
        return STEP


def _description(node: dict[str, Any]) -> str | None:
    found = node.get("description")
    return found if isinstance(found, str) else None


def _plain(text: str) -> str:
    return text.rstrip(".").strip().lower()


def _add(entry: dict[str, Any], field: str, values: list[str]) -> None:
    entry[field] = [*entry.get(field, []), *(v for v in values if v not in entry.get(field, []))]
