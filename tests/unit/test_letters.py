"""The elective county meeting's notice: one per member to its representatives, a copy to its
deputies, signed by KS in the county and answered to the county secretary when there is one."""

from __future__ import annotations

from datetime import date

from domain.gender import Gender
from models.election_payloads import RepresentativesIn
from models.payloads import PersonIn
from service.governance import load_bylaws, load_registry
from service.term_inputs import build_term_input
from workflows.elections.letters import agenda, county_meeting_notices, reply_to

VESTLAND = next(
    c
    for c in build_term_input(load_registry(), load_bylaws("ks-2024"), 2027).counties
    if c.county == "46"
)
KARI = PersonIn(person_id="p-1", name="Kari", gender=Gender.FEMALE, email="kari@x.no")
OLA = PersonIn(person_id="p-2", name="Ola", gender=Gender.MALE, email="ola@x.no")


def test_a_member_without_deputies_gets_one_notice_and_no_copy() -> None:
    entries = [
        RepresentativesIn(member_number="4601", people=(KARI,), deputies=(OLA,)),
        RepresentativesIn(member_number="4602", people=(OLA,)),
    ]
    notices = county_meeting_notices(VESTLAND, date(2027, 11, 15), entries, "term-2027/county-46")
    assert [(n.subject_key, n.context["recipient_role"]) for n in notices] == [
        ("term-2027/county-46/notice/2027-11-15/member-4601/representative", "representative"),
        ("term-2027/county-46/notice/2027-11-15/member-4601/deputy", "deputy"),
        ("term-2027/county-46/notice/2027-11-15/member-4602/representative", "representative"),
    ]
    assert notices[0].context["member"] == "Bergen kommune"
    assert notices[0].context["starts_at"] == "2027-11-15T10:00:00+01:00"
    assert {n.context["sender"] for n in notices} == {"KS Vestland"}


def test_replies_go_to_the_county_secretary_unless_the_address_is_a_placeholder() -> None:
    assert reply_to(VESTLAND) is None  # the shipped registry has no addresses: .invalid
    real = VESTLAND.model_copy(update={"secretary_email": "vestland@ks.example"})
    assert reply_to(real) == "vestland@ks.example"
    [notice] = county_meeting_notices(
        real, date(2027, 11, 15), [RepresentativesIn(member_number="4601", people=(KARI,))], "k"
    )
    assert (notice.reply_to, notice.context["reply_to"]) == ("vestland@ks.example", True)


def test_the_agenda_elects_the_delegates_before_the_board() -> None:
    titles = [item["title"] for item in agenda(VESTLAND.posts)]
    assert titles[0].startswith("Konstituering")
    assert titles[1:] == [
        "Valg av delegater til Landstinget",
        "Valg av leder til fylkesstyret",
        "Valg av nestleder til fylkesstyret",
        "Valg av medlemmer til fylkesstyret",
    ]
