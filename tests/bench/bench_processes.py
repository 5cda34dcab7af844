"""One event through nginx on 1, 2 or 4 server processes (PostgreSQL + Redis: `pg:N`), and on one
process with SQLite (`sqlite:1`) or PostgreSQL without Redis (`pgsolo:1`), in one run: the same load test (`facilitation.loadtest.run`) for each,
configurations alternating, medians printed. Memory is the servers' resident size added over
the join phase, per phone (/proc/PID/status).

    /work/main/.venv/bin/python tests/bench/bench_processes.py --phones 2000 --runs 1 \\
        --setups sqlite:1 pg:1 pg:2 pg:4
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from compare_bare import rss_bytes  # noqa: E402  (a sibling script: tests/bench/ is on the path)

from facilitation.loadtest import run as loadtest_run  # noqa: E402
from tests.cluster import Cluster, Nginx  # noqa: E402
from tests.conftest import Server  # noqa: E402
from tests.databases import PostgresServer  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

LIMITS = ("--max-connections", "24000", "--max-sockets-per-event", "0")


def one_run(
    setup: str, phones: int, generators: int, pg: PostgresServer, redis: RedisServer, folder: Path
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
        samples[name] = sum(rss_bytes(pid) for pid in pids)

    args = argparse.Namespace(
        console_url=console_url,
        phones=phones,
        steps=5,
        generators=generators,
        db=db,
        timeout=max(120.0, phones / 20),
        reconnect_storm=False,
        hold=0.0,
        json=None,
    )
    try:
        print(f"--- {setup}, {phones} phones", flush=True)
        figures = asyncio.run(loadtest_run(args, phase))
    finally:
        for step in stop:
            step()
    figures["rss_per_phone"] = (samples["joined"] - samples["joining"]) / phones
    return figures


ROWS = [
    ("connect (all phones live)", "connect_wall_s", lambda v: f"{v:.1f} s"),
    ("step fan-out p50", "fanout_p50_s", lambda v: f"{v * 1000:.0f} ms"),
    ("step fan-out p99", "fanout_p99_s", lambda v: f"{v * 1000:.0f} ms"),
    ("vote ack p50", "ack_p50_s", lambda v: f"{v * 1000:.0f} ms"),
    ("vote ack p99", "ack_p99_s", lambda v: f"{v * 1000:.0f} ms"),
    ("ballots lost", "lost", lambda v: f"{v:.0f}"),
    ("server memory per phone", "rss_per_phone", lambda v: f"{v / 1024:.0f} KB"),
]


def table(results: dict[str, list[dict[str, Any]]], phones: int) -> str:
    setups = list(results)
    lines = [f"| {phones:,} phones | " + " | ".join(setups) + " |", "|---|" + "---|" * len(setups)]
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
                        one_run(setup, args.phones, args.generators, pg, redis, Path(folder))
                    )
                    print(table(results, args.phones), flush=True)
    finally:
        redis.remove()
        pg.remove()
    print("\n" + " ".join(["bench_processes.py", *sys.argv[1:]]))
    print(table(results, args.phones))


if __name__ == "__main__":
    main()
