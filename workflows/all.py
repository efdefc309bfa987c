"""Every workflow class of ksgov: the one list the worker registers and replay tests load."""

from __future__ import annotations

from collections.abc import Sequence

from workflows.elections.county_meeting import CountyMeetingWorkflow
from workflows.elections.landsting import LandstingWorkflow
from workflows.meetings.meeting import MeetingWorkflow
from workflows.meetings.series import MeetingSeriesWorkflow
from workflows.registry_import import RegistryImportWorkflow
from workflows.term.term import TermWorkflow

WORKFLOWS: Sequence[type] = (
    RegistryImportWorkflow,
    TermWorkflow,
    CountyMeetingWorkflow,
    LandstingWorkflow,
    MeetingSeriesWorkflow,
    MeetingWorkflow,
)
