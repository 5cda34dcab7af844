"""`facilitation tally` on ballot CSVs typed by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from facilitation.cli import main
from facilitation.core.voting import VoteSpec, tally, validate_ballot
from facilitation.exports.ballot_files import ballots_csv
from facilitation.readers.ballots import read_ballots_csv
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "ballots"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["tally", *args]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_single(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--method", "single", str(DATA / "single.csv"))
    assert out["ranking"] == ["glaneuse", "capteurs", "fil"]
    assert out["counts"] == {"glaneuse": 2, "capteurs": 1, "fil": 0}
    assert out["abstentions"] == 1


def test_approval(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--method", "approval", str(DATA / "approval.csv"))
    assert out["counts"] == {"a": 2, "b": 3, "c": 1} and out["ranking"] == ["b", "a", "c"]


def test_dots_with_semicolons(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--method", "dots", "--budget", "3", str(DATA / "dots.csv"))
    assert out["totals"] == {"a": 3, "b": 5, "c": 1} and out["ranking"] == ["b", "a", "c"]


def test_rating(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--method", "rating", "--scale", "1-5", str(DATA / "rating.csv"))
    assert out["means"] == {"projet-a": 4.0, "projet-b": 1.5, "projet-c": 4.0}
    assert out["ranking"] == ["projet-a", "projet-c", "projet-b"]  # a has more ratings


def test_borda_and_copeland_on_the_same_file(capsys: pytest.CaptureFixture[str]) -> None:
    borda = run(capsys, "--method", "borda", str(DATA / "ranking.csv"))
    assert borda["borda"] == {"memphis": 6, "nashville": 9, "chattanooga": 9, "knoxville": 6}
    assert borda["ties"] == [["nashville", "chattanooga"], ["memphis", "knoxville"]]
    copeland = run(capsys, "--method", "copeland", str(DATA / "ranking.csv"))
    assert copeland["ranking"][0] == "nashville" and copeland["condorcet_winner"] == "nashville"


def test_majority_judgment_with_bom_spaces_and_case(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--method", "majority-judgment", str(DATA / "mj.csv"))
    assert out["median_labels"] == {"alice": "Très bien", "bob": "Passable", "carole": "Excellent"}
    assert out["ranking"] == ["carole", "alice", "bob"]


@pytest.mark.parametrize(
    ("method", "name", "message"),
    [
        ("single", "bad-single.csv", "bad-single.csv:2: a single-choice ballot marks one option"),
        ("borda", "bad-rank.csv", "bad-rank.csv:2: two options have the same rank"),
        ("dots", "dots.csv", "dots.csv:2: 3 points spent of a budget of 2"),
    ],
)
def test_bad_ballots_name_the_row(
    capsys: pytest.CaptureFixture[str], method: str, name: str, message: str
) -> None:
    extra = ["--budget", "2"] if method == "dots" else []
    assert main(["tally", "--method", method, *extra, str(DATA / name)]) == 1
    assert message in capsys.readouterr().err


def test_missing_file_and_bad_scale_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tally", "--method", "single", "/nonexistent.csv"]) == 1
    assert main(["tally", "--method", "rating", "--scale", "five", str(DATA / "rating.csv")]) == 1
    err = capsys.readouterr().err
    assert "No such file" in err and "--scale expects LOW-HIGH" in err


def test_runs_as_a_subprocess() -> None:
    run_ = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitation",
            "tally",
            "--method",
            "copeland",
            str(DATA / "ranking.csv"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run_.stdout)["ranking"][0] == "nashville"


def test_downloaded_ballots_tally_back_to_the_same_result(tmp_path: Path) -> None:
    spec = VoteSpec("ranking", ("x", "y", "z"))
    ballots = [validate_ballot(spec, {"order": o}) for o in (["x", "y"], ["z"], ["y", "z", "x"])]
    text = ballots_csv(spec, [(b, False, "") for b in ballots], names=False)
    # the download has paper/abstain columns first: drop them to get the tally layout
    lines = [",".join(line.split(",")[2:]) for line in text.splitlines()]
    _, again = read_ballots_csv(
        "\n".join(lines), "d.csv", "borda", lambda o: VoteSpec("ranking", o)
    )
    assert tally(spec, again).to_json() == tally(spec, ballots).to_json()
