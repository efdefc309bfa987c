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
