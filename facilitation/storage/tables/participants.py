"""Table `participants`: phones that joined, and the people the organiser invited."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.storage.protocol import StorageError
from facilitation.storage.rows import ParticipantRow
from facilitation.storage.tables.base import Connection, Row, Tables


def _participant(row: Row) -> ParticipantRow:
    return ParticipantRow(
        row["id"],
        row["event_id"],
        row["token"],
        row["name"],
        row["role"],
        row["project_id"],
        bool(row["invited"]),
        json.loads(row["profile_json"]),
        bool(row["ticket"]),
        row["origin"],
        row["created_at"],
    )


class ParticipantTables(Tables):
    def participant_by_token(self, event_id: int, token: str) -> ParticipantRow | None:
        row = self.db.execute(
            "SELECT * FROM participants WHERE event_id = ? AND token = ?", (event_id, token)
        ).fetchone()
        return _participant(row) if row else None

    async def add_participant(
        self, event_id: int, token: str, now: int, origin: str | None = None
    ) -> ParticipantRow:
        def unit(db: Connection) -> ParticipantRow | None:
            added = db.execute(
                "INSERT INTO participants(event_id, token, created_at, origin)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *",
                (event_id, token, now, origin),
            ).fetchone()
            if added is not None:  # someone new, who has a seat (or waits for one)
                self._seating_changed(db, event_id)
                return _participant(added)
            row = db.execute(
                "SELECT * FROM participants WHERE event_id = ? AND token = ?", (event_id, token)
            ).fetchone()
            return _participant(row) if row else None

        found = await self._write(unit)
        if found is None:  # the token belongs to another event
            raise StorageError("token already used")
        return found

    async def invite(
        self,
        event_id: int,
        *,
        token: str,
        role: str,
        name: str,
        now: int,
        project_id: str | None = None,
        profile: Mapping[str, Any] | None = None,
    ) -> ParticipantRow:
        values = (
            event_id,
            token,
            name,
            role,
            project_id,
            json.dumps(profile or {}, ensure_ascii=False),
            now,
        )

        def unit(db: Connection) -> ParticipantRow:
            row = db.execute(
                "INSERT INTO participants(event_id, token, name, role, project_id, invited,"
                " profile_json, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING *",
                values,
            ).fetchall()[0]
            self._seating_changed(db, event_id)
            return _participant(row)

        return await self._write(unit)

    async def add_tickets(
        self, event_id: int, tokens: Sequence[str], now: int
    ) -> list[ParticipantRow]:
        def unit(db: Connection) -> list[ParticipantRow]:
            first = db.execute("SELECT coalesce(max(id), 0) AS n FROM participants").fetchone()
            db.executemany(
                "INSERT INTO participants(event_id, token, ticket, created_at) VALUES (?, ?, 1, ?)",
                [(event_id, token, now) for token in tokens],
            )
            self._log(db, event_id, now, "facilitator", "tickets", {"count": len(tokens)})
            rows = db.execute(
                "SELECT * FROM participants WHERE event_id = ? AND ticket = 1 AND id > ?"
                " ORDER BY id",
                (event_id, first["n"]),
            )
            return [_participant(r) for r in rows]

        return await self._write(unit)

    def tickets(self, event_id: int) -> list[ParticipantRow]:
        rows = self.db.execute(
            "SELECT * FROM participants WHERE event_id = ? AND ticket = 1 ORDER BY id",
            (event_id,),
        )
        return [_participant(r) for r in rows]

    def invited(self, event_id: int) -> list[ParticipantRow]:
        rows = self.db.execute(
            "SELECT * FROM participants WHERE event_id = ? AND invited = 1 ORDER BY role, id",
            (event_id,),
        )
        return [_participant(r) for r in rows]

    def participants(self, event_id: int) -> list[ParticipantRow]:
        rows = self.db.execute(
            "SELECT * FROM participants WHERE event_id = ? ORDER BY id", (event_id,)
        )
        return [_participant(r) for r in rows]

    async def set_participant_name(self, participant_id: int, name: str) -> None:
        def unit(db: Connection) -> None:
            db.execute("UPDATE participants SET name = ? WHERE id = ?", (name, participant_id))
            # tablemates' seats show the name
            db.execute(
                "UPDATE events SET seating_version = seating_version + 1"
                " WHERE id = (SELECT event_id FROM participants WHERE id = ?)",
                (participant_id,),
            )

        await self._write(unit)

    def count_participants(self, event_id: int) -> int:
        row = self.db.execute(
            "SELECT count(*) AS n FROM participants WHERE event_id = ?", (event_id,)
        ).fetchone()
        return int(row["n"])

    async def set_profile(self, participant_id: int, profile: Mapping[str, Any]) -> None:
        text = json.dumps(profile, ensure_ascii=False)

        def unit(db: Connection) -> None:
            db.execute(
                "UPDATE participants SET profile_json = ? WHERE id = ?", (text, participant_id)
            )

        await self._write(unit)
