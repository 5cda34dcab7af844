from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings
from playwright.async_api import Browser, async_playwright

if TYPE_CHECKING:
    from tests.databases import PostgresServer
    from tests.redis_server import RedisServer

# CI machines are slower and busier than a laptop: judge properties, not speed.
settings.register_profile(
    "facilitation", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("facilitation")

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "formats"
# A copy of the fictional rosters of shared/data, so that a clone of this repository is enough.
SHARED = ROOT / "tests" / "data" / "sample"
DEMO_ROSTER = FORMATS / "rosters" / "demo.yaml"
CARREFOUR = FORMATS / "carrefour-des-possibles.yaml"
# Test phones all come from one address (TestClient's, or 127.0.0.1): the limit on new
# identities per address (tests/test_one_vote.py) is lifted where a test joins many.
MANY_PHONES = {"new_identities_per_minute": 0}


@pytest.fixture
def carrefour_source() -> str:
    return CARREFOUR.read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """`facilitation serve` in a subprocess, as a facilitator starts it, on a SQLite file or
    a postgresql:// URL (the `database` fixture gives either)."""

    db: Path | str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)
    extra: tuple[str, ...] = ()
    # None: no format, every event of the database (a process of a group behind nginx)
    format: Path | None = CARREFOUR
    # the address phones use: nginx's in front of a group of processes
    public: str | None = None
    # test phones all come from 127.0.0.1: most tests lift the limit on new identities
    limits: tuple[str, ...] = ("--new-phones-per-minute", "0")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "facilitation",
                "serve",
                *([str(self.format)] if self.format else []),
                "--db",
                str(self.db),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--public-url",
                self.public or self.base,
                *self.limits,
                *self.extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        ready: queue.Queue[str] = queue.Queue()

        def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line)
                ready.put(line)
            ready.put("")

        threading.Thread(target=read, daemon=True).start()
        while True:
            line = ready.get(timeout=60)
            if line == "":
                raise RuntimeError("server exited:\n" + "".join(self.lines))
            if line.startswith("Press Ctrl+C"):
                return self

    @property
    def console_url(self) -> str:
        text = "".join(self.lines)
        found = re.search(r"Facilitator console: (\S+)", text)
        assert found, text
        return found.group(1)

    @property
    def code(self) -> str:
        found = re.search(r"/e/([A-Z0-9]+)/console", self.console_url)
        assert found
        return found.group(1)

    def kill(self) -> None:
        """As hard as a crash: SIGKILL, no clean shutdown."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "live.sqlite3").start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole test session (tests/databases.py)."""
    from tests.databases import PostgresServer

    running = PostgresServer().start()
    yield running
    running.remove()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real Redis for one test, on a free port, in a temporary folder (tests/redis_server.py)."""
    from tests.redis_server import RedisServer

    running = RedisServer().start()
    yield running
    running.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database for one test, as `--db` names it: a SQLite file, then a fresh
    database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "db.sqlite3")
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    return postgres.new_database()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, as the developers' guide says (no downloaded browser)."""
    from tests.browsing import AXE, CHROMIUM, FLAGS

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (install Debian's chromium)"
    assert AXE.exists(), f"axe-core not found at {AXE} (run: npm ci --prefix tests/e2e)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()
