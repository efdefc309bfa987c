"""A term's input names its counties by id; their meetings' inputs travel beside it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.bylaws import Bylaws
from domain.registry import Registry
from models.election_payloads import TermInput
from service.term_inputs import build_term_input


def test_a_term_plan_names_each_county_once_and_links_its_meeting_to_the_term(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    plan = build_term_input(ks_registry, ks_bylaws, 2027)
    assert plan.input.county_ids == tuple(c.county for c in plan.counties)
    assert len(set(plan.input.county_ids)) == 15
    assert {c.term_workflow_id for c in plan.counties} == {"term-2027"}
    assert (plan.year, plan.term) == (2027, "2028-2032")


def test_a_term_input_without_counties_is_refused(ks_registry: Registry, ks_bylaws: Bylaws) -> None:
    values = build_term_input(ks_registry, ks_bylaws, 2027).input.model_dump()
    with pytest.raises(ValidationError, match="county_ids"):
        TermInput.model_validate({**values, "county_ids": ()})


def test_every_series_publishes_its_minutes_where_the_setting_says(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    url = "https://ksgov.ks.example/publisert"
    plan = build_term_input(ks_registry, ks_bylaws, 2027, meetings=True, public_url=url)
    series = [*plan.input.meetings, *(m for c in plan.counties for m in c.meetings)]
    assert len(series) == 2 + 2 * 15
    assert {m.public_url for m in series} == {url}
    assert {m.sender for m in plan.input.meetings} == {""}  # the secretariat signs
    assert {m.sender for c in plan.counties for m in c.meetings} == {
        f"KS {c.county_name}" for c in plan.counties
    }
    default = build_term_input(ks_registry, ks_bylaws, 2027, meetings=True)
    assert {m.public_url for m in default.input.meetings} == {"http://127.0.0.1:8000"}
