"""The organiser's draft as JSON: drafts stored by earlier versions load, any draft survives the
round trip, and the download is the stored form plus what a reader of the file needs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.core.matchmaking import (
    WISH_LEVELS,
    Candidate,
    Draft,
    MatchConfig,
    Meeting,
    Profile,
    Unplaced,
    Wish,
    draft_from_json,
    draft_to_json,
    publish_draft,
    remove_meeting,
    run_draft,
)
from facilitation.exports.schedules import draft_json
from tests.conftest import ROOT

# As the storage of version 0.1 wrote it (services/meetings.py, before the JSON moved to core).
STORED = """{"config": {"slots": 3, "tables": 2, "min_meetings": 1, "max_meetings": 2, "seed": 7},
 "profiles": [
  {"id": "bank", "name": "Banque", "side": "offer", "organisation": "Crédit Coop",
   "offers": ["advice", "funding"], "needs": [], "available_slots": [],
   "min_meetings": null, "max_meetings": null},
  {"id": "coop", "name": "Coop", "side": "need", "organisation": "", "offers": [],
   "needs": ["funding"], "available_slots": [1, 3], "min_meetings": 2, "max_meetings": 3},
  {"id": "lab", "name": "Fablab", "side": "need", "organisation": "", "offers": [],
   "needs": ["advice"], "available_slots": [], "min_meetings": null, "max_meetings": null}],
 "wishes": [{"source": "coop", "target": "bank", "level": "must"},
  {"source": "bank", "target": "coop", "level": "want"},
  {"source": "lab", "target": "coop", "level": "no"}],
 "meetings": [
  {"a": "bank", "b": "coop", "score": 220,
   "reason": "mutual wish (must); Banque offers funding for Coop's need",
   "a_wish": "want", "b_wish": "must", "a_gives": ["funding"], "b_gives": [],
   "slot": 1, "table": 1, "locked": true, "published": true},
  {"a": "bank", "b": "lab", "score": 10, "reason": "Banque offers advice for Fablab's need",
   "a_wish": null, "b_wish": null, "a_gives": ["advice"], "b_gives": [],
   "slot": 2, "table": 1, "locked": false, "published": false}],
 "unplaced": [{"candidate": {"a": "bank", "b": "lab", "score": 10, "reason": "r",
   "a_wish": null, "b_wish": null, "a_gives": ["advice"], "b_gives": []},
   "problem": "no table left in slot 2"}],
 "removed": [{"a": "bank", "b": "lab", "score": 10, "reason": "r", "a_wish": null,
   "b_wish": null, "a_gives": ["advice"], "b_gives": [], "slot": 3, "table": 2,
   "locked": false, "published": true}],
 "published": [{"a": "bank", "b": "coop", "score": 220,
   "reason": "mutual wish (must); Banque offers funding for Coop's need",
   "a_wish": "want", "b_wish": "must", "a_gives": ["funding"], "b_gives": [],
   "slot": 1, "table": 1, "locked": true, "published": true}],
 "revision": 5, "published_revision": 4}"""

BANK_COOP = Meeting(
    "bank",
    "coop",
    220,
    "mutual wish (must); Banque offers funding for Coop's need",
    "want",
    "must",
    ("funding",),
    (),
    slot=1,
    table=1,
    locked=True,
    published=True,
)
EXPECTED = Draft(
    config=MatchConfig(slots=3, tables=2, min_meetings=1, max_meetings=2, seed=7),
    profiles=(
        Profile("bank", "Banque", "offer", "Crédit Coop", frozenset({"funding", "advice"})),
        Profile(
            "coop",
            "Coop",
            "need",
            needs=frozenset({"funding"}),
            available_slots=frozenset({3, 1}),
            min_meetings=2,
            max_meetings=3,
        ),
        Profile("lab", "Fablab", "need", needs=frozenset({"advice"})),
    ),
    wishes=(
        Wish("coop", "bank", "must"),
        Wish("bank", "coop", "want"),
        Wish("lab", "coop", "no"),
    ),
    meetings=(
        BANK_COOP,
        Meeting(
            "bank",
            "lab",
            10,
            "Banque offers advice for Fablab's need",
            None,
            None,
            ("advice",),
            (),
            slot=2,
            table=1,
        ),
    ),
    unplaced=(
        Unplaced(
            Candidate("bank", "lab", 10, "r", None, None, ("advice",), ()),
            "no table left in slot 2",
        ),
    ),
    removed=(Meeting("bank", "lab", 10, "r", None, None, ("advice",), (), 3, 2, False, True),),
    published=(BANK_COOP,),
    revision=5,
    published_revision=4,
)


def test_a_draft_stored_by_earlier_versions_loads() -> None:
    assert draft_from_json(json.loads(STORED)) == EXPECTED
    assert draft_from_json(STORED) == EXPECTED


def test_a_draft_is_stored_in_the_shape_earlier_versions_wrote() -> None:
    assert draft_to_json(EXPECTED) == json.loads(STORED)


def test_the_draft_of_the_v1_database_fixture_loads_and_is_written_back_the_same() -> None:
    # written by the code of schema version 1 (tests/data/make_db_v1.py), as storage reads it
    events = json.loads((ROOT / "tests" / "data" / "db-v1.json").read_text(encoding="utf-8"))
    stored = [e["draft"] for e in events["events"].values() if e["draft"]]
    assert stored
    for data in stored:
        draft = draft_from_json(data)
        assert draft.published and draft.meetings
        assert draft_to_json(draft) == data


# --- any draft survives the round trip ------------------------------------------------------

# Storage writes UTF-8: text from phones and files never holds a lone surrogate.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
IDS = st.text("abcdefghij0123456789", min_size=1, max_size=4)
TAGS = st.frozensets(TEXT, max_size=4)
LEVELS = st.sampled_from(WISH_LEVELS)
COUNTS = st.none() | st.integers(0, 30)


@st.composite
def configs(draw: st.DrawFn) -> MatchConfig:
    minimum = draw(st.integers(0, 5))
    return MatchConfig(
        slots=draw(st.integers(1, 40)),
        tables=draw(st.none() | st.integers(1, 200)),
        min_meetings=minimum,
        max_meetings=draw(st.none() | st.integers(minimum, 40)),
        seed=draw(st.integers(-(2**31), 2**31)),
    )


CANDIDATE_FIELDS = {
    "a": IDS,
    "b": IDS,
    "score": st.integers(0, 10_000),
    "reason": TEXT,
    "a_wish": st.none() | LEVELS,
    "b_wish": st.none() | LEVELS,
    "a_gives": st.lists(TEXT, max_size=3).map(tuple),
    "b_gives": st.lists(TEXT, max_size=3).map(tuple),
}
CANDIDATES = st.builds(Candidate, **CANDIDATE_FIELDS)
MEETINGS = st.builds(
    Meeting,
    **CANDIDATE_FIELDS,
    slot=st.integers(1, 40),
    table=st.integers(1, 200),
    locked=st.booleans(),
    published=st.booleans(),
)
PROFILES = st.builds(
    Profile,
    id=IDS,
    name=TEXT,
    side=st.sampled_from(["offer", "need"]),
    organisation=TEXT,
    offers=TAGS,
    needs=TAGS,
    available_slots=st.frozensets(st.integers(1, 40), max_size=6),
    min_meetings=COUNTS,
    max_meetings=COUNTS,
)
DRAFTS = st.builds(
    Draft,
    config=configs(),
    profiles=st.lists(PROFILES, max_size=5).map(tuple),
    wishes=st.lists(st.builds(Wish, IDS, IDS, LEVELS), max_size=5).map(tuple),
    meetings=st.lists(MEETINGS, max_size=5).map(tuple),
    unplaced=st.lists(st.builds(Unplaced, CANDIDATES, TEXT), max_size=3).map(tuple),
    removed=st.lists(MEETINGS, max_size=3).map(tuple),
    published=st.lists(MEETINGS, max_size=3).map(tuple),
    revision=st.integers(1, 10_000),
    published_revision=st.integers(0, 10_000),
)


@settings(max_examples=200, deadline=None)
@given(DRAFTS)
def test_draft_to_json_and_back_is_the_same_draft(draft: Draft) -> None:
    text = json.dumps(draft_to_json(draft), ensure_ascii=False)  # as storage writes it
    assert draft_from_json(json.loads(text)) == draft
    assert draft_from_json(text) == draft
    again = json.dumps(draft_to_json(draft_from_json(text)), ensure_ascii=False)
    assert again == text, "the same draft always gives the same text"


# --- the download builds on the stored form -------------------------------------------------


def test_the_download_is_the_stored_form_with_times() -> None:
    profiles = [
        Profile("bank", "Banque", "offer", "Coop", frozenset({"funding"})),
        Profile("coop", "Coop", "need", needs=frozenset({"funding"})),
        Profile("lab", "Fablab", "need", needs=frozenset({"funding"})),
    ]
    draft = run_draft(profiles, [Wish("coop", "bank", "must")], MatchConfig(slots=2))
    draft = remove_meeting(publish_draft(draft), ("bank", "lab"))
    start, slot = datetime(2026, 6, 12, 18, 0), timedelta(minutes=20)
    stored = draft_to_json(draft)
    document = json.loads(draft_json(draft, start, slot))
    for key in ("meetings", "removed"):
        assert [{k: m[k] for k in stored[key][0]} for m in document[key]] == stored[key]
        assert all(
            m["start"] == (start + (m["slot"] - 1) * slot).isoformat() for m in document[key]
        )
    assert [{k: p[k] for k in stored["profiles"][0]} for p in document["people"]] == stored[
        "profiles"
    ]
    assert {k: document["config"][k] for k in stored["config"]} == stored["config"]
    assert "published" not in document
