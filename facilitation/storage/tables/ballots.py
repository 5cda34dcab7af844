"""Table `ballots`: one ballot per person per vote, and paper ones typed in by the facilitator."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.storage.rows import BallotRow
from facilitation.storage.tables.base import Connection, OneStatement, Tables

_PUT = (
    "INSERT INTO ballots(event_id, vote_id, participant_id, ballot_json, cast_at, updated_at)"
    " SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM votes"
    " WHERE event_id = ? AND vote_id = ? AND status = 'open'{lock})"
    " ON CONFLICT(event_id, vote_id, participant_id) DO UPDATE SET"
    " ballot_json = excluded.ballot_json, updated_at = excluded.updated_at"
)
# the vote's row held until the commit: its close waits for the ballot, or the ballot for the
# close (and then sees it)
_PUT_LOCKED = _PUT.format(lock=" FOR SHARE")
_PUT = _PUT.format(lock="")


class BallotTables(Tables):
    async def put_ballot(
        self, event_id: int, vote_id: str, participant_id: int, ballot: Mapping[str, Any], now: int
    ) -> bool:
        values = (
            event_id,
            vote_id,
            participant_id,
            json.dumps(ballot),
            now,
            now,
            event_id,
            vote_id,
        )

        def unit(db: Connection) -> bool:
            # The open check and the write are one statement, so a ballot racing the close of
            # the vote either lands before it or not at all.
            cursor = db.execute(_PUT_LOCKED if self._locks_rows else _PUT, values)
            return cursor.rowcount == 1

        return await self._write(OneStatement(unit))

    async def put_paper_ballot(
        self, event_id: int, vote_id: str, ballot: Mapping[str, Any], now: int
    ) -> int:
        text = json.dumps(ballot)

        def unit(db: Connection) -> int:
            row = db.execute(
                "INSERT INTO ballots(event_id, vote_id, participant_id, ballot_json, paper,"
                " cast_at, updated_at) VALUES (?, ?, NULL, ?, 1, ?, ?) RETURNING id",
                (event_id, vote_id, text, now, now),
            ).fetchall()[0]
            self._log(db, event_id, now, "facilitator", "paper_ballot", {"vote": vote_id})
            return int(row["id"])

        return await self._write(unit)

    async def delete_paper_ballot(self, event_id: int, ballot_id: int, now: int) -> bool:
        def unit(db: Connection) -> bool:
            cursor = db.execute(
                "DELETE FROM ballots WHERE id = ? AND event_id = ? AND paper = 1",
                (ballot_id, event_id),
            )
            if cursor.rowcount:
                self._log(
                    db, event_id, now, "facilitator", "paper_ballot_deleted", {"ballot": ballot_id}
                )
            return cursor.rowcount == 1

        return await self._write(unit)

    def ballots(self, event_id: int, vote_id: str) -> list[BallotRow]:
        rows = self.db.execute(
            "SELECT b.id, b.participant_id, coalesce(p.name, '') AS name, b.ballot_json, b.paper,"
            " b.updated_at, b.set_aside FROM ballots b"
            " LEFT JOIN participants p ON p.id = b.participant_id"
            " WHERE b.event_id = ? AND b.vote_id = ? ORDER BY b.id",
            (event_id, vote_id),
        )
        return [
            BallotRow(
                r["id"],
                r["participant_id"],
                r["name"],
                json.loads(r["ballot_json"]),
                bool(r["paper"]),
                r["updated_at"],
                bool(r["set_aside"]),
            )
            for r in rows
        ]

    def count_ballots(self, event_id: int, vote_id: str) -> int:
        row = self.db.execute(
            "SELECT count(*) AS n FROM ballots"
            " WHERE event_id = ? AND vote_id = ? AND set_aside = 0",
            (event_id, vote_id),
        ).fetchone()
        return int(row["n"])

    async def set_ballots_aside(
        self,
        event_id: int,
        vote_id: str,
        participant_ids: Sequence[int],
        aside: bool,
        now: int,
        detail: Mapping[str, Any],
    ) -> int:
        ids = list(participant_ids)

        def unit(db: Connection) -> int:
            changed = db.executemany(
                "UPDATE ballots SET set_aside = ? WHERE event_id = ? AND vote_id = ?"
                " AND participant_id = ? AND paper = 0 AND set_aside != ?",
                [(int(aside), event_id, vote_id, i, int(aside)) for i in ids],
            ).rowcount
            action = "set_aside" if aside else "restore"
            self._log(db, event_id, now, "facilitator", action, {**detail, "ballots": changed})
            return changed

        return await self._write(unit)

    def ballots_of(self, event_id: int, participant_id: int) -> dict[str, dict[str, Any]]:
        # served by the index of migration 0002
        return {
            r["vote_id"]: json.loads(r["ballot_json"])
            for r in self.db.execute(
                "SELECT vote_id, ballot_json FROM ballots"
                " WHERE event_id = ? AND participant_id = ?",
                (event_id, participant_id),
            )
        }
