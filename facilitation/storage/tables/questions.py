"""Tables `questions`, `question_upvotes`, `question_settings`, `reactions` and
`cloud_hidden`: what the audience asks, upvotes and sends during a step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitation.storage.rows import QuestionRow, QuestionSettings
from facilitation.storage.tables.base import Connection, Row, Tables

_QUESTIONS = "SELECT * FROM questions WHERE event_id = ?"


def _question(row: Row) -> QuestionRow:
    return QuestionRow(
        row["id"],
        row["step_id"],
        row["project_id"],
        row["participant_id"],
        row["text"],
        row["name"],
        row["state"],
        bool(row["answered"]),
        row["merged_into"],
        row["created_at"],
    )


class QuestionTables(Tables):
    async def add_question(
        self,
        event_id: int,
        step_id: str,
        project_id: str | None,
        participant_id: int,
        text: str,
        name: str | None,
        state: str,
        now: int,
        limit: int | None,
    ) -> QuestionRow | None:
        # the count and the insert in one transaction: two quick taps cannot both get through
        def unit(db: Connection) -> QuestionRow | None:
            if limit is not None:
                if self._locks_rows:  # another process's tap waits for this one's commit
                    db.execute(
                        "SELECT 1 FROM participants WHERE id = ? FOR UPDATE", (participant_id,)
                    )
                row = db.execute(
                    "SELECT count(*) AS n FROM questions WHERE event_id = ? AND step_id = ?"
                    " AND participant_id = ?",
                    (event_id, step_id, participant_id),
                ).fetchone()
                if row["n"] >= limit:
                    return None
            return _question(
                db.execute(
                    "INSERT INTO questions(event_id, step_id, project_id, participant_id, text,"
                    " name, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    (event_id, step_id, project_id, participant_id, text, name, state, now),
                ).fetchone()
            )

        return await self._write(unit)

    def questions(
        self, event_id: int, step_id: str | None = None, project_id: str | None = None
    ) -> list[QuestionRow]:
        query, params = _QUESTIONS, list[int | str]([event_id])
        if step_id is not None:
            query, params = query + " AND step_id = ?", [*params, step_id]
        if project_id is not None:
            query, params = query + " AND project_id = ?", [*params, project_id]
        return [_question(r) for r in self.db.execute(query + " ORDER BY id", params)]

    def question_upvotes(self, event_id: int) -> list[tuple[int, int]]:
        return [
            (r["question_id"], r["participant_id"])
            for r in self.db.execute(
                "SELECT u.question_id, u.participant_id FROM question_upvotes u"
                " JOIN questions q ON q.id = u.question_id WHERE q.event_id = ?",
                (event_id,),
            )
        ]

    async def upvote(self, event_id: int, question_id: int, participant_id: int, now: int) -> bool:
        """Whether the upvote is new: only a question that is shown takes upvotes, checked in
        the same statement as the insert, so hiding it and upvoting it cannot cross."""

        def unit(db: Connection) -> bool:
            cursor = db.execute(
                "INSERT INTO question_upvotes(question_id, participant_id, created_at)"
                " SELECT id, ?, ? FROM questions WHERE id = ? AND event_id = ?"
                " AND state = 'shown' AND merged_into IS NULL"
                " ON CONFLICT DO NOTHING",
                (participant_id, now, question_id, event_id),
            )
            return cursor.rowcount == 1

        return await self._write(unit)

    async def take_back_upvote(
        self, event_id: int, question_ids: Sequence[int], participant_id: int
    ) -> int:
        """Removes the person's upvotes on these questions (a question and those merged into
        it); how many there were."""
        ids = list(question_ids)

        def unit(db: Connection) -> int:
            cursor = db.executemany(
                "DELETE FROM question_upvotes WHERE participant_id = ? AND question_id IN"
                " (SELECT id FROM questions WHERE id = ? AND event_id = ?)",
                [(participant_id, i, event_id) for i in ids],
            )
            return cursor.rowcount

        return await self._write(unit)

    async def moderate_questions(
        self,
        event_id: int,
        question_ids: Sequence[int],
        state: str | None,
        answered: bool | None,
        now: int,
    ) -> int:
        """Sets the state and/or the answered mark (None: unchanged); how many changed."""
        ids = list(question_ids)
        mark = None if answered is None else int(answered)

        def unit(db: Connection) -> int:
            cursor = db.executemany(
                "UPDATE questions SET state = coalesce(?, state),"
                " answered = coalesce(?, answered) WHERE id = ? AND event_id = ?",
                [(state, mark, i, event_id) for i in ids],
            )
            changes = {"state": state, "answered": answered}
            self._log(db, event_id, now, "facilitator", "questions", {"questions": ids, **changes})
            return cursor.rowcount

        return await self._write(unit)

    async def merge_questions(
        self, event_id: int, target: int, others: Sequence[int], now: int
    ) -> int:
        ids = list(others)

        def unit(db: Connection) -> int:
            cursor = db.executemany(
                "UPDATE questions SET merged_into = ? WHERE id = ? AND event_id = ? AND id != ?"
                " AND merged_into IS NULL",
                [(target, i, event_id, target) for i in ids],
            )
            self._log(
                db,
                event_id,
                now,
                "facilitator",
                "questions_merged",
                {"into": target, "questions": ids},
            )
            return cursor.rowcount

        return await self._write(unit)

    def question_settings(self, event_id: int) -> QuestionSettings:
        row = self.db.execute(
            "SELECT focus, moderation FROM question_settings WHERE event_id = ?", (event_id,)
        ).fetchone()
        return (
            QuestionSettings(row["focus"], row["moderation"])
            if row
            else QuestionSettings(None, None)
        )

    async def set_question_settings(self, event_id: int, settings: QuestionSettings) -> None:
        def unit(db: Connection) -> None:
            db.execute(
                "INSERT INTO question_settings(event_id, focus, moderation) VALUES (?, ?, ?)"
                " ON CONFLICT(event_id) DO UPDATE SET focus = excluded.focus,"
                " moderation = excluded.moderation",
                (event_id, settings.focus, settings.moderation),
            )

        await self._write(unit)

    # --- reactions and word clouds ---------------------------------------------------------

    async def add_reactions(self, event_id: int, step_id: str, counts: Mapping[str, int]) -> None:
        rows = [(event_id, step_id, kind, n) for kind, n in counts.items() if n > 0]

        def unit(db: Connection) -> None:
            db.executemany(
                "INSERT INTO reactions(event_id, step_id, kind, count) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(event_id, step_id, kind)"
                " DO UPDATE SET count = reactions.count + excluded.count",
                rows,
            )

        await self._write(unit)

    def reactions(self, event_id: int) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for r in self.db.execute(
            "SELECT step_id, kind, count FROM reactions WHERE event_id = ? ORDER BY step_id, kind",
            (event_id,),
        ):
            out.setdefault(r["step_id"], {})[r["kind"]] = r["count"]
        return out

    def cloud_hidden(self, event_id: int, step_id: str) -> set[str]:
        return {
            r["term"]
            for r in self.db.execute(
                "SELECT term FROM cloud_hidden WHERE event_id = ? AND step_id = ?",
                (event_id, step_id),
            )
        }

    async def set_cloud_hidden(self, event_id: int, step_id: str, term: str, hidden: bool) -> None:
        def unit(db: Connection) -> None:
            if hidden:
                db.execute(
                    "INSERT INTO cloud_hidden(event_id, step_id, term) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (event_id, step_id, term),
                )
            else:
                db.execute(
                    "DELETE FROM cloud_hidden WHERE event_id = ? AND step_id = ? AND term = ?",
                    (event_id, step_id, term),
                )

        await self._write(unit)
