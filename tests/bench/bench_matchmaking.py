"""Benchmark of the matchmaking pipeline and its exports on generated events.

    /work/main/.venv/bin/python tests/bench/bench_matchmaking.py [SIZES...] [--partial 0.3]
        [--seed 1] [--repeat 3]

To compare with another checkout (say main, in a `git worktree`), run the same script with that
checkout first on the path, alternately with this one, so both see the same machine load:

    PYTHONPATH=/tmp/main-bench /work/main/.venv/bin/python tests/bench/bench_matchmaking.py 5000

For each size N: N participants (the side that needs, at most 5 meetings each) and N/4 partners
(at most 20 each) over 20 slots, 12 tags, 3 wishes per participant and 4 per partner; so about
5 N meetings. `--partial` makes that share of people unavailable in some slots. Prints the
median seconds per phase over `--repeat` runs ("draft" is `run_draft`: scoring, selection,
scheduling and, when needed, the exact model; each export as a download makes it, one after
the other), the score, its proven bound and gap; then, alternately with those runs, a new
draft and every file written at once as `facilitation match` writes them (two processes on
two cores), into a folder in memory where there is one. Asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(1, str(Path(__file__).resolve().parents[2]))  # after PYTHONPATH

from facilitation.core.matchmaking import (
    Draft,
    MatchConfig,
    Profile,
    Wish,
    WishLevel,
    draft_statistics,
    run_draft,
)
from facilitation.exports import calendars, match_files, printed, schedules
from facilitation.exports.match_files import MatchFiles, write_match_files

TAGS = [
    "funding",
    "mentoring",
    "legal-advice",
    "digital-skills",
    "volunteers",
    "premises",
    "public-partnership",
    "distribution-network",
    "communication",
    "impact-measurement",
    "open-source-dev",
    "local-anchoring",
]
SLOTS = 20
T = TypeVar("T")


def generate(
    participants: int, partial: float, seed: int
) -> tuple[list[Profile], list[Wish], MatchConfig]:
    rng = random.Random(seed)
    partners = participants // 4

    def availability() -> frozenset[int]:
        if rng.random() >= partial:
            return frozenset()
        return frozenset(s for s in range(1, SLOTS + 1) if rng.random() < 0.75)

    profiles = [
        Profile(
            f"o{i:05d}",
            f"Partner {i}",
            "offer",
            f"Organisation {i % 300}",
            frozenset(rng.sample(TAGS, rng.randint(1, 3))),
            frozenset(rng.sample(TAGS, rng.randint(0, 1))),
            availability(),
            max_meetings=20,
        )
        for i in range(partners)
    ]
    profiles += [
        Profile(
            f"n{i:05d}",
            f"Participant {i}",
            "need",
            f"Project {i}",
            frozenset(rng.sample(TAGS, rng.randint(0, 2))),
            frozenset(rng.sample(TAGS, rng.randint(1, 3))),
            availability(),
            max_meetings=5,
        )
        for i in range(participants)
    ]
    levels: list[WishLevel] = ["want", "want", "must", "no"]
    wishes = [
        Wish(f"n{i:05d}", f"o{j:05d}", rng.choice(levels))
        for i in range(participants)
        for j in rng.sample(range(partners), 3)
    ]
    wishes += [
        Wish(f"o{j:05d}", f"n{i:05d}", rng.choice(levels[:3]))
        for j in range(partners)
        for i in rng.sample(range(participants), 4)
    ]
    return profiles, wishes, MatchConfig(slots=SLOTS, min_meetings=1, seed=seed)


def timed(phases: dict[str, float], name: str, work: Callable[[], T]) -> T:
    begin = time.perf_counter()
    result = work()
    phases[name] = time.perf_counter() - begin
    return result


def run_once(
    profiles: list[Profile], wishes: list[Wish], config: MatchConfig
) -> tuple[dict[str, float], Draft]:
    phases: dict[str, float] = {}
    draft = timed(phases, "draft", lambda: run_draft(profiles, wishes, config))
    start = datetime(2026, 6, 12, 18, 0)
    slot = timedelta(minutes=15)
    stamp = datetime(2026, 6, 1, tzinfo=UTC)
    timed(phases, "csv", lambda: schedules.meetings_csv(draft, start, slot))
    timed(phases, "xlsx", lambda: schedules.meetings_xlsx(draft, start, slot))
    timed(
        phases,
        "ics",
        lambda: calendars.schedules_ics(draft, start, slot, event_id="b", stamp=stamp),
    )
    timed(phases, "json", lambda: schedules.draft_json(draft, start, slot))
    timed(phases, "html", lambda: printed.schedules_html(draft, start, slot))
    return phases, draft


def run_at_once(profiles: list[Profile], wishes: list[Wish], config: MatchConfig) -> float:
    """Seconds for a new draft and every file written at once, as `facilitation match` does."""
    begin = time.perf_counter()
    draft = run_draft(profiles, wishes, config)
    # in memory where the system has it: 6,250 calendar files on this VM's disk take 2 s
    memory = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=memory) as folder:
        out = Path(folder)
        files = MatchFiles(
            out / "m.csv", out / "m.xlsx", out / "m.json", out / "m.html", out / "ics"
        )
        start = datetime(2026, 6, 12, 18, 0)
        write_match_files(draft, files, start, timedelta(minutes=15), event_id="b")
        return time.perf_counter() - begin


def run(participants: int, partial: float, seed: int, repeat: int) -> None:
    profiles, wishes, config = generate(participants, partial, seed)
    runs, at_once = [], []
    for _ in range(repeat):  # alternately, so that both see the same machine
        runs.append(run_once(profiles, wishes, config))
        at_once.append(run_at_once(profiles, wishes, config))
    draft = runs[-1][1]
    phases = {k: statistics.median(r[0][k] for r in runs) for k in runs[0][0]}
    totals = sorted(sum(r[0].values()) for r in runs)
    stats = draft_statistics(draft)
    m = stats.meetings
    proof = ""
    if getattr(stats, "gap", None) is not None:
        proof = (
            f", score {stats.total_score} bound {stats.score_bound} gap {stats.gap}, "
            f"musts {stats.musts_met}/{stats.musts_possible}"
        )
    print(
        f"{participants:>6} participants + {participants // 4} partners, partial={partial}: "
        f"{m} meetings ({stats.unplaced} not placed), tables/slot max "
        f"{max(stats.tables_per_slot)} (ceil(M/slots) = {math.ceil(m / config.slots)}){proof}"
    )
    print("        " + "  ".join(f"{name} {seconds:.2f}s" for name, seconds in phases.items()))
    print(
        f"        exports {sum(phases.values()) - phases['draft']:.2f}s  "
        f"end to end median {statistics.median(totals):.2f}s "
        f"(min {totals[0]:.2f}s, {repeat} runs)"
    )
    print(
        f"        every file at once ({match_files.default_processes()} processes, files in "
        "memory): end to end "
        f"median {statistics.median(at_once):.2f}s (min {min(at_once):.2f}s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 2000, 5000])
    parser.add_argument("--partial", type=float, default=0.0, help="share with gaps in slots")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median shown)")
    args = parser.parse_args()
    print(f"matchmaking from {Path(schedules.__file__).resolve().parents[1]}")
    for size in args.sizes:
        run(size, args.partial, args.seed, max(1, args.repeat))


if __name__ == "__main__":
    main()
