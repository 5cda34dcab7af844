"""A format file as a round-trip YAML document: the builder's edits go through it, so that what
it writes keeps the organiser's comments, key order and quoting wherever a value did not change.

ruamel.yaml's round-trip loader builds only maps, lists and scalars (never Python objects), so a
file from anyone is safe to open here; the format's own checks still judge it afterwards.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, MutableMapping
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

Path_ = tuple[str | int, ...]


class DocumentError(ValueError):
    """The text is not a YAML mapping the builder can edit (the text editor still can)."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the organiser's lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def plain(node: Any) -> Any:
    """ruamel's nodes as plain dicts, lists and scalars (for comparing and for forms)."""
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool | int | float) or node is None:
        return node if isinstance(node, bool) or node is None else _number(node)
    return str(node)


def _number(value: int | float) -> int | float:
    return int(value) if isinstance(value, int) else float(value)


class FormatDocument:
    def __init__(self, text: str) -> None:
        try:
            data = _yaml().load(text)
        except YAMLError as error:
            raise DocumentError(str(error).splitlines()[0]) from None
        if not isinstance(data, CommentedMap):
            raise DocumentError("a format is a mapping of keys (id, title, steps…)")
        if not isinstance(data.get("steps"), CommentedSeq):
            raise DocumentError("the format has no list of steps")
        self.root: CommentedMap = data
        self.original = text
        self.dirty = False  # an edit changed something: the file is to be written

    def text(self) -> str:
        out = StringIO()
        _yaml().dump(self.root, out)
        return out.getvalue()

    @property
    def steps(self) -> CommentedSeq:
        steps: CommentedSeq = self.root["steps"]
        return steps

    def get(self, path: Path_) -> Any:
        node: Any = self.root
        for part in path:
            if not _has(node, part) if isinstance(node, Mapping | list) else True:
                return None
            node = node[part]
        return node

    def assign(self, path: Path_, value: Any) -> bool:
        """Set the value at `path` (None removes the key); True if anything changed. Maps and
        lists are updated in place so that their style and comments stay."""
        *parents, key = path
        parent = self.root
        for part in parents:
            child = parent[part] if _has(parent, part) else None
            if child is None:
                if value is None:
                    return False
                child = CommentedMap()
                parent[part] = child
            parent = child
        changed = _assign(parent, key, value)
        self.dirty |= changed
        return changed

    # structure of the agenda

    def step_count(self) -> int:
        return len(self.steps)

    def move_step(self, index: int, delta: int) -> int:
        """Swap a step with its neighbour; the step's new index."""
        target = index + delta
        if not (0 <= index < len(self.steps) and 0 <= target < len(self.steps)):
            return index
        step = self.steps.pop(index)
        self.steps.insert(target, step)
        self.dirty = True
        return target

    def duplicate_step(self, index: int, taken: set[str]) -> int:
        step = copy.deepcopy(self.steps[index])
        if isinstance(step.get("id"), str):
            step["id"] = _free_id(str(step["id"]), taken)
        self.steps.insert(index + 1, step)
        self.dirty = True
        return index + 1

    def delete_step(self, index: int) -> None:
        if 0 <= index < len(self.steps):
            del self.steps[index]
            self.dirty = True

    def insert_step(self, index: int, step: Mapping[str, Any]) -> int:
        index = max(0, min(index, len(self.steps)))
        self.steps.insert(index, _node(step))
        self.dirty = True
        return index


def _has(parent: Any, key: str | int) -> bool:
    if isinstance(parent, Mapping):
        return key in parent
    return isinstance(key, int) and 0 <= key < len(parent)


def _assign(parent: Any, key: str | int, value: Any) -> bool:
    exists = _has(parent, key)
    if value is None:
        if exists and isinstance(parent, MutableMapping):
            del parent[key]
            return True
        return False
    if not exists:
        if isinstance(parent, list):
            parent.append(_node(value))
        else:
            parent[key] = _node(value)
        return True
    old = parent[key]
    if isinstance(old, CommentedMap) and isinstance(value, Mapping):
        changed = False
        for gone in [k for k in old if k not in value]:
            del old[gone]
            changed = True
        for k, v in value.items():
            changed |= _assign(old, k, v)
        return changed
    if isinstance(old, CommentedSeq) and isinstance(value, list):
        changed = len(old) != len(value)
        del old[len(value) :]
        for i, v in enumerate(value):
            changed |= _assign(old, i, v)
        return changed
    if plain(old) == value and type(plain(old)) is type(value):
        return False
    parent[key] = _node(value)
    return True


def _node(value: Any) -> Any:
    """A new value as ruamel nodes; short maps and lists of scalars in flow style, as the
    shipped formats write `{fr: …, en: …}` and `[1, 5]`."""
    if isinstance(value, Mapping):
        node = CommentedMap((k, _node(v)) for k, v in value.items())
        if all(not isinstance(v, Mapping | list) for v in value.values()) and len(value) <= 3:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_node(v) for v in value)
        if all(not isinstance(v, Mapping | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _SPECIAL.search(value):
        # quoted, as the shipped formats write them: YAML readers disagree on such plain texts
        return DoubleQuotedScalarString(value)
    return value


_SPECIAL = re.compile(r"[:?,\[\]{}#&*!|>'\"%@`]|^\s|\s$|^$")


def _free_id(base: str, taken: set[str]) -> str:
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
