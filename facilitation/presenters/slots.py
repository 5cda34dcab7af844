"""The projector's clock during meetings: which slot is on, how long it has left, and the
minute after each bell when people change tables."""

from __future__ import annotations

from typing import Any

from facilitation.core.formats import MatchStep
from facilitation.services.live_event import LiveEvent
from facilitation.services.meetings import meeting_start

CHANGE_MS = 60_000  # how long "change tables" stays up after a slot ends


def slot_clock(live: LiveEvent, now: int) -> dict[str, Any] | None:
    """The slot clock on a match step: counted from the format's `start` (the time the agendas
    give), else from when the facilitator started the step's timer; None when neither is
    known. The page counts on by itself from these figures, with the same rule as here."""
    step = live.plan.step(live.stage)
    if not isinstance(step, MatchStep):
        return None
    begins = meeting_start(live)
    timer = live.state.timer
    if begins is not None:
        start_ms = int(begins.timestamp() * 1000)
    elif timer.deadline_ms is not None and timer.duration_ms is not None:
        start_ms = timer.deadline_ms - timer.duration_ms
    else:
        return None
    slot_ms = round(step.slot_minutes * 60_000)  # slot_minutes may be fractional
    elapsed = now - start_ms
    slot = int(min(max(elapsed // slot_ms + 1, 1), step.slots))
    if elapsed < 0:
        phase, ends = "before", start_ms
    elif elapsed >= step.slots * slot_ms:
        phase, ends = "after", start_ms + step.slots * slot_ms
    else:
        ends = start_ms + slot * slot_ms
        change = slot > 1 and elapsed - (slot - 1) * slot_ms < CHANGE_MS
        phase = "change" if change else "slot"
    return {
        "start_ms": start_ms,
        "slot_ms": slot_ms,
        "slots": step.slots,
        "change_ms": CHANGE_MS,
        "slot": int(slot),
        "phase": phase,
        "remaining_ms": max(0, ends - now),
        "server_now_ms": now,
    }
