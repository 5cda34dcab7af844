"""What processes share through Redis, against a real redis-server: one coalesced push per
interval whichever process saw the change, presence summed over the living processes, one
bucket of new identities per address, changes relayed to the others, and what happens when
Redis goes away and comes back."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio
from hypothesis import given
from hypothesis import strategies as st

from facilitation.core.admission import Allowance
from facilitation.processes.admission import RedisAdmission
from facilitation.processes.link import connect
from facilitation.processes.pending import RedisPending
from facilitation.processes.presence import RedisPresence
from facilitation.processes.relay import RedisRelay, decode, encode
from facilitation.services.announcements import (
    RELAYED,
    Announcer,
    Change,
    ItemAdded,
    ItemsModerated,
    MeetingsChanged,
    QuestionsChanged,
    SeatsChanged,
    SignedOut,
    StateChanged,
    TallyChanged,
)
from tests.conftest import CARREFOUR
from tests.redis_server import RedisServer


@pytest.fixture
async def client(redis_server: RedisServer) -> AsyncIterator[redis.asyncio.Redis]:
    made = connect(redis_server.url)
    yield made
    await made.aclose()


async def test_one_push_per_interval_whichever_process_saw_the_change(
    client: redis.asyncio.Redis,
) -> None:
    first, second = RedisPending(client, "a", 30.0), RedisPending(client, "b", 30.0)
    assert await first.mark("E:counts", {"7": 1})
    # the second process's change is covered by the push the first is about to make
    assert not await second.mark("E:counts", {"8": 1})
    assert not await second.mark("E:counts")
    assert await first.mark("E:questions")  # another key: its own push
    assert await first.take("E:counts") == {"7": 1, "8": 1}
    assert await second.take("E:counts") == {}


async def test_a_change_after_the_interval_makes_the_next_push(
    client: redis.asyncio.Redis,
) -> None:
    first, second = RedisPending(client, "a", 0.05), RedisPending(client, "b", 0.05)
    # the key expires with the interval (Redis's clock): wait for Redis to say so
    await client.config_set("notify-keyspace-events", "Ex")
    expired = client.pubsub()
    await expired.subscribe("__keyevent@0__:expired")

    async def expiry() -> None:
        async for message in expired.listen():
            if message["data"] == "facilitation:pending:E:reactions":
                return

    assert await first.mark("E:reactions", {"applause": 2})
    await asyncio.wait_for(expiry(), 10)
    await expired.aclose()
    assert await second.mark("E:reactions", {"heart": 1})
    assert await second.take("E:reactions") == {"applause": 2, "heart": 1}


async def test_presence_is_the_sum_of_the_living_processes(client: redis.asyncio.Redis) -> None:
    a, b = RedisPresence(client, "a"), RedisPresence(client, "b")
    await a.beat()
    await b.beat()
    await a.arrive("E", "participant", "fr", 1)
    await b.arrive("E", "participant", "en", 2)
    await b.arrive("E", "participant", "fr", 1)  # the same person, a second tab elsewhere
    await b.arrive("E", "screen", "fr", None)
    assert await a.people("E") == [1, 2]
    assert await b.rooms("E") == {("participant", "fr"), ("participant", "en"), ("screen", "fr")}
    await b.leave("E", "participant", "en", 2)
    await b.leave("E", "participant", "fr", 1)
    assert await a.people("E") == [1]  # still connected to the first process
    assert await a.rooms("E") == {("participant", "fr"), ("screen", "fr")}
    assert await a.people("OTHER") == []


async def test_a_process_that_stopped_beating_is_no_longer_counted(
    client: redis.asyncio.Redis,
) -> None:
    alive = RedisPresence(client, "alive")
    await alive.beat()
    await alive.arrive("E", "participant", "fr", 1)
    # a process killed a minute ago: its last heartbeat is that old
    dead = RedisPresence(client, "dead", clock=lambda: alive.clock() - 60)
    await dead.beat()
    await dead.arrive("E", "participant", "fr", 2)
    assert await alive.people("E") == [1]
    await alive.forget_process()
    assert await RedisPresence(client, "third").people("E") == []


async def test_a_heartbeat_mends_what_a_lost_write_left(client: redis.asyncio.Redis) -> None:
    a = RedisPresence(client, "a")
    await a.arrive("E", "participant", "fr", 1)
    await client.delete("facilitation:presence:E:a:people")  # a write Redis never got
    assert await RedisPresence(client, "b").people("E") == []
    await a.beat()
    assert await RedisPresence(client, "b").people("E") == [1]


async def test_new_identities_share_one_bucket_per_address(client: redis.asyncio.Redis) -> None:
    allowance = Allowance(per_minute=1, burst=2)
    a, b = RedisAdmission(client, allowance), RedisAdmission(client, allowance)
    assert await a.admit("10.0.0.5", 1000.0) is None
    assert await b.admit("10.0.0.5", 1000.0) is None
    wait = await a.admit("10.0.0.5", 1000.0)
    assert wait is not None and 59 < wait <= 60
    assert await b.admit("10.0.0.6", 1000.0) is None  # another phone, its own bucket
    assert await b.admit("10.0.0.5", 1061.0) is None  # a token came back a minute later


async def test_many_processes_admitting_at_once_admit_the_burst_only(
    client: redis.asyncio.Redis,
) -> None:
    allowance = Allowance(per_minute=1, burst=5)
    processes = [RedisAdmission(client, allowance) for _ in range(4)]
    answers = await asyncio.gather(
        *(p.admit("10.0.0.9", 500.0) for p in processes for _ in range(5))
    )
    assert sum(a is None for a in answers) == 5


CHANGES = st.one_of(
    st.builds(StateChanged, st.text()),
    st.builds(ItemAdded, st.text(), st.integers()),
    st.builds(QuestionsChanged, st.text(), st.text()),
    *(
        st.builds(kind, st.text())
        for kind in (ItemsModerated, SeatsChanged, MeetingsChanged, SignedOut)
    ),
)


def test_every_relayed_kind_is_tried() -> None:
    assert {
        StateChanged,
        ItemAdded,
        QuestionsChanged,
        ItemsModerated,
        SeatsChanged,
        MeetingsChanged,
        SignedOut,
    } == set(RELAYED)


@given(CHANGES, st.text())
def test_a_relayed_change_reads_back_as_it_was_sent(change: Change, sender: str) -> None:
    assert decode(encode(change, sender)) == (sender, change)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        '{"from": "a", "kind": "Nope", "change": {}}',
        '{"from": "a", "kind": "StateChanged", "change": {"x": 1}}',
    ],
)
def test_an_unreadable_message_is_set_aside(text: str) -> None:
    assert decode(text) is None


class Heard:
    def __init__(self, announcer: Announcer) -> None:
        self.changes: list[Change] = []
        self.arrived = asyncio.Condition()
        announcer.subscribe_elsewhere(self.record)

    async def record(self, change: Change) -> None:
        async with self.arrived:
            self.changes.append(change)
            self.arrived.notify_all()

    async def until(self, count: int) -> list[Change]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.changes) >= count), 10)
        return self.changes


class Process:
    """What one server process runs of the relay."""

    def __init__(self, url: str, name: str) -> None:
        self.client = connect(url)
        self.announcer = Announcer()
        self.heard = Heard(self.announcer)
        self.resynced = asyncio.Event()
        self.relay = RedisRelay(self.client, name, self.announcer, self._resync)
        self.announcer.relay = self.relay
        self.task = asyncio.create_task(self.relay.run())

    async def _resync(self) -> None:
        self.resynced.set()

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.aclose()


async def test_changes_reach_the_other_processes_not_the_sender(
    redis_server: RedisServer,
) -> None:
    a, b = Process(redis_server.url, "a"), Process(redis_server.url, "b")
    try:
        await asyncio.wait_for(asyncio.gather(a.relay.ready.wait(), b.relay.ready.wait()), 10)
        await a.announcer.announce(StateChanged("E"))
        await a.announcer.announce(TallyChanged("E"))  # counts: pushed from here, not relayed
        await a.announcer.announce(ItemAdded("E", 4))
        assert await b.heard.until(2) == [StateChanged("E"), ItemAdded("E", 4)]
        await b.announcer.announce(StateChanged("F"))
        assert await a.heard.until(1) == [StateChanged("F")]
        assert b.heard.changes == [StateChanged("E"), ItemAdded("E", 4)]
    finally:
        await a.close()
        await b.close()


async def test_redis_lost_then_back(redis_server: RedisServer) -> None:
    a = Process(redis_server.url, "a")
    pending, presence = RedisPending(a.client, "a", 30), RedisPresence(a.client, "a")
    try:
        await asyncio.wait_for(a.relay.ready.wait(), 10)
        await presence.arrive("E", "participant", "fr", 1)
        redis_server.stop()
        # nothing raises: the change is pushed from here, presence is this process's own
        await a.announcer.announce(StateChanged("E"))
        assert await pending.mark("E:counts", {"1": 1})
        assert await pending.take("E:counts") == {"1": 1}
        assert await presence.people("E") == [1]
        assert await presence.rooms("E") == {("participant", "fr")}
        redis_server.start()
        # once the relay listens again, what was missed is read again
        await asyncio.wait_for(a.resynced.wait(), 20)
        await presence.beat()
        assert await RedisPresence(a.client, "b").people("E") == [1]
    finally:
        await a.close()


def test_redis_unreachable_at_start_is_one_line_and_status_2(tmp_path: Path) -> None:
    from tests.conftest import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitation",
            "serve",
            str(CARREFOUR),
            "--db",
            str(tmp_path / "db.sqlite3"),
            "--redis",
            url,
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Redis" in lines[0] and f":{url.split(':')[2]}" in lines[0], lines
