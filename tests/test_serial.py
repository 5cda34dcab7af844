"""Requests about one event that write what they computed from a read do not interleave.

A storage write is awaited, so two requests arriving together would both read before either
wrote, and the second write would undo the first. Each test sends such requests at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from facilitation.core.engine import Action
from facilitation.services.events import Events
from facilitation.services.participants import Participants
from facilitation.services.seating import Seating
from facilitation.storage.sqlite import Storage

STEPS = """\
format: 1
id: serial-test
version: 1.0.0
title: Serial
roles: [facilitator, participant]
steps:
  - id: topics
    kind: groups
    mode: self
    size: 3
    choices: [{id: food, label: Food}, {id: mobility, label: Mobility}]
  - {id: one, kind: info, title: One}
  - {id: two, kind: info, title: Two}
"""


async def test_two_steps_on_at_once_move_the_event_two_steps(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    events = Events(storage)
    live = await events.create(format_source=STEPS, format_name="s.yaml", roster=(), params={})
    await asyncio.gather(events.act(live, Action("next")), events.act(live, Action("next")))
    assert (live.state.cursor, live.state.revision) == (2, 2)
    assert storage.load_state(live.id) == live.state
    assert [e["detail"]["stage"] for e in storage.log_entries(live.id)[1:]] == [1, 2]
    storage.close()


async def test_choices_made_at_once_are_all_kept(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    live = await Events(storage).create(
        format_source=STEPS, format_name="s.yaml", roster=(), params={}
    )
    people = [await Participants(storage).join(live) for _ in range(12)]
    seating = Seating(storage)
    topics = ["food", "mobility"]
    await asyncio.gather(*(seating.choose(live, p, topics[n % 2]) for n, p in enumerate(people)))
    chosen = storage.seating(live.id, "topics", -1)
    assert chosen == {str(p.id): topics[n % 2] for n, p in enumerate(people)}
    storage.close()
