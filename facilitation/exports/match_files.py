"""Every file of a matchmaking draft written at once, as `facilitation match` does.

The files are independent once the draft is made, so on a machine with two cores they are
written by two processes: this one and a fork of it, which shares the draft without copying
it. At 25,000 meetings that takes the files from 1.18 to 0.77 s (the two measured one after
the other). Elsewhere (one core, or no `fork`: macOS and Windows) they are written one after
the other, with the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from facilitation.core.matchmaking import Draft
from facilitation.exports import calendars, printed, schedules


@dataclass(frozen=True)
class MatchFiles:
    """Where each file goes; None: not written."""

    csv: Path | None = None
    xlsx: Path | None = None
    json: Path | None = None
    html: Path | None = None
    calendars: Path | None = None  # a folder: one .ics per person


@dataclass(frozen=True)
class _Job:
    write: Callable[[], None]
    cost: float  # relative, measured at 25,000 meetings
    needs: frozenset[str] = frozenset()  # what it shares with other files of the draft


def write_match_files(
    draft: Draft,
    files: MatchFiles,
    start: datetime | None,
    slot_length: timedelta,
    *,
    title: str = "",
    event_id: str = "",
    style: str = "",
    stamp: datetime | None = None,
    processes: int | None = None,
) -> None:
    """Write the files asked for. `processes` None: two when the machine has two cores and
    can fork. Raises OSError naming the file that could not be written (calendars need
    `start`: without it they are not written)."""
    units = _units(draft, files, start, slot_length, title, event_id, style, stamp)
    if processes is None:
        processes = default_processes()
    if processes < 2 or len(units) < 2:
        for unit in units:
            _run(unit)
        return
    mine, theirs = _two_groups(units)
    _run_forked(theirs, mine)


def _units(
    draft: Draft,
    files: MatchFiles,
    start: datetime | None,
    slot_length: timedelta,
    title: str,
    event_id: str,
    style: str,
    stamp: datetime | None,
) -> list[list[_Job]]:
    """The jobs, grouped where they must stay in one process: the CSV and the XLSX share
    their rows of meetings."""
    both = frozenset({"reasons", "statistics"})
    sheets: list[_Job] = []
    units: list[list[_Job]] = [sheets]
    if files.csv is not None:
        table = partial(schedules.meetings_csv, draft, start, slot_length)
        sheets.append(_Job(partial(_write, files.csv, table), 2.0, frozenset({"reasons"})))
    if files.xlsx is not None:
        book = partial(schedules.meetings_xlsx, draft, start, slot_length)
        sheets.append(_Job(partial(_write, files.xlsx, book), 3.0, both))
    if files.json is not None:
        text = partial(schedules.draft_json, draft, start, slot_length)
        units.append([_Job(partial(_write, files.json, text), 2.3, both)])
    if files.html is not None:
        page = partial(printed.schedules_html, draft, start, slot_length, title=title, style=style)
        units.append([_Job(partial(_write, files.html, page), 1.2)])
    if files.calendars is not None and start is not None:
        by_person = partial(
            calendars.schedules_ics,
            draft,
            start,
            slot_length,
            event_id=event_id,
            title=title,
            stamp=stamp,
        )
        units.append([_Job(partial(_write_calendars, files.calendars, by_person), 3.5)])
    return [unit for unit in units if unit]


def _write_calendars(folder: Path, make: Callable[[], dict[str, bytes]]) -> None:
    """One file per person, named after their id."""
    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for person, data in make().items():
        # Ids come from a spreadsheet: keep file names portable and distinct.
        name = re.sub(r"[^A-Za-z0-9._-]", "_", person).lstrip(".") or "person"
        if name.lower() in used:
            name += "-" + hashlib.sha256(person.encode()).hexdigest()[:8]
        used.add(name.lower())
        (folder / f"{name}.ics").write_bytes(data)


def _write(path: Path, make: Callable[[], str | bytes]) -> None:
    data = make()
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def _run(unit: Sequence[_Job]) -> None:
    for job in unit:
        job.write()


def _two_groups(units: list[list[_Job]]) -> tuple[list[list[_Job]], list[list[_Job]]]:
    """Units that read the same parts of the draft (the reasons, the statistics) kept in one
    group, which makes those parts once; then the longest first, each to the lighter group.
    Making the shared parts before the fork instead, for both groups, ran them while nothing
    else did: all the files at 25,000 meetings took 0.96 to 1.0 s that way, 0.77 to 0.79 s
    now."""
    merged: list[list[_Job]] = []
    for unit in units:
        needs = {n for j in unit for n in j.needs}
        sharing = next((m for m in merged if needs & {n for j in m for n in j.needs}), None)
        if sharing is None:
            merged.append(list(unit))
        else:
            sharing.extend(unit)
    groups: tuple[list[list[_Job]], list[list[_Job]]] = ([], [])
    load = [0.0, 0.0]
    for unit in sorted(merged, key=lambda u: -sum(j.cost for j in u)):
        lighter = 0 if load[0] <= load[1] else 1
        groups[lighter].append(unit)
        load[lighter] += sum(j.cost for j in unit)
    return groups


def default_processes() -> int:
    """Two where the machine has two cores and can fork safely, else one."""
    # macOS can fork but its system libraries are not safe in a forked child
    can_fork = hasattr(os, "fork") and sys.platform.startswith("linux")
    return 2 if can_fork and len(os.sched_getaffinity(0)) > 1 else 1


def _run_forked(theirs: list[list[_Job]], mine: list[list[_Job]]) -> None:
    """Run `theirs` in a forked child while this process runs `mine`; an error of either
    is raised here (the child's sent back pickled), after the child has ended."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        status = 0
        try:
            os.close(read)
            for unit in theirs:
                _run(unit)
        except BaseException as error:
            status = 1
            _send(write, error)
        finally:
            os._exit(status)
    os.close(write)
    try:
        for unit in mine:
            _run(unit)
    finally:
        with os.fdopen(read, "rb") as answer:
            sent = answer.read()
        _, status = os.waitpid(pid, 0)
    if sent:
        failure: BaseException = pickle.loads(sent)  # noqa: S301 - our own child's, via our pipe
        raise failure
    if status != 0:
        raise RuntimeError(f"writing the files stopped (child status {status})")


def _send(fd: int, error: BaseException) -> None:  # pragma: no cover - runs in the child
    try:
        data = pickle.dumps(error)
    except Exception:  # an error whose arguments do not pickle still says what it was
        data = pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))
    with os.fdopen(fd, "wb") as out:
        out.write(data)
