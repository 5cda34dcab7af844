"""The table groups, in SQL both databases read (`base` says how), gathered in one class
that each database's `Storage` completes with its `Database`."""

from __future__ import annotations

from facilitation.storage.tables.ballots import BallotTables
from facilitation.storage.tables.contributions import ContributionTables
from facilitation.storage.tables.events import EventTables
from facilitation.storage.tables.matchmaking import MatchmakingTables
from facilitation.storage.tables.participants import ParticipantTables
from facilitation.storage.tables.questions import QuestionTables
from facilitation.storage.tables.seatings import SeatingTables


class AllTables(
    EventTables,
    ParticipantTables,
    BallotTables,
    ContributionTables,
    SeatingTables,
    MatchmakingTables,
    QuestionTables,
):
    """Every method of the `Store` protocol but those of the connection."""
