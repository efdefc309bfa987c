"""Governance previews for the CLI (and later an HTTP API): registry, bylaws, apportionment, counts.

This is the thin I/O layer around `domain`: it reads the shipped data under
`config.SHIPPED_DATA_DIR` (or a file the user names), calls the pure rules and turns their errors
into `UserError`s with one-line messages a secretary understands.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import asdict
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel

from client.errors import UserError, validated
from config import SHIPPED_DATA_DIR
from domain.apportionment import (
    Apportionment,
    ApportionmentError,
    Method,
    TieBreak,
    apportion,
    parse_method,
)
from domain.bylaws import Bylaws, BylawsError, DelegateKey, bylaws_in_force, parse_bylaws
from domain.elections import (
    Candidate,
    CandidateList,
    ElectionError,
    ListElectionResult,
    MajorityResult,
    majority_round,
    proportional_election,
)
from domain.gender import Gender
from domain.registry import Registry, RegistryError, parse_registry_csv, parse_registry_json
from domain.representation import landsting_delegates
from models.payloads import PersonId

MAJORITY = "majority"
COUNT_METHODS = (*(m.value for m in Method), MAJORITY)
# The words a lists file may use for a gender: English as in the registry, or Norwegian.
GENDER_WORDS = {
    "female": Gender.FEMALE,
    "kvinne": Gender.FEMALE,
    "male": Gender.MALE,
    "mann": Gender.MALE,
}
_LIST_KEYS = ("name", "votes", "candidates")
_CANDIDATE_KEYS = ("name", "gender")
_T = TypeVar("_T")


def registry_dir() -> Path:
    """Where the shipped registry files are."""
    return SHIPPED_DATA_DIR / "registry"


def bylaws_dir() -> Path:
    """Where the shipped bylaws files are."""
    return SHIPPED_DATA_DIR / "bylaws"


@functools.cache
def _county_numbers() -> frozenset[str]:
    return frozenset(county.number for county in load_registry().counties)


def known_county(county: str) -> str:
    """A county number of the shipped registry (such as 46), or a UserError."""
    if county not in _county_numbers():
        raise UserError(
            f"{ascii(county)[:20]} is not the number of a county in the registry (such as 46; "
            "`ksgov registry show` lists them)"
        )
    return county


def load_registry(file: Path | None = None) -> Registry:
    """The shipped registry, or the municipalities in `file` (.csv or .json, shipped counties)."""
    counties_text = read_text(registry_dir() / "counties-2025.json")
    if file is None:
        path = registry_dir() / "municipalities-2025.json"
        return domain_call(lambda: parse_registry_json(read_text(path), counties_text, path.name))
    text = read_text(file)
    if file.suffix.lower() == ".csv":
        shipped = domain_call(lambda: parse_registry_json("[]", counties_text, "counties"))
        return domain_call(lambda: parse_registry_csv(text, shipped.counties, file.name))
    return domain_call(lambda: parse_registry_json(text, counties_text, file.name))


def all_bylaws() -> list[Bylaws]:
    """Every shipped bylaws version, oldest first."""
    found = [
        domain_call(lambda p=path: parse_bylaws(read_text(p), p.name))  # type: ignore[misc]
        for path in sorted(bylaws_dir().glob("*.toml"))
    ]
    return sorted(found, key=lambda b: b.effective_from)


def load_bylaws(name: str | None = None, on_date: dt.date | None = None) -> Bylaws:
    """The bylaws called `name`; without a name, those in force on `on_date` (default: latest)."""
    versions = all_bylaws()
    if name is None:
        return domain_call(lambda: bylaws_in_force(versions, on_date or dt.date.max))
    for bylaws in versions:
        if bylaws.name == name:
            return bylaws
    known = ", ".join(b.name for b in versions) or "none"
    raise UserError(f"unknown bylaws {name!r}: the shipped bylaws are {known}")


# The most seats a count may share: far above any organ's or congress's (the Landsting has 239),
# low enough that a mistyped number is refused at once instead of counting for minutes.
MAX_SEATS = 10_000


def _at_most(option: str, value: int, limit: int) -> None:
    if value > limit:
        raise UserError(f"{option} must be at most {limit:,}, not {value:,}")


def preview_delegates(
    bylaws_name: str | None = None,
    method: str | None = None,
    total: int | None = None,
    minimum: int | None = None,
) -> Apportionment:
    """Landsting delegates per county from the shipped registry and the bylaws' delegate key."""
    key = load_bylaws(bylaws_name).delegate_key
    if total is not None:
        _at_most("--total", total, MAX_SEATS)
    if minimum is not None:
        _at_most("--min", minimum, MAX_SEATS)
    chosen = DelegateKey(
        method=domain_call(lambda: parse_method(method)) if method is not None else key.method,
        total=key.total if total is None else total,
        minimum_per_county=key.minimum_per_county if minimum is None else minimum,
        first_divisor=key.first_divisor,
    )
    registry = load_registry()
    return domain_call(lambda: landsting_delegates(registry, chosen))


def parse_votes(text: str, source: str) -> dict[str, int]:
    """Votes from JSON text `{"NAME": votes, ...}`; refuses anything else in one line."""
    data = parse_json(text, source)
    if not isinstance(data, dict) or not data:
        raise UserError(f'{source}: expected an object of names and votes, like {{"A": 120}}')
    for name, votes in data.items():
        if type(votes) is not int or votes < 0:
            raise UserError(f"{source}: votes for {name!r} must be a whole number of 0 or more")
    return data


def count_votes(
    votes: dict[str, int], method: str, seats: int | None, first_divisor: str | None = None
) -> Apportionment | MajorityResult:
    """Count one vote: seats per list by `method`, or one majority round (`method="majority"`)."""
    if method == MAJORITY:
        return domain_call(lambda: majority_round(votes, 1))
    chosen = domain_call(lambda: parse_method(method))
    if seats is None or seats < 1:
        raise UserError("--seats must be a whole number of at least 1")
    _at_most("--seats", seats, MAX_SEATS)
    divisor = _fraction(first_divisor) if first_divisor else None
    kwargs: dict[str, Any] = {"first_divisor": divisor} if divisor is not None else {}
    return domain_call(
        lambda: apportion(votes, seats, chosen, tie_break=TieBreak.MORE_VOTES, **kwargs)
    )


def parse_lists(text: str, source: str) -> list[CandidateList]:
    """Candidate lists from JSON text `{"lists": [{"name", "votes", "candidates": [{"name",
    "gender"}, ...]}, ...]}`; refuses anything else in one line naming the list and candidate."""
    data = parse_json(text, source)
    if not isinstance(data, dict) or set(data) != {"lists"}:
        raise UserError(f'{source}: expected an object with one key, "lists"')
    entries = data["lists"]
    if not isinstance(entries, list) or not entries:
        raise UserError(f'{source}: "lists" must be a non-empty array of lists')
    lists: list[CandidateList] = []
    standing: dict[str, str] = {}
    for number, entry in enumerate(entries, 1):
        cl = _parse_list(entry, source, number)
        if any(other.name == cl.name for other in lists):
            raise UserError(f"{source}: two lists are named {cl.name!r}")
        for cand in cl.candidates:
            if cand.name in standing:
                raise UserError(
                    f"{source}: list {cl.name!r}, candidate {cand.name!r}: already on list "
                    f"{standing[cand.name]!r}"
                )
            standing[cand.name] = cl.name
        lists.append(cl)
    return lists


def _parse_list(entry: Any, source: str, number: int) -> CandidateList:
    _check_keys(entry, _LIST_KEYS, f"{source}: list {number}")
    name = _name(entry["name"], f"{source}: list {number}")
    where = f"{source}: list {name!r}"
    votes, candidates = entry["votes"], entry["candidates"]
    if type(votes) is not int or votes < 0:
        raise UserError(f"{where}: votes must be a whole number of 0 or more, not {votes!r}")
    if not isinstance(candidates, list) or not candidates:
        raise UserError(f"{where}: candidates must be a non-empty array")
    parsed = tuple(_parse_candidate(c, where, n) for n, c in enumerate(candidates, 1))
    return CandidateList(name, parsed, votes)


def _parse_candidate(entry: Any, where: str, number: int) -> Candidate:
    _check_keys(entry, _CANDIDATE_KEYS, f"{where}, candidate {number}")
    name = _name(entry["name"], f"{where}, candidate {number}")
    gender = entry["gender"]
    word = gender.strip().lower() if isinstance(gender, str) else None
    if word not in GENDER_WORDS:
        raise UserError(
            f"{where}, candidate {name!r}: unknown gender {gender!r}: "
            f"use one of {', '.join(GENDER_WORDS)}"
        )
    return Candidate(name, GENDER_WORDS[word])


def _check_keys(entry: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(entry, dict):
        raise UserError(f"{where}: expected an object with {', '.join(keys)}")
    missing = [k for k in keys if k not in entry]
    unknown = sorted(set(entry) - set(keys))
    if missing or unknown:
        wrong = ", ".join([*(f"missing {k!r}" for k in missing), *map(repr, unknown)])
        raise UserError(f"{where}: expected the keys {', '.join(keys)}, found {wrong}")


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{where}: the name must be a non-empty string, not {value!r}")
    return value


def count_lists(
    lists: list[CandidateList],
    method: str,
    seats: int | None,
    first_divisor: str | None = None,
    deputies_extra: int | None = None,
) -> Apportionment | ListElectionResult:
    """Count a list election as the electing workflows do (`proportional_election`): seats per
    list, then each list's members and deputies balanced by § 7-6; the tie if a lot is due.
    `deputies_extra` defaults to the bylaws in force."""
    if method == MAJORITY:
        raise UserError("--lists needs a list method such as dhondt, not majority")
    chosen = domain_call(lambda: parse_method(method))
    if seats is None or seats < 1:
        raise UserError("--seats must be a whole number of at least 1")
    _at_most("--seats", seats, MAX_SEATS)
    if deputies_extra is None:
        deputies_extra = load_bylaws().elections.deputies_extra
    if deputies_extra < 0:
        raise UserError("--deputies-extra must be a whole number of 0 or more")
    _at_most("--deputies-extra", deputies_extra, MAX_SEATS)
    divisor = _fraction(first_divisor) if first_divisor else None
    kwargs: dict[str, Any] = {"first_divisor": divisor} if divisor is not None else {}
    return domain_call(
        lambda: proportional_election(lists, seats, chosen, deputies_extra=deputies_extra, **kwargs)
    )


def list_election_as_dict(
    lists: list[CandidateList], result: Apportionment | ListElectionResult
) -> dict[str, Any]:
    """The JSON shape of a counted list election: per list its seats, elected and deputies; with
    a "tie" key naming the tied lists when a lot is due (then nobody is elected yet)."""
    seats = result.seats if isinstance(result, Apportionment) else result.apportionment.seats
    shape: dict[str, Any] = {
        "lists": [
            {
                "name": cl.name,
                "seats": seats.get(cl.name, 0),
                "elected": _names(result, "members", cl.name),
                "deputies": _names(result, "deputies", cl.name),
            }
            for cl in lists
        ]
    }
    if isinstance(result, Apportionment) and result.tie is not None:
        shape["tie"] = list(result.tie.lists)
    return shape


def _names(result: Apportionment | ListElectionResult, which: str, name: str) -> list[str]:
    if isinstance(result, Apportionment):
        return []
    group = result.members if which == "members" else result.deputies
    return [c.name for c in group.get(name, ())]


def apportionment_as_dict(result: Apportionment, with_total: bool = True) -> dict[str, Any]:
    """The JSON shape of an apportionment: method, (total,) seats and tie (or null)."""
    shape: dict[str, Any] = {"method": result.method.value}
    if with_total:
        shape["total"] = result.total
    shape["seats"] = dict(result.seats)
    shape["tie"] = (
        None if result.tie is None else {"lists": list(result.tie.lists), "seats": result.tie.seats}
    )
    return shape


def as_plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready values: fractions as "1/2", dates ISO, enums by value."""
    if hasattr(value, "__dataclass_fields__"):
        return as_plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _fraction(text: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise UserError(
            f"--first-divisor must be a number such as 1.4 or 7/5, not {text!r}"
        ) from None


# An input file's largest size: a county's representatives sheet is some kilobytes, a whole
# term's nominations well under a megabyte.
MAX_INPUT_BYTES = 5_000_000


def read_text(path: Path, limit: int = MAX_INPUT_BYTES) -> str:
    """The text of `path` (UTF-8, a byte-order mark allowed), or a one-line `UserError` when it
    is missing, unreadable, not UTF-8 or larger than `limit` bytes."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UserError(
                f"{path}: {size / 1e6:.1f} MB is more than the {limit / 1e6:g} MB "
                "an input file may have"
            )
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise UserError(f"cannot read {path}: it is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_stdin(stream: TextIO) -> str:
    """Standard input, refused past MAX_INPUT_BYTES characters as a file would be."""
    text = stream.read(MAX_INPUT_BYTES + 1)
    if len(text) > MAX_INPUT_BYTES:
        raise UserError(
            f"standard input: more than the {MAX_INPUT_BYTES // 1_000_000} MB an input may have"
        )
    return text


def parse_json(text: str, source: str) -> Any:
    """JSON from an input, strictly: duplicate keys, NaN and Infinity, numbers of more than
    4,300 digits and nesting deeper than Python can read are each a one-line `UserError`."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise UserError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise UserError(f"{source}: the JSON is nested too deeply") from None
    except ValueError as exc:  # our hooks, and Python's limit on the digits of an integer
        reason = str(exc) if isinstance(exc, _JsonRefusalError) else "a number has too many digits"
        raise UserError(f"{source}: {reason}") from None


class _JsonRefusalError(ValueError):
    """Something JSON allows that an input of ksgov does not."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _JsonRefusalError(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise _JsonRefusalError(f"{name} is not a number an input may hold")


def domain_call(call: Callable[[], _T]) -> _T:
    """Run a domain rule, turning its refusal into a one-line `UserError`."""
    try:
        return call()
    except (ApportionmentError, BylawsError, ElectionError, RegistryError) as exc:
        raise UserError(str(exc)) from None


class PersonKey(BaseModel):
    person_id: PersonId


def person_key(person_id: str) -> str:
    """A person id (a key such as p-000123, never an e-mail address), or a UserError."""
    return validated("the person", lambda: PersonKey(person_id=person_id)).person_id
