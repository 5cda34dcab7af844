"""Every CSV download, opened in a spreadsheet: text people typed never runs as a formula, numbers
stay numbers, and a ballots download can be counted again by `facilitation tally`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from facilitation.app import create_app
from facilitation.cli import main
from facilitation.core.voting import VoteSpec
from facilitation.exports.tables import FORMULA_START, csv_cell, csv_text, unguarded
from facilitation.readers.ballots import read_ballots_csv
from facilitation.readers.rosters import load_roster_file
from facilitation.services.live_event import LiveEvent
from facilitation.settings import Settings
from tests.cells import cells
from tests.conftest import CARREFOUR, DEMO_ROSTER, ROOT

SPREADSHEETS = ROOT / "tests" / "data" / "formats" / "spreadsheets.yaml"
LINK = '=HYPERLINK("http://x")'
SUM = "@SUM(1)"
GRADES = ("+ great", "= fine", "- weak", "@ never")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def neutralised(cell: str, typed: str) -> bool:
    """Shown as the text typed, and not a formula to a spreadsheet."""
    return cell.startswith("'") and cell[1:].startswith(typed)


@dataclass
class Evening:
    console: TestClient
    live: LiveEvent
    csrf: str

    def act(self, action: str, **fields: str) -> None:
        self.console.post(
            f"/e/{self.live.code}/console/act",
            data={"csrf": self.csrf, "action": action, **fields},
            headers={"HX-Request": "true"},
        )

    def jump(self, step_id: str) -> None:
        stage = next(s.index for s in self.live.plan.stages if s.step_id == step_id)
        self.act("jump", stage=str(stage))

    def phone(self, name: str) -> TestClient:
        phone = TestClient(self.console.app)
        page = phone.get(f"/e/{self.live.code}").text
        phone.post(f"/e/{self.live.code}/name", data={"csrf": csrf_of(page), "name": name})
        return phone

    def post(self, phone: TestClient, path: str, **data: str) -> str:
        page = phone.get(f"/e/{self.live.code}").text
        response = phone.post(
            f"/e/{self.live.code}/{path}",
            data={"csrf": csrf_of(page), **data},
            follow_redirects=False,
        )
        return str(response.headers["location"])

    def download(self, path: str, client: TestClient | None = None) -> str:
        response = (client or self.console).get(f"/e/{self.live.code}/{path}")
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/csv")
        return response.text


@pytest.fixture
def evening(tmp_path: Path) -> Iterator[Evening]:
    app = create_app(Settings(db_path=str(tmp_path / "csv.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    first, second = load_roster_file(DEMO_ROSTER)[:2]
    live = asyncio.run(
        services.events.create(
            format_source=SPREADSHEETS.read_text(),
            format_name=str(SPREADSHEETS),
            roster=(first.model_copy(update={"title": SUM}), second),
            params={},
        )
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        yield Evening(console, live, csrf_of(console.get(f"/e/{live.code}/console").text))


def vote_everything(evening: Evening) -> list[str]:
    """Three phones: feedback, ideas, and one ballot each in every vote; the projects' ids."""
    live = evening.live
    phones = [evening.phone(name) for name in (LINK, SUM, "Zoé")]
    projects = list(live.plan.lineup)
    for phone, comment in zip(phones, (LINK, "-1+2", "fine"), strict=True):
        assert evening.post(
            phone, "feedback", project=projects[0], rating="4", comment=comment
        ).endswith("flash=sent")
    evening.jump("ideas")
    for phone, idea in zip(phones, (LINK, "+33 6 12 34 56 78", "Plain idea"), strict=True):
        assert evening.post(phone, "item", step="ideas", idea=idea).endswith("flash=sent")
    evening.jump("pick")
    options = re.findall(r'name="choice" value="(i\d+)"', phones[0].get(f"/e/{live.code}").text)
    assert len(options) == 3
    for phone, choice in zip(phones, (options[0], options[0], options[2]), strict=True):
        assert evening.post(phone, "vote", vote="pick", choice=choice).endswith("flash=voted")
    evening.jump("grade")
    for phone, grades in zip(phones, ((0, 2), (1, 3), (0, 0)), strict=True):
        marks = {f"grade.{p}": str(g) for p, g in zip(projects, grades, strict=True)}
        assert evening.post(phone, "vote", vote="grade", **marks).endswith("flash=voted")
    evening.jump("mood")
    for phone, scores in zip(phones, ((-2, 1), (2, -1), (0, -2)), strict=True):
        marks = {f"score.{p}": str(s) for p, s in zip(projects, scores, strict=True)}
        assert evening.post(phone, "vote", vote="mood", **marks).endswith("flash=voted")
    return projects


def test_typed_text_is_neutralised_in_every_event_download(evening: Evening) -> None:
    live = evening.live
    projects = vote_everything(evening)
    results = table(evening.download("results.csv"))
    labels = {r["label"] for r in results if r["vote"] == "pick"}
    assert "'" + LINK in labels, "an idea voted on is an option's label"
    assert "'+33 6 12 34 56 78" in labels and "Plain idea" in labels
    mood = {r["option"]: r["score"] for r in results if r["vote"] == "mood"}
    assert float(mood[projects[1]]) == pytest.approx(-2 / 3), "a negative mean stays a number"

    report = table(evening.download("report.csv"))
    titled = [r["label"] for r in report if SUM in r["label"]]
    assert titled and all(neutralised(label, SUM) for label in titled), "a project's title"

    ballots = table(evening.download("votes/pick/ballots.csv"))
    assert sorted(r["name"] for r in ballots) == sorted(["'" + LINK, "'" + SUM, "Zoé"])
    grades = table(evening.download("votes/grade/ballots.csv"))
    assert "name" not in grades[0], "a secret vote's download carries no names"
    assert sorted(r[projects[0]] for r in grades) == ["'+ great", "'+ great", "'= fine"]
    moods = table(evening.download("votes/mood/ballots.csv"))
    assert sorted(r[projects[1]] for r in moods) == ["-1", "-2", "1"], "numbers are not guarded"

    services = evening.console.app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    holder = next(
        p
        for p in services.participants.invited(live)
        if p.role == "holder" and p.project_id == projects[0]
    )
    own = TestClient(evening.console.app)
    own.get(f"/e/{live.code}/i/{holder.token}")
    feedback = table(evening.download("holder/feedback.csv", own))
    assert sorted(r["comment"] for r in feedback) == sorted(["'" + LINK, "'-1+2", "fine"])
    assert {r["rating"] for r in feedback} == {"4"}


def test_downloaded_ballots_tally_again_to_the_same_result(
    evening: Evening, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vote_everything(evening)
    results = evening.console.get(f"/e/{evening.live.code}/results.json").json()
    by_vote = {v["vote"]: v["result"] for v in results["votes"]}
    for vote, method, extra in [
        ("pick", "single", []),
        ("grade", "majority-judgment", ["--grades", ",".join(GRADES)]),
    ]:
        rows = list(csv.reader(io.StringIO(evening.download(f"votes/{vote}/ballots.csv"))))
        # as the tally layout asks: option columns only (no paper/abstain/name columns)
        skip = rows[0].index("abstain") + 1 + (rows[0][2:3] == ["name"])
        path = tmp_path / f"{vote}.csv"
        path.write_text(csv_text(row[skip:] for row in rows), encoding="utf-8")
        capsys.readouterr()
        assert main(["tally", "--method", method, *extra, str(path)]) == 0
        again = json.loads(capsys.readouterr().out)
        again.pop("options")
        assert again == by_vote[vote], vote


def test_negative_scores_read_back_as_numbers(evening: Evening) -> None:
    projects = vote_everything(evening)
    # read directly: `facilitation tally --scale LOW-HIGH` has no way to write a negative LOW
    rows = list(csv.reader(io.StringIO(evening.download("votes/mood/ballots.csv"))))
    text = "\n".join(",".join(row[2:]) for row in rows)
    spec, ballots = read_ballots_csv(
        text, "mood.csv", "rating", lambda o: VoteSpec("rating", o, scale=(-2, 2))
    )
    assert spec.options == tuple(projects)
    assert sorted(b["scores"][projects[1]] for b in ballots) == [-2, -1, 1]


def test_meetings_download_neutralises_names(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=str(tmp_path / "m.sqlite3")))
    services = app.other_asgi_app.app.state.services  # type: ignore[attr-defined]
    roster = load_roster_file(DEMO_ROSTER)[:4]
    live = asyncio.run(
        services.events.create(
            format_source=CARREFOUR.read_text(),
            format_name=str(CARREFOUR),
            roster=(roster[0].model_copy(update={"holder": SUM}), *roster[1:]),
            params={"meeting_slots": "3"},
        )
    )
    with TestClient(app, headers={"Accept-Language": "en"}) as console:
        console.get(f"/e/{live.code}/console?key={live.row.secret}")
        evening = Evening(console, live, csrf_of(console.get(f"/e/{live.code}/console").text))
        pitch_end = max(s.index for s in live.plan.stages if s.kind == "pitch")
        evening.act("jump", stage=str(pitch_end))
        for name in (LINK, "-Zoé-", "Ann"):
            phone = evening.phone(name)
            target = f"project:{live.plan.lineup[0]}"
            assert evening.post(phone, "wish", target=target, level="must").endswith("flash=sent")
        for action in ("run", "publish"):
            console.post(
                f"/e/{live.code}/console/match", data={"csrf": evening.csrf, "action": action}
            )
        rows = table(evening.download("match/meetings.csv"))
    names = {r["a_name"] for r in rows} | {r["b_name"] for r in rows}
    assert {"'" + LINK, "'-Zoé-", "Ann", "'" + SUM} <= names
    assert not [n for n in names if n.startswith(FORMULA_START)]


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans()))
def test_a_cell_is_text_a_spreadsheet_shows_as_typed(value: object) -> None:
    cell = csv_cell(value)
    if isinstance(value, str):
        assert isinstance(cell, str) and not cell.startswith(FORMULA_START)
        assert unguarded(cell) == value or value.startswith("'")
    elif not isinstance(value, bool):
        assert cell == value, "numbers, negative ones too, are written as numbers"


def test_the_guard_is_taken_off_only_where_it_was_put() -> None:
    assert unguarded("'=1") == "=1" and unguarded("'-2") == "-2"
    assert unguarded("'tis") == "'tis" and unguarded("''=1") == "''=1"
    assert unguarded("=1") == "=1"


def test_every_csv_download_has_a_flavour_french_excel_opens_as_it_is(evening: Evening) -> None:
    """`?for=excel`: a byte-order mark, `;` between columns, a decimal comma; the same cells
    (guarded the same way) otherwise, and our own reader takes it back."""
    projects = vote_everything(evening)
    for path in ("results.csv", "report.csv", "votes/pick/ballots.csv", "votes/mood/ballots.csv"):
        asked = time.monotonic()
        plain = evening.console.get(f"/e/{evening.live.code}/{path}")
        excel = evening.console.get(f"/e/{evening.live.code}/{path}?for=excel")
        # the stage running now keeps counting its minutes between the two downloads
        between_min = (time.monotonic() - asked) / 60 + 0.01
        assert excel.status_code == 200 and excel.headers["content-type"].startswith("text/csv")
        assert "-excel.csv" in excel.headers["content-disposition"]
        raw = excel.content
        assert raw.startswith("\ufeff".encode()), path
        body = raw.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        expected = list(csv.reader(io.StringIO(plain.text)))
        assert len(rows) == len(expected) and rows[0] == expected[0], path
        running = [
            i for i, c in enumerate(expected[0]) if c in ("real_minutes", "overtime_minutes")
        ]
        for got, want in zip(rows, expected, strict=True):
            for i in running if got is not rows[0] else ():
                if got[i] == want[i] == "":
                    continue  # a stage not run
                later, earlier = float(got[i].replace(",", ".")), float(want[i])
                assert earlier <= later <= earlier + between_min, (path, got[i], want[i])
                got[i] = want[i] = ""
            assert got == [
                c.replace(".", ",") if re.fullmatch(r"-?\d+\.\d+", c) else c for c in want
            ], path
    results = table(evening.download("results.csv"))
    mood = next(r["score"] for r in results if r["vote"] == "mood" and r["option"] == projects[1])
    excel = evening.console.get(f"/e/{evening.live.code}/results.csv?for=excel").content
    assert mood.replace(".", ",") in excel.decode("utf-8-sig"), "a decimal comma"
    links = evening.console.get(f"/e/{evening.live.code}/console").text
    assert "results.csv?for=excel" in links


_CELLS = cells("=+-@\t\r ab,\"'\n")


@given(
    st.integers(0, 4).flatmap(
        lambda width: st.lists(
            st.one_of(
                st.lists(_CELLS, min_size=width, max_size=width),
                st.lists(st.integers(0, 3), min_size=width, max_size=width),
                st.lists(st.text(alphabet="=-ab", max_size=3), min_size=width, max_size=width),
            ),
            max_size=6,
        )
    ),
    st.lists(_CELLS, max_size=3),
)
def test_a_table_is_written_as_if_each_cell_went_through_csv_cell(
    rows: list[list[object]], ragged: list[object]
) -> None:
    """Columns of one type are guarded in one pass: the text is the same as cell by cell,
    ragged tables and empty rows included."""
    for table in (rows, [*rows, ragged]):
        expected = io.StringIO()
        csv.writer(expected).writerows([csv_cell(v) for v in row] for row in table)
        assert csv_text(table) == expected.getvalue()
