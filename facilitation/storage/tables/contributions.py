"""Tables `items` (what people submit in input steps) and `feedback` (on projects)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.storage.rows import FeedbackRow, ItemRow
from facilitation.storage.tables.base import Connection, Row, Tables

_ITEMS = (
    "SELECT i.*, coalesce(p.name, '') AS author FROM items i"
    " LEFT JOIN participants p ON p.id = i.participant_id WHERE i.event_id = ?"
)


def _item(row: Row) -> ItemRow:
    return ItemRow(
        row["id"],
        row["step_id"],
        row["participant_id"],
        json.loads(row["fields_json"]),
        bool(row["hidden"]),
        row["merged_into"],
        row["created_at"],
        row["author"],
    )


class ContributionTables(Tables):
    # --- items (input steps) -------------------------------------------------------------

    async def add_item(
        self,
        event_id: int,
        step_id: str,
        participant_id: int | None,
        fields: Mapping[str, Any],
        now: int,
        limit: int | None,
    ) -> ItemRow | None:
        text = json.dumps(fields, ensure_ascii=False)

        # the count and the insert in one transaction: two quick taps cannot both get through
        def unit(db: Connection) -> ItemRow | None:
            if limit is not None and participant_id is not None:
                if self._locks_rows:  # another process's tap waits for this one's commit
                    db.execute(
                        "SELECT 1 FROM participants WHERE id = ? FOR UPDATE", (participant_id,)
                    )
                row = db.execute(
                    "SELECT count(*) AS n FROM items WHERE event_id = ? AND step_id = ?"
                    " AND participant_id = ? AND merged_into IS NULL",
                    (event_id, step_id, participant_id),
                ).fetchone()
                if row["n"] >= limit:
                    return None
            added = db.execute(
                "INSERT INTO items(event_id, step_id, participant_id, fields_json, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (event_id, step_id, participant_id, text, now),
            ).fetchall()[0]
            return _item(db.execute(_ITEMS + " AND i.id = ?", (event_id, added["id"])).fetchone())

        return await self._write(unit)

    def items(
        self, event_id: int, step_id: str | None = None, author: int | None = None
    ) -> list[ItemRow]:
        query = _ITEMS
        params: tuple[Any, ...] = (event_id,)
        if step_id is not None:
            query += " AND i.step_id = ?"
            params += (step_id,)
        if author is not None:
            query += " AND i.participant_id = ?"
            params += (author,)
        return [_item(r) for r in self.db.execute(query + " ORDER BY i.id", params)]

    async def set_items_hidden(
        self, event_id: int, item_ids: Sequence[int], hidden: bool, now: int
    ) -> int:
        ids = list(item_ids)

        def unit(db: Connection) -> int:
            cursor = db.executemany(
                "UPDATE items SET hidden = ? WHERE id = ? AND event_id = ?",
                [(int(hidden), i, event_id) for i in ids],
            )
            self._log(
                db,
                event_id,
                now,
                "facilitator",
                "items_hidden" if hidden else "items_shown",
                {"items": ids},
            )
            return cursor.rowcount

        return await self._write(unit)

    async def merge_items(self, event_id: int, target: int, others: Sequence[int], now: int) -> int:
        ids = list(others)

        def unit(db: Connection) -> int:
            cursor = db.executemany(
                "UPDATE items SET merged_into = ? WHERE id = ? AND event_id = ? AND id != ?",
                [(target, i, event_id, target) for i in ids],
            )
            self._log(
                db, event_id, now, "facilitator", "items_merged", {"into": target, "items": ids}
            )
            return cursor.rowcount

        return await self._write(unit)

    # --- feedback on projects --------------------------------------------------------------

    async def put_feedback(
        self,
        event_id: int,
        project_id: str,
        participant_id: int,
        fields: Mapping[str, Any],
        now: int,
    ) -> None:
        values = (event_id, project_id, participant_id, json.dumps(fields, ensure_ascii=False), now)

        def unit(db: Connection) -> None:
            db.execute(
                "INSERT INTO feedback(event_id, project_id, participant_id, fields_json,"
                " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id, project_id,"
                " participant_id) DO UPDATE SET fields_json = excluded.fields_json,"
                " updated_at = excluded.updated_at",
                values,
            )

        await self._write(unit)

    def feedback(self, event_id: int, project_id: str | None = None) -> list[FeedbackRow]:
        query = "SELECT project_id, fields_json, updated_at FROM feedback WHERE event_id = ?"
        params: tuple[Any, ...] = (event_id,)
        if project_id is not None:
            query += " AND project_id = ?"
            params += (project_id,)
        rows = [
            FeedbackRow(r["project_id"], json.loads(r["fields_json"]))
            for r in self.db.execute(query, params)
        ]
        # sorted by content: the order of the rows would tell who wrote when
        return sorted(rows, key=lambda r: (r.project_id, json.dumps(r.fields, sort_keys=True)))

    def feedback_of(self, event_id: int, participant_id: int) -> dict[str, dict[str, Any]]:
        return {
            r["project_id"]: json.loads(r["fields_json"])
            for r in self.db.execute(
                "SELECT project_id, fields_json FROM feedback WHERE event_id = ?"
                " AND participant_id = ?",
                (event_id, participant_id),
            )
        }
