"""`facilitation loadtest` against real servers: a few phones, pings, a vote, a storm, a stall.

Timings are not judged; what is checked is what a load test must get right to be believed:
the phones survive the server's pings, the ballots are counted in the database, every phone
comes back after a reconnect storm, compression is negotiated, and a server that stops
answering ends the run with a message instead of a hang.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server

PHONES = 20


def loadtest(*args: str) -> list[str]:
    return [sys.executable, "-m", "facilitation", "loadtest", *args]


@pytest.fixture
def quick_pings(tmp_path: Path) -> Iterator[Server]:
    """A server pinging every second, dropping a socket that misses a ping within a second."""
    running = Server(tmp_path / "load.sqlite3", extra=("--ping-interval", "1")).start()
    yield running
    running.stop()


def test_phones_answer_pings_vote_and_come_back(quick_pings: Server, tmp_path: Path) -> None:
    figures_file = tmp_path / "figures.json"
    run = subprocess.run(
        loadtest(
            quick_pings.console_url,
            *("--phones", str(PHONES), "--steps", "2", "--hold", "3", "--timeout", "20"),
            *("--db", str(quick_pings.db), "--reconnect-storm", "--json", str(figures_file)),
        ),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    figures = json.loads(figures_file.read_text())
    assert lines[0] == f"phones: {PHONES} in 1 generator(s) against {quick_pings.base}"
    # three seconds at one ping a second: every phone answered some, and none was dropped
    assert figures["pings"] >= PHONES * 2 and figures["dropped"] == 0, run.stdout
    assert f"{figures['pings']} engine.io pings answered, 0 phones dropped" in run.stdout
    # the server's answer to the offered compression, as Chromium offers it
    assert [e.split(";")[0] for e in figures["compression"]] == ["permessage-deflate"]
    assert figures["first_load_bytes"] > 0
    assert f"ballots: sent {PHONES}, acknowledged {PHONES}, stored {PHONES}, lost 0" in lines
    assert figures["lost"] == 0
    assert figures["storm_missing"] == 0
    assert any(
        line.startswith(f"reconnect storm: {PHONES} of {PHONES} phones back") for line in lines
    )
    assert re.search(
        r"^step fan-out over 2 steps .* per phone: p50 \d+ ms, p99 \d+ ms", run.stdout, re.M
    )
    assert re.search(r"^vote ack \(from the start of the burst\): p50 \d+ ms", run.stdout, re.M)
    assert lines[-1].startswith("load generators: ")


def test_a_server_that_stops_answering_ends_the_run(tmp_path: Path) -> None:
    """Stopped (SIGSTOP) once the phones are in: the next click waits out --timeout, then the
    run says what it was waiting for and exits."""
    server = Server(tmp_path / "stall.sqlite3").start()
    assert server.process is not None
    try:
        with subprocess.Popen(
            loadtest(server.console_url, "--phones", "5", "--hold", "1", "--timeout", "3"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as run:
            assert run.stdout is not None
            seen = []
            for line in run.stdout:
                seen.append(line)
                if line.startswith("connect: "):
                    server.process.send_signal(signal.SIGSTOP)
                    break
            rest = run.communicate(timeout=60)[0]
        assert run.returncode == 2, "".join(seen) + rest
        assert "facilitation: the load test stopped: " in rest
        assert "got no answer within 3 s" in rest
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.stop()


def test_a_server_that_never_answers_ends_the_run() -> None:
    """A port that takes connections and never answers (the kernel accepts, nobody reads)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        run = subprocess.run(
            loadtest(f"http://127.0.0.1:{port}/e/ABC/console?key=k", "--timeout", "2"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "the load test stopped: GET /e/ABC/console?key=k got no answer within 2 s" in run.stdout
