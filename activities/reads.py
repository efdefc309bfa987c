"""The read activities: the record store's reads that workflows need, adapted to Temporal.

Their answers are recorded in the workflow's history like any activity result, so a replay
sees exactly what the first run read.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from activities import contracts
from activities.contracts import implements
from models.payloads import (
    CouncilsRequest,
    CouncilsResult,
    DelegatesRequest,
    OrganSeatsRequest,
    PeoplePage,
    SeatsResult,
)
from store import reads


class ReadActivities:
    """The read activities, bound to the worker's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @implements(contracts.read_delegates)
    def read_delegates(self, request: DelegatesRequest) -> PeoplePage:
        return reads.read_delegates(self.engine, request)

    @implements(contracts.read_organ_seats)
    def read_organ_seats(self, request: OrganSeatsRequest) -> SeatsResult:
        return reads.read_organ_seats(self.engine, request)

    @implements(contracts.read_councils)
    def read_councils(self, request: CouncilsRequest) -> CouncilsResult:
        return reads.read_councils(self.engine, request)
