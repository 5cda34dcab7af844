"""Three server processes of one PostgreSQL database and one Redis, behind nginx started with
deploy/nginx.conf: one event whichever process a phone or the console reaches, one ballot per
person across processes, seating of everyone connected anywhere, a process killed during a
ballot burst, and every process stopped and started again; nginx's routing itself: pages
spread over the processes and around a dead one, a socket's requests kept on one process by
its `k`."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import socketio

from tests.cluster import Cluster
from tests.conftest import FORMATS, ROOT
from tests.databases import PostgresServer
from tests.realtime_clients import Console, Phone, vote_stage
from tests.redis_server import RedisServer


def cluster_of(postgres: PostgresServer, redis: RedisServer, **options: Any) -> Cluster:
    return Cluster(postgres.new_database(), redis.url, count=3, **options).start()


@pytest.fixture
def cluster(postgres_server: PostgresServer, redis_server: RedisServer) -> Iterator[Cluster]:
    running = cluster_of(postgres_server, redis_server)
    yield running
    running.stop()


def options_of(phone: Phone) -> list[str]:
    return re.findall(r'name="choice" value="([a-z0-9-]+)"', phone.events["step"][-1]["html"])


async def vote(phone: Phone, choice: str, timeout: float = 15) -> dict[str, Any] | None:
    """The ack, or None if the socket went down before one came."""
    try:
        ack: dict[str, Any] = await phone.sio.call(
            "vote", {"vote": "favourite", "ballot": {"choice": choice}}, timeout=timeout
        )
    except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
        return None
    return ack


async def test_nginx_serves_static_files_itself_compressed_and_cached(cluster: Cluster) -> None:
    phone = Phone(cluster.base, cluster.code)
    page = await phone.http.get(f"/e/{cluster.code}")
    assert page.status_code == 200
    found = re.search(r'src="(/static/js/live\.js\?v=[^"]+)"', page.text)
    assert found, page.text[:2000]
    script = await phone.http.get(found.group(1), headers={"Accept-Encoding": "gzip"})
    assert script.status_code == 200 and script.headers["content-encoding"] == "gzip"
    assert "immutable" in script.headers["cache-control"]
    assert script.headers["server"] == "nginx"  # not a process: nginx read the file
    assert script.text == (ROOT / "static" / "js" / "live.js").read_text(encoding="utf-8")
    bare = await phone.http.get("/static/js/live.js")
    assert bare.headers["cache-control"] == "no-cache"
    await phone.http.aclose()


async def test_one_event_across_processes(cluster: Cluster) -> None:
    # the console through nginx, one phone on each process, one more through nginx
    console = await Console(cluster.base, cluster.code).login(cluster.console_url)
    phones = [await Phone(cluster.direct(i), cluster.code).join() for i in range(3)]
    phones.append(await Phone(cluster.base, cluster.code).join())
    await console.wait_for("console", lambda d: "4 connect" in d["html"])
    revision = await console.act("next")
    for phone in phones:
        step = await phone.wait_for("step", lambda d: d["revision"] == revision)
        assert "step-pitch" in step["html"]
    page = (await console.http.get(f"/e/{cluster.code}/console")).text
    revision = await console.act("jump", stage=vote_stage(page))
    for phone in phones:
        await phone.wait_for("step", lambda d: d["revision"] == revision)
    options = options_of(phones[0])
    # a vote through process 2 shows in the console, whichever process serves the console
    ack = await vote(phones[2], options[0])
    assert ack is not None and ack["ok"]
    await console.wait_for(
        "console", lambda d: "1 bulletin" in d["html"] or "1 ballot" in d["html"]
    )
    # the same participant through two processes at once: one ballot
    twin = Phone(cluster.direct(1), cluster.code)
    twin.http.cookies.update(dict(phones[0].http.cookies))
    await twin.connect()
    await twin.wait_for("me")
    both = await asyncio.gather(vote(phones[0], options[1]), vote(twin, options[2]))
    assert all(a is not None and a["ok"] for a in both)
    results = await console.results()
    assert results["votes"][0]["ballots"] == 2
    counts = {o["id"]: o["count"] for o in results["votes"][0]["options"]}
    assert counts[options[0]] == 1 and counts[options[1]] + counts[options[2]] == 1
    for client in (console, twin, *phones):
        await client.close()


async def test_seating_places_phones_of_every_process(
    postgres_server: PostgresServer, redis_server: RedisServer
) -> None:
    cluster = cluster_of(
        postgres_server, redis_server, format=FORMATS / "acceleration-workshop.yaml"
    )
    try:
        console = await Console(cluster.base, cluster.code).login(cluster.console_url)
        phones = [await Phone(cluster.direct(i % 3), cluster.code).join() for i in range(8)]
        await console.wait_for("console", lambda d: "8 connect" in d["html"])
        await console.act("next")
        await console.act("next")
        revision = await console.act("next")  # tables: eight phones at two tables of four
        for phone in phones:
            await phone.wait_for("step", lambda d: d["revision"] == revision)
        tables = []
        for phone in phones:
            html = (await phone.http.get(f"/e/{cluster.code}/seat")).text
            found = re.search(r'data-table="(\d+)"', html)
            assert found, html
            tables.append(int(found.group(1)))
        assert sorted(tables) == [1, 1, 1, 1, 2, 2, 2, 2]
        for client in (console, *phones):
            await client.close()
    finally:
        cluster.stop()


async def test_a_process_killed_during_a_ballot_burst(cluster: Cluster) -> None:
    console = await Console(cluster.base, cluster.code).login(cluster.console_url)
    page = (await console.http.get(f"/e/{cluster.code}/console")).text
    revision = await console.act("jump", stage=vote_stage(page))
    # 30 phones through nginx: their random keys spread them over the three processes
    phones = [await Phone(cluster.base, cluster.code).join() for _ in range(30)]
    options = options_of(phones[0])
    acked: dict[int, str] = {}
    third = asyncio.Event()

    async def one(i: int) -> None:
        ack = await vote(phones[i], options[i % len(options)])
        if ack is not None and ack["ok"]:
            acked[i] = options[i % len(options)]
            if len(acked) >= 10:
                third.set()

    burst = [asyncio.create_task(one(i)) for i in range(30)]
    await third.wait()
    cluster.kill(1)  # kill -9 while ballots are still arriving
    await asyncio.gather(*burst)
    assert len(acked) >= 10
    # every phone comes back through nginx, with its identity and its acknowledged ballot
    for i, phone in enumerate(phones):
        await phone.sio.disconnect()
        phone.events.clear()
        await phone.connect()
        me = await phone.wait_for("me")
        step = await phone.wait_for("step")
        assert step["revision"] == revision
        if i in acked:
            assert me["fields"] == {"favourite": {"choice": [acked[i]]}}
        else:  # its ballot never got an ack: it votes again, as the page does
            ack = await vote(phone, options[i % len(options)])
            assert ack is not None and ack["ok"]
    results = await console.results()
    assert results["votes"][0]["ballots"] == 30
    for client in (console, *phones):
        await client.close()


async def test_every_process_stopped_and_started_again_resumes(cluster: Cluster) -> None:
    console = await Console(cluster.base, cluster.code).login(cluster.console_url)
    await console.act("next")
    revision = await console.act("next")
    await console.close()
    for server in cluster.servers:
        server.stop()
    cluster.servers = []
    cluster.start_processes()
    assert "resumed" in "".join(cluster.servers[0].lines)
    phone = await Phone(cluster.base, cluster.code).join()
    assert phone.events["step"][-1]["revision"] == revision
    await phone.close()


def answered_by(response: httpx.Response) -> int:
    """The port of the process that answered (the last one nginx tried)."""
    return int(response.headers["X-Upstream"].split(",")[-1].strip().rsplit(":", 1)[1])


def test_pages_come_from_every_process_and_from_the_others_when_one_is_killed(
    cluster: Cluster,
) -> None:
    with httpx.Client(base_url=cluster.base, timeout=30) as http:
        answers = [http.get("/") for _ in range(3 * len(cluster.ports))]
        assert [a.status_code for a in answers] == [200] * len(answers)
        assert {answered_by(a) for a in answers} == set(cluster.ports)

        cluster.kill(1)
        # the refused connection is retried on another process: nobody sees an error
        answers = [http.get("/") for _ in range(3 * len(cluster.ports))]
        assert [a.status_code for a in answers] == [200] * len(answers)
        assert cluster.ports[1] not in {answered_by(a) for a in answers}


async def test_a_sockets_requests_stay_on_the_process_of_its_key(cluster: Cluster) -> None:
    # long-polling (websockets blocked on the way): every request of a socket must reach the
    # process holding its session, which answers 400 to a sid it does not know (without a
    # steady `k`, about half of these fail)
    async with httpx.AsyncClient(base_url=cluster.base, timeout=30) as http:
        for k in [secrets.token_hex(4) for _ in range(8)]:
            query = f"/socket.io/?EIO=4&transport=polling&code={cluster.code}&role=screen&k={k}"
            opened = await http.get(query)
            assert opened.text.startswith("0{"), opened.text
            query += "&sid=" + json.loads(opened.text[1:])["sid"]
            assert (await http.post(query, content="40")).text == "OK"
            answer = await http.get(query)
            assert answer.status_code == 200 and "40{" in answer.text, answer.text
            assert (await http.post(query, content="1")).text == "OK"

    # a websocket too: the same key reaches the same process, and the keys spread over all
    url = cluster.base.replace("http", "ws", 1) + (
        f"/socket.io/?code={cluster.code}&role=screen&EIO=4&transport=websocket&k="
    )
    seen: dict[str, int] = {}
    async with aiohttp.ClientSession() as session:
        for k in [secrets.token_hex(4) for _ in range(48)]:
            for _ in range(2):
                async with session.ws_connect(url + k) as ws:
                    assert (await ws.receive_str()).startswith("0")
                    port = int(ws._response.headers["X-Upstream"].rsplit(":", 1)[1])
                assert seen.setdefault(k, port) == port
    assert set(seen.values()) == set(cluster.ports)
