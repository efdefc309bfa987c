"""Inputs written into the sheets `ksgov template` makes, as a secretary would fill them in.

The representatives template is filled in place, seat by seat of each member (the seats left
empty stay as they came); every other template keeps its header and gets the input's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook
from pydantic import BaseModel

from domain.gender import Gender
from models.election_payloads import (
    AppointIn,
    AssociateDelegatesIn,
    AssociateMemberIn,
    CongressDateIn,
    CredentialsIn,
    MeetingDateIn,
    NominationsIn,
    ObserverIn,
    RepresentativesIn,
    VoteIn,
)
from models.payloads import PersonIn
from service.sheets import post_label

WORDS = {Gender.FEMALE: "kvinne", Gender.MALE: "mann"}


def person_cells(person: PersonIn) -> list[str]:
    return [person.person_id, person.name, WORDS[person.gender], person.email, person.party]


def rows_of(item: BaseModel) -> list[list[str]]:
    """The rows of one input in its sheet's columns."""
    if isinstance(item, MeetingDateIn):
        return [[item.meeting_date.strftime("%d.%m.%Y")]]
    if isinstance(item, CongressDateIn):
        return [[item.congress_date.strftime("%d.%m.%Y")]]
    if isinstance(item, AssociateMemberIn | AppointIn | ObserverIn):
        return [person_cells(item.person)]
    if isinstance(item, AssociateDelegatesIn):
        return [person_cells(p) for p in item.people]
    if isinstance(item, CredentialsIn):
        return [[p, ""] for p in item.approved]
    if isinstance(item, VoteIn):
        label, round_ = post_label(item.post), str(item.round)
        rows = [[label, round_, choice, str(n)] for choice, n in item.votes.items()]
        if item.votes_against is not None:
            rows.append([label, round_, "mot", str(item.votes_against)])
        if item.blank:
            rows.append([label, round_, "blanke", str(item.blank)])
        return rows
    if isinstance(item, NominationsIn):
        people = {p.person_id: p for p in item.people}

        def row(post: str, list_name: str, candidate: str) -> list[str]:
            known = people.get(candidate)
            details = person_cells(known)[1:] if known else ["", "", "", ""]
            return [post_label(post), list_name, candidate, *details]

        rows = []
        for post in item.posts:
            rows += [row(post.post, "", c) for c in post.candidates]
            rows += [row(post.post, li.name, c) for li in post.lists for c in li.candidates]
        return rows
    raise TypeError(f"no sheet for {type(item).__name__}")


def fill(template: Path, items: Sequence[BaseModel]) -> Path:
    """The template with the inputs' rows in place of its own (its header kept)."""
    book = load_workbook(template)
    sheet = book.worksheets[0]
    if any(isinstance(i, RepresentativesIn) for i in items):
        _fill_seats(sheet, [i for i in items if isinstance(i, RepresentativesIn)])
    else:
        sheet.delete_rows(2, sheet.max_row)
        for item in items:
            for cells in rows_of(item):
                sheet.append(cells)
    book.save(template)
    return template


def _fill_seats(sheet: object, entries: Sequence[RepresentativesIn]) -> None:
    """Each member's people into its `representant` rows and deputies into its `vara` rows."""
    waiting = {
        (e.member_number, role): list(group)
        for e in entries
        for role, group in (("representant", e.people), ("vara", e.deputies))
    }
    for row in sheet.iter_rows(min_row=2):  # type: ignore[attr-defined]
        queue = waiting.get((row[0].value, row[2].value))
        if queue:
            for cell, value in zip(row[3:8], person_cells(queue.pop(0)), strict=True):
                cell.value = value
    left = {k: len(v) for k, v in waiting.items() if v}
    assert not left, f"the template has too few rows for {left}"
