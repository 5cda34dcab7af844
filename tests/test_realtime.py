"""A real `facilitation serve` process, real socket.io clients over websockets: each test
runs on a SQLite file, then on a PostgreSQL database (the `database` fixture)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator

import pytest

from tests.conftest import Server
from tests.databases import fetch_one
from tests.realtime_clients import Client, Console, Phone, vote_stage


@pytest.fixture
def server(database: str) -> Iterator[Server]:
    running = Server(database).start()
    yield running
    running.stop()


async def test_join_step_change_and_vote(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    phones = [await Phone(server.base, server.code).join() for _ in range(3)]
    first = phones[0].events["step"][-1]
    assert first["revision"] == 0 and "step-info" in first["html"]
    # the console hears about the three phones (coalesced, so wait for the count)
    await console.wait_for(
        "console", lambda d: "3 connectés" in d["html"] or "3 connected" in d["html"]
    )

    revision = await console.act("next")
    for phone in phones:
        step = await phone.wait_for("step", lambda d: d["revision"] == revision)
        assert "step-pitch" in step["html"] and step["timer"]["duration_ms"] == 360_000
        assert step["announce"].startswith(("Pitch 1/10", "Pitch 1/10"))

    page = (await console.http.get(f"/e/{server.code}/console")).text
    revision = await console.act("jump", stage=vote_stage(page))
    steps = [await p.wait_for("step", lambda d: d["revision"] == revision) for p in phones]
    options = re.findall(r'name="choice" value="([a-z0-9-]+)"', steps[0]["html"])
    assert len(options) == 10
    acks = await asyncio.gather(
        *(p.vote("favourite", {"choice": options[i % 2]}) for i, p in enumerate(phones))
    )
    assert all(a["ok"] for a in acks) and acks[0]["ballot"] == {"choice": options[0]}
    changed = await phones[2].vote("favourite", {"choice": options[1]})
    assert changed["ok"]
    tally = await console.wait_for(
        "console", lambda d: "3 bulletins" in d["html"] or "3 ballots" in d["html"]
    )
    assert tally["revision"] == revision
    results = await console.results()
    counts = {o["id"]: o["count"] for o in results["votes"][0]["options"]}
    assert counts[options[1]] == 2 and counts[options[0]] == 1
    for client in (console, *phones):
        await client.close()


async def test_bad_payloads_get_error_replies_not_crashes(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    page = (await console.http.get(f"/e/{server.code}/console")).text
    await console.act("jump", stage=vote_stage(page))
    phone = await Phone(server.base, server.code).join()
    bad = [
        "just a string",
        ["a", "list"],
        {"vote": "favourite"},
        {"vote": "favourite", "ballot": {"choice": "not-a-project"}},
        {"vote": "favourite", "ballot": {"choice": ["x"] * 10}},
        {"vote": "nope", "ballot": {"choice": "x"}},
        {"vote": "favourite", "ballot": {"choice": "x" * 40_000}},
        None,
    ]
    for payload in bad:
        ack = await phone.sio.call("vote", payload, timeout=30)
        assert ack["ok"] is False and ack["code"] and ack["error"], (payload, ack)
    ack = await phone.sio.call("act", {"action": "next"}, timeout=30)
    assert ack == {"ok": False, "code": "unknown_message", "error": ack["error"]}
    name = await phone.sio.call("name", {"name": 42}, timeout=30)
    assert name["ok"] is False
    for message, payload in [
        ("wish", {"target": None, "level": "want"}),
        ("wish", {"target": "project:nope", "level": "want"}),
        ("wish", {"target": 1, "level": "maybe"}),
        ("profile", {"organisation": "x" * 500}),
        ("profile", "not a profile"),
        ("item", {"step": "nope", "fields": {}}),
        ("feedback", {"project": 3, "fields": []}),
        ("score", {"card": "x", "score": 99}),
        ("choose", {"choice": {"a": 1}}),
    ]:
        ack = await phone.sio.call(message, payload, timeout=30)
        assert ack["ok"] is False and ack["error"], (message, payload, ack)
    good = await phone.sio.call(
        "profile",
        {"organisation": "Asso", "side": "offer", "offers": ["funding", 3, "bogus"]},
        timeout=30,
    )
    assert good == {
        "ok": True,
        "profile": {
            "organisation": "Asso",
            "side": "offer",
            "offers": ["funding"],
            "needs": [],
            "slots": [],
        },
    }
    # the connection survived all of it, and a good ballot still works
    html = phone.events["step"][-1]["html"]
    choice = re.findall(r'name="choice" value="([a-z0-9-]+)"', html)[0]
    assert (await phone.vote("favourite", {"choice": choice}))["ok"]
    assert (await console.results())["votes"][0]["ballots"] == 1
    await phone.close()
    await console.close()


async def test_phones_joining_together_share_the_step_each_with_its_own_clock(
    server: Server,
) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    await console.act("next")  # the first pitch
    revision = await console.act("timer_toggle")  # its timer runs
    phones = [Phone(server.base, server.code) for _ in range(6)]
    for phone in phones:
        (await phone.http.get(f"/e/{server.code}")).raise_for_status()
    steps, opened = [], []
    for phone in phones:  # one after the other, each soon after the one before
        opened.append(time.time() * 1000)
        await phone.connect()
        steps.append(await phone.wait_for("step"))
    assert {s["revision"] for s in steps} == {revision}
    # the step may be one render shared by the phones, but each sets its clock by a timer
    # made when the step was sent to it
    assert all(s["timer"]["running"] for s in steps)
    assert all(s["timer"]["server_now_ms"] >= t - 2 for s, t in zip(steps, opened, strict=True))
    paused = await console.act("timer_toggle")
    late = await Phone(server.base, server.code).join()
    assert late.events["step"][-1]["revision"] == paused
    assert late.events["step"][-1]["timer"]["running"] is False
    for client in (console, *phones, late):
        await client.close()


async def test_reconnect_keeps_identity_and_ballot(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    page = (await console.http.get(f"/e/{server.code}/console")).text
    await console.act("jump", stage=vote_stage(page))
    phone = await Phone(server.base, server.code).join()
    html = phone.events["step"][-1]["html"]
    choice = re.findall(r'name="choice" value="([a-z0-9-]+)"', html)[3]
    assert (await phone.vote("favourite", {"choice": choice}))["ok"]
    await phone.sio.disconnect()  # the phone sleeps, the network drops
    phone.events.clear()
    await phone.connect()
    me = await phone.wait_for("me")
    assert me["fields"] == {"favourite": {"choice": [choice]}}
    # a reload gets the same identity and shows the ballot
    reload = await phone.http.get(f"/e/{server.code}")
    assert re.search(rf'value="{choice}"[^>]*checked', reload.text)
    assert (await console.results())["votes"][0]["ballots"] == 1
    await phone.close()
    await console.close()


async def test_consoles_need_the_secret_and_strangers_are_refused(server: Server) -> None:
    import socketio

    stranger = Client(server.base, server.code, "console")
    try:
        await stranger.connect()
    except socketio.exceptions.ConnectionError:
        pass
    else:
        raise AssertionError("a console socket without the secret was accepted")
    finally:
        await stranger.http.aclose()
    nobody = Client(server.base, server.code, "participant")  # never loaded the page
    try:
        await nobody.connect()
    except socketio.exceptions.ConnectionError:
        pass
    else:
        raise AssertionError("a participant socket without identity was accepted")
    finally:
        await nobody.http.aclose()


async def test_a_burst_of_ballots_is_counted_exactly_with_few_updates(server: Server) -> None:
    console = await Console(server.base, server.code).login(server.console_url)
    screen = Client(server.base, server.code, "screen")
    await screen.connect()
    await screen.wait_for("screen")
    page = (await console.http.get(f"/e/{server.code}/console")).text
    revision = await console.act("jump", stage=vote_stage(page))
    phones = await asyncio.gather(*(Phone(server.base, server.code).join() for _ in range(60)))
    await asyncio.gather(*(p.wait_for("step", lambda d: d["revision"] == revision) for p in phones))
    html = phones[0].events["step"][-1]["html"]
    options = re.findall(r'name="choice" value="([a-z0-9-]+)"', html)
    screen_before = len(screen.events["screen"])
    acks = await asyncio.gather(
        *(p.vote("favourite", {"choice": options[i % 3]}) for i, p in enumerate(phones))
    )
    assert all(a["ok"] for a in acks)
    final = await screen.wait_for(
        "screen", lambda d: "60 voix" in d["html"] or "60 votes" in d["html"]
    )
    assert "results" not in final["html"].split("screen-progress")[0], "results before reveal"
    updates = len(screen.events["screen"]) - screen_before
    assert updates < 60, f"{updates} screen updates for 60 ballots: not coalesced"
    stored = (await console.results())["votes"][0]
    assert stored["ballots"] == 60
    assert sorted(o["count"] for o in stored["options"] if o["count"]) == [20, 20, 20]
    for client in (console, screen, *phones):
        await client.close()


async def test_restart_after_kill_loses_nothing(database: str) -> None:
    server = Server(database).start()
    try:
        console = await Console(server.base, server.code).login(server.console_url)
        page = (await console.http.get(f"/e/{server.code}/console")).text
        revision = await console.act("jump", stage=vote_stage(page))
        phones = [await Phone(server.base, server.code).join() for _ in range(5)]
        html = phones[0].events["step"][-1]["html"]
        options = re.findall(r'name="choice" value="([a-z0-9-]+)"', html)
        for i, phone in enumerate(phones):
            assert (await phone.vote("favourite", {"choice": options[i]}))["ok"]
        cookies = [dict(p.http.cookies) for p in phones]
        server.kill()  # kill -9 right after the acknowledgements
        for client in (console, *phones):
            await client.sio.disconnect()
        again = Server(server.db, port=server.port).start()
        assert again.code == server.code and "resumed" in "".join(again.lines)
        console2 = await Console(again.base, again.code).login(again.console_url)
        results = await console2.results()
        assert results["votes"][0]["ballots"] == 5
        assert results["votes"][0]["status"] == "open"
        phone = Phone(again.base, again.code)
        phone.http.cookies.update(cookies[2])
        await phone.join()
        step = phone.events["step"][-1]
        assert step["revision"] == revision and "vote-form" in step["html"]
        assert phone.events["me"][-1]["fields"] == {"favourite": {"choice": [options[2]]}}
        await phone.close()
        await console2.close()
        again.stop()
    finally:
        server.kill()


async def test_a_wish_with_help_keeps_the_profile_just_set(server: Server) -> None:
    """Regression: the socket kept a copy of the participant row from connection time, so a
    wish saying "I can help with…" wrote that old profile back over the one just set."""
    phone = await Phone(server.base, server.code).join()
    profile = {"organisation": "Coop", "side": "offer", "offers": ["funding"], "slots": [1, 2]}
    assert (await phone.sio.call("profile", profile, timeout=30))["ok"]
    (roster,) = fetch_one(server.db, "SELECT roster_json FROM events")
    project, needs = next((p["id"], p["needs"]) for p in json.loads(str(roster)) if p["needs"])
    ack = await phone.sio.call(
        "wish",
        {"target": f"project:{project}", "level": "want", "helps": [needs[0]]},
        timeout=30,
    )
    assert ack["ok"], ack
    token = phone.http.cookies.get(f"p_{server.code}")
    (stored,) = fetch_one(
        server.db, "SELECT profile_json FROM participants WHERE token = ?", (token,)
    )
    kept = json.loads(str(stored))
    assert kept["organisation"] == "Coop"
    assert kept["side"] == "offer"
    assert kept["slots"] == [1, 2]
    assert set(kept["offers"]) == {"funding", needs[0]}
    await phone.close()
