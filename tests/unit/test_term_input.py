"""The term input names its counties one way: county ids (since scale tests) or county inputs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.bylaws import Bylaws
from domain.registry import Registry
from models.election_payloads import TermInput
from service.term_inputs import build_term_input


def test_a_term_input_needs_exactly_one_source_of_counties(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    full = build_term_input(ks_registry, ks_bylaws, 2027)
    assert not full.lean
    assert full.county_numbers == tuple(c.county for c in full.counties)
    values = full.model_dump()
    lean = TermInput.model_validate({**values, "counties": (), "county_ids": ("03", "11")})
    assert lean.lean
    assert lean.county_numbers == ("03", "11")
    for counties, ids in (((), ()), (values["counties"], ("03",))):
        with pytest.raises(ValidationError, match="either county_ids or counties"):
            TermInput.model_validate({**values, "counties": counties, "county_ids": ids})
