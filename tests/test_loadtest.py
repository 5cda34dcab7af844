"""`facilitation loadtest` against a real server: a handful of phones, one step, one vote.

The figures are checked for their shape and the ballot counts only: timings are not judged.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import Server


def test_loadtest_prints_its_figures(server: Server) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitation",
            "loadtest",
            server.console_url,
            "--phones",
            "4",
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
    assert lines[0] == f"phones: 4 in 1 process(es) against {server.base} (event {server.code})"
    figures = "\n".join(lines)
    assert re.search(
        r"^connect: all 4 phones live in \d+\.\d\d s; per phone p50 \d+ ms", figures, re.M
    )
    assert re.search(
        r"^step fan-out over 1 steps \(click -> last phone updated\): p50 \d+ ms", figures, re.M
    )
    assert re.search(r"^vote ack: p50 \d+ ms, p99 \d+ ms, max \d+ ms$", figures, re.M)
    assert "ballots: sent 4, acknowledged 4, stored 4, lost 0" in lines
    assert lines[-1].endswith("last count shown 4"), "the projector saw every ballot"
