"""A real PostgreSQL server for the tests: Debian's binaries, a cluster in a temporary folder,
a free port on loopback, its unix socket in that folder; one per test session, a fresh
database per test.

PostgreSQL refuses to run as root: when the tests run as root (CI does), the cluster's
folder is given to the `postgres` user the Debian package makes, and initdb and pg_ctl run
as that user through `runuser`.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests.conftest import free_port


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder (`apt-get install postgresql`)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    assert initdb, "PostgreSQL not found: apt-get install postgresql"
    return Path(initdb).parent


@dataclass
class PostgresServer:
    """`start()` makes the cluster and starts it; `stop()` and `start()` again stop and
    restart the same server (a database lost during an event), on the same port."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="facilitation-pg-")))
    port: int = field(default_factory=free_port)
    bin: Path = field(default_factory=postgres_bin)
    # fsync and synchronous commits, as a real server has them (the benchmark); tests skip them
    durable: bool = False
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        prefix: list[str] = []
        if os.geteuid() == 0:
            prefix = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [*prefix, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.folder,
        )

    def start(self) -> PostgresServer:
        if not self.data.exists():
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres", "postgres")
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=400"
        if not self.durable:  # what the tests check is not what a power cut would do
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        """As an administrator stopping it: connections are cut at once."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def fetch_one(db: str | Path, sql: str, parameters: tuple[object, ...] = ()) -> tuple[object, ...]:
    """One row of a query written with `?` placeholders, straight from the database of `db`
    (a SQLite file or a postgresql:// URL), as another program reading it would see it."""
    if str(db).startswith("postgresql://"):
        with psycopg.connect(str(db)) as conn:
            row = conn.execute(sql.replace("?", "%s"), parameters).fetchone()
    else:
        with sqlite3.connect(db) as conn:
            row = conn.execute(sql, parameters).fetchone()
    assert row is not None, sql
    return tuple(row)
