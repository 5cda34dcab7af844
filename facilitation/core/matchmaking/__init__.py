"""Matchmaking: profiles and wishes -> scored candidates -> chosen meetings -> slots and tables.

Pure: no I/O, no clock; randomness only from `MatchConfig.seed`, and only to break ties. The web
layer and the CLI drive the same values:

    draft = run_draft(profiles, wishes, MatchConfig(slots=12, tables=40))
    draft = move_meeting(draft, ("p008", "p002"), slot=3)   # organiser edits, refused with a reason
    draft = publish_draft(draft)                             # what phones show
    draft = refill_draft(draft, profiles + late_arrivals)    # fills empty slots, moves nothing

One module per phase, each saying how it works; the rest of the code imports this package:

- `profiles`: who can be matched, their wishes, the event's settings, the errors;
- `scoring`: which pairs are candidates, and their scores;
- `selection`: which candidates become meetings (an exact min-cost flow);
- `scheduling`: meetings into slots and tables (an edge colouring);
- `drafts`: the organiser's draft and every edit of it;
- `drafts_json`: the draft as JSON, for storage and downloads;
- `statistics`: what the organiser checks before publishing.
"""

from facilitation.core.matchmaking.drafts import (
    Draft,
    add_meeting,
    lock_meeting,
    move_meeting,
    publish_draft,
    published_view,
    refill_draft,
    remove_meeting,
    run_draft,
    swap_meetings,
    unlock_meeting,
)
from facilitation.core.matchmaking.drafts_json import (
    draft_from_json,
    draft_to_json,
)
from facilitation.core.matchmaking.profiles import (
    WISH_LEVELS,
    EditError,
    MatchConfig,
    MatchError,
    Pair,
    Profile,
    Side,
    Wish,
    WishLevel,
    wish_level,
)
from facilitation.core.matchmaking.scheduling import (
    Meeting,
    Schedule,
    Unplaced,
    schedule_meetings,
)
from facilitation.core.matchmaking.scoring import (
    MAX_PAIR_SCORE,
    MUST_SCORE,
    MUTUAL_BONUS,
    TAG_SCORE,
    TAG_SCORE_CAP,
    WANT_SCORE,
    Candidate,
    ReasonPart,
    ScoreTable,
    reason_for,
    reason_parts,
    score_pair,
    score_profiles,
)
from facilitation.core.matchmaking.selection import (
    SHORTFALL_PENALTY,
    Selection,
    Shortfall,
    select_meetings,
)
from facilitation.core.matchmaking.statistics import (
    Statistics,
    WishCount,
    draft_statistics,
)

__all__ = [
    "MAX_PAIR_SCORE",
    "MUST_SCORE",
    "MUTUAL_BONUS",
    "SHORTFALL_PENALTY",
    "TAG_SCORE",
    "TAG_SCORE_CAP",
    "WANT_SCORE",
    "WISH_LEVELS",
    "Candidate",
    "Draft",
    "EditError",
    "MatchConfig",
    "MatchError",
    "Meeting",
    "Pair",
    "Profile",
    "ReasonPart",
    "Schedule",
    "ScoreTable",
    "Selection",
    "Shortfall",
    "Side",
    "Statistics",
    "Unplaced",
    "Wish",
    "WishCount",
    "WishLevel",
    "add_meeting",
    "draft_from_json",
    "draft_statistics",
    "draft_to_json",
    "lock_meeting",
    "move_meeting",
    "publish_draft",
    "published_view",
    "reason_for",
    "reason_parts",
    "refill_draft",
    "remove_meeting",
    "run_draft",
    "schedule_meetings",
    "score_pair",
    "score_profiles",
    "select_meetings",
    "swap_meetings",
    "unlock_meeting",
    "wish_level",
]
