"""Tables `seatings` (who sits where, each round) and `scores` (of a pass-around)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from facilitation.storage.rows import ScoreRow, SeatingPlan
from facilitation.storage.tables.base import Connection, Tables


class SeatingTables(Tables):
    async def save_seatings(
        self,
        event_id: int,
        step_id: str,
        plans: Mapping[int, SeatingPlan],
        now: int,
        *,
        replace: bool = False,
    ) -> None:
        rows = [
            (event_id, step_id, r, json.dumps(plan, ensure_ascii=False), now)
            for r, plan in plans.items()
        ]
        detail = {"step": step_id, "rounds": sorted(plans)}

        def unit(db: Connection) -> None:
            if replace:
                db.execute(
                    "DELETE FROM seatings WHERE event_id = ? AND step_id = ?", (event_id, step_id)
                )
            db.executemany(
                "INSERT INTO seatings(event_id, step_id, round, plan_json, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id, step_id, round) DO UPDATE SET"
                " plan_json = excluded.plan_json, created_at = excluded.created_at",
                rows,
            )
            self._seating_changed(db, event_id)
            self._log(db, event_id, now, "facilitator", "seating", detail)

        await self._write(unit)

    def seating(self, event_id: int, step_id: str, round_: int) -> SeatingPlan:
        row = self.db.execute(
            "SELECT plan_json FROM seatings WHERE event_id = ? AND step_id = ? AND round = ?",
            (event_id, step_id, round_),
        ).fetchone()
        return json.loads(row["plan_json"]) if row else None

    def seatings(self, event_id: int) -> dict[tuple[str, int], SeatingPlan]:
        return {
            (r["step_id"], r["round"]): json.loads(r["plan_json"])
            for r in self.db.execute(
                "SELECT step_id, round, plan_json FROM seatings WHERE event_id = ?", (event_id,)
            )
        }

    async def put_score(
        self,
        event_id: int,
        step_id: str,
        round_: int,
        item_id: int,
        participant_id: int,
        score: int,
    ) -> None:
        def unit(db: Connection) -> None:
            db.execute(
                "INSERT INTO scores(event_id, step_id, round, item_id, participant_id, score)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(event_id, step_id, round, participant_id,"
                " item_id) DO UPDATE SET score = excluded.score",
                (event_id, step_id, round_, item_id, participant_id, score),
            )
            self._seating_changed(db, event_id)  # the card on the phone shows its score

        await self._write(unit)

    def scores(self, event_id: int, step_id: str) -> list[ScoreRow]:
        return [
            ScoreRow(r["round"], r["item_id"], r["participant_id"], r["score"])
            for r in self.db.execute(
                "SELECT round, item_id, participant_id, score FROM scores"
                " WHERE event_id = ? AND step_id = ? ORDER BY round, item_id",
                (event_id, step_id),
            )
        ]
