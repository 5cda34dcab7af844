"""Groups, rotations and pass-around: who sits where, with whom, and who reads which card.

Pure functions of participant ids (strings); randomness only from the `random.Random` passed
in, so a seed replays a workshop exactly. Tables are numbered from 1.

Rules, stated once:
- Group sizes "size, else else_size" (e.g. "3, else 4"): as many groups as possible of exactly
  `size`, the others of `else_size`, everybody placed. When no mix of the two sizes adds up to
  the number of people (5 people, "3, else 4"), groups are made as even as possible around
  `size` (here one group of 5 is avoided: 3 + 2). With only `count`, that many groups, as even as
  possible (sizes differ by at most one).
- Pairs in rounds use the circle method: with n people (n even) no pair meets twice in the first
  n - 1 rounds; with n odd one person sits out each round, in turn.
- Larger groups in rounds are seated one person at a time by the method of conditional
  expectations, then improved by swaps. Bound (proved in `_seat_round`, checked by the tests):
  the schedule never has more repeat encounters (`count_repeats`) than random regrouping into
  the same tables has on average (`expected_random_repeats`); a few repeats are unavoidable once
  rounds exceed what a perfect design allows (`repeats_lower_bound`).
- Where finite geometry gives a design with no repeat (`designs`), its rounds are taken when they
  do better; a tabu search (`repeat_search`, bounded work, seeded) then lowers the repeats of the
  whole schedule, World Café hosts staying put, and never returns a worse one.
- Pass-around: every round each item goes to one reader who is not its author and has not read
  it before, readers get as equal a share as possible (at most ceil(items / readers) a round).
"""

from facilitation.core.grouping.designs import (
    best_known_repeats,
    design_rounds,
    repeats_lower_bound,
)
from facilitation.core.grouping.pass_around import pass_around, sum_scores, top_k
from facilitation.core.grouping.rotations import (
    SEARCH_WORK,
    count_repeats,
    expected_random_repeats,
    mixing_rounds,
    pair_rounds,
    place_of,
    station_rotation,
    troika_rounds,
    world_cafe_hosts,
)
from facilitation.core.grouping.tables import (
    Group,
    GroupingError,
    Round,
    form_groups,
    group_sizes,
    merge_groups,
)

__all__ = [
    "SEARCH_WORK",
    "Group",
    "GroupingError",
    "Round",
    "best_known_repeats",
    "count_repeats",
    "design_rounds",
    "expected_random_repeats",
    "form_groups",
    "group_sizes",
    "merge_groups",
    "mixing_rounds",
    "pair_rounds",
    "pass_around",
    "place_of",
    "repeats_lower_bound",
    "station_rotation",
    "sum_scores",
    "top_k",
    "troika_rounds",
    "world_cafe_hosts",
]
