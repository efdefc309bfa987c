"""The custom search attributes every ksgov workflow sets, so audit queries can find it.

Keyword attributes only (SQL visibility allows 10 per namespace). Values are business keys,
never personal data: search attributes are not encrypted.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

KS_TERM = SearchAttributeKey.for_keyword("KsTerm")
KS_ORGAN = SearchAttributeKey.for_keyword("KsOrgan")
KS_COUNTY = SearchAttributeKey.for_keyword("KsCounty")
KS_STAGE = SearchAttributeKey.for_keyword("KsStage")

ALL = (KS_TERM, KS_ORGAN, KS_COUNTY, KS_STAGE)


def at_start(term: str, organ: str, county: str, stage: str) -> TypedSearchAttributes:
    """The four ksgov keywords, for a workflow start."""
    pairs = ((KS_TERM, term), (KS_ORGAN, organ), (KS_COUNTY, county), (KS_STAGE, stage))
    return TypedSearchAttributes([SearchAttributePair(k, v) for k, v in pairs])


def show(term: str, organ: str, county: str, stage: str) -> None:
    """Set the four keywords of the running workflow (a stage change, or its first stage)."""
    workflow.upsert_search_attributes(
        [
            KS_TERM.value_set(term),
            KS_ORGAN.value_set(organ),
            KS_COUNTY.value_set(county),
            KS_STAGE.value_set(stage),
        ]
    )


def show_stage(stage: str) -> None:
    """Set only the stage of the running workflow."""
    workflow.upsert_search_attributes([KS_STAGE.value_set(stage)])
