"""Tables `wishes` (who wants to meet whom) and `match_drafts` (the organiser's draft)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from facilitation.storage.rows import OwnWish, WishRow
from facilitation.storage.tables.base import Connection, Tables


class MatchmakingTables(Tables):
    async def put_wish(
        self, event_id: int, source: int, target: int, level: str | None, now: int
    ) -> None:
        def unit(db: Connection) -> None:
            if level is None:
                db.execute(
                    "DELETE FROM wishes WHERE event_id = ? AND source = ? AND target = ?",
                    (event_id, source, target),
                )
                return
            db.execute(
                "INSERT INTO wishes(event_id, source, target, level, updated_at) VALUES"
                " (?, ?, ?, ?, ?) ON CONFLICT(event_id, source, target) DO UPDATE SET"
                " level = excluded.level, updated_at = excluded.updated_at",
                (event_id, source, target, level, now),
            )

        await self._write(unit)

    def wishes(self, event_id: int) -> list[WishRow]:
        return [
            WishRow(r["source"], r["target"], r["level"])
            for r in self.db.execute(
                "SELECT source, target, level FROM wishes WHERE event_id = ?"
                " ORDER BY source, target",
                (event_id,),
            )
        ]

    def wishes_from(self, event_id: int, source: int) -> list[OwnWish]:
        return [
            OwnWish(r["target"], r["level"])
            for r in self.db.execute(
                "SELECT target, level FROM wishes WHERE event_id = ? AND source = ?"
                " ORDER BY target",
                (event_id, source),
            )
        ]

    async def save_draft(
        self, event_id: int, draft: Mapping[str, Any], now: int, action: str
    ) -> None:
        text = json.dumps(draft, ensure_ascii=False)

        def unit(db: Connection) -> None:
            db.execute(
                "INSERT INTO match_drafts(event_id, draft_json, updated_at, version)"
                " VALUES (?, ?, ?, 1)"
                " ON CONFLICT(event_id) DO UPDATE SET draft_json = excluded.draft_json,"
                " updated_at = excluded.updated_at, version = match_drafts.version + 1",
                (event_id, text, now),
            )
            self._log(db, event_id, now, "facilitator", f"match_{action}", {})

        await self._write(unit)

    def draft_version(self, event_id: int) -> int:
        row = self.db.execute(
            "SELECT version FROM match_drafts WHERE event_id = ?", (event_id,)
        ).fetchone()
        return int(row["version"]) if row else 0

    def load_draft(self, event_id: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT draft_json FROM match_drafts WHERE event_id = ?", (event_id,)
        ).fetchone()
        return json.loads(row["draft_json"]) if row else None
