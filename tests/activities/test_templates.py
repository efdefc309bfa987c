"""Every notice renders in bokmål from its documented context; a missing key is BadInput.

The contexts below are the ones the workflows build (workflows/elections/county_meeting.py,
composition.py, workflows/meetings/steps.py and series.py, workflows/calls.py and
activities/notify.py). Each notice is read as a KS user reads it: no English, no internal key
outside the secretariat's delivery alert, periods with an en dash, and a greeting first.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, get_args

import pytest

from domain.gender import Gender
from models.election_payloads import RepresentativesIn
from models.payloads import PersonIn, Purpose
from notices.messages import (
    NAME_SLOT,
    PER_RECIPIENT,
    PURPOSES,
    SUBJECTS,
    NoticeError,
    Rendered,
    render,
    render_shared,
    venter,
    verv,
)
from service.governance import load_bylaws, load_registry
from service.term_inputs import build_term_input
from workflows.elections.composition import congress_notice_context
from workflows.elections.letters import county_meeting_notices

MEETING = {"organ_title": "Hovedstyret", "starts_at": "2027-03-12T10:00:00+01:00", "place": "Oslo"}

# The least context each purpose needs: without any of these keys the notice is refused.
EXAMPLES: dict[str, dict[str, Any]] = {
    "representatives_requested": {"county": "Vestland", "term": "2028-2032",
                                  "representatives": 2, "member": "Bergen"},
    "county_meeting_notice": {"county": "Vestland", "term": "2028-2032", "member": "Bergen kommune",
                              "starts_at": "2027-11-15T10:00:00+01:00", "place": "meddeles senere",
                              "agenda": [{"number": 1, "title": "Konstituering"}],
                              "recipient_role": "representative", "reply_to": False},
    "meeting_notice": {**MEETING, "agenda": [{"number": 1, "title": "Godkjenning av innkalling"}]},
    "reminder": MEETING,
    "meeting_changed": {**MEETING, "change": "møtet er flyttet til kl. 10"},
    "meeting_cancelled": {"organ_title": "Hovedstyret", "starts_at": "2027-03-12T10:00:00+01:00"},
    "deputy_called_in": MEETING,
    "result_announced": {"organ_title": "Hovedstyret", "post": "leader", "term": "2028-2032",
                         "elected": ["Kari Nordmann"]},
    "minutes_published": {"organ_title": "Hovedstyret", "meeting_date": "2027-03-12",
                          "url": "https://ks.no/protokoll/1"},
    "deadline_passed": {"county": "Vestland", "awaiting": ["4601"], "deadline": "2027-10-15"},
    "delivery_alert": {"purpose": "reminder", "subject": "meeting-1", "recipients": ["p-1"]},
}  # fmt: skip

# A meeting's context in full, as workflows/meetings/steps.py `context` builds it (the minutes
# address there is a placeholder, so a readable one stands in).
BOARD_MEETING: dict[str, Any] = {
    "meeting_id": "meeting-county_board:46-2028-2032-03",
    "organ_title": "Fylkesstyret i KS Vestland",
    "number": 3,
    "starts_at": "2028-06-01T08:00:00+00:00",
    "meeting_date": "2028-06-01",
    "place": "Bergen rådhus",
    "agenda": [
        {"number": 1, "title": "Godkjenning av innkalling og saksliste"},
        {"number": 2, "title": "Regional strategikonferanse"},
    ],
    "change": "tid eller sted er endret",
    "url": "https://www.ks.no/protokoller/fylkesstyret-vestland-2028-3",
}
RESULT: dict[str, Any] = {
    "post": "members",
    "organ_title": "Fylkesstyret i KS Vestland",
    "term": "2028-2032",
    "elected": ["Kari Nordmann", "Per Hansen"],
    "deputies": ["Ola Nordmann"],
}

# The elective county meeting's notices as the county meeting builds them: to a member's
# representatives and to its deputies, signed by KS in the county.
_COUNTY = build_term_input(load_registry(), load_bylaws("ks-2024"), 2027).counties[1]
_PERSON = PersonIn(person_id="p-1", name="Kari Nordmann", gender=Gender.FEMALE, email="k@x.no")
COUNTY_NOTICES = county_meeting_notices(
    _COUNTY.model_copy(update={"secretary_email": "sekretaer@ks.no"}),
    date(2027, 11, 15),
    [
        RepresentativesIn(
            member_number=_COUNTY.members[0].member_number, people=(_PERSON,), deputies=(_PERSON,)
        )
    ],
    "term-2027/county-x",
)

# (purpose, context, recipient name): every purpose, each with everything its senders give.
FULL: list[tuple[str, dict[str, Any], str]] = [
    ("representatives_requested", {"county": "Vestland", "term": "2028-2032",
                                   "representatives": 3, "member": "Bergen"}, "Bergen"),
    ("representatives_requested", {"county": "Vestland", "term": "2028-2032",
                                   "representatives": 1, "member": "Vestland"}, "Vestland"),
    ("representatives_requested", {"county": "Vestland", "term": "2028-2032",
                                   "sender": "KS Vestland", "representatives": 1,
                                   "member": "Vestland"}, "Vestland"),
    *((r.purpose, r.context, "Kari Nordmann") for r in COUNTY_NOTICES),
    ("meeting_notice", {**BOARD_MEETING, "urgent": False, "sequence": 0}, "Kari Nordmann"),
    ("meeting_notice", congress_notice_context(date(2028, 2, 14)), "Kari Nordmann"),
    ("meeting_notice", {**congress_notice_context(date(2028, 2, 14)), "recipient_role": "deputy"},
     "Kari Nordmann"),
    ("reminder", BOARD_MEETING, "Kari Nordmann"),
    ("meeting_changed", {**BOARD_MEETING, "sequence": 2}, "Kari Nordmann"),
    ("meeting_cancelled", {**BOARD_MEETING, "reason": "For få saker", "sequence": 3},
     "Kari Nordmann"),
    ("meeting_cancelled", {"meeting_id": "meeting-hovedstyret-2028-2032-04",
                           "organ_title": "Hovedstyret", "starts_at": "2028-09-01T10:00:00+02:00",
                           "reason": "Flyttet til fellesmøtet"}, "Kari Nordmann"),
    ("deputy_called_in", {**BOARD_MEETING, "stands_in_for": "p-000123"}, "Ola Nordmann"),
    ("result_announced", {**RESULT, "recipient_role": "elected"}, "Kari Nordmann"),
    ("result_announced", {**RESULT, "recipient_role": "elected"}, "Ola Nordmann"),
    ("result_announced", {**RESULT, "recipient_role": "council"}, "Bergen kommune"),
    ("minutes_published", {**BOARD_MEETING, "approved_by": "meeting-county_board:46-2028-2032-04"},
     "Kari Nordmann"),
    ("deadline_passed", {"county": "Vestland", "deadline": "2027-10-15T23:59:00+02:00",
                         "awaiting": ["representatives of Bergen", "representatives of Vestland",
                                      "the meeting date", "nominations for leader",
                                      "votes for delegates (round 2)"]}, ""),
    ("delivery_alert", {"purpose": "representatives_requested",
                        "subject": "term-2027/county-46/member-4601",
                        "recipients": ["4601"]}, ""),
    ("delivery_alert", {"purpose": "reminder",
                        "subject": "meeting-county_board:46-2028-2032-03/reminder/7",
                        "recipients": ["p-000123", "p-000124"], "late": True}, ""),
]  # fmt: skip

ENGLISH = re.compile(r"\b(the|and|of|meeting|please|dear|term)\b", re.IGNORECASE)
INTERNAL_KEYS = [
    re.compile(r"[a-z_]+:[0-9]{2}"),  # an organ key: county_board:46
    re.compile(r"term-[0-9]{4}"),  # a term's business key: term-2027
    re.compile(r"\b[a-z]+_[a-z]+\b"),  # an identifier: representatives_requested
    re.compile(r"\bp-[0-9]+\b"),  # a person id
]
HYPHEN_PERIOD = re.compile(r"\b[0-9]{4}-[0-9]{4}\b")
GREETING = re.compile(r"^(Hei [^,\n]+,|Hei,|Til (kommunestyret|fylkestinget|bystyret) i .+)$")


def _ids(args: list[tuple[str, dict[str, Any], str]]) -> list[str]:
    return [f"{purpose}-{i}" for i, (purpose, _, _) in enumerate(args)]


def visible(notice: Rendered) -> list[str]:
    """What a person reads: the subject, the plain text and the HTML without its tags."""
    return [notice.subject, notice.text, re.sub(r"<[^>]+>", " ", notice.html)]


def test_there_is_an_example_context_for_every_purpose() -> None:
    assert set(EXAMPLES) == set(get_args(Purpose))
    assert {purpose for purpose, _, _ in FULL} == set(get_args(Purpose))
    assert set(SUBJECTS) == set(PURPOSES) == set(get_args(Purpose))


@pytest.mark.parametrize("purpose", get_args(Purpose))
def test_every_purpose_renders_a_subject_text_and_html(purpose: str) -> None:
    notice = render(purpose, EXAMPLES[purpose], "Ola Nordmann")
    greeting = (
        "Til kommunestyret i Bergen kommune"
        if purpose == "representatives_requested"
        else "Hei Ola Nordmann,"
    )
    assert notice.subject
    assert "{" not in notice.subject
    assert "\n" not in notice.subject
    assert notice.text.startswith(greeting + "\n\n")
    assert "Med vennlig hilsen" in notice.text
    assert '<html lang="nb">' in notice.html
    assert f"<p>{greeting}</p>" in notice.html


@pytest.mark.parametrize("purpose", get_args(Purpose))
def test_every_purpose_refuses_a_context_without_its_keys(purpose: str) -> None:
    with pytest.raises(NoticeError, match="is undefined"):
        render(purpose, {}, "Ola Nordmann")


@pytest.mark.parametrize(("purpose", "context", "name"), FULL, ids=_ids(FULL))
def test_no_english_word_in_any_notice(purpose: str, context: dict[str, Any], name: str) -> None:
    for text in visible(render(purpose, context, name)):
        if purpose == "delivery_alert":  # the alert names its keys: they are not words
            keys = [context["purpose"], context["subject"], *context["recipients"]]
            for key in sorted(keys, key=len, reverse=True):
                text = text.replace(key, "")
        assert ENGLISH.findall(text) == [], text


@pytest.mark.parametrize(
    ("purpose", "context", "name"),
    [case for case in FULL if case[0] != "delivery_alert"],
    ids=_ids([case for case in FULL if case[0] != "delivery_alert"]),
)
def test_no_internal_key_and_periods_with_an_en_dash(
    purpose: str, context: dict[str, Any], name: str
) -> None:
    for text in visible(render(purpose, context, name)):
        for pattern in INTERNAL_KEYS:
            assert pattern.findall(text) == [], (pattern.pattern, text)
        assert HYPHEN_PERIOD.findall(text) == [], text
        if "term" in context:
            assert "2028–2032" in text


@pytest.mark.parametrize(("purpose", "context", "name"), FULL, ids=_ids(FULL))
def test_every_notice_opens_with_a_greeting(
    purpose: str, context: dict[str, Any], name: str
) -> None:
    notice = render(purpose, context, name)
    first = notice.text.split("\n", 1)[0]
    assert GREETING.match(first), first
    assert notice.text.startswith(first + "\n\n")
    assert f"<p>{first}</p>" in notice.html


@pytest.mark.parametrize(
    ("member", "county", "council"),
    [
        ("Bergen", "Vestland", "kommunestyret i Bergen kommune"),
        ("Vestland", "Vestland", "fylkestinget i Vestland fylkeskommune"),
        ("Oslo", "Oslo", "bystyret i Oslo kommune"),
        ("Kautokeino", "Finnmark", "kommunestyret i Kautokeino kommune"),
        ("Bergen kommune", "Vestland", "kommunestyret i Bergen kommune"),
        ("Longyearbyen lokalstyre", "Troms", "Longyearbyen lokalstyre"),
    ],
)
def test_a_request_for_representatives_goes_to_the_council(
    member: str, county: str, council: str
) -> None:
    context = {"county": county, "term": "2028-2032", "representatives": 2, "member": member}
    notice = render("representatives_requested", context, member)
    assert notice.text.startswith(f"Til {council}\n\nKS ber {council} velge 2 representanter ")
    assert f"fylkesmøtet i KS {county} for perioden 2028–2032." in notice.text
    assert notice.subject == (
        f"Valg av representanter til fylkesmøtet i KS {county} for perioden 2028–2032"
    )


def test_one_representative_is_written_in_the_singular() -> None:
    context = {**EXAMPLES["representatives_requested"], "representatives": 1}
    assert (
        "velge 1 representant med vararepresentanter"
        in render("representatives_requested", context, "").text
    )


def test_html_escapes_what_the_context_says_but_plain_text_keeps_it() -> None:
    notice = render("reminder", {**MEETING, "place": "<b>Rådhuset</b> & co"}, "Åse <Ø>")
    assert "&lt;b&gt;Rådhuset&lt;/b&gt; &amp; co" in notice.html
    assert "Åse &lt;Ø&gt;" in notice.html
    assert "<b>Rådhuset</b> & co" in notice.text


def test_dates_are_written_the_norwegian_way_in_oslo_time() -> None:
    notice = render("reminder", {**MEETING, "starts_at": "2027-06-01T08:00:00+00:00"}, "")
    assert notice.subject == "Påminnelse: møte i Hovedstyret 01.06.2027 kl. 10.00"
    assert notice.text.startswith("Hei,\n")
    assert "Tid: 01.06.2027 kl. 10.00\nSted: Oslo\n" in notice.text


def test_the_request_deadline_is_offered_to_the_template() -> None:
    deadline = datetime(2027, 10, 15, 10, 0, tzinfo=UTC)
    notice = render(
        "representatives_requested", EXAMPLES["representatives_requested"], "", deadline
    )
    assert "innen 15.10.2027 kl. 12.00" in notice.text


def test_a_meeting_notice_says_where_when_what_and_that_the_invite_is_attached() -> None:
    notice = render("meeting_notice", {**BOARD_MEETING, "sequence": 0}, "Kari Nordmann")
    assert notice.subject == "Innkalling til møte i Fylkesstyret i KS Vestland 01.06.2028 kl. 10.00"
    assert "Du innkalles til møte i Fylkesstyret i KS Vestland." in notice.text
    assert "Tid: 01.06.2028 kl. 10.00\nSted: Bergen rådhus\n" in notice.text
    assert "Saksliste:\n1. Godkjenning av innkalling og saksliste\n2. Regional" in notice.text
    assert "En kalenderinvitasjon til møtet er vedlagt." in notice.text
    assert "slik at varamedlemmet kan kalles inn" in notice.text
    assert '<li value="2">Regional strategikonferanse</li>' in notice.html
    assert "hastemøte" not in notice.text
    urgent = render("meeting_notice", {**BOARD_MEETING, "urgent": True, "sequence": 0}, "")
    assert "Møtet er et hastemøte" in urgent.text


def test_the_landsting_notice_calls_delegates_and_promises_no_invite() -> None:
    notice = render("meeting_notice", congress_notice_context(date(2028, 2, 14)), "Kari Nordmann")
    assert notice.subject == "Innkalling til Landstinget 14.02.2028 kl. 10.00"
    assert "Du innkalles til Landstinget." in notice.text
    assert "Sted: meddeles senere" in notice.text
    assert "3. Valg av landsstyre" in notice.text
    assert "slik at varadelegaten kan kalles inn" in notice.text
    assert "kalenderinvitasjon" not in notice.text


def test_an_empty_agenda_is_announced_as_coming() -> None:
    notice = render("meeting_notice", {**MEETING, "agenda": []}, "")
    assert "Sakslisten blir sendt ut senere." in notice.text
    assert "Saksliste:" not in notice.text


def test_change_cancellation_reminder_and_deputy_read_as_letters() -> None:
    changed = render("meeting_changed", {**BOARD_MEETING, "sequence": 2}, "")
    assert "endringer i møtet i Fylkesstyret i KS Vestland. Tid eller sted er endret." in (
        changed.text
    )
    assert "erstatter den forrige innkallingen" in changed.text
    assert "kalenderinvitasjonen oppdaterer møtet" in changed.text
    cancelled = render("meeting_cancelled", {**BOARD_MEETING, "reason": "For få saker"}, "")
    assert cancelled.subject == "Avlyst: møte i Fylkesstyret i KS Vestland 01.06.2028 kl. 10.00"
    assert "Møtet i Fylkesstyret i KS Vestland 01.06.2028 kl. 10.00 er avlyst." in cancelled.text
    assert "Begrunnelse: For få saker" in cancelled.text
    assert "kalender" not in cancelled.text  # from the plan: no calendar update is attached
    assembly = render("meeting_cancelled", {**MEETING, "organ_title": "Fylkesmøtet i KS Agder"}, "")
    assert "Fylkesmøtet i KS Agder 12.03.2027 kl. 10.00 er avlyst." in assembly.text
    reminder = render("reminder", BOARD_MEETING, "")
    assert "Vi minner om møtet i Fylkesstyret i KS Vestland." in reminder.text
    deputy = render("deputy_called_in", {**BOARD_MEETING, "stands_in_for": "p-1"}, "")
    assert deputy.subject.startswith("Innkalling som varamedlem: møte i Fylkesstyret")
    assert "Du er innkalt som varamedlem til møtet i Fylkesstyret i KS Vestland." in deputy.text
    assert "En kalenderinvitasjon til møtet er vedlagt." in deputy.text
    county_meeting = {**MEETING, "organ_title": "Fylkesmøtet i KS Agder"}
    assert (
        "som vararepresentant til Fylkesmøtet i KS Agder."
        in render("deputy_called_in", county_meeting, "").text
    )


def test_a_result_reads_right_for_the_elected_and_for_the_council() -> None:
    elected = render("result_announced", {**RESULT, "recipient_role": "elected"}, "Kari Nordmann")
    assert elected.subject == (
        "Valgresultat: medlemmer i Fylkesstyret i KS Vestland, perioden 2028–2032"
    )
    assert elected.text.startswith("Hei Kari Nordmann,\n\nValget av medlemmer i Fylkesstyret")
    assert "Du er valgt som medlem i Fylkesstyret i KS Vestland." in elected.text
    assert "Valgt:\n- Kari Nordmann\n- Per Hansen\n\nVaramedlemmer:\n- Ola Nordmann\n" in (
        elected.text
    )
    deputy = render("result_announced", {**RESULT, "recipient_role": "elected"}, "Ola Nordmann")
    assert "Du er valgt som varamedlem i Fylkesstyret i KS Vestland." in deputy.text
    council = render("result_announced", {**RESULT, "recipient_role": "council"}, "Bergen kommune")
    assert council.text.startswith("Til kommunestyret i Bergen kommune\n\nValget av medlemmer")
    assert "Vi sender resultatet til orientering." in council.text
    assert "Du er valgt" not in council.text
    delegates = {**RESULT, "post": "delegates", "organ_title": "Landstinget", "county": "Vestland"}
    to_county = render("result_announced", {**delegates, "recipient_role": "council"}, "Vestland")
    assert to_county.text.startswith("Til fylkestinget i Vestland fylkeskommune\n")
    assert "Valget av delegater til Landstinget for perioden 2028–2032" in to_county.text
    assert "Varadelegater:\n- Ola Nordmann" in to_county.text
    leader = render("result_announced", EXAMPLES["result_announced"], "")
    assert leader.subject == "Valgresultat: leder i Hovedstyret, perioden 2028–2032"
    assert "Varamedlemmer" not in leader.text


def test_posts_are_named_in_bokmal_and_a_norwegian_post_name_is_kept() -> None:
    assert verv("second_deputy_leader").en == "andre nestleder"
    assert verv("landsstyret_members").flere == "medlemmer"
    assert verv("styreleder").en == "styreleder"


def test_the_deadline_notice_writes_what_it_waits_for_in_bokmal() -> None:
    [context] = [c for purpose, c, _ in FULL if purpose == "deadline_passed"]
    notice = render("deadline_passed", context, "")
    assert "gikk ut 15.10.2027 kl. 23.59. Dette mangler fortsatt:\n\n" in notice.text
    assert "- representantene fra Bergen kommune\n" in notice.text
    assert "- representantene fra Vestland fylkeskommune\n" in notice.text
    assert "- datoen for fylkesmøtet\n" in notice.text
    assert "- kandidatforslag i valget av leder\n" in notice.text
    assert "- stemmegivningen i valget av delegater (2. valgomgang)\n" in notice.text
    assert venter("the congress date") == "datoen for Landstinget"
    assert venter("the credentials check") == "godkjenningen av fullmaktene"
    assert venter("the member appointed by Samfunnsbedriftene") == (
        "medlemmet som Samfunnsbedriftene oppnevner"
    )
    assert venter("noe annet") == "noe annet"


def test_the_delivery_alert_names_its_keys_and_says_what_they_are() -> None:
    [context] = [c for purpose, c, _ in FULL if purpose == "delivery_alert" and "late" in c]
    notice = render("delivery_alert", context, "")
    assert notice.subject == (
        "Varsel levert etter fristen: påminnelse om møte"
        " (saksnøkkel meeting-county_board:46-2028-2032-03/reminder/7)"
    )
    assert "Varsel: påminnelse om møte (varseltype i systemet: reminder)" in notice.text
    assert "Saksnøkkel (systemets referanse til saken): meeting-county_board:46" in notice.text
    assert "Mottakere (mottaker-ID i systemet):\n- p-000123\n- p-000124\n" in notice.text
    undelivered = render("delivery_alert", EXAMPLES["delivery_alert"], "")
    assert undelivered.subject.startswith("Varsel ikke levert i tide: påminnelse om møte")


READERS = ["Kari Nordmann", "Åse Ørn-Sæther", 'O\'Neil & "Sønn" <AS>', "Sámi Ánde"]


@pytest.mark.parametrize(("purpose", "context", "name"), FULL, ids=_ids(FULL))
def test_a_notice_rendered_once_reads_for_each_reader_as_if_written_for_them(
    purpose: str, context: dict[str, Any], name: str
) -> None:
    # The notify activity renders a notice once and stamps each reader's name in; for every
    # purpose, what it stamps must be what `render` writes for that reader.
    shared = render_shared(purpose, context)
    if purpose in PER_RECIPIENT:
        assert shared is None
        return
    assert shared is not None
    for reader in [name, *READERS]:
        stamped = shared.for_name(reader)
        if not reader:
            assert stamped is None  # no name: "Hei," is rendered for that reader
            continue
        assert stamped == render(purpose, context, reader)
    assert shared.for_name(f"A{NAME_SLOT}B") is None
