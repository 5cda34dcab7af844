"""The store in a SQLite file: the only code that touches the database.

`Storage` implements `facilitation.storage.Store`, one table group per module. They share
`connection.Database`: the writer thread (`writer`) with the connection that writes, opened
and brought to the current schema (`schema`) when the store is made, and the connection the
reads use on the caller's thread. Only the place that opens the database imports this.
"""

from __future__ import annotations

from facilitation.storage.protocol import StorageError
from facilitation.storage.sqlite.ballots import BallotTables
from facilitation.storage.sqlite.contributions import ContributionTables
from facilitation.storage.sqlite.events import EventTables, state_from_json, state_to_json
from facilitation.storage.sqlite.matchmaking import MatchmakingTables
from facilitation.storage.sqlite.participants import ParticipantTables
from facilitation.storage.sqlite.questions import QuestionTables
from facilitation.storage.sqlite.schema import SCHEMA_VERSION
from facilitation.storage.sqlite.seatings import SeatingTables

__all__ = ["SCHEMA_VERSION", "Storage", "StorageError", "state_from_json", "state_to_json"]


class Storage(
    EventTables,
    ParticipantTables,
    BallotTables,
    ContributionTables,
    SeatingTables,
    MatchmakingTables,
    QuestionTables,
):
    """`Storage(path)` opens (or creates) the file and upgrades its schema; StorageError if
    it is not a usable database or was written by a newer facilitation."""
