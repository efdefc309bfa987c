"""Election-cycle commands: `ksgov term`, `ksgov county-meeting`, `ksgov landsting`, `ksgov seat`.

Thin: each command parses its arguments, calls one function of service/term.py and prints the
answer (a table, or JSON with `--json`). Input comes as sheets (XLSX, CSV) or JSON files. The
service is imported when a command runs, so `--help` does not load Temporal.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import TermArgument, fail, print_json, print_table, run, settings
from domain.terms import term_of_election
from service.inputs import (
    COUNTY_INPUT_HELP,
    LANDSTING_INPUT_HELP,
    CountyInput,
    LandstingInput,
)

if TYPE_CHECKING:
    from service.term import Answer

term_app = typer.Typer(help="The four-year term: start it, follow it.", no_args_is_help=True)
county_app = typer.Typer(
    help="Input to a county meeting (sheets or JSON files).", no_args_is_help=True
)
landsting_app = typer.Typer(
    help="Input to the Landsting (sheets or JSON files).", no_args_is_help=True
)
seat_app = typer.Typer(help="Seats during the term.", no_args_is_help=True)

Year = TermArgument
File = Annotated[
    Path,
    typer.Argument(
        help="A sheet (.xlsx or .csv, see `ksgov template`) or a JSON file: one object, or a list."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    """Add the election-cycle commands to `app`."""
    app.add_typer(term_app, name="term")
    app.add_typer(county_app, name="county-meeting")
    app.add_typer(landsting_app, name="landsting")
    app.add_typer(seat_app, name="seat")


@term_app.command("start")
def start(
    year: Year,
    bylaws: Annotated[str | None, typer.Option("--bylaws", help="Bylaws name.")] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show who would get which notice; start and send nothing."),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Start and send without asking (for scripts).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Start the term TERM under the bylaws in force (or --bylaws).

    Starting sends at once a notice to every member's council asking for its representatives:
    the command shows how many go where and asks before it sends (--yes skips the question,
    --dry-run only shows)."""
    from service import term as service

    mail = service.mailing(settings(), year, bylaws)
    if dry_run:
        if as_json:
            print_json(mail.as_dict())
            return
        _print_mailing(mail)
        return
    if not yes:
        if not sys.stdin.isatty():
            fail(
                f"starting term {mail.term} sends {mail.messages} notices: give --yes to start "
                "without asking (or --dry-run to see them first)"
            )
        _print_mailing(mail)
        typer.confirm(f"Start term {mail.term} and send {mail.messages} notices?", abort=True)
    name, started = run(service.start_term(settings(), year, bylaws))
    if as_json:
        print_json({"term": mail.term, "bylaws": name, "workflow": started.term_id,
                    "term_started": started.term_started, "counties": started.counties,
                    "counties_started": started.counties_started,
                    "registry": started.registry})  # fmt: skip
        return
    counties = f"{started.counties_started} of {started.counties} county meetings"
    if started.term_started:
        typer.echo(
            f"Term {term_of_election(year)} started (workflow {started.term_id}) under bylaws "
            f"{name} on the {started.registry}; {counties} started."
        )
    else:
        typer.echo(
            f"Term {term_of_election(year)} was already running (workflow {started.term_id}); "
            f"{counties} were missing and are now started."
        )


def _print_mailing(mail: Any) -> None:
    typer.echo(
        f"Term {mail.term} (bylaws {mail.bylaws}, {mail.registry}): {mail.messages} notices "
        f"asking councils for their representatives, in {len(mail.per_county)} counties."
    )
    rows = [
        (c["county"], c["name"], c["messages"], c["deadline"], len(c["without_address"]))
        for c in mail.per_county
    ]
    print_table(("county", "name", "notices", "deadline", "no address"), rows)
    first = mail.per_county[0]["first_recipients"] if mail.per_county else []
    if first:
        typer.echo(f"First recipients: {'; '.join(first)}")
    if mail.without_address:
        typer.echo(f"No address (nothing sent to them): {', '.join(mail.without_address)}")


@term_app.command("status")
def status(
    year: Year,
    as_json: JsonOption = False,
    detail: Annotated[
        bool, typer.Option("--detail", help="Name every member whose input is awaited.")
    ] = False,
) -> None:
    """Where each county meeting and the Landsting stand, what input is awaited, deadlines
    (members awaited are counted; --detail names them)."""
    from service import term as service

    found = run(service.term_status(settings(), year))
    if as_json:
        print_json(_plain(found))
        return
    term = found["term"]
    typer.echo(f"Term {term.term}: {term.stage}; awaiting: {', '.join(term.awaiting) or '-'}")
    rows = [
        (f"county {county}", s.stage, s.deadline or "", awaiting_text(s.awaiting, detail))
        if s
        else (f"county {county}", "not started", "", "")
        for county, s in found["counties"].items()
    ]
    land = found["landsting"]
    rows.append(
        ("landsting", land.stage, land.deadline or "", awaiting_text(land.awaiting, detail))
        if land
        else ("landsting", "not started", "", "")
    )
    print_table(("process", "stage", "deadline", "awaiting"), rows)


REPRESENTATIVES_OF = "representatives of "


def awaiting_text(awaiting: Sequence[str], detail: bool) -> str:
    """What a process awaits, in one short cell: the members whose representatives are awaited
    counted (named with `detail`)."""
    if detail:
        return "; ".join(awaiting)
    members = [a for a in awaiting if a.startswith(REPRESENTATIVES_OF)]
    rest = [a for a in awaiting if not a.startswith(REPRESENTATIVES_OF)]
    counted = [f"representatives of {len(members)} members"] if len(members) > 1 else members
    return "; ".join(counted + rest)


@term_app.command("force-landsting")
def force_landsting(
    year: Year,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    reason: Annotated[str, typer.Option("--reason")] = "forced by the secretariat",
    as_json: JsonOption = False,
) -> None:
    """Start the Landsting before every county meeting has finished."""
    from service import term as service

    why = service.forcing(reason)  # a bad reason is refused before anything is asked
    missing = run(service.missing_counties(settings(), year))
    if missing and not yes:
        typer.echo(f"County meetings not finished: {', '.join(missing)}")
        typer.confirm("Start the Landsting without their delegates?", abort=True)
    result = run(service.force_landsting(settings(), year, why))
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    typer.echo(f"The Landsting of term {term_of_election(year)} will start now.")


@seat_app.command("vacate")
def vacate(
    year: Year,
    organ: Annotated[str, typer.Option("--organ", help="e.g. landsstyret, hovedstyret")],
    person: Annotated[str, typer.Option("--person", help="The person id.")],
    reason: Annotated[str, typer.Option("--reason")],
    on: Annotated[
        str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record that PERSON leaves their seat; the first deputy moves up or an election is due."""
    from service import term as service

    try:
        day = dt.date.fromisoformat(on) if on is not None else dt.datetime.now(dt.UTC).date()
    except ValueError:
        fail(f"--on {on!r} is not a date: write it as YYYY-MM-DD")
    result = run(service.vacate_seat(settings(), year, organ, person, reason, day))
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    typer.echo(f"Seat vacated. Open vacancies: {', '.join(result.vacancies) or 'none'}")


@seat_app.command("supplementary")
def supplementary(year: Year, file: File, as_json: JsonOption = False) -> None:
    """Record Landsstyret's supplementary election for an open vacancy (JSON: organ,
    vacated_person_id, person {person_id, name, gender, email, ...}, decided_on)."""
    from service import term as service

    result = run(service.supplementary_election(settings(), year, file))
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    typer.echo(f"Vacancy filled. Open vacancies: {', '.join(result.vacancies) or 'none'}")


def _county_command(kind: CountyInput) -> Any:
    def command(
        year: Year,
        county: Annotated[str, typer.Argument(help="The county number, e.g. 46.")],
        file: File,
        as_json: JsonOption = False,
    ) -> None:
        from service import term as service

        answers = run(service.county_meeting_input(settings(), year, county, kind, file))
        _print_answers(answers, f"{kind} input(s) for county meeting {county}", as_json)

    return command


def _landsting_command(kind: LandstingInput) -> Any:
    def command(year: Year, file: File, as_json: JsonOption = False) -> None:
        from service import term as service

        answers = run(service.landsting_input(settings(), year, kind, file))
        _print_answers(answers, f"{kind} input(s) for the Landsting", as_json)

    return command


def _print_answers(answers: list[Answer], what: str, as_json: bool) -> None:
    """What the workflow answered to each input: a vote's round and result, or the stage."""
    if as_json:
        print_json([a.model_dump(mode="json") for a in answers])
        return
    typer.echo(f"Accepted {len(answers)} {what}.")
    for answer in answers:
        typer.echo(f"  {describe(answer)}")


def describe(answer: Answer) -> str:
    """One line for an update's answer."""
    from models.election_payloads import PostStatus

    if isinstance(answer, PostStatus):
        post = answer.post
        if answer.status == "decided":
            line = f"{post}: decided, elected {', '.join(answer.elected) or '-'}"
        elif answer.status == "open":
            line = f"{post}: no one elected yet, now round {answer.round}"
        else:
            line = f"{post}: awaiting nominations ({answer.method} election)"
        if answer.drawn_by_lot:
            line += f"; drawn by lot: {', '.join(answer.drawn_by_lot)}"
        return line
    waiting = "; ".join(answer.awaiting) or "nothing"
    return f"stage {answer.stage or '-'}; awaiting: {waiting}"


def _plain(value: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# The input commands, one per kind, made from one function each.
for _county_kind, _text in COUNTY_INPUT_HELP.items():
    county_app.command(_county_kind, help=_text)(_county_command(_county_kind))
for _landsting_kind, _text in LANDSTING_INPUT_HELP.items():
    landsting_app.command(_landsting_kind, help=_text)(_landsting_command(_landsting_kind))
