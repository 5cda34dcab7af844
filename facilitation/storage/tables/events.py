"""Tables `events`, `votes` and `log`: each event, the engine's state, what was done."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from facilitation.core.engine import EventState, Timer, VoteState
from facilitation.storage.rows import EventRow, LogEntry
from facilitation.storage.tables.base import Connection, Row, Tables


def state_to_json(state: EventState) -> str:
    """The state but its votes, which have their own table (ballots check it)."""
    timer = state.timer
    return json.dumps(
        {
            "cursor": state.cursor,
            "reached": state.reached,
            "revision": state.revision,
            "reveals": dict(state.reveals),
            "sound": state.sound,
            "timer": {
                "duration_ms": timer.duration_ms,
                "remaining_ms": timer.remaining_ms,
                "deadline_ms": timer.deadline_ms,
            },
        }
    )


def state_from_json(text: str, votes: Mapping[str, VoteState]) -> EventState:
    data = json.loads(text)
    t = data["timer"]
    return EventState(
        cursor=data["cursor"],
        reached=data.get("reached", data["cursor"]),
        revision=data["revision"],
        timer=Timer(t["duration_ms"], t["remaining_ms"], t["deadline_ms"]),
        votes=dict(votes),
        reveals=data.get("reveals", {}),
        sound=bool(data.get("sound", False)),
    )


def _event(row: Row) -> EventRow:
    return EventRow(
        id=row["id"],
        code=row["code"],
        secret=row["secret"],
        format_id=row["format_id"],
        format_name=row["format_name"],
        format_source=row["format_source"],
        roster=json.loads(row["roster_json"]),
        params=json.loads(row["params_json"]),
        lang=row["lang"],
        seed=row["seed"],
        created_at=row["created_at"],
        nested=json.loads(row["nested_json"]),
    )


# (vote, status, revealed, reopened), read from the state before a write is queued: the
# writer thread is handed plain values only
VoteRow = tuple[str, str, int, int]


def _vote_rows(state: EventState) -> list[VoteRow]:
    return [(vote_id, v.status, int(v.revealed), v.reopened) for vote_id, v in state.votes.items()]


def _write_votes(db: Connection, event_id: int, votes: list[VoteRow]) -> None:
    db.executemany(
        "INSERT INTO votes(event_id, vote_id, status, revealed, reopened)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id, vote_id) DO UPDATE SET"
        " status = excluded.status, revealed = excluded.revealed, reopened = excluded.reopened",
        [(event_id, *vote) for vote in votes],
    )


class EventTables(Tables):
    async def create_event(
        self,
        *,
        code: str,
        secret: str,
        format_id: str,
        format_name: str,
        format_source: str,
        roster: list[dict[str, Any]],
        params: dict[str, Any],
        lang: str,
        seed: int,
        state: EventState,
        now: int,
        nested: Mapping[str, tuple[str, str]] | None = None,
    ) -> EventRow:
        values = (
            code,
            secret,
            format_id,
            format_name,
            format_source,
            json.dumps(roster, ensure_ascii=False),
            json.dumps(params),
            lang,
            seed,
            state_to_json(state),
            now,
            now,
            json.dumps({k: list(v) for k, v in (nested or {}).items()}, ensure_ascii=False),
        )
        votes = _vote_rows(state)

        def unit(db: Connection) -> EventRow:
            row = db.execute(
                "INSERT INTO events(code, secret, format_id, format_name, format_source,"
                " roster_json, params_json, lang, seed, state_json, created_at, updated_at,"
                " nested_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                values,
            ).fetchall()[0]
            event_id = int(row["id"])
            _write_votes(db, event_id, votes)
            self._log(db, event_id, now, "organiser", "create", {"format": format_id})
            return _event(db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone())

        return await self._write(unit)

    def code_exists(self, code: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM events WHERE code = ?", (code,)).fetchone() is not None
        )

    def event_by_code(self, code: str) -> EventRow | None:
        row = self.db.execute("SELECT * FROM events WHERE code = ?", (code.upper(),)).fetchone()
        return _event(row) if row else None

    def latest_event(self, format_id: str, format_name: str) -> EventRow | None:
        row = self.db.execute(
            "SELECT * FROM events WHERE format_id = ? AND format_name = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (format_id, format_name),
        ).fetchone()
        return _event(row) if row else None

    def list_events(self) -> list[EventRow]:
        rows = self.db.execute("SELECT * FROM events ORDER BY created_at DESC, id DESC")
        return [_event(r) for r in rows]

    def load_state(self, event_id: int) -> EventState:
        with self._snapshot() as db:
            row = db.execute("SELECT state_json FROM events WHERE id = ?", (event_id,)).fetchone()
            votes = {
                r["vote_id"]: VoteState(r["status"], bool(r["revealed"]), r["reopened"])
                for r in db.execute(
                    "SELECT vote_id, status, revealed, reopened FROM votes WHERE event_id = ?",
                    (event_id,),
                )
            }
        return state_from_json(row["state_json"], votes)

    async def save_state(
        self,
        event_id: int,
        state: EventState,
        *,
        now: int,
        actor: str,
        action: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        text = state_to_json(state)
        votes = _vote_rows(state)
        entry = dict(detail or {})

        def unit(db: Connection) -> None:
            db.execute(
                "UPDATE events SET state_json = ?, updated_at = ? WHERE id = ?",
                (text, now, event_id),
            )
            _write_votes(db, event_id, votes)
            self._log(db, event_id, now, actor, action, entry)

        await self._write(unit)

    def head_count(self, event_id: int) -> int | None:
        row = self.db.execute("SELECT head_count FROM events WHERE id = ?", (event_id,)).fetchone()
        return None if row is None or row["head_count"] is None else int(row["head_count"])

    async def set_head_count(self, event_id: int, count: int | None, now: int) -> None:
        def unit(db: Connection) -> None:
            db.execute("UPDATE events SET head_count = ? WHERE id = ?", (count, event_id))
            self._log(db, event_id, now, "facilitator", "head_count", {"count": count})

        await self._write(unit)

    def seating_version(self, event_id: int) -> int:
        row = self.db.execute(
            "SELECT seating_version FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        return int(row["seating_version"]) if row else 0

    def log_entries(self, event_id: int) -> list[LogEntry]:
        return [
            {
                "at": r["at"],
                "actor": r["actor"],
                "action": r["action"],
                "detail": json.loads(r["detail_json"]),
            }
            for r in self.db.execute(
                "SELECT at, actor, action, detail_json FROM log WHERE event_id = ? ORDER BY id",
                (event_id,),
            )
        ]
