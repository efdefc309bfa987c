"""The input examples shipped in docs/examples are read as the commands read them: they cannot
rot, and every input kind has one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from cli.main import build_app
from domain.gender import Gender
from models.election_payloads import MeetingDateIn, SupplementaryIn
from models.meeting_payloads import MinutesIn
from models.payloads import PersonIn
from service import meeting as meeting_service
from service import term as term_service

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
# Every example is named in the guide to its input: docs/inputs.md, or docs/registry.md.
GUIDE = "\n".join(
    (EXAMPLES.parent / name).read_text(encoding="utf-8") for name in ("inputs.md", "registry.md")
)


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


@pytest.mark.parametrize(
    ("given", "read"),
    [("2027-03-12", "2027-03-12"), ("12.03.2027", "2027-03-12"), ("1.3.2027", "2027-03-01")],
)
def test_a_date_is_taken_as_iso_or_as_norwegian_letters_print_it(given: str, read: str) -> None:
    assert MeetingDateIn(meeting_date=given).meeting_date.isoformat() == read  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["31.02.2027", "12.13.2027", "12.03.27", "2027.03.12"])
def test_a_date_that_is_not_one_is_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        MeetingDateIn(meeting_date=given)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("kvinne", Gender.FEMALE),
        ("Mann", Gender.MALE),
        ("female", Gender.FEMALE),
        ("MALE", Gender.MALE),
    ],
)
def test_gender_is_taken_in_norwegian_or_english(given: str, read: Gender) -> None:
    person = PersonIn.model_validate(
        {"person_id": "p-1", "name": "Kari", "gender": given, "email": "kari@kommune.example"}
    )
    assert person.gender is read


def test_a_gender_the_statute_does_not_count_is_refused() -> None:
    with pytest.raises(ValidationError):
        PersonIn.model_validate(
            {"person_id": "p-1", "name": "Kari", "gender": "k", "email": "kari@kommune.example"}
        )


def test_the_registry_example_reads_as_registry_import_reads_it() -> None:
    from service.registry_sheet import contacts_of, read_registry_sheet, registry_of

    rows = read_registry_sheet(EXAMPLES / "registry.csv")
    registry = registry_of(rows, "registry.csv")
    assert [c.number for c in registry.counties] == ["03", "46", "56"]
    assert contacts_of(rows)["5603"] == ""  # Hammerfest: listed as without address
    assert all(r.email.endswith(".example") for r in rows if r.email)
    assert "examples/registry.csv" in GUIDE
