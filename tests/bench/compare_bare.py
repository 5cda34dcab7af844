"""The project against the bare python-socketio baseline: same client, same machine, same run.

For each size, runs alternate project and baseline (the order flips each pair, so neither
always runs on a warmer or quieter machine), each on a fresh server and database, with the
same load test (`facilitation.loadtest.run`). The server's CPU and memory are read from
/proc/PID around the join phase. Printed: the median of each figure and the median of the
per-pair ratios.

    /work/main/.venv/bin/python tests/bench/compare_bare.py --sizes 2000 5000 --pairs 3 2

The project is started as a facilitator starts it, with the limits on new phones off (all
phones come from this machine). `--baseline REF` takes the project as it was at git commit
REF (checked out in a temporary worktree) as the baseline instead of the bare server: how
much faster or slower a change made the project.

    /work/main/.venv/bin/python tests/bench/compare_bare.py --sizes 2000 --pairs 4 \
        --baseline 4991400
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from facilitation.loadtest import run as loadtest_run  # noqa: E402

PYTHON = sys.executable
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_bytes(pid: int) -> int:
    found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) * 1024 if found else 0


class Started:
    """A server subprocess, ready once it printed its console URL and "Press Ctrl+C"."""

    def __init__(self, command: list[str], cwd: Path = ROOT) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line)
                if line.startswith("Press Ctrl+C"):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(120) or self.process.poll() is not None:
            raise RuntimeError("server did not start:\n" + "".join(self.lines))
        found = re.search(r"Facilitator console: (\S+)", "".join(self.lines))
        assert found, self.lines
        self.console_url = found.group(1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(kind: str, folder: Path, baseline: Path | None = None) -> tuple[Started, Path | None]:
    """`kind` "project", "bare", or "baseline": the project's checkout at `baseline`."""
    port = free_port()
    if kind == "bare":
        return Started(
            [PYTHON, str(ROOT / "tests/bench/bare_socketio.py"), "--port", str(port)]
        ), None
    db = folder / f"project-{port}.sqlite3"
    command = [PYTHON, "-m", "facilitation", "serve", "formats/carrefour-des-possibles.yaml"]
    command += ["--db", str(db), "--port", str(port), "--host", "127.0.0.1"]
    command += ["--public-url", f"http://127.0.0.1:{port}", "--new-phones-per-minute", "0"]
    # 5,000 phones hold 5,000 connections: more than the default cap of 4,096
    command += ["--max-connections", "12000"]
    return Started(command, baseline if kind == "baseline" and baseline else ROOT), db


def one_run(
    kind: str, phones: int, generators: int, folder: Path, baseline: Path | None = None
) -> dict[str, Any]:
    server, db = start(kind, folder, baseline)
    pid = server.process.pid
    samples: dict[str, tuple[float, int, float]] = {}

    def phase(name: str) -> None:
        samples[name] = (cpu_seconds(pid), rss_bytes(pid), time.perf_counter())

    args = argparse.Namespace(
        console_url=server.console_url,
        phones=phones,
        steps=5,
        generators=generators,
        db=str(db) if db else None,
        timeout=max(120.0, phones / 20),
        reconnect_storm=True,
        hold=0.0,
        json=None,
    )
    try:
        print(f"--- {kind}, {phones} phones", flush=True)
        figures = asyncio.run(loadtest_run(args, phase))
    finally:
        server.stop()
    cpu_join = samples["joined"][0] - samples["joining"][0]
    rss_join = samples["joined"][1] - samples["joining"][1]
    figures["cpu_per_join_s"] = cpu_join / phones
    figures["rss_per_phone"] = rss_join / phones
    figures["storm_cpu_s"] = samples["storm_done"][0] - samples["storm"][0]
    return figures


ROWS: list[tuple[str, str, Callable[[float], str]]] = [
    ("step fan-out p99 (per phone)", "fanout_p99_s", lambda v: f"{v * 1000:.0f} ms"),
    ("vote throughput", "votes_per_s", lambda v: f"{v:,.0f} per s"),
    ("vote ack p99 from the start of the burst", "ack_p99_s", lambda v: f"{v * 1000:,.0f} ms"),
    ("server CPU per join (page + socket)", "cpu_per_join_s", lambda v: f"{v * 1000:.2f} ms"),
    ("every phone reconnects at once", "storm_s", lambda v: f"{v:.1f} s"),
    ("memory per phone", "rss_per_phone", lambda v: f"{v / 1024:.0f} KB"),
    ("first page load (transferred)", "first_load_bytes", lambda v: f"{v / 1024:.1f} KB"),
]


def table(
    results: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]], against: str = "bare"
) -> str:
    sizes = sorted(results)
    head = "| measure | " + " | ".join(f"project / {against}, {n:,} phones" for n in sizes) + " |"
    lines = [head, "|---|" + "---|" * len(sizes)]
    for label, key, show in ROWS:
        cells = []
        for n in sizes:
            pairs = results[n]
            project = statistics.median(p[key] for p, _ in pairs)
            bare = statistics.median(b[key] for _, b in pairs)
            ratio = statistics.median(p[key] / b[key] if b[key] else float("nan") for p, b in pairs)
            cells.append(f"{show(project)} / {show(bare)} ({ratio:.2f}×)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lost = {n: sum(int(p.get("lost", 0)) for p, _ in results[n]) for n in sizes}
    lines.append(
        "| lost ballots (project, all runs) | " + " | ".join(str(lost[n]) for n in sizes) + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument(
        "--pairs",
        type=int,
        nargs="+",
        default=[3],
        help="project/baseline pairs per size (one number for all sizes, or one per size)",
    )
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument(
        "--baseline", metavar="REF", help="compare with the project at this git commit instead"
    )
    args = parser.parse_args()
    results: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    other = "baseline" if args.baseline else "bare"
    against = args.baseline or "bare"
    with tempfile.TemporaryDirectory() as folder:
        checkout = Path(folder) / "baseline"
        if args.baseline:
            add = ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach"]
            subprocess.run([*add, str(checkout), args.baseline], check=True)
        try:
            for position, n in enumerate(args.sizes):
                results[n] = []
                for pair in range(args.pairs[min(position, len(args.pairs) - 1)]):
                    order = ["project", other] if pair % 2 == 0 else [other, "project"]
                    got = {
                        kind: one_run(kind, n, args.generators, Path(folder), checkout)
                        for kind in order
                    }
                    results[n].append((got["project"], got[other]))
                    print(table(results, against), flush=True)
        finally:
            if args.baseline:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(checkout)],
                    check=False,
                )
    print("\n" + " ".join(["compare_bare.py", *sys.argv[1:]]))
    print(table(results, against))


if __name__ == "__main__":
    main()
