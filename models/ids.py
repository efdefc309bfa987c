"""Workflow ids, workflow type names and signal names, built and named in this one place.

A workflow id names the thing itself (`term-2027`, `county-meeting-2027-46`), so starting the
same thing twice is refused by Temporal instead of duplicated. The type and signal names are
a stored contract: every running workflow's history names them.
"""

from __future__ import annotations

import re

TERM = "Term"
COUNTY_MEETING = "CountyMeeting"
LANDSTING = "Landsting"
MEETING_SERIES = "MeetingSeries"
MEETING = "Meeting"
REGISTRY_IMPORT = "RegistryImport"

# Signals one workflow sends another: the receiver registers its handler under the same name.
COUNTY_MEETING_FINISHED = "county_meeting_finished"
LANDSTING_FINISHED = "landsting_finished"
HANDOVER = "handover"
MINUTES_APPROVED = "minutes_approved"

MEETING_ID = re.compile(r"^meeting-(?P<organ>.+)-(?P<term>[0-9]{4}-[0-9]{4})-(?P<n>[0-9]+)$")


def term_id(year: int) -> str:
    """The term elected in `year`: `term-2027`."""
    return f"term-{year}"


def county_meeting_id(year: int, county: str) -> str:
    """A county's meeting in an election year: `county-meeting-2027-46`."""
    return f"county-meeting-{year}-{county}"


def landsting_id(year: int) -> str:
    """The Landsting of the term elected in `year`: `landsting-2027`."""
    return f"landsting-{year}"


def series_id(organ: str, term: str) -> str:
    """An organ's meeting series in a term: `meetings-hovedstyret-2027-2031`."""
    return f"meetings-{organ}-{term}"


def meeting_id(organ: str, term: str, number: int) -> str:
    """One meeting of a series: `meeting-hovedstyret-2027-2031-03`."""
    return f"meeting-{organ}-{term}-{number:02d}"


def parse_meeting_id(text: str) -> tuple[str, str, int] | None:
    """(organ, term, number) of a meeting id, or None if `text` is not one."""
    match = MEETING_ID.match(text)
    if match is None:
        return None
    return match["organ"], match["term"], int(match["n"])


def registry_import_id(digest: str) -> str:
    """One registry snapshot's import, by the first 16 hex digits of its digest."""
    return f"registry-import-{digest[:16]}"


# Where published documents are read, under the public address (KSGOV_PUBLIC_URL): the minutes
# of a meeting and the protocol of an election, by their business keys.
MINUTES_PATH = "/protokoller/"
PROTOCOL_PATH = "/valg/"


def minutes_url(public_url: str, meeting_id: str) -> str:
    """Where a meeting's published minutes are read, e.g. http://127.0.0.1:8000/protokoller/
    meeting-hovedstyret-2028-2032-01."""
    return f"{public_url.rstrip('/')}{MINUTES_PATH}{meeting_id}"
