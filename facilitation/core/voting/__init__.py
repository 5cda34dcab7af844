"""Ballots -> results, one pure function per voting method.

Ballots arrive as JSON from phones; `validate_ballot` turns a raw ballot into its normal form or
raises `BallotError` saying what is wrong; `tally` counts normal ballots. Results never depend
on the order ballots arrive in. Randomness (the "random" tie-break) comes from a seed.
"""

from facilitation.core.voting.ballots import (
    validate_ballot,
)
from facilitation.core.voting.combining import (
    CombinedResult,
    combine_results,
    rank_points,
)
from facilitation.core.voting.spec import (
    COUNTS,
    DEFAULT_GRADE_LABELS,
    DEFAULT_GRADES,
    MAX_OPTIONS,
    METHODS,
    TIE_BREAKS,
    BallotError,
    Count,
    Criterion,
    Method,
    TieBreak,
    VoteResult,
    VoteSpec,
    standings,
)
from facilitation.core.voting.tallies import (
    majority_value,
    pairwise_matrix,
    positions,
    rank_with_ties,
    tally,
    winners,
)

__all__ = [
    "COUNTS",
    "DEFAULT_GRADES",
    "DEFAULT_GRADE_LABELS",
    "MAX_OPTIONS",
    "METHODS",
    "TIE_BREAKS",
    "BallotError",
    "CombinedResult",
    "Count",
    "Criterion",
    "Method",
    "TieBreak",
    "VoteResult",
    "VoteSpec",
    "combine_results",
    "majority_value",
    "pairwise_matrix",
    "positions",
    "rank_points",
    "rank_with_ties",
    "standings",
    "tally",
    "validate_ballot",
    "winners",
]
