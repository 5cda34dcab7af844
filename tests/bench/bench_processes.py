"""One event through nginx on 1, 2 or 4 server processes (PostgreSQL + Redis: `pg:N`), and on one
process with SQLite (`sqlite:1`) or PostgreSQL without Redis (`pgsolo:1`), in one run: the same load test (`facilitation.loadtest.run`) for each,
configurations alternating, medians printed. Memory is the servers' resident size added over
the join phase, per phone (/proc/PID/status).

    /work/main/.venv/bin/python tests/bench/bench_processes.py --phones 2000 --runs 1 \\
        --setups sqlite:1 pg:1 pg:2 pg:4

`--events 20 --phones 300` runs twenty events at once (made through the organiser home, as an
organiser would), 300 phones each, one load-generator process per event; connect is the time
until every event's phones are live, the fan-out and ack figures the worst event's (p99) and
the median event's (p50), lost ballots added up.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from compare_bare import rss_bytes  # noqa: E402  (a sibling script: tests/bench/ is on the path)

from facilitation.loadtest import run as loadtest_run  # noqa: E402
from tests.cluster import Cluster, Nginx  # noqa: E402
from tests.conftest import Server  # noqa: E402
from tests.databases import PostgresServer  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

LIMITS = ("--max-connections", "24000", "--max-sockets-per-event", "0")


def more_events(base: str, organiser_url: str, count: int) -> list[str]:
    """`count` more events of the Carrefour evening, made through the organiser home: their
    console URLs."""
    consoles = []
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        home = client.get(organiser_url.removeprefix(base))
        home.raise_for_status()
        found = re.search(r'name="csrf" value="([^"]+)"', home.text)
        assert found, "no CSRF token on the organiser home"
        for _ in range(count):
            made = client.post(
                "/organiser/events",
                data={"csrf": found.group(1), "format": "carrefour-des-possibles"},
                follow_redirects=False,
            )
            assert made.status_code == 303, made.text[:300]
            consoles.append(base + made.headers["location"])
    return consoles


def organiser_url(server: Server) -> str:
    found = re.search(r"Organiser home:\s+(\S+)", "".join(server.lines))
    assert found, "".join(server.lines)
    return found.group(1)


def together(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The events' figures as one: the slowest event's connect and p99, the median p50."""
    if len(runs) == 1:
        return runs[0]
    worst = ("connect_wall_s", "fanout_p99_s", "ack_p99_s")
    median = ("fanout_p50_s", "ack_p50_s")
    figures: dict[str, Any] = {k: max(r[k] for r in runs) for k in worst}
    figures.update({k: statistics.median(r[k] for r in runs) for k in median})
    for added in ("lost", "unacknowledged", "closed"):
        figures[added] = sum(int(r.get(added, 0)) for r in runs)
    return figures


def one_run(
    setup: str,
    phones: int,
    generators: int,
    pg: PostgresServer,
    redis: RedisServer,
    folder: Path,
    events: int = 1,
) -> dict[str, Any]:
    kind, count = setup.split(":")
    if kind in ("sqlite", "pgsolo"):  # one process, no Redis
        db = (
            str(folder / f"{len(list(folder.iterdir()))}.sqlite3")
            if kind == "sqlite"
            else pg.new_database()
        )
        server = Server(db, extra=LIMITS)
        nginx = Nginx([server.port])
        nginx.start()
        server.public = nginx.base
        servers, console_url = [server.start()], server.console_url
        stop = [server.stop, nginx.stop]
    else:
        db = pg.new_database()
        cluster = Cluster(db, redis.url, count=int(count))
        cluster.extra = LIMITS
        cluster.start()
        servers, console_url = cluster.servers, cluster.console_url
        stop = [cluster.stop]
    pids = [s.process.pid for s in servers if s.process]
    samples: dict[str, int] = {}

    def phase(name: str) -> None:
        # several events: memory before the first starts joining, after the last has joined
        if name == "joining" and name in samples:
            return
        samples[name] = sum(rss_bytes(pid) for pid in pids)

    def arguments(console: str) -> argparse.Namespace:
        return argparse.Namespace(
            console_url=console,
            phones=phones,
            steps=5,
            generators=generators if events == 1 else 1,
            db=db,
            timeout=max(120.0, phones * events / 20),
            reconnect_storm=False,
            hold=0.0,
            json=None,
        )

    async def all_events(consoles: list[str]) -> list[dict[str, Any]]:
        # each run waits on its generators' queue in a thread: one thread each, none queued
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(2 * len(consoles) + 4))
        return list(await asyncio.gather(*(loadtest_run(arguments(c), phase) for c in consoles)))

    try:
        consoles = [console_url]
        if events > 1:
            base = servers[0].public or servers[0].base
            consoles += more_events(base, organiser_url(servers[0]), events - 1)
        label = f"{events} events x {phones} phones" if events > 1 else f"{phones} phones"
        print(f"--- {setup}, {label}", flush=True)
        figures = together(asyncio.run(all_events(consoles)))
    finally:
        for step in stop:
            step()
    figures["rss_per_phone"] = (samples["joined"] - samples["joining"]) / (phones * events)
    return figures


ROWS = [
    ("connect (all phones live)", "connect_wall_s", lambda v: f"{v:.1f} s"),
    ("step fan-out p50", "fanout_p50_s", lambda v: f"{v * 1000:.0f} ms"),
    ("step fan-out p99", "fanout_p99_s", lambda v: f"{v * 1000:.0f} ms"),
    ("vote ack p50", "ack_p50_s", lambda v: f"{v * 1000:.0f} ms"),
    ("vote ack p99", "ack_p99_s", lambda v: f"{v * 1000:.0f} ms"),
    ("ballots lost", "lost", lambda v: f"{v:.0f}"),
    ("ballots stored, ack never arrived", "unacknowledged", lambda v: f"{v:.0f}"),
    ("sockets closed by a server", "closed", lambda v: f"{v:.0f}"),
    ("server memory per phone", "rss_per_phone", lambda v: f"{v / 1024:.0f} KB"),
]


def table(results: dict[str, list[dict[str, Any]]], phones: int, events: int = 1) -> str:
    setups = list(results)
    size = f"{events} events × {phones:,} phones" if events > 1 else f"{phones:,} phones"
    lines = [f"| {size} | " + " | ".join(setups) + " |", "|---|" + "---|" * len(setups)]
    for label, key, show in ROWS:
        cells = []
        for s in setups:
            values = [float(r[key]) for r in results[s] if isinstance(r.get(key), int | float)]
            cells.append(show(statistics.median(values)) if values else "n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument("--events", type=int, default=1, help="events at once, PHONES each")
    parser.add_argument("--setups", nargs="+", default=["sqlite:1", "pg:1", "pg:2", "pg:4"])
    args = parser.parse_args()
    pg, redis = PostgresServer(durable=True).start(), RedisServer().start()
    results: dict[str, list[dict[str, Any]]] = {s: [] for s in args.setups}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for run in range(args.runs):
                order = args.setups if run % 2 == 0 else args.setups[::-1]
                for setup in order:
                    results[setup].append(
                        one_run(
                            setup,
                            args.phones,
                            args.generators,
                            pg,
                            redis,
                            Path(folder),
                            args.events,
                        )
                    )
                    print(table(results, args.phones, args.events), flush=True)
    finally:
        redis.remove()
        pg.remove()
    print("\n" + " ".join(["bench_processes.py", *sys.argv[1:]]))
    print(table(results, args.phones, args.events))


if __name__ == "__main__":
    main()
