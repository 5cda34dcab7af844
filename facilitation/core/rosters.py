"""Rosters of projects, from YAML text or a table's rows, with errors at file:line:column.

Parsing is pure; `facilitation.readers.rosters` reads roster files and splits CSV into rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator

from facilitation.core.formats import (
    SLUG,
    FormatError,
    Model,
    Problem,
    load_located_yaml,
)

# A live event shows every project on the console and the projector: a few hundred is a big
# fair, and a roster far beyond that is a mistake (or an attack) that would stall the console.
MAX_PROJECTS = 500


def _too_many(name: str, found: str) -> RosterError:
    message = f"a roster holds at most {MAX_PROJECTS} projects; this one has {found}"
    return RosterError([Problem(name, 1, 1, message)])


class RosterError(FormatError):
    pass


class Project(Model):
    id: Annotated[str, Field(pattern=SLUG, max_length=64)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    holder: Annotated[str, Field(max_length=200)] = ""
    pitch: Annotated[str, Field(max_length=2000)] = ""
    usage_scenario: Annotated[str, Field(max_length=4000)] = ""
    city: Annotated[str, Field(max_length=200)] = ""
    needs: tuple[str, ...] = ()

    @field_validator("needs", mode="before")
    @classmethod
    def _split_needs(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(n.strip() for n in value.replace(",", ";").split(";") if n.strip())
        return value


Roster = tuple[Project, ...]


def _check_distinct(projects: list[Project], name: str, lines: list[int]) -> None:
    seen: dict[str, int] = {}
    problems = []
    for project, line in zip(projects, lines, strict=True):
        if project.id in seen:
            problems.append(
                Problem(
                    name,
                    line,
                    1,
                    f"project id {project.id!r} is already used on line {seen[project.id]}",
                    ("id",),
                )
            )
        seen.setdefault(project.id, line)
    if problems:
        raise RosterError(problems)


def parse_roster_yaml(text: str, name: str = "<roster>") -> Roster:
    """A list of projects, or a mapping with a `projects:` list."""
    located = load_located_yaml(text, name)
    data = located.data
    base: tuple[str | int, ...] = ()
    if isinstance(data, dict) and "projects" in data:
        data, base = data["projects"], ("projects",)
    if not isinstance(data, list):
        raise RosterError([Problem(name, 1, 1, "a roster is a list of projects (id, title, …)")])
    if len(data) > MAX_PROJECTS:
        raise _too_many(name, str(len(data)))
    projects, lines, problems = [], [], []
    for index, raw in enumerate(data):
        path = (*base, index)
        pos = located.position(path)
        try:
            projects.append(Project.model_validate(raw))
            lines.append(pos.line)
        except ValidationError as error:
            for item in error.errors():
                key_path = (*path, *item["loc"])
                at = located.position(key_path)
                message = _message(item)
                problems.append(Problem(name, at.line, at.column, message, key_path))
    if problems:
        raise RosterError(problems)
    _check_distinct(projects, name, lines)
    return tuple(projects)


def roster_from_rows(
    header: Sequence[str], rows: Iterable[tuple[int, Mapping[Any, Any]]], name: str
) -> Roster:
    """Columns id,title,holder,pitch,needs (needs separated by ';'): the header's names, then
    each row's line number and cells by column name."""
    fields = [f.strip() for f in header]
    for required in ("id", "title"):
        if required not in fields:
            raise RosterError(
                [Problem(name, 1, 1, f"missing column {required!r} (columns: {', '.join(fields)})")]
            )
    projects, lines, problems = [], [], []
    for count, (line, row) in enumerate(rows, 1):
        if count > MAX_PROJECTS:
            raise _too_many(name, "more")
        cleaned = {
            (k or "").strip(): (v or "").strip()
            for k, v in row.items()
            if k is not None and (k or "").strip() in Project.model_fields
        }
        if not any(cleaned.values()):
            continue
        try:
            projects.append(Project.model_validate(cleaned))
            lines.append(line)
        except ValidationError as error:
            for item in error.errors():
                column = fields.index(str(item["loc"][0])) + 1 if item["loc"] else 1
                problems.append(Problem(name, line, column, _message(item), tuple(item["loc"])))
    if problems:
        raise RosterError(problems)
    _check_distinct(projects, name, lines)
    return tuple(projects)


def _message(item: object) -> str:
    assert isinstance(item, dict)
    loc = item["loc"]
    key = loc[-1] if loc else "project"
    if item["type"] == "missing":
        return f"missing required key {key!r}"
    if item["type"] == "extra_forbidden":
        return f"unknown key {key!r} (keys: {', '.join(Project.model_fields)})"
    if item["type"] == "string_pattern_mismatch":
        return f"{item['input']!r} is not a valid id: use lowercase letters, digits, '-' or '_'"
    message = str(item["msg"])
    return message[0].lower() + message[1:]
