"""The text editor's suggestions, as read off the JSON Schema: the keys of each place of a
format (a step's by its kind), their values when the schema lists them, and the table as
the edit page carries it, in the reader's language."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from facilitation.core.formats import STEP_KINDS
from facilitation.i18n import translations
from facilitation.presenters.completion import completion_table
from tests.test_builder import COPY, copied  # noqa: F401  (the fixture)
from tests.test_organiser import organiser  # noqa: F401  (the fixture copied needs)

Table = dict[str, Any]


def english() -> Table:
    return completion_table(lambda message: message)


def keys(table: Table, shape: str) -> dict[str, dict[str, Any]]:
    return {entry["k"]: entry for entry in table["shapes"][shape]["keys"]}


def test_the_file_s_keys_lead_to_the_shapes_below_them() -> None:
    table = english()
    root = keys(table, table["root"])
    assert list(root)[:4] == ["format", "id", "version", "title"]
    assert root["steps"]["a"] == "Step"
    assert root["parameters"]["m"] == "Parameter"
    assert root["title"]["o"] == "names:fr,en"
    assert list(keys(table, "names:fr,en")) == ["fr", "en"]
    assert root["lang"]["v"] == ["fr", "en"]
    assert "holder" in root["roles"]["iv"]
    # a name is given once for every shape a key points at
    for shape in table["shapes"].values():
        for entry in shape.get("keys", ()):
            for pointer in ("a", "o", "m"):
                assert entry.get(pointer, table["root"]) in table["shapes"], entry


def test_a_step_s_keys_follow_its_kind() -> None:
    table = english()
    step = table["shapes"]["Step"]
    assert step["by"] == "kind"
    assert set(step["of"]) == set(STEP_KINDS)
    vote = keys(table, step["of"]["vote"])
    assert vote["method"]["v"][:2] == ["single", "approval"]
    assert vote["method"]["vl"][1] == "approval (several choices)"
    assert "pitch_minutes" not in vote
    assert "pitch_minutes" in keys(table, step["of"]["pitch"])
    # a step whose kind is not written yet: every kind's keys, each once
    merged = [entry["k"] for entry in step["keys"]]
    assert len(merged) == len(set(merged))
    assert {"method", "pitch_minutes", "size", "kind"} <= set(merged)
    # the kind of a step may be changed to any other
    assert keys(table, step["of"]["break"])["kind"]["v"] == list(step["of"])


def test_values_come_only_from_lists_the_schema_gives() -> None:
    table = english()
    vote = keys(table, "VoteStep")
    assert vote["allow_abstain"]["v"] == ["true", "false"]
    assert vote["options"]["v"] == ["projects"] and vote["options"]["a"] == "VoteOption"
    # a parameter's default may be any value: true and false are not its only choices
    assert "v" not in keys(table, "Parameter")["default"]
    assert keys(table, "Parameter")["type"]["v"][0] == "integer"
    assert keys(table, "GroupsStep")["else_size"]["d"] == '"3, else 4": the other size allowed'
    assert "d" not in keys(table, "GroupsStep")["size"]  # "people per group", as its label
    # a description that repeats the label is left out
    assert "d" not in keys(table, "Format")["format"]


def test_labels_are_translated_and_descriptions_kept() -> None:
    french = completion_table(translations("fr").gettext)
    vote = keys(french, "VoteStep")
    assert vote["method"]["l"] == translations("fr").gettext("Voting method") != "Voting method"
    assert keys(french, "Format")["steps"]["l"] == "Étapes"
    assert keys(french, "BreakStep")["body"]["d"] == "Instructions shown on phones and screen."


def test_the_edit_page_carries_the_table_as_data_not_as_a_script(
    copied: tuple[TestClient, Path],  # noqa: F811
) -> None:
    client, _ = copied
    page = client.get(f"/organiser/formats/{COPY}/edit").text
    found = re.search(
        r'<script type="application/json" id="source-completion-data">(.*?)</script>', page, re.S
    )
    assert found
    assert json.loads(html.unescape(found.group(1))) == english()
    assert 'role="listbox"' in page and 'id="source-completion"' in page
    assert re.search(r'<script src="/static/js/format_completion\.js\?v=[0-9a-f]+">', page)
    french = client.get(f"/organiser/formats/{COPY}/edit", headers={"Accept-Language": "fr"})
    assert "Ctrl+Espace" in french.text
