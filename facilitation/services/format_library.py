"""The organiser's library of formats: the shipped ones (read-only) and the organiser's own
copies (editable), each parsed with the same checks as `facilitation check`.

Parsing runs on a worker thread (`asyncio.to_thread`): a format is the organiser's file, and
however bounded its parsing is, the room's phones are not kept waiting while it runs.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facilitation.core.formats import Format, FormatError, Problem, Resolver, parse_format
from facilitation.readers.formats import file_resolver, read_text

MAX_FORMAT_BYTES = 256 * 1024
MAX_VERSIONS = 100  # versions kept per copy, newest first
HISTORY = ".history"  # under the copies' folder: one numbered file per earlier version


@dataclass(frozen=True)
class Version:
    number: int
    path: Path
    saved: float  # when it was replaced (the file's modification time), for the history list


@dataclass(frozen=True)
class LibraryFormat:
    name: str  # file stem, used in URLs and forms
    path: Path
    own: bool  # the organiser's copy (editable) rather than a shipped one
    format: Format | None
    problems: tuple[Problem, ...] = ()


class FormatLibrary:
    def __init__(self, shipped: Path, own: Path) -> None:
        self.shipped = shipped
        self.own = own

    async def entries(self) -> list[LibraryFormat]:
        """Shipped formats, then the organiser's own (which may hold errors while edited)."""
        return await asyncio.to_thread(self._entries)

    def _entries(self) -> list[LibraryFormat]:
        found = []
        for folder, is_own in ((self.shipped, False), (self.own, True)):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.yaml")):
                try:
                    found.append(LibraryFormat(path.stem, path, is_own, self._parse(path)))
                except FormatError as error:
                    if is_own:
                        found.append(LibraryFormat(path.stem, path, True, None, error.problems))
        return found

    async def find(self, name: str) -> LibraryFormat | None:
        return next((f for f in await self.entries() if f.name == name), None)

    def source(self, entry: LibraryFormat) -> str:
        return read_text(entry.path)

    async def parse(self, path: Path, params: dict[str, Any] | None = None) -> Format:
        """The format in `path` with these parameters; FormatError says what is wrong."""
        return await asyncio.to_thread(self._parse, path, params)

    def _parse(self, path: Path, params: dict[str, Any] | None = None) -> Format:
        return parse_format(read_text(path), str(path), params, self.resolver(path))

    def resolver(self, path: Path) -> Resolver:
        """How formats nested in `path` (`use:` steps) are found: beside it, then shipped."""
        return file_resolver(path.parent, self.shipped)

    def copy(self, entry: LibraryFormat) -> str:
        """Duplicate a format into the organiser's folder with its own id; the copy's name."""
        self.own.mkdir(parents=True, exist_ok=True)
        name = self._unique_name(entry.name)
        # a copy is a new format: its id changes, so events say which one they ran
        text = re.sub(r"(?m)^id:\s*\S+", f"id: {name}", read_text(entry.path), count=1)
        self._write(self.own / f"{name}.yaml", text)
        return name

    async def save(self, entry: LibraryFormat, text: str, *, check_only: bool) -> list[Problem]:
        """Check an edited copy like `facilitation check`; write it if it passes (and unless
        only a check was asked). The problems found, none when it passed."""
        return await asyncio.to_thread(self._save, entry, text, check_only)

    def _save(self, entry: LibraryFormat, text: str, check_only: bool) -> list[Problem]:
        if not entry.own:
            return [Problem(entry.path.name, 1, 1, "shipped formats cannot be changed: copy it")]
        if len(text.encode()) > MAX_FORMAT_BYTES:
            return [Problem(entry.path.name, 1, 1, "the format is empty or too large")]
        text = text.replace("\r\n", "\n")
        try:
            parse_format(text, entry.path.name, None, self.resolver(entry.path))
        except FormatError as error:
            return list(error.problems)
        if not check_only:
            self._write(entry.path, text)
        return []

    def _write(self, path: Path, text: str) -> None:
        """Write a copy, keeping what it held as the next numbered version of its history."""
        if path.exists():
            previous = read_text(path)
            if previous == text:
                return
            folder = self._history_dir(path.stem)
            folder.mkdir(parents=True, exist_ok=True)
            number = max((v.number for v in self._versions(path.stem)), default=0) + 1
            (folder / f"{number:04d}.yaml").write_text(previous, encoding="utf-8")
            for old in self._versions(path.stem)[MAX_VERSIONS:]:
                old.path.unlink(missing_ok=True)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a file

    def _history_dir(self, name: str) -> Path:
        return self.own / HISTORY / name

    def _versions(self, name: str) -> list[Version]:
        folder = self._history_dir(name)
        found = []
        for path in folder.glob("*.yaml") if folder.is_dir() else ():
            if path.stem.isdigit():
                found.append(Version(int(path.stem), path, path.stat().st_mtime))
        return sorted(found, key=lambda v: v.number, reverse=True)

    async def versions(self, entry: LibraryFormat) -> list[Version]:
        """Earlier versions of a copy, newest first."""
        return await asyncio.to_thread(self._versions, entry.name)

    def version_text(self, entry: LibraryFormat, number: int) -> str | None:
        version = next((v for v in self._versions(entry.name) if v.number == number), None)
        return read_text(version.path) if version else None

    async def write(self, entry: LibraryFormat, text: str) -> list[Problem]:
        """Save an edited copy (the builder's, or an earlier version brought back)."""
        return await self.save(entry, text, check_only=False)

    async def import_file(self, filename: str, data: bytes) -> tuple[str | None, list[Problem]]:
        """Add another organiser's file to the copies, once it passes the checks; its name."""
        return await asyncio.to_thread(self._import, filename, data)

    def _import(self, filename: str, data: bytes) -> tuple[str | None, list[Problem]]:
        shown = Path(filename).name or "format.yaml"
        if not data or len(data) > MAX_FORMAT_BYTES:
            return None, [Problem(shown, 1, 1, "the file is empty or larger than 256 KB")]
        try:
            text = data.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError as error:
            return None, [Problem(shown, 1, 1, f"not UTF-8 text ({error.reason})")]
        try:
            fmt = parse_format(text, shown, None, file_resolver(self.own, self.shipped))
        except FormatError as error:
            return None, list(error.problems)
        self.own.mkdir(parents=True, exist_ok=True)
        name = self._free_name(fmt.id)
        if name != fmt.id:
            text = re.sub(r"(?m)^id:\s*\S+", f"id: {name}", text, count=1)
        self._write(self.own / f"{name}.yaml", text)
        return name, []

    def _free_name(self, base: str) -> str:
        name, n = base, 1
        while any((f / f"{name}.yaml").exists() for f in (self.shipped, self.own)):
            n += 1
            name = f"{base}-{n}"
        return name

    def _unique_name(self, base: str) -> str:
        stem = re.sub(r"[^a-z0-9_-]+", "-", base.lower()).strip("-") or "format"
        name, n = f"{stem}-copy", 1
        while any((f / f"{name}.yaml").exists() for f in (self.shipped, self.own)):
            n += 1
            name = f"{stem}-copy-{n}"
        return name
