"""Read matchmaking inputs from files: rosters (CSV, YAML), wishes (CSV), a tag vocabulary.

Every problem is reported as `FILE:LINE: message` (LINE counts from 1, the header included), and
all problems of a file are collected before raising, so that one run shows everything to fix.

PARTICIPANTS.csv columns: id, name, role, organisation, offers, needs, available_slots, and
optionally min_meetings, max_meetings. Lists are `;`-separated (or `,`-separated when the file
itself uses `;` between columns, as spreadsheets set to French do). Role `partner` is the
offering side; `participant`, `holder` and an empty role are the side that needs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from facilitation.core.inputs import whole_number
from facilitation.core.matchmaking import WISH_LEVELS, Profile, Side, Wish, wish_level
from facilitation.readers import tables

OFFER_ROLES = frozenset({"partner"})
NEED_ROLES = frozenset({"participant", "holder", ""})
REQUIRED_COLUMNS = ("id", "name")
WISH_COLUMNS = ("from", "to", "level")
# Past this many problems the rest of a file is noise.
_MAX_PROBLEMS = 20


class MatchFileError(Exception):
    """Problems in an input file, one `FILE:LINE: message` each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass
class _Problems:
    name: str
    found: list[str]
    more: int = 0

    def add(self, line: int, message: str) -> None:
        if len(self.found) < _MAX_PROBLEMS:
            self.found.append(f"{self.name}:{line}: {message}")
        else:
            self.more += 1

    def raise_any(self) -> None:
        if self.more:
            self.found.append(f"{self.name}: {self.more} more problems not shown")
        if self.found:
            raise MatchFileError(self.found)


def _read_text(path: str | Path) -> str:
    try:
        return tables.read_text(path)
    except UnicodeDecodeError as error:
        raise MatchFileError([f"{path}:1: not UTF-8 text ({error.reason})"]) from None
    except OSError as error:
        raise MatchFileError([f"{path}:1: cannot read: {error.strerror or error}"]) from None


def _split(value: str, separator: str) -> list[str]:
    return [item.strip() for item in value.split(separator) if item.strip()]


def read_participants_csv(
    path: str | Path, *, slots: int | None = None, tags: Collection[str] | None = None
) -> list[Profile]:
    """Profiles from a roster CSV; `slots` and `tags` check slot numbers and tag ids."""
    name = str(path)
    rows, delimiter = tables.rows(_read_text(path))
    problems = _Problems(name, [])
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise MatchFileError([f"{name}:1: empty file (expected a header: id,name,role,...)"])
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise MatchFileError([f"{name}:1: missing column {', '.join(missing)}"])
    column = {c: i for i, c in enumerate(header)}
    separator = "," if delimiter == ";" else ";"
    seen: dict[str, int] = {}
    profiles: list[Profile] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.add(line, f"{len(row)} fields but the header has {len(header)}")
            continue

        def cell(key: str, row: list[str] = row) -> str:
            i = column.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        pid = cell("id")
        if not pid:
            problems.add(line, "empty id")
            continue
        if pid in seen:
            problems.add(line, f"duplicate id {pid!r} (first on line {seen[pid]})")
            continue
        seen[pid] = line
        role = cell("role").lower()
        side: Side
        if role in OFFER_ROLES:
            side = "offer"
        elif role in NEED_ROLES:
            side = "need"
        else:
            known = ", ".join(sorted(OFFER_ROLES | NEED_ROLES - {""}))
            problems.add(line, f"unknown role {role!r} (expected one of {known})")
            continue
        offers = _split(cell("offers"), separator)
        needs = _split(cell("needs"), separator)
        for tag in offers + needs:
            if tags is not None and tag not in tags:
                problems.add(line, f"unknown tag {tag!r}")
        available = _slot_numbers(cell("available_slots"), separator, slots, line, problems)
        limits = [
            _count(cell(key), key, line, problems) for key in ("min_meetings", "max_meetings")
        ]
        low, high = limits
        if low is not None and high is not None and low > high:
            problems.add(line, f"min_meetings {low} is above max_meetings {high}")
        profiles.append(
            Profile(
                id=pid,
                name=cell("name") or pid,
                side=side,
                organisation=cell("organisation"),
                offers=frozenset(offers),
                needs=frozenset(needs),
                available_slots=frozenset(available),
                min_meetings=low,
                max_meetings=high,
            )
        )
    problems.raise_any()
    return profiles


def _slot_numbers(
    value: str, separator: str, slots: int | None, line: int, problems: _Problems
) -> list[int]:
    numbers: list[int] = []
    outside: list[str] = []
    for item in _split(value.replace(";", separator).replace(",", separator), separator):
        number = whole_number(item)
        if number is None:
            problems.add(line, f"slot {item!r} is not a number")
        elif slots is not None and not 1 <= number <= slots:
            outside.append(item)
        else:
            numbers.append(number)
    if outside:
        which = f"slot {outside[0]} is" if len(outside) == 1 else f"slots {', '.join(outside)} are"
        problems.add(line, f"{which} outside 1–{slots} (--slots {slots})")
    return numbers


def _count(value: str, key: str, line: int, problems: _Problems) -> int | None:
    if not value:
        return None
    number = whole_number(value)
    if number is None:
        problems.add(line, f"{key} {value!r} is not a whole number")
    return number


def read_profiles_yaml(
    path: str | Path,
    side: Side,
    *,
    slots: int | None = None,
    tags: Collection[str] | None = None,
) -> list[Profile]:
    """Profiles from a YAML list like partners.yaml or projects.yaml.

    Each item needs `id` and `name` (or `title`); `organisation`, `offers`, `needs`,
    `available_slots`, `min_meetings`, `max_meetings` are optional; other keys are ignored.
    """
    name = str(path)
    text = _read_text(path)
    problems = _Problems(name, [])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise MatchFileError(
            [f"{name}:{line}: invalid YAML: {getattr(error, 'problem', error)}"]
        ) from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise MatchFileError([f"{name}:{root.start_mark.line + 1}: expected a list of profiles"])
    data = yaml.safe_load(text)
    profiles: list[Profile] = []
    seen: dict[str, int] = {}
    for node, item in zip(root.value, data, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.add(line, "expected a mapping with id and name")
            continue
        pid = _text(item.get("id"))
        label = _text(item.get("name")) or _text(item.get("title"))
        if not pid:
            problems.add(line, "missing id")
            continue
        if pid in seen:
            problems.add(line, f"duplicate id {pid!r} (first on line {seen[pid]})")
            continue
        seen[pid] = line
        offers = _tag_list(item.get("offers"), "offers", line, problems, tags)
        needs = _tag_list(item.get("needs"), "needs", line, problems, tags)
        available = _yaml_slots(item.get("available_slots"), slots, line, problems)
        limits = [
            _yaml_count(item.get(key), key, line, problems)
            for key in ("min_meetings", "max_meetings")
        ]
        profiles.append(
            Profile(
                id=pid,
                name=label or pid,
                side=side,
                organisation=_text(item.get("organisation")),
                offers=frozenset(offers),
                needs=frozenset(needs),
                available_slots=frozenset(available),
                min_meetings=limits[0],
                max_meetings=limits[1],
            )
        )
    problems.raise_any()
    return profiles


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _tag_list(
    value: Any, key: str, line: int, problems: _Problems, tags: Collection[str] | None
) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = _split(value, ";" if ";" in value else ",")
    if not isinstance(value, list):
        problems.add(line, f"{key} must be a list of tag ids")
        return []
    found = [_text(v) for v in value if _text(v)]
    for tag in found:
        if tags is not None and tag not in tags:
            problems.add(line, f"unknown tag {tag!r}")
    return found


def _yaml_slots(value: Any, slots: int | None, line: int, problems: _Problems) -> list[int]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    numbers: list[int] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            problems.add(line, f"slot {item!r} is not a number")
        elif slots is not None and not 1 <= item <= slots:
            problems.add(line, f"slot {item} is outside 1–{slots}")
        else:
            numbers.append(item)
    return numbers


def _yaml_count(value: Any, key: str, line: int, problems: _Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.add(line, f"{key} must be a whole number")
        return None
    return value


def read_wishes_csv(path: str | Path, known: Collection[str]) -> list[Wish]:
    """Wishes `from,to,level` with level must, want or no; ids must be in `known`."""
    name = str(path)
    rows, _ = tables.rows(_read_text(path))
    problems = _Problems(name, [])
    if not rows:
        raise MatchFileError([f"{name}:1: empty file (expected a header: from,to,level)"])
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [c for c in WISH_COLUMNS if c not in header]
    if missing:
        raise MatchFileError([f"{name}:1: missing column {', '.join(missing)}"])
    column = {c: header.index(c) for c in WISH_COLUMNS}
    seen: dict[tuple[str, str], int] = {}
    wishes: list[Wish] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {c: row[i].strip() if i < len(row) else "" for c, i in column.items()}
        source, target, level = values["from"], values["to"], values["level"].lower()
        bad = False
        for key, person in (("from", source), ("to", target)):
            if person not in known:
                problems.add(line, f"unknown participant {person!r} in column {key}")
                bad = True
        if level not in WISH_LEVELS:
            expected = ", ".join(WISH_LEVELS)
            problems.add(line, f"level must be one of {expected} (got {values['level']!r})")
            bad = True
        if not bad and source == target:
            problems.add(line, f"{source} cannot wish to meet themselves")
            bad = True
        if not bad and (source, target) in seen:
            first = seen[(source, target)]
            problems.add(line, f"second wish from {source} to {target} (first on line {first})")
            bad = True
        if bad:
            continue
        seen[(source, target)] = line
        wishes.append(Wish(source, target, wish_level(level)))
    problems.raise_any()
    return wishes


def read_tags_yaml(path: str | Path) -> list[str]:
    """Tag ids from a vocabulary like tags.yaml (a list of mappings with `id`)."""
    name = str(path)
    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as error:
        raise MatchFileError([f"{name}:1: invalid YAML: {error}"]) from None
    if not isinstance(data, list):
        raise MatchFileError([f"{name}:1: expected a list of tags"])
    found: list[str] = []
    for item in data:
        tag = _text(item.get("id")) if isinstance(item, dict) else _text(item)
        if tag:
            found.append(tag)
    return found


def merge_profiles(groups: Iterable[tuple[str, Sequence[Profile]]]) -> list[Profile]:
    """All profiles of several files, refusing an id used in two of them."""
    owner: dict[str, str] = {}
    merged: list[Profile] = []
    problems: list[str] = []
    for name, profiles in groups:
        for p in profiles:
            if p.id in owner:
                problems.append(f"{name}:1: id {p.id!r} is also used in {owner[p.id]}")
                continue
            owner[p.id] = name
            merged.append(p)
    if problems:
        raise MatchFileError(problems[:_MAX_PROBLEMS])
    return merged
