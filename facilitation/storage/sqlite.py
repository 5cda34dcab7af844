"""SQLite storage: the only module that touches the database.

One connection, used from the server's event loop, is the single writer. WAL mode lets
exports and backups read while the event runs. Every write that a client is told about is
committed before the function returns.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facilitation.core.engine import EventState, Timer, VoteState

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL,
    format_id TEXT NOT NULL,
    format_name TEXT NOT NULL,      -- where the format came from (file path or shipped name)
    format_source TEXT NOT NULL,    -- the YAML as it was when the event was created
    nested_json TEXT NOT NULL DEFAULT '{}',  -- formats it uses (`use` steps), also as they were
    roster_json TEXT NOT NULL,
    params_json TEXT NOT NULL,
    lang TEXT NOT NULL,
    seed INTEGER NOT NULL,
    state_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    token TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'participant',
    project_id TEXT,                -- the project a holder presents
    invited INTEGER NOT NULL DEFAULT 0,  -- made by the organiser, reached by a personal link
    profile_json TEXT NOT NULL DEFAULT '{}',  -- offers, needs, organisation… for matchmaking
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS participants_event ON participants(event_id);
-- holders and partners are read on every page load: a few rows among thousands of phones
CREATE INDEX IF NOT EXISTS participants_invited ON participants(event_id) WHERE invited = 1;
CREATE TABLE IF NOT EXISTS votes (
    event_id INTEGER NOT NULL REFERENCES events(id),
    vote_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'open', 'closed')),
    revealed INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, vote_id)
);
CREATE TABLE IF NOT EXISTS ballots (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL,
    vote_id TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),  -- NULL for a paper ballot
    ballot_json TEXT NOT NULL,
    paper INTEGER NOT NULL DEFAULT 0,
    cast_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    FOREIGN KEY (event_id, vote_id) REFERENCES votes(event_id, vote_id),
    UNIQUE (event_id, vote_id, participant_id)   -- one person, one ballot per vote
);
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS log_event ON log(event_id, at);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    step_id TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),
    fields_json TEXT NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,     -- moderated away by the facilitator
    merged_into INTEGER REFERENCES items(id),  -- a duplicate folded into another item
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS items_step ON items(event_id, step_id);
CREATE INDEX IF NOT EXISTS items_author ON items(event_id, participant_id);
CREATE TABLE IF NOT EXISTS seatings (
    event_id INTEGER NOT NULL REFERENCES events(id),
    step_id TEXT NOT NULL,
    round INTEGER NOT NULL,          -- 0 for a groups step, 1.. for the rounds of a rotation
    plan_json TEXT NOT NULL,         -- groups (tables, member ids, roles) or card -> reader
    created_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, step_id, round)
);
CREATE TABLE IF NOT EXISTS scores (
    event_id INTEGER NOT NULL REFERENCES events(id),
    step_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    score INTEGER NOT NULL,
    PRIMARY KEY (event_id, step_id, round, participant_id, item_id)
);
CREATE TABLE IF NOT EXISTS wishes (
    event_id INTEGER NOT NULL REFERENCES events(id),
    source INTEGER NOT NULL REFERENCES participants(id),
    target INTEGER NOT NULL REFERENCES participants(id),
    level TEXT NOT NULL CHECK (level IN ('must', 'want', 'no')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, source, target)     -- one wish per person per other person
);
CREATE TABLE IF NOT EXISTS match_drafts (
    event_id INTEGER PRIMARY KEY REFERENCES events(id),
    draft_json TEXT NOT NULL,        -- the organiser's draft, with what phones were last shown
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    project_id TEXT NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    fields_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, project_id, participant_id)  -- one feedback per person per project
);
"""


@dataclass(frozen=True)
class EventRow:
    id: int
    code: str
    secret: str
    format_id: str
    format_name: str
    format_source: str
    roster: list[dict[str, Any]]
    params: dict[str, Any]
    lang: str
    seed: int
    created_at: int
    nested: dict[str, list[str]] = field(default_factory=dict)  # ref -> [text, name]


@dataclass(frozen=True)
class ParticipantRow:
    id: int
    event_id: int
    token: str
    name: str
    role: str
    project_id: str | None = None
    invited: bool = False
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BallotRow:
    id: int
    participant_id: int | None
    name: str
    ballot: dict[str, Any]
    paper: bool
    updated_at: int


@dataclass(frozen=True)
class ItemRow:
    id: int
    step_id: str
    participant_id: int | None
    fields: dict[str, Any]
    hidden: bool
    merged_into: int | None
    created_at: int
    author: str = ""


@dataclass(frozen=True)
class FeedbackRow:
    project_id: str
    fields: dict[str, Any]


_ITEMS = (
    "SELECT i.*, coalesce(p.name, '') AS author FROM items i"
    " LEFT JOIN participants p ON p.id = i.participant_id WHERE i.event_id = ?"
)


class StorageError(Exception):
    pass


def state_to_json(state: EventState) -> str:
    timer = state.timer
    return json.dumps(
        {
            "cursor": state.cursor,
            "reached": state.reached,
            "revision": state.revision,
            "reveals": dict(state.reveals),
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
    )


class Storage:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
        except sqlite3.Error as error:
            raise StorageError(f"cannot open database {self.path}: {error}") from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a crash or kill -9 of the server (the WAL is
            # in the OS's hands); only a power cut can lose the last moments.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise StorageError(f"{self.path} is not a usable SQLite database: {error}") from None
        self._meta_default("schema_version", str(SCHEMA_VERSION))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- meta ----------------------------------------------------------------------------

    def _meta_default(self, key: str, value: str) -> str:
        self.db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, value))
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"])

    def organiser_key(self) -> str:
        """The secret of the organiser home, made once per database."""
        return self._meta_default("organiser_key", secrets.token_urlsafe(18))

    def signing_key(self) -> str:
        """Signs CSRF tokens; kept in the database so forms stay valid across restarts."""
        return self._meta_default("signing_key", secrets.token_hex(32))

    # --- events --------------------------------------------------------------------------

    def create_event(
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
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO events(code, secret, format_id, format_name, format_source,"
                " roster_json, params_json, lang, seed, state_json, created_at, updated_at,"
                " nested_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
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
                ),
            )
            event_id = int(cursor.lastrowid or 0)
            self._write_votes(db, event_id, state)
            self._log(db, event_id, now, "organiser", "create", {"format": format_id})
        row = self.event_by_code(code)
        assert row is not None
        return row

    def code_exists(self, code: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM events WHERE code = ?", (code,)).fetchone() is not None
        )

    @staticmethod
    def _event(row: sqlite3.Row) -> EventRow:
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

    def event_by_code(self, code: str) -> EventRow | None:
        row = self.db.execute("SELECT * FROM events WHERE code = ?", (code.upper(),)).fetchone()
        return self._event(row) if row else None

    def latest_event(self, format_id: str, format_name: str) -> EventRow | None:
        row = self.db.execute(
            "SELECT * FROM events WHERE format_id = ? AND format_name = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (format_id, format_name),
        ).fetchone()
        return self._event(row) if row else None

    def list_events(self) -> list[EventRow]:
        rows = self.db.execute("SELECT * FROM events ORDER BY created_at DESC, id DESC")
        return [self._event(r) for r in rows]

    def load_state(self, event_id: int) -> EventState:
        row = self.db.execute("SELECT state_json FROM events WHERE id = ?", (event_id,)).fetchone()
        votes = {
            r["vote_id"]: VoteState(r["status"], bool(r["revealed"]), r["reopened"])
            for r in self.db.execute(
                "SELECT vote_id, status, revealed, reopened FROM votes WHERE event_id = ?",
                (event_id,),
            )
        }
        return state_from_json(row["state_json"], votes)

    def save_state(
        self,
        event_id: int,
        state: EventState,
        *,
        now: int,
        actor: str,
        action: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Commit the new state and the log line of the action that made it."""
        with self.transaction() as db:
            db.execute(
                "UPDATE events SET state_json = ?, updated_at = ? WHERE id = ?",
                (state_to_json(state), now, event_id),
            )
            self._write_votes(db, event_id, state)
            self._log(db, event_id, now, actor, action, detail or {})

    @staticmethod
    def _write_votes(db: sqlite3.Connection, event_id: int, state: EventState) -> None:
        db.executemany(
            "INSERT INTO votes(event_id, vote_id, status, revealed, reopened)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id, vote_id) DO UPDATE SET"
            " status = excluded.status, revealed = excluded.revealed, reopened = excluded.reopened",
            [
                (event_id, vote_id, v.status, int(v.revealed), v.reopened)
                for vote_id, v in state.votes.items()
            ],
        )

    @staticmethod
    def _log(
        db: sqlite3.Connection,
        event_id: int,
        now: int,
        actor: str,
        action: str,
        detail: Mapping[str, Any],
    ) -> None:
        db.execute(
            "INSERT INTO log(event_id, at, actor, action, detail_json) VALUES (?, ?, ?, ?, ?)",
            (event_id, now, actor, action, json.dumps(detail, ensure_ascii=False)),
        )

    def log_entries(self, event_id: int) -> list[dict[str, Any]]:
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

    # --- participants --------------------------------------------------------------------

    @staticmethod
    def _participant(row: sqlite3.Row) -> ParticipantRow:
        return ParticipantRow(
            row["id"],
            row["event_id"],
            row["token"],
            row["name"],
            row["role"],
            row["project_id"],
            bool(row["invited"]),
            json.loads(row["profile_json"]),
        )

    def participant_by_token(self, event_id: int, token: str) -> ParticipantRow | None:
        row = self.db.execute(
            "SELECT * FROM participants WHERE event_id = ? AND token = ?", (event_id, token)
        ).fetchone()
        return self._participant(row) if row else None

    def add_participant(self, event_id: int, token: str, now: int) -> ParticipantRow:
        self.db.execute(
            "INSERT OR IGNORE INTO participants(event_id, token, created_at) VALUES (?, ?, ?)",
            (event_id, token, now),
        )
        found = self.participant_by_token(event_id, token)
        if found is None:  # the token belongs to another event
            raise StorageError("token already used")
        return found

    def invite(
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
        """A person the organiser knows (a holder, a jury member, a partner): their personal
        link carries `token`, so whoever opens it on a phone acts with that role."""
        cursor = self.db.execute(
            "INSERT INTO participants(event_id, token, name, role, project_id, invited,"
            " profile_json, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
            (
                event_id,
                token,
                name,
                role,
                project_id,
                json.dumps(profile or {}, ensure_ascii=False),
                now,
            ),
        )
        row = self.db.execute(
            "SELECT * FROM participants WHERE id = ?", (cursor.lastrowid,)
        ).fetchone()
        return self._participant(row)

    def invited(self, event_id: int) -> list[ParticipantRow]:
        rows = self.db.execute(
            "SELECT * FROM participants WHERE event_id = ? AND invited = 1 ORDER BY role, id",
            (event_id,),
        )
        return [self._participant(r) for r in rows]

    def set_participant_name(self, participant_id: int, name: str) -> None:
        self.db.execute("UPDATE participants SET name = ? WHERE id = ?", (name, participant_id))

    def count_participants(self, event_id: int) -> int:
        row = self.db.execute(
            "SELECT count(*) AS n FROM participants WHERE event_id = ?", (event_id,)
        ).fetchone()
        return int(row["n"])

    # --- ballots -------------------------------------------------------------------------

    def put_ballot(
        self, event_id: int, vote_id: str, participant_id: int, ballot: Mapping[str, Any], now: int
    ) -> bool:
        """Cast or replace a ballot; False (and nothing written) if the vote is not open.

        The open check and the write are one statement, so a ballot racing the close of the
        vote either lands before it or not at all.
        """
        cursor = self.db.execute(
            "INSERT INTO ballots(event_id, vote_id, participant_id, ballot_json, cast_at,"
            " updated_at) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM votes"
            " WHERE event_id = ? AND vote_id = ? AND status = 'open')"
            " ON CONFLICT(event_id, vote_id, participant_id) DO UPDATE SET"
            " ballot_json = excluded.ballot_json, updated_at = excluded.updated_at",
            (event_id, vote_id, participant_id, json.dumps(ballot), now, now, event_id, vote_id),
        )
        return cursor.rowcount == 1

    def put_paper_ballot(
        self, event_id: int, vote_id: str, ballot: Mapping[str, Any], now: int
    ) -> int:
        """A ballot collected on paper, typed in by the facilitator (no participant)."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO ballots(event_id, vote_id, participant_id, ballot_json, paper,"
                " cast_at, updated_at) VALUES (?, ?, NULL, ?, 1, ?, ?)",
                (event_id, vote_id, json.dumps(ballot), now, now),
            )
            self._log(db, event_id, now, "facilitator", "paper_ballot", {"vote": vote_id})
        return int(cursor.lastrowid or 0)

    def delete_paper_ballot(self, event_id: int, ballot_id: int, now: int) -> bool:
        with self.transaction() as db:
            cursor = db.execute(
                "DELETE FROM ballots WHERE id = ? AND event_id = ? AND paper = 1",
                (ballot_id, event_id),
            )
            if cursor.rowcount:
                self._log(
                    db, event_id, now, "facilitator", "paper_ballot_deleted", {"ballot": ballot_id}
                )
        return cursor.rowcount == 1

    def ballots(self, event_id: int, vote_id: str) -> list[BallotRow]:
        rows = self.db.execute(
            "SELECT b.id, b.participant_id, coalesce(p.name, '') AS name, b.ballot_json, b.paper,"
            " b.updated_at FROM ballots b LEFT JOIN participants p ON p.id = b.participant_id"
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
            )
            for r in rows
        ]

    def count_ballots(self, event_id: int, vote_id: str) -> int:
        row = self.db.execute(
            "SELECT count(*) AS n FROM ballots WHERE event_id = ? AND vote_id = ?",
            (event_id, vote_id),
        ).fetchone()
        return int(row["n"])

    def ballots_of(self, event_id: int, participant_id: int) -> dict[str, dict[str, Any]]:
        """A participant's own ballots by vote, to restore their choices after a reconnect."""
        return {
            r["vote_id"]: json.loads(r["ballot_json"])
            for r in self.db.execute(
                "SELECT vote_id, ballot_json FROM ballots"
                " WHERE event_id = ? AND participant_id = ?",
                (event_id, participant_id),
            )
        }

    # --- items (input steps) -------------------------------------------------------------

    @staticmethod
    def _item(row: sqlite3.Row) -> ItemRow:
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

    def add_item(
        self,
        event_id: int,
        step_id: str,
        participant_id: int | None,
        fields: Mapping[str, Any],
        now: int,
        limit: int | None,
    ) -> ItemRow | None:
        """Store an item unless its author already reached `limit` items in this step
        (checked in the same transaction, so two quick taps cannot both get through)."""
        with self.transaction() as db:
            if limit is not None and participant_id is not None:
                row = db.execute(
                    "SELECT count(*) AS n FROM items WHERE event_id = ? AND step_id = ?"
                    " AND participant_id = ? AND merged_into IS NULL",
                    (event_id, step_id, participant_id),
                ).fetchone()
                if row["n"] >= limit:
                    return None
            cursor = db.execute(
                "INSERT INTO items(event_id, step_id, participant_id, fields_json, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, step_id, participant_id, json.dumps(fields, ensure_ascii=False), now),
            )
            item_id = cursor.lastrowid
        found = self.db.execute(_ITEMS + " AND i.id = ?", (event_id, item_id)).fetchone()
        return self._item(found)

    def items(
        self, event_id: int, step_id: str | None = None, author: int | None = None
    ) -> list[ItemRow]:
        """Items in submission order, with the display name of their author."""
        query = _ITEMS
        params: tuple[Any, ...] = (event_id,)
        if step_id is not None:
            query += " AND i.step_id = ?"
            params += (step_id,)
        if author is not None:
            query += " AND i.participant_id = ?"
            params += (author,)
        return [self._item(r) for r in self.db.execute(query + " ORDER BY i.id", params)]

    def set_items_hidden(
        self, event_id: int, item_ids: Sequence[int], hidden: bool, now: int
    ) -> int:
        with self.transaction() as db:
            cursor = db.executemany(
                "UPDATE items SET hidden = ? WHERE id = ? AND event_id = ?",
                [(int(hidden), i, event_id) for i in item_ids],
            )
            self._log(
                db,
                event_id,
                now,
                "facilitator",
                "items_hidden" if hidden else "items_shown",
                {"items": list(item_ids)},
            )
        return cursor.rowcount

    def merge_items(self, event_id: int, target: int, others: Sequence[int], now: int) -> int:
        """Fold duplicates into `target`: they disappear from lists and votes but are kept."""
        with self.transaction() as db:
            cursor = db.executemany(
                "UPDATE items SET merged_into = ? WHERE id = ? AND event_id = ? AND id != ?",
                [(target, i, event_id, target) for i in others],
            )
            self._log(
                db,
                event_id,
                now,
                "facilitator",
                "items_merged",
                {"into": target, "items": list(others)},
            )
        return cursor.rowcount

    # --- feedback on projects --------------------------------------------------------------

    def put_feedback(
        self,
        event_id: int,
        project_id: str,
        participant_id: int,
        fields: Mapping[str, Any],
        now: int,
    ) -> None:
        self.db.execute(
            "INSERT INTO feedback(event_id, project_id, participant_id, fields_json, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id, project_id, participant_id)"
            " DO UPDATE SET fields_json = excluded.fields_json, updated_at = excluded.updated_at",
            (event_id, project_id, participant_id, json.dumps(fields, ensure_ascii=False), now),
        )

    def feedback(self, event_id: int, project_id: str | None = None) -> list[FeedbackRow]:
        """Feedback without authors (it is anonymous), in an order that says nothing of when."""
        query = "SELECT project_id, fields_json, updated_at FROM feedback WHERE event_id = ?"
        params: tuple[Any, ...] = (event_id,)
        if project_id is not None:
            query += " AND project_id = ?"
            params += (project_id,)
        rows = [
            FeedbackRow(r["project_id"], json.loads(r["fields_json"]))
            for r in self.db.execute(query, params)
        ]
        return sorted(rows, key=lambda r: (r.project_id, json.dumps(r.fields, sort_keys=True)))

    def feedback_of(self, event_id: int, participant_id: int) -> dict[str, dict[str, Any]]:
        """A participant's own feedback by project, to show it again on their phone."""
        return {
            r["project_id"]: json.loads(r["fields_json"])
            for r in self.db.execute(
                "SELECT project_id, fields_json FROM feedback WHERE event_id = ?"
                " AND participant_id = ?",
                (event_id, participant_id),
            )
        }

    # --- seatings (groups, rounds, pass-around) and scores --------------------------------------

    def save_seatings(
        self,
        event_id: int,
        step_id: str,
        plans: Mapping[int, Any],
        now: int,
        *,
        replace: bool = False,
    ) -> None:
        """Store who sits where for each round (all rounds of a rotation at once)."""
        with self.transaction() as db:
            if replace:
                db.execute(
                    "DELETE FROM seatings WHERE event_id = ? AND step_id = ?", (event_id, step_id)
                )
            db.executemany(
                "INSERT OR REPLACE INTO seatings(event_id, step_id, round, plan_json,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                [
                    (event_id, step_id, r, json.dumps(plan, ensure_ascii=False), now)
                    for r, plan in plans.items()
                ],
            )
            self._log(
                db,
                event_id,
                now,
                "facilitator",
                "seating",
                {"step": step_id, "rounds": sorted(plans)},
            )

    def seating(self, event_id: int, step_id: str, round_: int) -> Any:
        row = self.db.execute(
            "SELECT plan_json FROM seatings WHERE event_id = ? AND step_id = ? AND round = ?",
            (event_id, step_id, round_),
        ).fetchone()
        return json.loads(row["plan_json"]) if row else None

    def seatings(self, event_id: int) -> dict[tuple[str, int], Any]:
        return {
            (r["step_id"], r["round"]): json.loads(r["plan_json"])
            for r in self.db.execute(
                "SELECT step_id, round, plan_json FROM seatings WHERE event_id = ?", (event_id,)
            )
        }

    def put_score(
        self,
        event_id: int,
        step_id: str,
        round_: int,
        item_id: int,
        participant_id: int,
        score: int,
    ) -> None:
        self.db.execute(
            "INSERT INTO scores(event_id, step_id, round, item_id, participant_id, score)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(event_id, step_id, round, participant_id,"
            " item_id) DO UPDATE SET score = excluded.score",
            (event_id, step_id, round_, item_id, participant_id, score),
        )

    def scores(self, event_id: int, step_id: str) -> list[tuple[int, int, int, int]]:
        """(round, item, participant, score) rows of a pass-around."""
        return [
            (r["round"], r["item_id"], r["participant_id"], r["score"])
            for r in self.db.execute(
                "SELECT round, item_id, participant_id, score FROM scores"
                " WHERE event_id = ? AND step_id = ? ORDER BY round, item_id",
                (event_id, step_id),
            )
        ]

    def participants(self, event_id: int) -> list[ParticipantRow]:
        rows = self.db.execute(
            "SELECT * FROM participants WHERE event_id = ? ORDER BY id", (event_id,)
        )
        return [self._participant(r) for r in rows]

    # --- matchmaking: profiles, wishes, the draft -----------------------------------------------

    def set_profile(self, participant_id: int, profile: Mapping[str, Any]) -> None:
        self.db.execute(
            "UPDATE participants SET profile_json = ? WHERE id = ?",
            (json.dumps(profile, ensure_ascii=False), participant_id),
        )

    def put_wish(
        self, event_id: int, source: int, target: int, level: str | None, now: int
    ) -> None:
        """Set (or, with level None, withdraw) what `source` wishes about meeting `target`."""
        if level is None:
            self.db.execute(
                "DELETE FROM wishes WHERE event_id = ? AND source = ? AND target = ?",
                (event_id, source, target),
            )
            return
        self.db.execute(
            "INSERT INTO wishes(event_id, source, target, level, updated_at) VALUES"
            " (?, ?, ?, ?, ?) ON CONFLICT(event_id, source, target) DO UPDATE SET"
            " level = excluded.level, updated_at = excluded.updated_at",
            (event_id, source, target, level, now),
        )

    def wishes(self, event_id: int) -> list[tuple[int, int, str]]:
        return [
            (r["source"], r["target"], r["level"])
            for r in self.db.execute(
                "SELECT source, target, level FROM wishes WHERE event_id = ?"
                " ORDER BY source, target",
                (event_id,),
            )
        ]

    def wishes_from(self, event_id: int, source: int) -> list[tuple[int, str]]:
        return [
            (r["target"], r["level"])
            for r in self.db.execute(
                "SELECT target, level FROM wishes WHERE event_id = ? AND source = ?"
                " ORDER BY target",
                (event_id, source),
            )
        ]

    def save_draft(self, event_id: int, draft: Mapping[str, Any], now: int, action: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO match_drafts(event_id, draft_json, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(event_id) DO UPDATE SET draft_json = excluded.draft_json,"
                " updated_at = excluded.updated_at",
                (event_id, json.dumps(draft, ensure_ascii=False), now),
            )
            self._log(db, event_id, now, "facilitator", f"match_{action}", {})

    def load_draft(self, event_id: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT draft_json FROM match_drafts WHERE event_id = ?", (event_id,)
        ).fetchone()
        return json.loads(row["draft_json"]) if row else None
