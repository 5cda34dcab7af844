"""Make tests/data/db-v1.sqlite3, a database as facilitation wrote it at schema version 1.

The file must come from the code of that time, so run this script against commit 64d2800
(the last one where storage was a single module that created its tables itself):

    mkdir /tmp/v1 && git archive 64d2800 | tar -x -C /tmp/v1
    PYTHONPATH=/tmp/v1 .venv/bin/python tests/data/make_db_v1.py tests/data/db-v1.sqlite3

It goes through the services and the storage calls the web handlers make, so rows have the
shapes the app really writes, and fills every table: two events (the shipped Carrefour des
Possibles with holders, a partner, named participants with profiles, ballots including a
changed one and paper ones, feedback, wishes and a matchmaking draft; a 25/10 crowd sourcing
with items, one hidden and one merged, its pass-around seating and scores) and the log.

Next to the file it writes db-v1.json: everything the storage read back right after writing,
by `snapshot` below. The upgrade test reads the file with today's code through the same
function and expects the same thing.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any


def plain(value: Any) -> Any:
    """A read-back value as JSON would keep it, so old and new reads compare equal."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot(storage: Any) -> dict[str, Any]:
    """What every read method of the storage says about every event of the file."""
    events: dict[str, Any] = {}
    for event in storage.list_events():
        eid = event.id
        state = storage.load_state(eid)
        people = storage.participants(eid)
        items = storage.items(eid)
        seatings = storage.seatings(eid)
        events[event.code] = {
            "event": event,
            "by_code": storage.event_by_code(event.code.lower()),
            "latest": storage.latest_event(event.format_id, event.format_name),
            "code_exists": storage.code_exists(event.code),
            "state": state,
            "log": storage.log_entries(eid),
            "participants": people,
            "invited": storage.invited(eid),
            "count_participants": storage.count_participants(eid),
            "by_token": {p.token: storage.participant_by_token(eid, p.token) for p in people},
            "ballots": {v: storage.ballots(eid, v) for v in sorted(state.votes)},
            "count_ballots": {v: storage.count_ballots(eid, v) for v in sorted(state.votes)},
            "ballots_of": {p.id: storage.ballots_of(eid, p.id) for p in people},
            "items": items,
            "items_by_step": {s: storage.items(eid, s) for s in sorted({i.step_id for i in items})},
            "items_by_author": {p.id: storage.items(eid, author=p.id) for p in people},
            "feedback": storage.feedback(eid),
            "feedback_by_project": {
                r.project_id: storage.feedback(eid, r.project_id) for r in storage.feedback(eid)
            },
            "feedback_of": {p.id: storage.feedback_of(eid, p.id) for p in people},
            "seatings": [[s, r, plan] for (s, r), plan in sorted(seatings.items())],
            "seating": [[s, r, storage.seating(eid, s, r)] for s, r in sorted(seatings)],
            "scores": {s: storage.scores(eid, s) for s in sorted({s for s, _ in seatings})},
            "wishes": storage.wishes(eid),
            "wishes_from": {p.id: storage.wishes_from(eid, p.id) for p in people},
            "draft": storage.load_draft(eid),
        }
    return plain(
        {
            "organiser_key": storage.organiser_key(),
            "signing_key": storage.signing_key(),
            "events": events,
        }
    )


def carrefour(storage: Any, events: Any, formats: Path) -> None:
    from facilitation.core.engine import Action
    from facilitation.core.rosters import load_roster_file
    from facilitation.services.events import now_ms
    from facilitation.services.meetings import Meetings

    path = formats / "carrefour-des-possibles.yaml"
    live = events.create(
        format_source=path.read_text(encoding="utf-8"),
        format_name=f"formats/{path.name}",
        roster=load_roster_file(formats / "rosters" / "demo.yaml"),
        params={"meeting_slots": 3},
        lang="fr",
        seed=20240611,
    )
    holders = {p.project_id: p for p in storage.invited(live.id) if p.role == "holder"}
    partner = storage.invite(
        live.id,
        token="partner-token-fondation",
        role="partner",
        name="Fondation du Nord",
        now=now_ms(),
        profile={"organisation": "Fondation du Nord", "offers": ["funding", "mentoring"]},
    )
    people = []
    for n, name in enumerate(["Amélie", "Bastien", "Chloé «Clo»", ""]):
        person = storage.add_participant(live.id, f"phone-token-{n}", now_ms())
        if name:
            storage.set_participant_name(person.id, name)
        people.append(storage.participant_by_token(live.id, person.token))
    amelie, bastien, chloe, anonymous = people
    meetings = Meetings(storage)
    meetings.set_profile(
        live, amelie, {"organisation": "Mairie", "side": "offer", "offers": ["premises"]}
    )
    meetings.set_profile(live, bastien, {"needs": ["funding"], "slots": [1, 2]})
    vote = next(s.index for s in live.plan.stages if s.kind == "vote")
    for stage in range(2, vote, 2):  # each pitch, then past its questions
        events.act(live, Action("jump", stage=stage))
    events.act(live, Action("timer_extend", seconds=60))
    events.act(live, Action("jump", stage=vote))  # the vote opens by itself (autostart)
    for person, choice in [
        (amelie, "repair-velo"),
        (bastien, "eau-claire"),
        (chloe, "carte-acces"),
    ]:
        events.cast(
            live,
            storage.participant_by_token(live.id, person.token),
            "favourite",
            {"choice": choice},
        )
    time.sleep(0.01)
    events.cast(live, amelie, "favourite", {"choice": "jardins-ecoles"})  # changed her mind
    storage.put_paper_ballot(live.id, "favourite", {"choice": "repair-velo"}, now_ms())
    typo = storage.put_paper_ballot(live.id, "favourite", {"choice": "monnaie-locale"}, now_ms())
    storage.delete_paper_ballot(live.id, typo, now_ms())
    events.give_feedback(live, amelie, "repair-velo", {"rating": 5, "comment": "Bravo, à suivre !"})
    events.give_feedback(live, bastien, "repair-velo", {"rating": 3})
    events.give_feedback(live, chloe, "eau-claire", {"rating": 4, "comment": "Et l'hiver ?"})
    events.give_feedback(live, holders["carte-acces"], "eau-claire", {"rating": 4})
    # as each request does, act with the person as stored now (a profile was just set)
    amelie, bastien = (storage.participant_by_token(live.id, p.token) for p in (amelie, bastien))
    meetings.wish(live, amelie, "project:repair-velo", "want", helps=["local-anchoring"])
    meetings.wish(live, bastien, partner.id, "must")
    meetings.wish(live, holders["eau-claire"], partner.id, "want")
    meetings.wish(live, chloe, "project:troc-outils", "no")
    meetings.wish(live, anonymous, "project:carte-acces", "want")
    meetings.wish(live, anonymous, "project:carte-acces", None)  # withdrawn
    events.act(live, Action("vote_close"))
    events.act(live, Action("next"))
    events.act(live, Action("reveal"))
    meetings.run(live)
    meetings.edit(live, "publish", None)


def crowd_sourcing(storage: Any, events: Any, formats: Path) -> None:
    from facilitation.core.engine import Action
    from facilitation.services.events import now_ms
    from facilitation.services.seating import Seating

    path = formats / "crowd-sourcing-25-10.yaml"
    live = events.create(
        format_source=path.read_text(encoding="utf-8"),
        format_name=f"formats/{path.name}",
        roster=(),
        params={"rounds": 2, "question": "Et si la ville était à nous ?"},
        lang="en",
        seed=7,
    )
    people = [storage.add_participant(live.id, f"pass-token-{n}", now_ms()) for n in range(5)]
    for person, name in zip(people, ["Dora", "Émile", "Farid", "Gisèle", "Hugo"], strict=True):
        storage.set_participant_name(person.id, name)
    people = [storage.participant_by_token(live.id, p.token) for p in people]
    ideas = [
        ("Un budget participatif par rue", "Réunir les voisins samedi"),
        ("Des potagers sur les toits", "Lister les toits plats"),
        ("Un budget participatif par rue !", "Demander à la mairie"),
        ("spam spam spam", "spam"),
        ("Une bibliothèque d'outils", "Un local au centre social"),
    ]
    items = [
        events.submit_item(live, person, "write", {"idea": idea, "first_step": first})
        for person, (idea, first) in zip(people, ideas, strict=True)
    ]
    facilitator_card = storage.add_item(
        live.id, "write", None, {"idea": "Une fête de quartier", "first_step": ""}, now_ms(), None
    )
    storage.set_items_hidden(live.id, [items[3].id], True, now_ms())
    storage.merge_items(live.id, items[0].id, [items[2].id], now_ms())
    events.refresh_items(live)
    assert facilitator_card is not None
    seating = Seating(storage)
    everyone = [p.id for p in people]
    for round_ in (1, 2):
        events.act(live, Action("next"))
        seating.ensure(live, everyone)
        plan = storage.seating(live.id, "scoring", round_)
        readers = {p.id: p for p in people}
        for card, reader in sorted(plan.items()):
            seating.score(live, readers[reader], int(card), (int(card) + round_) % 5 + 1)


def main(out: Path) -> int:
    import facilitation
    from facilitation.services.events import Events
    from facilitation.settings import resource_dir
    from facilitation.storage.sqlite import SCHEMA_VERSION, Storage

    if SCHEMA_VERSION != 1:
        print("run this against the code of commit 64d2800 (see its docstring)", file=sys.stderr)
        return 1
    if out.exists():
        print(f"{out} exists; remove it first", file=sys.stderr)
        return 1
    print(f"writing {out} with {Path(facilitation.__file__).parent}", file=sys.stderr)
    # the formats of the code that runs, as they were then
    formats = resource_dir("formats")
    storage = Storage(out)
    events = Events(storage)
    carrefour(storage, events, formats)
    crowd_sourcing(storage, events, formats)
    expected = snapshot(storage)
    storage.close()
    out.with_suffix(".json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
