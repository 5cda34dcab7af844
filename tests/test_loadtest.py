"""`facilitation loadtest` against a real server: a handful of phones, one step, one vote.

The figures are checked for their shape and the ballot counts only: timings are not judged.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server

PHONES = 12  # more than the default burst of new identities from one address


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`facilitation serve` as shipped: the default limits on new phones per address."""
    running = Server(tmp_path / "load.sqlite3", limits=()).start()
    yield running
    running.stop()


def test_loadtest_prints_its_figures(server: Server) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitation",
            "loadtest",
            server.console_url,
            "--phones",
            str(PHONES),
            "--steps",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert (
        lines[0] == f"phones: {PHONES} in 1 process(es) against {server.base} (event {server.code})"
    )
    figures = "\n".join(lines)
    assert re.search(
        rf"^connect: all {PHONES} phones live in \d+\.\d\d s; per phone p50 \d+ ms", figures, re.M
    )
    assert re.search(
        r"^step fan-out over 1 steps \(click -> last phone updated\): p50 \d+ ms", figures, re.M
    )
    assert re.search(r"^vote ack: p50 \d+ ms, p99 \d+ ms, max \d+ ms$", figures, re.M)
    sent = f"ballots: sent {PHONES}, acknowledged {PHONES}, stored {PHONES}, lost 0"
    assert sent in lines
    assert lines[-1].endswith(f"last count shown {PHONES}"), "the projector saw every ballot"
