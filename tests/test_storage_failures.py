"""When the database refuses writes (issue 11, point 6): a full disk or a lock held too long
by another process. Every socket message and page says so, nothing acknowledged is lost, the
console names the cause, and the room recovers by itself once the cause is gone."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from markupsafe import escape

from facilitation.messages import refusal_message
from facilitation.settings import Settings
from tests.conftest import MANY_PHONES
from tests.inprocess import joined, serve
from tests.realtime_clients import Console
from tests.test_web import vote_stage

BANNER = "Answers are not being saved:"


async def test_a_full_disk_is_said_everywhere_and_passes(tmp_path: Path) -> None:
    db = tmp_path / "full.sqlite3"
    async with serve(Settings(db_path=str(db), default_lang="en", **MANY_PHONES)) as served:
        code, storage = served.live.code, served.services.events.storage
        console = await Console(served.base, code).login(served.console_url)
        await console.act("jump", stage=vote_stage(served.live))
        options = served.live.plan.lineup
        phones = await asyncio.gather(*(joined(served.base, code) for _ in range(80)))
        await storage._limit_pages_for_tests(0)
        acks = [await phone.vote("favourite", {"choice": options[0]}) for phone, _ in phones]
        refused = [i for i, ack in enumerate(acks) if not ack["ok"]]
        assert refused, "80 ballots fitted in the pages the file had"
        full = refusal_message("en", "disk_full")
        assert {acks[i]["code"] for i in refused} == {"disk_full"}
        assert {acks[i]["error"] for i in refused} == {full}
        await console.wait_for("console", lambda d: BANNER in d["html"])
        page = (await console.http.get(f"/e/{code}/console")).text
        assert BANNER in page and str(escape(full)) in page
        # a page may still have room for a row or two: post until the disk says it is full
        forms = []
        for i in refused:
            phone, csrf = phones[i]
            form = await phone.http.post(
                f"/e/{code}/vote", data={"csrf": csrf, "vote": "favourite", "choice": options[1]}
            )
            forms.append(form)
            if form.status_code == 503:
                break
        assert forms[-1].status_code == 503 and str(escape(full)) in forms[-1].text
        assert all(f.headers.get("location", "").endswith("flash=voted") for f in forms[:-1])
        await storage._limit_pages_for_tests(None)
        for i in refused:
            assert (await phones[i][0].vote("favourite", {"choice": options[0]}))["ok"]
        assert BANNER not in (await console.http.get(f"/e/{code}/console")).text
        results = await console.results()
        assert results["votes"][0]["ballots"] == len(phones), "an acknowledged ballot was lost"
        for phone, _ in phones:
            await phone.close()
        await console.close()


async def test_a_lock_held_too_long_is_said_and_passes(tmp_path: Path) -> None:
    db = tmp_path / "locked.sqlite3"
    async with serve(
        Settings(db_path=str(db), default_lang="en", busy_timeout_s=0.2, **MANY_PHONES)
    ) as served:
        code = served.live.code
        console = await Console(served.base, code).login(served.console_url)
        await console.act("jump", stage=vote_stage(served.live))
        choice = served.live.plan.lineup[0]
        phone, csrf = await joined(served.base, code)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writing and not letting go
        busy = refusal_message("en", "database_busy")
        ack = await phone.vote("favourite", {"choice": choice})
        assert ack == {"ok": False, "code": "database_busy", "error": busy}
        answer = await console.http.post(
            f"/e/{code}/console/act",
            data={"csrf": console.csrf, "action": "next"},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200 and busy in answer.text and BANNER in answer.text
        form = await phone.http.post(
            f"/e/{code}/vote", data={"csrf": csrf, "vote": "favourite", "choice": choice}
        )
        assert form.status_code == 503 and busy in form.text
        other.execute("ROLLBACK")
        other.close()
        assert (await phone.vote("favourite", {"choice": choice}))["ok"]
        assert BANNER not in (await console.http.get(f"/e/{code}/console")).text
        assert (await console.results())["votes"][0]["ballots"] == 1
        await phone.close()
        await console.close()
