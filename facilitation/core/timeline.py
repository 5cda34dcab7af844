"""The agenda as it was run: how long each stage really took, from the facilitator's log.

Pure: the log entries (time in ms and the stage each action led to) and the planned stages go
in, the real timings come out. The event starts on stage 0 when it is created; each logged
action that names a stage moves the clock there; the run ends at the last logged action (or
at `end`, e.g. now, for an event still running). A stage visited twice adds both stays up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StageRun:
    index: int
    planned_seconds: int | None
    seconds: float  # total time spent on the stage
    first_entered_ms: int | None
    visits: int

    @property
    def overtime_seconds(self) -> float:
        if self.planned_seconds is None or not self.visits:
            return 0.0
        return max(0.0, self.seconds - self.planned_seconds)


def stage_runs(
    planned: Sequence[int | None],
    log: Sequence[Mapping[str, Any]],
    start_ms: int,
    end_ms: int | None = None,
) -> list[StageRun]:
    """One StageRun per planned stage (in order). `log` entries have `at` (ms) and, for actions
    that changed the stage, `detail["stage"]`."""
    moves = sorted(
        (int(e["at"]), int(e["detail"]["stage"]))
        for e in log
        if isinstance(e.get("detail"), Mapping)
        and isinstance(e["detail"].get("stage"), int)
        and 0 <= e["detail"]["stage"] < len(planned)
    )
    last_ms = max([start_ms, *(int(e["at"]) for e in log)])
    end = max(last_ms, end_ms if end_ms is not None else last_ms)
    spent = [0.0] * len(planned)
    first: list[int | None] = [None] * len(planned)
    visits = [0] * len(planned)
    current, since = 0, start_ms
    if planned:
        first[0], visits[0] = start_ms, 1
    for at, stage in moves:
        at = max(at, since)
        if stage == current:
            continue
        spent[current] += (at - since) / 1000
        current, since = stage, at
        visits[stage] += 1
        if first[stage] is None:
            first[stage] = at
    if planned:
        spent[current] += (end - since) / 1000
    return [
        StageRun(i, planned[i], round(spent[i], 3), first[i], visits[i])
        for i in range(len(planned))
    ]
