"""A database written by an older version opens with today's code, every row intact.

tests/data/db-v1.sqlite3 was written at schema version 1 by tests/data/make_db_v1.py, which
also kept in db-v1.json what that code read back. Tests work on a copy: opening a file
upgrades it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.settings import Settings
from facilitation.storage import StorageError
from facilitation.storage.sqlite import SCHEMA_VERSION, Storage, schema
from tests.conftest import ROOT
from tests.data.make_db_v1 import snapshot

DATA = ROOT / "tests" / "data"
TITLES = {
    "carrefour-des-possibles": "Soirée Carrefour des Possibles",
    "crowd-sourcing-25-10": "25/10 crowd sourcing",
}


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    path = tmp_path / "db-v1.sqlite3"
    shutil.copyfile(DATA / "db-v1.sqlite3", path)
    return path


def expected() -> dict[str, Any]:
    found: dict[str, Any] = json.loads((DATA / "db-v1.json").read_text(encoding="utf-8"))
    return found


def raw_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but meta, as SQLite holds it."""
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
                " ORDER BY name"
            )
        ]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        db.close()


def schema_of(path: Path) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(path)
    try:
        rows: list[tuple[str, str, str]] = db.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        return rows
    finally:
        db.close()


def recorded_version(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    finally:
        db.close()


def set_recorded_version(path: Path, value: str) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
    db.close()


def test_a_v1_file_is_upgraded_to_the_latest_schema(v1_copy: Path) -> None:
    assert recorded_version(v1_copy) == "1" and SCHEMA_VERSION > 1
    Storage(v1_copy).close()
    assert recorded_version(v1_copy) == str(SCHEMA_VERSION)
    db = sqlite3.connect(v1_copy)
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT vote_id, ballot_json FROM ballots"
        " WHERE event_id = ? AND participant_id = ?",
        (1, 12),
    ).fetchall()
    db.close()
    assert "ballots_participant (event_id=? AND participant_id=?)" in str(plan)
    Storage(v1_copy).close()  # and opening it again changes nothing
    assert recorded_version(v1_copy) == str(SCHEMA_VERSION)


def test_a_failed_upgrade_leaves_the_file_as_it_was(
    v1_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = schema.Migration(
        SCHEMA_VERSION + 1,
        "9999_broken.sql",
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);",
    )
    shipped = schema.migrations()
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(schema, "migrations", lambda: [*shipped, broken])
    before = schema_of(v1_copy)
    with pytest.raises(StorageError) as caught:
        Storage(v1_copy)
    assert "9999_broken.sql failed" in str(caught.value)
    assert "no such table: no_such_table" in str(caught.value)
    assert schema_of(v1_copy) == before  # neither 0002's index nor half_done
    assert recorded_version(v1_copy) == "1"


def test_a_file_from_a_newer_version_is_refused(v1_copy: Path) -> None:
    set_recorded_version(v1_copy, str(SCHEMA_VERSION + 1))
    before = raw_rows(v1_copy), schema_of(v1_copy)
    with pytest.raises(StorageError) as caught:
        Storage(v1_copy)
    message = str(caught.value)
    assert "written by a newer version of facilitation" in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message and str(v1_copy) in message
    assert (raw_rows(v1_copy), schema_of(v1_copy)) == before
    assert recorded_version(v1_copy) == str(SCHEMA_VERSION + 1)


def test_serve_refuses_a_newer_file_in_one_line(v1_copy: Path) -> None:
    set_recorded_version(v1_copy, "99")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitation",
            "serve",
            "--db",
            str(v1_copy),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.startswith("facilitation: ") and "Traceback" not in run.stderr
    assert "newer version of facilitation" in run.stderr and run.stderr.count("\n") == 1


def test_a_schema_version_that_is_no_number_is_refused(v1_copy: Path) -> None:
    set_recorded_version(v1_copy, "one")
    with pytest.raises(StorageError) as caught:
        Storage(v1_copy)
    assert "not a facilitation database" in str(caught.value) and "'one'" in str(caught.value)


def test_a_new_file_gets_the_schema_an_upgraded_file_has(v1_copy: Path, tmp_path: Path) -> None:
    Storage(v1_copy).close()
    Storage(tmp_path / "new.sqlite3").close()
    assert schema_of(tmp_path / "new.sqlite3") == schema_of(v1_copy)


def test_the_fixture_covers_every_table(v1_copy: Path) -> None:
    rows = raw_rows(v1_copy)
    assert all(rows.values()), [t for t, r in rows.items() if not r]
    events = expected()["events"].values()
    people = [p for e in events for p in e["participants"]]
    items = [i for e in events for i in e["items"]]
    ballots = [b for e in events for v in e["ballots"].values() for b in v]
    assert any(p["invited"] and p["role"] == "holder" for p in people)
    assert any(p["invited"] and p["role"] == "partner" and p["profile"] for p in people)
    assert any(p["name"] and p["profile"] and not p["invited"] for p in people)
    assert any(i["hidden"] for i in items) and any(i["merged_into"] for i in items)
    assert any(i["participant_id"] is None for i in items)
    assert any(b["paper"] for b in ballots) and any(not b["paper"] for b in ballots)
    assert any(e["draft"] and e["draft"]["published"] for e in events)


# Fields rows gained after v1 (0004), with what a v1 row reads as; created_at was always
# stored, only not read before.
NEW_FIELDS = {"ticket": False, "origin": None, "set_aside": False}


def without_new_fields(node: Any) -> Any:
    if isinstance(node, dict):
        if "token" in node or "ballot" in node:
            for key, value in NEW_FIELDS.items():
                assert node.pop(key, value) == value
            node.pop("created_at", None)
        if "reveals" in node:  # an event's state: the time-up alert came later, off in v1
            assert node.pop("sound", False) is False
        return {k: without_new_fields(v) for k, v in node.items()}
    if isinstance(node, list):
        return [without_new_fields(v) for v in node]
    return node


def test_every_v1_row_reads_back_as_it_was_written(v1_copy: Path) -> None:
    written = raw_rows(v1_copy)
    Storage(v1_copy).close()
    upgraded = raw_rows(v1_copy)
    # columns appended since: 0003 events.seating_version (0); 0004 events.head_count (NULL),
    # participants.ticket (0) and origin (NULL), ballots.set_aside (0); 0006
    # match_drafts.version (0). Every value v1 wrote is kept.
    appended = {
        "events": (0, None),
        "participants": (0, None),
        "ballots": (0,),
        "match_drafts": (0,),
    }
    for table, values in appended.items():
        assert [row[-len(values) :] for row in upgraded[table]] == [values] * len(written[table])
    trimmed = {t: [row[: -len(v)] for row in upgraded[t]] for t, v in appended.items()}
    # tables made since (0005: questions, upvotes, reactions, word clouds) start empty
    added = set(upgraded) - set(written)
    assert added >= {"questions", "question_upvotes", "reactions", "cloud_hidden"}
    assert all(upgraded[t] == [] for t in added)
    assert {t: rows for t, rows in {**upgraded, **trimmed}.items() if t not in added} == written
    storage = Storage(v1_copy)
    try:
        found = without_new_fields(snapshot(storage))
        assert found == expected()
        # as text too: True == 1 in Python, not in JSON
        assert json.dumps(found, sort_keys=True) == json.dumps(expected(), sort_keys=True)
    finally:
        storage.close()
    assert raw_rows(v1_copy) == upgraded  # reading wrote nothing


def test_the_app_serves_the_events_of_a_v1_file(v1_copy: Path) -> None:
    app = create_app(Settings(db_path=str(v1_copy)))
    with TestClient(app, base_url="http://testserver") as client:
        for code, data in expected()["events"].items():
            title = TITLES[data["event"]["format_id"]]
            phone = next(p for p in data["participants"] if p["name"] and not p["invited"])
            client.cookies.set(f"p_{code}", phone["token"])
            page = client.get(f"/e/{code}")
            assert page.status_code == 200 and title in page.text
            assert phone["name"] in page.text
            client.cookies.clear()
            console = client.get(f"/e/{code}/console?key={data['event']['secret']}")
            assert console.status_code == 200 and title in console.text
            assert client.get(f"/e/{code}/screen").status_code == 200
