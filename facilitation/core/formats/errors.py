"""Problems at a place of a format file (file:line:column, and the key), and the error
that carries them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    message: str
    path: Path_ = ()

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        key = f" ({render_path(self.path)})" if self.path else ""
        return f"{where}: {self.message}{key}"


def render_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class FormatError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(p.render() for p in problems))
        self.problems = tuple(problems)


class At(ValueError):
    """A check across steps that fails at a known place of the file (steps, 3, 'groups')."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
