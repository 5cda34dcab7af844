"""Tally time for 10,000 ballots x 20 options, per method (prints figures; no assertions).

Run: python tests/bench/bench_tally.py [--ballots 10000] [--options 20]
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from facilitation.core.voting import Criterion, VoteSpec, tally


def ballots_for(spec: VoteSpec, n: int, rng: random.Random) -> list[dict[str, Any]]:
    options = list(spec.options)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        subset = rng.sample(options, rng.randint(1, len(options)))
        match spec.method:
            case "single":
                out.append({"choice": rng.choice(options)})
            case "approval":
                out.append({"choices": sorted(subset[:5], key=options.index)})
            case "dots":
                points: dict[str, int] = {}
                for option in subset[: spec.budget]:
                    points[option] = points.get(option, 0) + 1
                out.append({"points": points})
            case "rating":
                out.append({"scores": {o: rng.randint(*spec.scale) for o in subset}})
            case "ranking":
                out.append({"order": subset})
            case "majority_judgment":
                out.append({"grades": {o: rng.randrange(len(spec.grades)) for o in subset}})
            case "rubric":
                out.append(
                    {
                        "scores": {
                            o: {c.id: rng.randint(1, 5) for c in spec.criteria} for o in subset
                        }
                    }
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--options", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    options = tuple(f"option-{i:02d}" for i in range(args.options))
    specs = {
        "single": VoteSpec("single", options),
        "approval": VoteSpec("approval", options),
        "dots": VoteSpec("dots", options, budget=10),
        "rating": VoteSpec("rating", options, scale=(0, 10)),
        "borda": VoteSpec("ranking", options),
        "copeland": VoteSpec("ranking", options, count="copeland"),
        "majority-judgment": VoteSpec("majority_judgment", options),
        "rubric": VoteSpec(
            "rubric",
            options,
            criteria=(Criterion("impact", 2), Criterion("feasibility"), Criterion("team")),
        ),
    }
    print(f"{args.ballots:,} ballots x {args.options} options, best of {args.repeat} runs")
    for name, spec in specs.items():
        ballots = ballots_for(spec, args.ballots, random.Random(7))
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = tally(spec, ballots)
            best = min(best, time.perf_counter() - start)
        print(f"  {name:18} {best * 1000:7.1f} ms   winner {result.winners[:1]}")


if __name__ == "__main__":
    main()
