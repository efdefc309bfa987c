"""The sheets a county secretary or the secretariat fills in, as CSV or XLSX, with Norwegian
column names, and their templates.

Each input of a county meeting and of the Landsting has a sheet (`COUNTY_SHEETS`,
`LANDSTING_SHEETS`): its columns, how its rows become the input the workflow takes, and what
its template is prefilled with. Every problem of a sheet is reported at once, in bokmål, each
with its row, its column and the member or post it concerns, and nothing is sent while one
remains; what pydantic says of a value is said again here in the sheet's words (`_message`).
A row of a template that was left as it came (a member's number and role, a post's name, but
nobody in it) is skipped, so a template need not be trimmed before it is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from client.errors import UserError
from models.election_payloads import (
    AppointIn,
    AssociateDelegatesIn,
    AssociateMemberIn,
    CongressDateIn,
    CredentialsIn,
    MeetingDateIn,
    NominationsIn,
    ObserverIn,
    PostNomination,
    PostSpec,
    RepresentativesIn,
    VoteIn,
)
from models.payloads import NOT_IN_A_LINE, PersonIn
from service.inputs import CountyInput, LandstingInput
from service.tables import (
    Choice,
    Columns,
    Row,
    SheetError,
    clean,
    is_table,
    member_about,
    problem,
    read_table,
    refusal,
    write_template,
)

__all__ = [
    "COUNTY_SHEETS",
    "LANDSTING_SHEETS",
    "Sheet",
    "SheetError",
    "is_table",
    "post_label",
    "read_sheet",
]

_M = TypeVar("_M", bound=BaseModel)
PERSON_COLUMNS = {
    "person-id": "person_id",
    "navn": "name",
    "kjønn": "gender",
    "e-post": "email",
    "parti": "party",
}
PERSON_FIELDS = tuple(PERSON_COLUMNS.values())
ROLES = {"representant": "people", "vara": "deputies"}
GENDERS = Choice("kjønn", ("kvinne", "mann"))
# The posts as a sheet names them (one name per post of a meeting, unlike a letter's titles,
# where Hovedstyret's and Landsstyret's members are both "medlemmer"); the bylaws' own key of
# a post is taken too.
POST_LABELS = {
    "leader": "leder",
    "deputy_leader": "nestleder",
    "first_deputy_leader": "1. nestleder",
    "second_deputy_leader": "2. nestleder",
    "members": "styremedlemmer",
    "delegates": "delegater",
    "hovedstyret_members": "hovedstyrets medlemmer",
    "landsstyret_members": "landsstyrets medlemmer",
}
_POST_KEYS = {label: key for key, label in POST_LABELS.items()}
# What a value that does not match its pattern should look like, in the sheet's words.
PERSON_KEY = "ikke en person-id (bare bokstaver, sifre og tegnene - _ . :, som p-004601-1)"
PATTERN_MESSAGES = {
    "email": "ikke en e-postadresse",
    "person_id": PERSON_KEY,
    "candidates": PERSON_KEY,
    "approved": PERSON_KEY,
}
# A person id as models.payloads.PersonId takes it: a row's id that is not one is not repeated.
PERSON_KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
DATE_FIELDS = frozenset({"meeting_date", "congress_date"})
WRITE_A_DATE = "(skriv den som 13.02.2028 eller 2028-02-13)"
# What pydantic says of a value, by its error type, as the sheet says it (`_message`).
ERROR_MESSAGES = {
    "missing": "tom",
    "string_too_short": "tom",
    "too_short": "tom",
    "enum": "ikke et kjønn (skriv kvinne eller mann)",
    "date_from_datetime_inexact": "har klokkeslett (skriv bare datoen, som 13.02.2028)",
    "date_from_datetime_parsing": f"ikke en dato {WRITE_A_DATE}",
    "date_parsing": f"ikke en dato {WRITE_A_DATE}",
    "date_type": f"ikke en dato {WRITE_A_DATE}",
    "int_parsing": "skriv et helt tall",
    "int_type": "skriv et helt tall",
}
BLANK_WORD = "blanke"
AGAINST_WORD = "mot"
# The most votes a cell may hold: far above any meeting's, far below what int() stops at.
MAX_VOTE_DIGITS = 9


def post_label(post: str) -> str:
    return POST_LABELS.get(post, post)


def _post_key(text: str) -> str:
    return _POST_KEYS.get(text.lower(), text)


class Problems:
    """The problems of one sheet, each naming its row, its column and what it concerns."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.found: list[str] = []

    def add(self, row: int | None, about: str, column: str, message: str) -> None:
        """A problem of a row, or (row None) of what several rows make together; an empty
        column: of the row as a whole."""
        self.found.append(problem(row, about, column, message))

    def valid(
        self, row: int | None, about: str, names: Mapping[str, str], model: type[_M], data: Any
    ) -> _M | None:
        """`data` as a `model`, or None with each validation error added under its column."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
            if len(errors) > 1:  # a bad item, not the emptiness it leaves behind
                errors = [e for e in errors if e["type"] != "too_short"]
            for error in errors:
                where = next((str(x) for x in reversed(error["loc"]) if isinstance(x, str)), "")
                self.add(row, about, names.get(where, ""), _message(error, where))
            return None

    def check(self) -> None:
        if self.found:
            raise refusal(self.file, self.found, "sendt")


def _message(error: ErrorDetails, field: str) -> str:
    """What pydantic found wrong with `field`, in bokmål; never the value of a person's cell."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return PATTERN_MESSAGES.get(field, "har tegn som ikke er tillatt")
    if kind == "value_error" and field in DATE_FIELDS:
        return f"ingen slik dag i kalenderen {WRITE_A_DATE}"
    if kind == "value_error" and isinstance(error["input"], str):
        found = NOT_IN_A_LINE.search(error["input"])
        if found is not None:
            return f"har et kontrolltegn (U+{ord(found.group()):04X}), skriv én linje vanlig tekst"
    if kind == "string_too_long":
        return f"for lang (høyst {context['max_length']} tegn)"
    if kind == "too_long":
        return f"for mange (høyst {context['max_length']}, ikke {context['actual_length']})"
    if kind == "greater_than_equal":
        return f"skriv et helt tall, {context['ge']} eller mer"
    if kind == "less_than_equal":
        return f"skriv et helt tall, høyst {context['le']}"
    return ERROR_MESSAGES.get(kind, "ugyldig verdi")


Builder = Callable[[list[Row], Problems], list[BaseModel]]
Prefill = Callable[["Context"], list[list[str]]]


@dataclass(frozen=True)
class Context:
    """What a template is prefilled from: the meeting's members (number, name, seats) and posts."""

    members: Sequence[tuple[str, str, int]] = ()
    posts: Sequence[PostSpec] = ()


@dataclass(frozen=True)
class Sheet:
    """One input's sheet: its columns, how its rows become inputs, and its template's rows."""

    title: str
    columns: Columns
    build: Builder
    prefill: Prefill = field(default=lambda _context: [])
    choices: tuple[Choice, ...] = ()

    def template(self, context: Context, suffix: str) -> bytes:
        return write_template(self.columns, self.prefill(context), suffix, self.title, self.choices)


def read_sheet(sheet: Sheet, file: Path) -> list[BaseModel]:
    """The inputs of a filled-in sheet, or one `UserError` line naming every problem."""
    problems = Problems(file)
    items = sheet.build(read_table(file, sheet.columns), problems)
    problems.check()
    if not items:
        raise UserError(f"{file}: ingen rad er fylt ut, bare malens egne: ingenting å sende")
    return items


def _names(columns: Columns) -> dict[str, str]:
    return {fld: column for column, fld in columns.fields.items()}


def _member_number(text: str) -> str:
    """A member's number as the registry writes it: a spreadsheet that took 0301 for a number
    shows 301, and 3 for 03."""
    if text.isdigit() and len(text) in (1, 3):
        return text.zfill(len(text) + 1)
    return text


def _person(row: dict[str, str], person_id: str) -> dict[str, str]:
    return {
        "person_id": person_id,
        **{k: row.get(k, "") for k in PERSON_FIELDS if k != "person_id"},
    }


# ----------------------------------------------------------------------------- representatives

REPRESENTATIVES = Columns(
    {"medlemsnummer": "member_number", "medlem": "member_name", "rolle": "role", **PERSON_COLUMNS},
    optional=frozenset({"medlem", "parti"}),
    informational=frozenset({"medlem"}),
)


def _representatives(rows: list[Row], problems: Problems) -> list[BaseModel]:
    names = _names(REPRESENTATIVES)
    by_member: dict[str, dict[str, list[PersonIn]]] = {}
    for number, row in rows:
        if not any(row.get(k) for k in PERSON_FIELDS):
            continue  # a template row: a member's seat nobody was written into
        member = _member_number(row.get("member_number", ""))
        about = member_about(member)
        if not member:
            problems.add(number, about, "medlemsnummer", "tom (skriv medlemmets nummer)")
        role = ROLES.get(row.get("role", "").lower())
        if role is None:
            problems.add(number, about, "rolle", "skriv representant eller vara")
        fields = {k: row.get(k, "") for k in PERSON_FIELDS}
        person = problems.valid(
            number, about, names, PersonIn, {**fields, "member_number": member or None}
        )
        if person is not None and member and role is not None:
            by_member.setdefault(member, {"people": [], "deputies": []})[role].append(person)
    entries: list[BaseModel] = []
    for member, seats in by_member.items():
        if not seats["people"]:
            problems.add(
                None,
                member_about(member),
                "rolle",
                "vararepresentanter, men ingen representant",
            )
            continue
        entries.append(
            RepresentativesIn(
                member_number=member,
                people=tuple(seats["people"]),
                deputies=tuple(seats["deputies"]),
            )
        )
    return entries


def _representative_rows(context: Context) -> list[list[str]]:
    """A row per seat of each member: its representatives, then as many deputies."""
    rows = []
    for number, name, seats in context.members:
        for role in ("representant", "vara"):
            rows += [[number, name, role, "", "", "", "", ""] for _ in range(seats)]
    return rows


# ----------------------------------------------------------------------------- one-row sheets


def _one(columns: Columns, model: type[BaseModel], about: str) -> Builder:
    """A sheet of one row: a date, or one person."""
    names = _names(columns)
    person = "person_id" in columns.fields.values()

    def build(rows: list[Row], problems: Problems) -> list[BaseModel]:
        if len(rows) != 1:
            problems.add(rows[1][0], about, "", f"bare én rad, ikke {len(rows)}")
            return []
        number, row = rows[0]
        data: dict[str, Any] = {"person": _person(row, row.get("person_id", ""))} if person else row
        item = problems.valid(number, about, names, model, data)
        return [item] if item is not None else []

    return build


PERSON = Columns(PERSON_COLUMNS, optional=frozenset({"parti"}))
MEETING_DATE = Columns({"møtedato": "meeting_date"})
CONGRESS_DATE = Columns({"dato": "congress_date"})


def _person_about(person_id: str) -> str:
    """The person a row concerns, by their id; an id that is no key may be an e-mail address
    or a name, which a message does not repeat."""
    if not person_id:
        return "uten person-id"
    return f"person {person_id}" if PERSON_KEY_PATTERN.fullmatch(person_id) else "ugyldig person-id"


def _people(rows: list[Row], problems: Problems) -> list[BaseModel]:
    names = _names(PERSON)
    people = []
    for number, row in rows:
        about = _person_about(row.get("person_id", ""))
        person = problems.valid(
            number, about, names, PersonIn, _person(row, row.get("person_id", ""))
        )
        if person is not None:
            people.append(person)
    if not people:
        return []
    item = problems.valid(None, "delegatene", names, AssociateDelegatesIn, {"people": people})
    return [item] if item is not None else []


CREDENTIALS = Columns(
    {"person-id": "person_id", "navn": "name"},
    optional=frozenset({"navn"}),
    informational=frozenset({"navn"}),
)


def _credentials(rows: list[Row], problems: Problems) -> list[BaseModel]:
    """A row per approved delegate, each id checked on its own row."""
    names = {"approved": "person-id"}
    approved: list[str] = []
    for number, row in rows:
        person = row.get("person_id", "")
        about = _person_about(person)
        if problems.valid(number, about, names, CredentialsIn, {"approved": [person]}) is None:
            continue
        if person in approved:
            problems.add(number, about, "person-id", "godkjent to ganger")
        approved.append(person)
    return [CredentialsIn(approved=tuple(approved))] if approved else []


# ----------------------------------------------------------------------------- nominations

NOMINATIONS = Columns(
    {"verv": "post", "liste": "list", "kandidat": "candidate",
     **{k: v for k, v in PERSON_COLUMNS.items() if k != "person-id"}},
    optional=frozenset({"liste", "navn", "kjønn", "e-post", "parti"}),
)  # fmt: skip


LIST_NAMES = {"name": "liste", "candidates": "kandidat", "post": "verv"}


def _nominations(rows: list[Row], problems: Problems) -> list[BaseModel]:
    """Rows in order: a post's candidates (no list), or its lists' candidates in rank order. A
    candidate not among the meeting's representatives is written with name, gender and e-mail."""
    names = {**_names(NOMINATIONS), "person_id": "kandidat", "candidates": "kandidat"}
    posts: dict[str, dict[str, list[str]]] = {}
    people: dict[str, PersonIn] = {}
    for number, row in rows:
        post, candidate = _post_key(row.get("post", "")), row.get("candidate", "")
        if not candidate and not any(row.get(k) for k in PERSON_FIELDS if k != "person_id"):
            continue  # a template row: a post nobody was nominated to
        about = _post_about(row.get("post", ""))
        if not post:
            problems.add(number, about, "verv", "tom")
        if not candidate:
            problems.add(number, about, "kandidat", "tom (skriv kandidatens person-id)")
            continue
        posts.setdefault(post, {}).setdefault(row.get("list", ""), []).append(candidate)
        if any(row.get(k) for k in ("name", "gender", "email")):
            person = problems.valid(number, about, names, PersonIn, _person(row, candidate))
            if person is not None:
                people[candidate] = person
    nominations = []
    for post, lists in posts.items():
        if "" in lists and len(lists) > 1:
            problems.add(
                None,
                _post_about(post_label(post)),
                "liste",
                "fyll den ut for alle kandidatene til vervet, eller for ingen",
            )
            continue
        spec: dict[str, Any] = {"post": post}
        if "" in lists:
            spec["candidates"] = tuple(lists[""])
        else:
            spec["lists"] = [
                {"name": name, "candidates": candidates} for name, candidates in lists.items()
            ]
        nomination = problems.valid(
            None, _post_about(post_label(post)), LIST_NAMES, PostNomination, spec
        )
        if nomination is not None:
            nominations.append(nomination)
    if not nominations:
        return []
    data = {"posts": nominations, "people": list(people.values())}
    item = problems.valid(None, "innstillingen", names, NominationsIn, data)
    return [item] if item is not None else []


def _post_about(text: str, round_: str = "") -> str:
    """The post (and round) a row concerns, as the sheet names it."""
    post = f"verv {clean(text)}" if text else "uten verv"
    return f"{post}, runde {clean(round_)}" if round_ else post


def _post_rows(width: int, *filled: str) -> Prefill:
    def rows(context: Context) -> list[list[str]]:
        return [
            [post_label(p.post), *filled, *[""] * (width - 1 - len(filled))] for p in context.posts
        ]

    return rows


# ----------------------------------------------------------------------------- votes

VOTES = Columns(
    {"verv": "post", "runde": "round", "kandidat eller liste": "choice", "stemmer": "votes"},
    optional=frozenset({"runde"}),
)


def _votes(rows: list[Row], problems: Problems) -> list[BaseModel]:
    """Each vote's rows together, in the order they were held: a row per candidate or list
    with its votes, and `blanke` for blank ballots, or `mot` for the votes against an agreed
    list."""
    votes: list[tuple[int, tuple[str, str], dict[str, Any]]] = []
    for number, row in rows:
        choice, count = row.get("choice", ""), row.get("votes", "")
        if not choice and not count:
            continue  # a template row: a post not voted on (yet)
        post, round_ = _post_key(row.get("post", "")), row.get("round", "") or "1"
        about = _post_about(row.get("post", ""), round_)
        if not post:
            problems.add(number, about, "verv", "tom")
        if round_ not in ("1", "2"):
            problems.add(number, about, "runde", "skriv 1 eller 2")
        if not choice:
            problems.add(number, about, "kandidat eller liste", "tom")
        if not (count.isascii() and count.isdigit() and len(count) <= MAX_VOTE_DIGITS):
            problems.add(
                number, about, "stemmer", "skriv antall stemmer som et helt tall, 0 eller mer"
            )
            continue
        key = (post, round_)
        if votes and votes[-1][1] == key:
            vote = votes[-1][2]
        elif any(k == key for _, k, _v in votes):
            problems.add(number, about, "verv", "radene til én avstemning skal stå samlet")
            continue
        else:
            vote = {"post": post, "round": int(round_) if round_ in ("1", "2") else 1, "votes": {}}
            votes.append((number, key, vote))
        word = choice.lower()
        if word == BLANK_WORD:
            vote["blank"] = int(count)
        elif word == AGAINST_WORD:
            vote["votes_against"] = int(count)
        elif choice in vote["votes"]:
            problems.add(number, about, "kandidat eller liste", "to ganger i samme avstemning")
        elif choice:
            vote["votes"][choice] = int(count)
    names = {"post": "verv", "round": "runde", "votes": "stemmer", "blank": "stemmer",
             "votes_against": "stemmer"}  # fmt: skip
    found = [
        problems.valid(number, _post_about(post_label(key[0]), key[1]), names, VoteIn, vote)
        for number, key, vote in votes
    ]  # fmt: skip
    return [v for v in found if v is not None]


# ----------------------------------------------------------------------------- the sheets

COUNTY_SHEETS: dict[CountyInput, Sheet] = {
    "representatives": Sheet(
        "Representanter", REPRESENTATIVES, _representatives, _representative_rows,
        (Choice("rolle", tuple(ROLES)), GENDERS),
    ),
    "meeting-date": Sheet(
        "Møtedato", MEETING_DATE, _one(MEETING_DATE, MeetingDateIn, "møtedatoen")
    ),
    "nominations": Sheet(
        "Innstilling", NOMINATIONS, _nominations, _post_rows(len(NOMINATIONS.fields)), (GENDERS,)
    ),
    "vote": Sheet("Stemmer", VOTES, _votes, _post_rows(len(VOTES.fields), "1")),
    "associate-member": Sheet(
        "Oppnevnt medlem", PERSON, _one(PERSON, AssociateMemberIn, "medlemmet"),
        choices=(GENDERS,),
    ),
}  # fmt: skip
LANDSTING_SHEETS: dict[LandstingInput, Sheet] = {
    "date": Sheet("Dato", CONGRESS_DATE, _one(CONGRESS_DATE, CongressDateIn, "datoen")),
    "associate-delegates": Sheet("Delegater", PERSON, _people, choices=(GENDERS,)),
    "credentials": Sheet("Fullmakter", CREDENTIALS, _credentials),
    "nominations": COUNTY_SHEETS["nominations"],
    "vote": COUNTY_SHEETS["vote"],
    "appoint": Sheet(
        "Oppnevnt medlem", PERSON, _one(PERSON, AppointIn, "medlemmet"), choices=(GENDERS,)
    ),
    "observer": Sheet(
        "Observatør", PERSON, _one(PERSON, ObserverIn, "observatøren"), choices=(GENDERS,)
    ),
}  # fmt: skip
