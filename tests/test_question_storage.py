"""The store's rules for audience questions: one upvote per person per question even when
two arrive at once, only shown questions take upvotes, per-person limits counted in the
insert's transaction, and reaction totals that add up, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from facilitation.storage.opening import open_store
from facilitation.storage.rows import QuestionSettings
from tests.test_storage import make_event


async def test_upvotes_are_one_per_person_even_when_sent_together(database: str) -> None:
    storage = open_store(database)
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    bob = await storage.add_participant(event, "tok-b", 1)
    asked = await storage.add_question(event, "qa", "p1", alice.id, "Why?", None, "shown", 5, None)
    assert asked is not None and asked.project_id == "p1" and asked.state == "shown"
    taps = await asyncio.gather(*(storage.upvote(event, asked.id, bob.id, 6) for _ in range(8)))
    assert taps.count(True) == 1
    assert await storage.upvote(event, asked.id, alice.id, 7)
    assert sorted(storage.question_upvotes(event)) == sorted(
        [(asked.id, bob.id), (asked.id, alice.id)]
    )
    assert await storage.take_back_upvote(event, [asked.id], bob.id) == 1
    assert await storage.take_back_upvote(event, [asked.id], bob.id) == 0
    assert storage.question_upvotes(event) == [(asked.id, alice.id)]
    storage.close()


async def test_only_shown_questions_take_upvotes(database: str) -> None:
    storage = open_store(database)
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    pending = await storage.add_question(
        event, "qa", None, alice.id, "A?", None, "pending", 1, None
    )
    shown = await storage.add_question(event, "qa", None, alice.id, "B?", "Léa", "shown", 2, None)
    assert pending is not None and shown is not None and shown.name == "Léa"
    assert not await storage.upvote(event, pending.id, alice.id, 3)
    assert await storage.moderate_questions(event, [pending.id], "shown", None, 4) == 1
    assert await storage.upvote(event, pending.id, alice.id, 5)
    assert await storage.moderate_questions(event, [shown.id], "hidden", True, 6) == 1
    hidden = storage.questions(event)[1]
    assert (hidden.state, hidden.answered) == ("hidden", True)
    assert not await storage.upvote(event, shown.id, alice.id, 7)
    # merged questions take no upvotes either: their upvotes count for the target
    assert await storage.moderate_questions(event, [shown.id], "shown", None, 8) == 1
    assert await storage.merge_questions(event, pending.id, [shown.id, pending.id], 9) == 1
    assert storage.questions(event)[1].merged_into == pending.id
    assert not await storage.upvote(event, shown.id, alice.id, 10)
    # another event's questions are out of reach
    other = await make_event(storage, code="OTHERS")
    assert await storage.moderate_questions(other, [pending.id], "hidden", None, 11) == 0
    assert not await storage.upvote(other, pending.id, alice.id, 12)
    storage.close()


async def test_the_per_person_limit_holds_for_quick_taps(database: str) -> None:
    storage = open_store(database)
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    asked = await asyncio.gather(
        *(
            storage.add_question(event, "qa", None, alice.id, f"Q{i}?", None, "shown", i, 2)
            for i in range(6)
        )
    )
    assert sum(q is not None for q in asked) == 2
    assert len(storage.questions(event, "qa")) == 2
    assert storage.questions(event, "other") == []
    storage.close()


async def test_settings_reactions_and_hidden_words_read_back(database: str) -> None:
    storage = open_store(database)
    event = await make_event(storage)
    alice = await storage.add_participant(event, "tok-a", 1)
    assert storage.question_settings(event) == QuestionSettings(None, None)
    asked = await storage.add_question(event, "qa", None, alice.id, "A?", None, "shown", 1, None)
    assert asked is not None
    await storage.set_question_settings(event, QuestionSettings(asked.id, "pre"))
    assert storage.question_settings(event) == QuestionSettings(asked.id, "pre")
    await storage.add_reactions(event, "qa", {"applause": 3, "heart": 0})
    await storage.add_reactions(event, "qa", {"applause": 2, "heart": 1})
    await storage.add_reactions(event, "talk", {"wow": 4})
    assert storage.reactions(event) == {"qa": {"applause": 5, "heart": 1}, "talk": {"wow": 4}}
    await storage.set_cloud_hidden(event, "words", "energie", True)
    await storage.set_cloud_hidden(event, "words", "energie", True)
    await storage.set_cloud_hidden(event, "words", "lien", True)
    await storage.set_cloud_hidden(event, "words", "lien", False)
    assert storage.cloud_hidden(event, "words") == {"energie"}
    assert storage.cloud_hidden(event, "other") == set()
    storage.close()
