"""Audience questions and reactions through a real server and real socket.io clients: ask,
upvote once, take back, merge duplicates, hide, pre-moderation, focus on the projector,
answered; pushes coalesced; reactions counted and rate-limited."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from tests.conftest import Server
from tests.realtime_clients import Client, Console, Phone


def votes_of(payload: dict[str, Any]) -> dict[int, int]:
    """Question id → upvotes, as the pushed list shows them."""
    return {
        int(qid): int(n)
        for qid, n in re.findall(r'data-id="(\d+)" data-votes="(\d+)"', payload["html"])
    }


async def moderate(console: Console, action: str, *ids: int, **fields: str) -> str:
    response = await console.http.post(
        f"/e/{console.code}/console/questions",
        data={"csrf": console.csrf, "action": action, "question": [str(i) for i in ids], **fields},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return response.text


async def test_ask_upvote_take_back_merge_hide_and_moderate(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    screen = Client(server.base, server.code, "screen")
    await screen.connect()
    phones = [await Phone(server.base, server.code).join() for _ in range(3)]
    a, b, c = phones
    revision = await console.act("next")  # the first pitch: questions to its project
    for phone in phones:
        step = await phone.wait_for("step", lambda d: d["revision"] == revision)
        assert 'id="questions"' in step["html"] and 'class="reactions"' in step["html"]

    asked = await a.sio.call("ask", {"text": "  Comment est-ce financé ?  "}, timeout=30)
    assert asked["ok"] and asked["question"]["state"] == "shown"
    first = asked["question"]["id"]
    assert asked["question"]["text"] == "Comment est-ce financé ?"
    seen = await b.wait_for("questions", lambda d: first in votes_of(d))
    assert "Comment est-ce financé ?" in seen["html"] and votes_of(seen)[first] == 0

    # one upvote per person: a second tap changes nothing
    assert (await b.sio.call("upvote", {"question": first}, timeout=30))["up"] is True
    assert (await b.sio.call("upvote", {"question": first}, timeout=30))["up"] is True
    assert (await c.sio.call("upvote", {"question": first}, timeout=30))["ok"]
    await a.wait_for("questions", lambda d: votes_of(d).get(first) == 2)
    taken = await b.sio.call("upvote", {"question": first, "up": False}, timeout=30)
    assert taken == {"ok": True, "question": first, "up": False}
    await a.wait_for("questions", lambda d: votes_of(d).get(first) == 1)

    # a duplicate, upvoted by b and by c (who upvoted the first too): merged, c counts once
    dup = (await a.sio.call("ask", {"text": "Quel financement ?", "name": "Léa"}, timeout=30))[
        "question"
    ]["id"]
    for phone in (b, c):
        assert (await phone.sio.call("upvote", {"question": dup}, timeout=30))["ok"]
    await a.wait_for("questions", lambda d: votes_of(d).get(dup) == 2)
    a.events["questions"].clear()  # wait for lists pushed from now on
    html = await moderate(console, "merge", first, dup)
    assert "flash error" not in html
    merged = await a.wait_for("questions")
    assert votes_of(merged) == {first: 2}  # b and c, c counted once
    # upvoting the merged one counts for the first, without counting c twice
    again = await c.sio.call("upvote", {"question": dup}, timeout=30)
    assert again["ok"]

    # hidden: gone from phones, refuses upvotes
    b.events["questions"].clear()
    await moderate(console, "hide", first)
    await b.wait_for("questions", lambda d: first not in votes_of(d))
    closed = await a.sio.call("upvote", {"question": first}, timeout=30)
    assert closed["ok"] is False and closed["code"] == "question_closed" and closed["error"]
    await moderate(console, "show", first)

    # pre-moderation: a new question waits for approval, seen only by the console
    await moderate(console, "moderation", moderation="pre")
    waiting = await c.sio.call("ask", {"text": "Et l'an prochain ?"}, timeout=30)
    assert waiting["question"]["state"] == "pending"
    queued = waiting["question"]["id"]
    queue = await console.wait_for("console", lambda d: "Et l&#39;an prochain ?" in d["html"])
    assert "Waiting for approval" in queue["html"] or "En attente" in queue["html"]
    assert all(queued not in votes_of(d) for d in a.events.get("questions", []))
    refused = await a.sio.call("upvote", {"question": queued}, timeout=30)
    assert refused["code"] == "question_closed"
    await moderate(console, "approve", queued)
    await a.wait_for("questions", lambda d: queued in votes_of(d))

    # on the projector, then answered
    await moderate(console, "focus", queued)
    await screen.wait_for(
        "screen", lambda d: "screen-focus-question" in d["html"] and "an prochain" in d["html"]
    )
    await moderate(console, "answered", queued)
    marked = await a.wait_for("questions", lambda d: "is-answered" in d["html"])
    assert re.search(rf'is-answered[^"]*" data-id="{queued}"', marked["html"])
    for client in (console, screen, *phones):
        await client.close()


async def test_bad_question_messages_get_error_replies(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    phone = await Phone(server.base, server.code).join()
    closed = await phone.sio.call("ask", {"text": "Too early?"}, timeout=30)
    assert closed["ok"] is False and closed["code"] == "no_questions"  # the welcome step
    await console.act("next")
    await phone.wait_for("step", lambda d: 'id="questions"' in d["html"])
    for payload, code in [
        ({"text": ""}, "missing_field"),
        ({"text": "x" * 281}, "too_long"),
        ({"text": ["list"]}, "malformed"),
        ("just text", "malformed"),
    ]:
        ack = await phone.sio.call("ask", payload, timeout=30)
        assert ack["ok"] is False and ack["code"] == code and ack["error"], (payload, ack)
    for payload, code in [
        ({"question": "1"}, "malformed"),
        ({"question": 999_999}, "unknown_question"),
        ({"question": True}, "malformed"),
        ({"question": 1, "up": "yes"}, "malformed"),
    ]:
        ack = await phone.sio.call("upvote", payload, timeout=30)
        assert ack["ok"] is False and ack["code"] == code, (payload, ack)
    ack = await phone.sio.call("react", {"kind": "boo"}, timeout=30)
    assert ack["ok"] is False and ack["code"] == "no_reaction"
    # a script's phone cannot moderate: the console route wants the facilitator
    response = await phone.http.post(
        f"/e/{server.code}/console/questions", data={"action": "hide", "question": "1"}
    )
    assert response.status_code in (303, 403)
    await console.close()
    await phone.close()


async def test_upvotes_are_pushed_coalesced_and_reactions_counted(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    screen = Client(server.base, server.code, "screen")
    await screen.connect()
    phones = [await Phone(server.base, server.code).join() for _ in range(12)]
    await console.act("next")
    watcher = phones[0]
    await watcher.wait_for("step", lambda d: 'id="questions"' in d["html"])
    asked = await watcher.sio.call("ask", {"text": "Combien de bénévoles ?"}, timeout=30)
    question = asked["question"]["id"]
    await watcher.wait_for("questions", lambda d: question in votes_of(d))
    before = len(watcher.events["questions"])
    acks = await asyncio.gather(
        *(p.sio.call("upvote", {"question": question}, timeout=30) for p in phones[1:])
    )
    assert all(ack["ok"] for ack in acks)
    await watcher.wait_for("questions", lambda d: votes_of(d).get(question) == 11)
    pushes = len(watcher.events["questions"]) - before
    assert 1 <= pushes < 11, pushes  # never one push per upvote

    # reactions: counted on the projector; a phone that taps too fast is slowed down
    sent = await asyncio.gather(
        *(p.sio.call("react", {"kind": "applause"}, timeout=30) for p in phones[:5])
    )
    assert all(ack["ok"] for ack in sent)

    def applause(screen_events: list[dict[str, Any]]) -> int:
        return sum(e["counts"].get("applause", 0) for e in screen_events)

    await screen.wait_for("reactions", lambda d: applause(screen.events["reactions"]) >= 5)
    assert applause(screen.events["reactions"]) == 5
    burst = [await phones[6].sio.call("react", {"kind": "heart"}, timeout=30) for _ in range(15)]
    assert [a["ok"] for a in burst].count(True) == 10  # the burst allowance
    assert {a["code"] for a in burst if not a["ok"]} == {"too_fast"}
    for client in (console, screen, *phones):
        await client.close()
