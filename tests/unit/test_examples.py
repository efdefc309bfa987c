"""The input examples shipped in docs/examples are read as the commands read them: they cannot
rot, and every input kind has one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from cli.main import build_app
from models.election_payloads import SupplementaryIn
from models.meeting_payloads import MinutesIn
from service import meeting as meeting_service
from service import term as term_service

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
GUIDE = (EXAMPLES.parent / "inputs.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("prefix", "inputs"),
    [("county-meeting", term_service.COUNTY_INPUTS), ("landsting", term_service.LANDSTING_INPUTS)],
)
def test_every_meeting_input_has_an_example_that_its_command_reads(
    prefix: str, inputs: dict[str, tuple[type[BaseModel], object]]
) -> None:
    for kind, (model, _) in inputs.items():
        path = EXAMPLES / f"{prefix}-{kind}.json"
        items: list[BaseModel] = term_service.load_models(path, model)
        assert term_service._counted(path, kind, items) == items
        assert f"examples/{path.name}" in GUIDE


def test_the_other_examples_are_read_as_their_commands_read_them() -> None:
    supplementary = term_service.load_models(EXAMPLES / "seat-supplementary.json", SupplementaryIn)
    assert len(supplementary) == 1
    rules = meeting_service.load_rules(
        "county_board:46", "2028-2032", EXAMPLES / "meeting-roster.json", None
    )
    assert [e.role for e in rules.roster] == ["leader", "member", "deputy"]
    minutes = json.loads((EXAMPLES / "meeting-minutes.json").read_text(encoding="utf-8"))
    assert MinutesIn.model_validate(minutes).decisions[0].item_number == 1
    counted = CliRunner().invoke(
        build_app(),
        ["count", "--lists", str(EXAMPLES / "count-lists.json"), "--method", "dhondt",
         "--seats", "3", "--json"],
    )  # fmt: skip
    assert counted.exit_code == 0, counted.output
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(
        name for name in (p.name for p in EXAMPLES.iterdir()) if f"examples/{name}" in GUIDE
    )


def test_term_status_counts_the_members_awaited_and_names_them_on_request() -> None:
    from cli.term import awaiting_text

    awaited = [f"representatives of Kommune {n}" for n in range(40)] + ["the meeting date"]
    short = awaiting_text(awaited, detail=False)
    assert short == "representatives of 40 members; the meeting date"
    assert awaiting_text(awaited, detail=True).count("representatives of Kommune") == 40
    assert awaiting_text(awaited[:1], detail=False) == "representatives of Kommune 0"
