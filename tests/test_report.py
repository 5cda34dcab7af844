"""The agenda as run (pure) and the after-event report (page, JSON, CSV)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.core.timeline import stage_runs
from facilitation.readers.rosters import load_roster_file
from facilitation.settings import Settings
from tests.conftest import DEMO_ROSTER, ROOT

IDEAS = ROOT / "tests" / "data" / "formats" / "ideas.yaml"


@given(
    st.lists(st.one_of(st.none(), st.integers(1, 600)), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 9)), max_size=20),
    st.integers(0, 10**6),
)
def test_time_adds_up_and_never_goes_negative(
    planned: list[int | None], moves: list[tuple[int, int]], extra: int
) -> None:
    start = 1_000
    log = [{"at": start + t, "detail": {"stage": s}} for t, s in moves]
    end = start + max([0, *(t for t, _ in moves)]) + extra
    runs = stage_runs(planned, log, start, end)
    assert len(runs) == len(planned)
    assert all(r.seconds >= 0 and r.overtime_seconds >= 0 for r in runs)
    assert abs(sum(r.seconds for r in runs) - (end - start) / 1000) < 1e-6
    entered = {0} | {s for _, s in moves if s < len(planned)}
    assert {r.index for r in runs if r.visits} == entered


def test_stages_revisited_add_up() -> None:
    log = [
        {"at": 61_000, "detail": {"stage": 1}},
        {"at": 91_000, "detail": {"stage": 0}},
        {"at": 121_000, "detail": {"stage": 1}},
        {"at": 181_000, "detail": {}},
    ]
    runs = stage_runs([60, 60], log, 1_000)
    assert [r.seconds for r in runs] == [90.0, 90.0]
    assert runs[1].visits == 2 and runs[1].overtime_seconds == 30.0


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_report_page_and_downloads(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=str(tmp_path / "r.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    live = asyncio.run(
        services.events.create(
            format_source=IDEAS.read_text(),
            format_name=str(IDEAS),
            roster=load_roster_file(DEMO_ROSTER)[:2],
            params={},
        )
    )
    with TestClient(app) as console:
        assert console.get(f"/e/{live.code}/report").status_code == 403
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        csrf = csrf_of(console.get(f"/e/{live.code}/console").text)
        phone = TestClient(app)

        def post(path: str, **data: str) -> None:
            page = phone.get(f"/e/{live.code}").text
            phone.post(f"/e/{live.code}/{path}", data={"csrf": csrf_of(page), **data})

        post("feedback", project=live.plan.lineup[0], rating="4")
        for _ in range(2):
            console.post(f"/e/{live.code}/console/act", data={"csrf": csrf, "action": "next"})
        post("item", step="ideas", idea="Une idée <i>claire</i>")
        console.post(f"/e/{live.code}/console/act", data={"csrf": csrf, "action": "next"})
        option = re.search(r'name="choice" value="(i\d+)"', phone.get(f"/e/{live.code}").text)
        assert option
        post("vote", vote="pick", choice=option.group(1))
        page = console.get(f"/e/{live.code}/report")
        assert page.status_code == 200
        assert "Une idée &lt;i&gt;claire&lt;/i&gt;" in page.text
        # methods by the names people use, durations as a stopwatch shows them
        french = console.get(f"/e/{live.code}/report?lang=fr").text
        assert "Choix unique · 1 bulletin" in french and "single ·" not in french
        assert "Single choice · 1 ballot" in console.get(f"/e/{live.code}/report?lang=en").text
        assert re.search(r"<td>\d+:\d\d</td>", french) and " min</td>" not in french
        data = json.loads(console.get(f"/e/{live.code}/report.json").text)
        assert [row["visits"] for row in data["agenda"]] == [1, 1, 1, 1, 0]
        assert data["votes"][0]["ballots"] == 1
        assert data["items"][0]["count"] == 1
        assert data["feedback"][0] == {
            "project": live.plan.lineup[0],
            "title": live.plan.project(live.plan.lineup[0]).title,
            "count": 1,
            "rating_means": {"rating": 4},
        }
        assert "comment" not in json.dumps(data["feedback"])
        rows = list(csv.DictReader(io.StringIO(console.get(f"/e/{live.code}/report.csv").text)))
        assert [r["kind"] for r in rows] == ["pitch", "pitch", "input", "vote", "reveal"]
        assert rows[-1]["visits"] == "0"
