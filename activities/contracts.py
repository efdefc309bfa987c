"""The activities' contracts: each activity's name, argument and result, declared once.

Workflows call activities through these declarations (`workflows/calls.py`), so they never
import an implementation (which would pull the database and SMTP code into the sandbox); the
implementations in this package take their name from the declaration with `implements`, which
also checks at import time that argument and result types match. The name of each activity is
the name of its function here: a stored contract with every running workflow's history.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity

from models.meeting_payloads import (
    IcsRequest,
    PlanRequest,
    PlanResult,
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
    SeriesInput,
)
from models.payloads import (
    CouncilsRequest,
    CouncilsResult,
    DelegatesRequest,
    EndSeatRequest,
    NotifyMany,
    NotifyRequest,
    NotifyResult,
    OrganSeatsRequest,
    PeoplePage,
    RecordElectionRequest,
    RecordEventRequest,
    RecordMembersRequest,
    RecordMembersResult,
    RecordPeopleRequest,
    RecordResult,
    RecordSeatsRequest,
    SeatsResult,
)

_F = TypeVar("_F", bound=Callable[..., Any])


DECLARED: dict[str, Callable[..., Any]] = {}
"""Every declaration of this module, by activity name."""

NOT_HERE = "a declaration only: the worker registers the implementation"


def declare(fn: _F) -> _F:
    """Declare the activity `fn` names (its body is never run)."""
    DECLARED[fn.__name__] = fn
    return activity.defn(fn)


# ---------------------------------------------------------------------- record store: writes


@declare
def record_members(request: RecordMembersRequest) -> RecordMembersResult:
    """Insert or update the members of a registry snapshot, with one audit entry."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_people(request: RecordPeopleRequest) -> RecordResult:
    """Insert or update people (representatives, candidates, appointed members)."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_election(request: RecordElectionRequest) -> RecordResult:
    """Record a decided election (or round) with its inputs and outcome."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_seats(request: RecordSeatsRequest) -> RecordResult:
    """Give people their seats; every person must be recorded first."""
    raise NotImplementedError(NOT_HERE)


@declare
def end_seat(request: EndSeatRequest) -> RecordResult:
    """End a seat before its term ends (a vacancy), keeping the row as history."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_event(request: RecordEventRequest) -> RecordResult:
    """Log a workflow milestone (stage reached, deadline passed, lot drawn): audit only."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_meeting(request: RecordMeetingRequest) -> RecordResult:
    """Create or update a meeting and replace its agenda."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_attendance(request: RecordAttendanceRequest) -> RecordResult:
    """Record who attended (and for whom a deputy stood in) and whether there was a quorum."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_decisions(request: RecordDecisionsRequest) -> RecordResult:
    """Record the decision on each agenda item, with its votes."""
    raise NotImplementedError(NOT_HERE)


@declare
def record_minutes(request: RecordMinutesRequest) -> RecordResult:
    """Record the minutes, and later their approval and publication."""
    raise NotImplementedError(NOT_HERE)


# ---------------------------------------------------------------------- record store: reads


@declare
def read_delegates(request: DelegatesRequest) -> PeoplePage:
    """One page of the delegates the given counties' meetings elected."""
    raise NotImplementedError(NOT_HERE)


@declare
def read_organ_seats(request: OrganSeatsRequest) -> SeatsResult:
    """The seats of an organ in a term that have not ended."""
    raise NotImplementedError(NOT_HERE)


@declare
def read_councils(request: CouncilsRequest) -> CouncilsResult:
    """The councils that elected these people, with their addresses."""
    raise NotImplementedError(NOT_HERE)


# ---------------------------------------------------------------------- notices and calendar


@declare
def notify(request: NotifyRequest) -> NotifyResult:
    """One message per recipient for (purpose, subject), sent at most once."""
    raise NotImplementedError(NOT_HERE)


@declare
def notify_many(batch: NotifyMany) -> NotifyResult:
    """`notify` for several notices in one call."""
    raise NotImplementedError(NOT_HERE)


@declare
def render_ics(request: IcsRequest) -> str:
    """The iCalendar invite (or cancellation) of a meeting, as text."""
    raise NotImplementedError(NOT_HERE)


@declare
def plan_meetings(request: PlanRequest) -> PlanResult:
    """The planned ordinary meetings of a term and the public holidays it spans."""
    raise NotImplementedError(NOT_HERE)


# ---------------------------------------------------------------------- workflows


@declare
def start_series(data: SeriesInput) -> str:
    """Start an organ's meeting series unless it ever ran; its workflow id."""
    raise NotImplementedError(NOT_HERE)


def implements(contract: Callable[..., Any]) -> Callable[[_F], _F]:
    """Register the decorated function (or method) as the activity `contract` declares, after
    checking that it takes and returns the same types."""

    def register(implementation: _F) -> _F:
        want = _signature(contract)
        got = _signature(implementation)
        if want != got:
            raise TypeError(
                f"{implementation.__qualname__} does not implement {contract.__name__}: "
                f"{got} instead of {want}"
            )
        return activity.defn(name=contract.__name__)(implementation)

    return register


def _signature(fn: Callable[..., Any]) -> tuple[tuple[Any, ...], Any]:
    """The argument types (without `self`) and the result type of `fn`."""
    hints = typing.get_type_hints(fn)
    result = hints.pop("return", None)
    names = [p for p in inspect.signature(fn).parameters if p != "self"]
    return tuple(hints.get(n) for n in names), result
