"""Format files from disk: read the text, then let the pure parser of `core.formats` judge it.

A file that cannot be read (missing, not UTF-8) is a `FormatError` at its line 1, column 1, so
that the command line and the organiser's library report it like any other problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from facilitation.core.formats import Format, FormatError, Problem, Resolver, parse_format


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FormatError([Problem(str(path), 1, 1, f"not UTF-8 text ({error.reason})")]) from None
    except OSError as error:
        raise FormatError([Problem(str(path), 1, 1, error.strerror or str(error))]) from None


def file_resolver(*folders: Path) -> Resolver:
    """Nested formats are looked for next to the format, then among the shipped ones."""

    def resolve(ref: str) -> tuple[str, str]:
        for folder in folders:
            path = folder / f"{ref}.yaml"
            if path.is_file():
                return read_text(path), str(path)
        raise FormatError([Problem(ref, 1, 1, "no such format file")])

    return resolve


def load_format_file(
    path: str | Path, params: Mapping[str, object] | None = None, *extra: Path
) -> Format:
    path = Path(path)
    return parse_format(read_text(path), str(path), params, file_resolver(path.parent, *extra))
