"""YAML with positions: plain data, plus the line and column of every key and value, so that
any error found later can point at the place it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from facilitation.core.formats.errors import FormatError, Path_, Problem


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class Located:
    """Plain data from YAML, plus the position of every key and value by path."""

    data: Any
    keys: dict[Path_, Position]
    values: dict[Path_, Position]

    def position(self, path: Path_) -> Position:
        """The best position for an error at `path`: the key if present, else the nearest parent."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return Position(1, 1)


def _mark(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def load_located_yaml(text: str, name: str) -> Located:
    """Parse YAML keeping positions; duplicate keys and non-string keys are errors."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = error.problem or str(error)
        raise FormatError([Problem(name, line, column, f"YAML syntax error: {message}")]) from None
    located = Located(None, {}, {})
    if root is None:
        raise FormatError([Problem(name, 1, 1, "the file is empty")])
    constructor = yaml.SafeLoader("")
    problems: list[Problem] = []

    def build(node: yaml.Node, path: Path_) -> Any:
        located.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = constructor.construct_object(key_node, deep=True)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    problems.append(
                        Problem(name, *_pos(key_node), "YAML merge keys (<<) are not supported")
                    )
                    continue
                if not isinstance(key, str):
                    key = str(key)
                if key in out:
                    problems.append(
                        Problem(name, *_pos(key_node), f"duplicate key {key!r}", (*path, key))
                    )
                    continue
                located.keys[(*path, key)] = _mark(key_node)
                out[key] = build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(node.value)]
        return constructor.construct_object(node, deep=True)

    located.data = build(root, ())
    if problems:
        raise FormatError(problems)
    return located


def _pos(node: yaml.Node) -> tuple[int, int]:
    mark = _mark(node)
    return mark.line, mark.column
