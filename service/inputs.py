"""The kinds of input a county meeting and the Landsting take, with the file each one reads.

Kept apart from service/term.py, which maps each kind to its workflow update, so that the
command line can list them in its help without importing Temporal.
"""

from __future__ import annotations

from typing import Literal

CountyInput = Literal["representatives", "meeting-date", "nominations", "vote", "associate-member"]
LandstingInput = Literal[
    "date", "associate-delegates", "credentials", "nominations", "vote", "appoint", "observer"
]

COUNTY_INPUT_HELP: dict[CountyInput, str] = {
    "representatives": (
        "The representatives each member's council elected: a list of "
        '{"member_number", "people": [{"person_id", "name", "gender", "email", "party"}], '
        '"deputies": [...]}, accepted or refused as one sheet; or the sheet of `ksgov template '
        "county-meeting representatives`."
    ),
    "meeting-date": 'The day of the county meeting: {"meeting_date": "YYYY-MM-DD"}.',
    "nominations": (
        'The nominations: {"posts": [{"post", "candidates": [...]} or {"post", "lists": '
        '[{"name", "candidates": [...]}]}], "people": [...]}.'
    ),
    "vote": (
        'One vote (or a list, in order): {"post", "round", "votes": {candidate or list: n}, '
        '"blank": n} or, for an agreed list, {"post", "votes_against": n}. Every voter present '
        "casts a ballot: at least the quorum, at most the representatives registered."
    ),
    "associate-member": (
        "The county-board member Samfunnsbedriftene appoints: "
        '{"person": {"person_id", "name", "gender", "email"}}.'
    ),
}
LANDSTING_INPUT_HELP: dict[LandstingInput, str] = {
    "date": 'The congress date: {"congress_date": "YYYY-MM-DD"}; the notice goes out.',
    "associate-delegates": (
        'The delegates Samfunnsbedriftene appoints: {"people": [{"person_id", "name", "gender", '
        '"email"}, ...]}; they get the notice too.'
    ),
    "credentials": 'The approved delegates: {"approved": ["person_id", ...]}.',
    "nominations": COUNTY_INPUT_HELP["nominations"],
    "vote": COUNTY_INPUT_HELP["vote"],
    "appoint": (
        "The member the associates' board appoints: "
        '{"person": {"person_id", "name", "gender", "email"}}.'
    ),
    "observer": (
        "The leader of the municipal directors' committee, who observes Hovedstyret: "
        '{"person": {"person_id", "name", "gender", "email"}}.'
    ),
}
