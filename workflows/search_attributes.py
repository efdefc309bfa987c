"""The custom search attributes every ksgov workflow sets, so audit queries can find it.

Keyword attributes only (SQL visibility allows 10 per namespace). Values are business keys,
never personal data: search attributes are not encrypted.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

KS_TERM = SearchAttributeKey.for_keyword("KsTerm")
KS_ORGAN = SearchAttributeKey.for_keyword("KsOrgan")
KS_COUNTY = SearchAttributeKey.for_keyword("KsCounty")
KS_STAGE = SearchAttributeKey.for_keyword("KsStage")

ALL = (KS_TERM, KS_ORGAN, KS_COUNTY, KS_STAGE)
