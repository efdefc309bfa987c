"""Every notice renders in bokmål from its documented context; a missing key is BadInput."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

import pytest

from models.payloads import Purpose
from notices.messages import NoticeError, render

MEETING = {"organ_title": "Hovedstyret", "starts_at": "2027-03-12T10:00:00+01:00", "place": "Oslo"}

# The context each purpose needs: the workflows that send the notices build exactly these keys.
EXAMPLES: dict[str, dict[str, Any]] = {
    "representatives_requested": {"county": "Vestland", "term": "2027-2031",
                                  "representatives": 2, "member": "Bergen kommune"},
    "meeting_notice": {**MEETING, "agenda": [{"number": 1, "title": "Godkjenning av innkalling"}]},
    "reminder": MEETING,
    "meeting_changed": {**MEETING, "change": "møtet er flyttet til kl. 10"},
    "meeting_cancelled": {"organ_title": "Hovedstyret", "starts_at": "2027-03-12T10:00:00+01:00"},
    "deputy_called_in": MEETING,
    "result_announced": {"organ_title": "Hovedstyret", "post": "leder", "term": "2027-2031",
                         "elected": ["Kari Nordmann"]},
    "minutes_published": {"organ_title": "Hovedstyret", "meeting_date": "2027-03-12",
                          "url": "https://ks.no/protokoll/1"},
    "deadline_passed": {"county": "Vestland", "awaiting": ["4601"], "deadline": "2027-10-15"},
    "delivery_alert": {"purpose": "reminder", "subject": "meeting-1", "recipients": ["p-1"]},
}  # fmt: skip


def test_there_is_an_example_context_for_every_purpose() -> None:
    assert set(EXAMPLES) == set(get_args(Purpose))


@pytest.mark.parametrize("purpose", get_args(Purpose))
def test_every_purpose_renders_a_subject_text_and_html(purpose: str) -> None:
    notice = render(purpose, EXAMPLES[purpose], "Ola Nordmann")
    assert notice.subject
    assert "{" not in notice.subject
    assert "\n" not in notice.subject
    assert notice.text.startswith("Hei Ola Nordmann,")
    assert "Med vennlig hilsen" in notice.text
    assert '<html lang="nb">' in notice.html
    assert "<p>Hei Ola Nordmann,</p>" in notice.html


@pytest.mark.parametrize("purpose", get_args(Purpose))
def test_every_purpose_refuses_a_context_without_its_keys(purpose: str) -> None:
    with pytest.raises(NoticeError, match="is undefined"):
        render(purpose, {}, "Ola Nordmann")


def test_html_escapes_what_the_context_says_but_plain_text_keeps_it() -> None:
    notice = render("reminder", {**MEETING, "place": "<b>Rådhuset</b> & co"}, "Åse <Ø>")
    assert "&lt;b&gt;Rådhuset&lt;/b&gt; &amp; co" in notice.html
    assert "Åse &lt;Ø&gt;" in notice.html
    assert "<b>Rådhuset</b> & co" in notice.text


def test_dates_are_written_the_norwegian_way_in_oslo_time() -> None:
    notice = render("reminder", {**MEETING, "starts_at": "2027-06-01T08:00:00+00:00"}, "")
    assert notice.subject == "Påminnelse: Hovedstyret 01.06.2027 kl. 10.00"
    assert notice.text.startswith("Hei,")


def test_the_request_deadline_is_offered_to_the_template() -> None:
    deadline = datetime(2027, 10, 15, 10, 0, tzinfo=UTC)
    notice = render(
        "representatives_requested", EXAMPLES["representatives_requested"], "", deadline
    )
    assert "innen 15.10.2027 kl. 12.00" in notice.text
