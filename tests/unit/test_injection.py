"""Values from the user never become query syntax or a spreadsheet formula (issue 21, finding 7)."""

from __future__ import annotations

import asyncio

import pytest

from cli.audit import csv_cell
from client.errors import UserError
from config import Settings
from service.meeting import list_meetings, meeting_organ, preview_plan

INJECTION = "x' OR KsOrgan != 'y"


@pytest.mark.parametrize(
    "organ", ["hovedstyret", "landsstyret", "county_board:46", "county_meeting:03"]
)
def test_an_organ_that_holds_meetings_is_accepted(organ: str) -> None:
    assert meeting_organ(organ) == organ


@pytest.mark.parametrize(
    "organ", [INJECTION, "county_board:4", "county_board:466", "Hovedstyret", "landsting", ""]
)
def test_anything_else_is_refused_before_it_reaches_a_query(organ: str) -> None:
    with pytest.raises(UserError, match=r"^the organ must be hovedstyret, landsstyret"):
        meeting_organ(organ)


def test_meeting_list_refuses_a_quote_before_it_asks_temporal() -> None:
    # Nothing listens on port 9: had the value reached the query, the error would be another.
    settings = Settings(temporal_address="127.0.0.1:9")
    with pytest.raises(UserError, match="the organ must be"):
        asyncio.run(list_meetings(settings, INJECTION, None))
    with pytest.raises(UserError, match="the organ must be"):
        preview_plan(INJECTION, "2028-2032")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","klikk")',
            '\'=HYPERLINK("http://evil.example","klikk")',
        ),
        ("+47 22 00 00 00", "'+47 22 00 00 00"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Kari Nordmann", "Kari Nordmann"),
        ("2028-02-13", "2028-02-13"),
        (None, ""),
        (3, "3"),
    ],
)
def test_a_csv_cell_is_never_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell
