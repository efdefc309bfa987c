"""The kinds of input a county meeting and the Landsting take, with the file each one reads.

Kept apart from service/term.py, which maps each kind to its workflow update, so that the
command line can list them in its help without importing Temporal.
"""

from __future__ import annotations

from typing import Literal

CountyInput = Literal["representatives", "meeting-date", "nominations", "vote"]
LandstingInput = Literal["date", "credentials", "nominations", "vote", "appoint"]

COUNTY_INPUT_HELP: dict[CountyInput, str] = {
    "representatives": (
        "The representatives each member's council elected: a list of "
        '{"member_number", "people": [{"person_id", "name", "gender", "email", "party"}]}, '
        "accepted or refused as one sheet."
    ),
    "meeting-date": 'The day of the county meeting: {"meeting_date": "YYYY-MM-DD"}.',
    "nominations": (
        'The nominations: {"posts": [{"post", "candidates": [...]} or {"post", "lists": '
        '[{"name", "candidates": [...]}]}], "people": [...]}.'
    ),
    "vote": (
        'One vote (or a list, in order): {"post", "round", "votes": {candidate or list: n}} '
        'or, for an agreed list, {"post", "votes_against": n}.'
    ),
}
LANDSTING_INPUT_HELP: dict[LandstingInput, str] = {
    "date": 'The congress date: {"congress_date": "YYYY-MM-DD"}; the notice goes out.',
    "credentials": 'The approved delegates: {"approved": [person ids]}.',
    "nominations": COUNTY_INPUT_HELP["nominations"],
    "vote": COUNTY_INPUT_HELP["vote"],
    "appoint": (
        "The member the associates' board appoints: "
        '{"person": {"person_id", "name", "gender", "email"}}.'
    ),
}
