"""YAML with positions: plain data, plus the line and column of every key and value, so that
any error found later can point at the place it comes from."""

from __future__ import annotations

import unicodedata
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


# Bounds on what a format file may make the server build. A 404-byte file of nested aliases
# (*a) once expanded to millions of values (15 s, 300 MB): aliases share one node when
# composed, but building plain data copies it at every use. Real formats stay far below these.
MAX_YAML_CHARS = 1024 * 1024
MAX_YAML_VALUES = 100_000
MAX_ALIAS_USES = 1_000
MAX_YAML_DEPTH = 64


def load_located_yaml(text: str, name: str) -> Located:
    """Parse YAML keeping positions. Everything YAML refuses or cannot build (a syntax error, a
    character it does not allow, an unknown tag, a value its tag cannot read), what formats
    refuse (duplicate keys, merge keys) and a file over the bounds above is a problem at its
    line and column."""
    if len(text) > MAX_YAML_CHARS:
        raise FormatError([Problem(name, 1, 1, f"the file is over {MAX_YAML_CHARS} characters")])
    root = _compose(text, name)
    located = Located(None, {}, {})
    if root is None:
        raise FormatError([Problem(name, 1, 1, "the file is empty")])
    constructor = yaml.SafeLoader("")
    problems: list[Problem] = []
    built: set[int] = set()
    counts = {"values": 0, "aliases": 0}

    def bounded(node: yaml.Node, path: Path_) -> None:
        """Stops at the first value over a bound, where it is (the rest is not built)."""
        counts["values"] += 1
        if id(node) in built:
            counts["aliases"] += 1
        built.add(id(node))
        if counts["aliases"] > MAX_ALIAS_USES:
            message = f"too many uses of aliases (*): at most {MAX_ALIAS_USES}"
        elif counts["values"] > MAX_YAML_VALUES:
            message = f"too many values: at most {MAX_YAML_VALUES}"
        elif len(path) > MAX_YAML_DEPTH:
            message = f"nested too deeply: at most {MAX_YAML_DEPTH} levels"
        else:
            return
        raise FormatError([Problem(name, *_pos(node), message, path)])

    def known(node: yaml.Node, path: Path_) -> bool:
        if node.tag in constructor.yaml_constructors:
            return True
        problems.append(Problem(name, *_pos(node), _unknown_tag(node.tag), path))
        return False

    def construct(node: yaml.Node, path: Path_) -> Any:
        """The scalar as plain data, else a problem (rather than pyyaml's traceback)."""
        if not known(node, path):
            return _UNREADABLE
        try:
            return constructor.construct_object(node, deep=True)
        except _CANNOT_CONSTRUCT as error:
            problems.append(Problem(name, *_pos(node), _unreadable(node, error), path))
            return _UNREADABLE

    def build(node: yaml.Node, path: Path_, inside: frozenset[int]) -> Any:
        bounded(node, path)
        located.values[path] = _mark(node)
        if id(node) in inside:
            problems.append(Problem(name, *_pos(node), "an alias (*) is inside its anchor", path))
            return _UNREADABLE
        inside |= {id(node)}
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value if known(node, path) else ():
                if key_node.tag == "tag:yaml.org,2002:merge":
                    problems.append(
                        Problem(name, *_pos(key_node), "YAML merge keys (<<) are not supported")
                    )
                    continue
                key = construct(key_node, path)
                if key is _UNREADABLE:
                    continue
                if not isinstance(key, str):
                    key = str(key)
                if key in out:
                    problems.append(
                        Problem(name, *_pos(key_node), f"duplicate key {key!r}", (*path, key))
                    )
                    continue
                located.keys[(*path, key)] = _mark(key_node)
                out[key] = build(value_node, (*path, key), inside)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = node.value if known(node, path) else ()
            return [build(item, (*path, i), inside) for i, item in enumerate(items)]
        return construct(node, path)

    try:
        located.data = build(root, (), frozenset())
    except RecursionError:
        raise FormatError([Problem(name, 1, 1, "the YAML is nested too deeply")]) from None
    if problems:
        raise FormatError(problems)
    return located


def _compose(text: str, name: str) -> yaml.Node | None:
    """The YAML node tree; pyyaml reports refused characters by offset and other errors by mark,
    both become a problem at a line and column."""
    bad = _NOT_IN_YAML.search(text)
    if bad is not None:
        raise FormatError([_refused_character(text, name, bad.start())])
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = error.problem or str(error)
        raise FormatError([Problem(name, line, column, f"YAML syntax error: {message}")]) from None
    except RecursionError:
        raise FormatError([Problem(name, 1, 1, "the YAML is nested too deeply")]) from None
    except yaml.YAMLError as error:
        raise FormatError([Problem(name, 1, 1, f"YAML error: {error}")]) from None


# The characters YAML does not allow anywhere in a document (pyyaml's own rule).
_NOT_IN_YAML = yaml.reader.Reader.NON_PRINTABLE

# Stands for a value that could not be built: the problem is recorded, the data is not used.
_UNREADABLE = object()

# pyyaml's constructors raise whatever converting the text raises (int("x"), a 13th month,
# a bool table lookup), as well as their own ConstructorError.
_CANNOT_CONSTRUCT = (yaml.YAMLError, ValueError, LookupError, TypeError, ArithmeticError)


def _refused_character(text: str, name: str, index: int) -> Problem:
    char = text[index]
    # The same text with such characters blanked out gives the lines, columns and keys that
    # pyyaml would have given had it accepted them.
    blanked = _NOT_IN_YAML.sub(" ", text)
    reader = yaml.reader.Reader(blanked)
    reader.forward(index)
    mark = reader.get_mark()
    try:
        root = yaml.compose(blanked, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        root = None
    path = _path_at(root, index, mark.line) if root is not None else ()
    code = f"U+{ord(char):04X}"
    if char == "\0":
        message = f"a NUL character ({code}) is not allowed in YAML: is this a text file?"
    elif unicodedata.category(char) == "Cc":
        message = f"control character {code} is not allowed in YAML: delete it"
    else:
        message = f"character {code} is not allowed in YAML: delete it"
    return Problem(name, mark.line + 1, mark.column + 1, message, path)


def _path_at(node: yaml.Node, index: int, line: int) -> Path_:
    """The path of the innermost value at `index`, or that ends on its line before it (a key's
    parent, for a character in a key)."""
    path: list[str | int] = []
    while True:
        children: list[tuple[str | int, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            children = [(str(k.value), v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
        elif isinstance(node, yaml.SequenceNode):
            children = list(enumerate(node.value))
        at = [(part, child) for part, child in children if _holds(child, index, line)]
        if not at:
            return tuple(path)
        part, node = at[-1]
        path.append(part)


def _holds(node: yaml.Node, index: int, line: int) -> bool:
    start, end = node.start_mark, node.end_mark
    if start.index > index:
        return False
    return index < end.index or (isinstance(node, yaml.ScalarNode) and end.line == line)


def _unknown_tag(tag: str) -> str:
    return (
        f"unknown YAML tag {_short(tag)!r}: remove it, "
        "or quote the value if the '!' is part of the text"
    )


def _unreadable(node: yaml.Node, error: Exception) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        reason = error.problem
    else:
        # a failed lookup only repeats the value
        reason = None if isinstance(error, LookupError) else str(error)
    why = f" ({reason})" if reason else ""
    return f"YAML cannot read {node.value!r} as {_short(node.tag)}{why}; quote it if it is a text"


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _mark(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _pos(node: yaml.Node) -> tuple[int, int]:
    mark = _mark(node)
    return mark.line, mark.column
