"""Preview commands: `ksgov bylaws`, `ksgov apportion`, `ksgov count`.

They need no server: they read the shipped data (or a file), apply the governance rules and print
a table, or JSON with `--json`. The registry has commands of its own (cli/registry.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from cli.common import print_json, print_table, user_errors_as_exit
from client.errors import UserError
from domain.apportionment import Apportionment

if TYPE_CHECKING:
    from domain.bylaws import Bylaws, Organ
    from domain.elections import MajorityResult

bylaws_app = typer.Typer(help="The bylaws (vedtekter) shipped with ksgov.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
_T = TypeVar("_T")


def register(app: typer.Typer) -> None:
    """Add the preview commands to `app`."""
    app.command()(apportion)
    app.command()(count)
    app.add_typer(bylaws_app, name="bylaws")


@bylaws_app.command("list")
def bylaws_list(as_json: JsonFlag = False) -> None:
    """List the shipped bylaws versions with the date each takes effect."""
    from service import governance

    versions = _run(governance.all_bylaws)
    rows = [[b.name, b.effective_from.isoformat(), b.title] for b in versions]
    if as_json:
        print_json([{"name": n, "effective_from": d, "title": t} for n, d, t in rows])
    else:
        print_table(["name", "effective_from", "title"], rows)


@bylaws_app.command("show")
def bylaws_show(
    name: Annotated[
        str | None, typer.Argument(help="Bylaws name, e.g. ks-2024 (default: the latest).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one bylaws version: organs, delegate key, county meetings and election rules."""
    from service import governance

    bylaws = _run(lambda: governance.load_bylaws(name))
    if as_json:
        print_json(governance.as_plain(bylaws))
        return
    _print_bylaws(bylaws)


def apportion(
    bylaws: Annotated[
        str | None, typer.Option("--bylaws", help="Bylaws name (default: the latest).")
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            help="dhondt, sainte-lague, modified-sainte-lague or "
            "largest-remainder (default: the bylaws' delegate key).",
        ),
    ] = None,
    total: Annotated[
        int | None, typer.Option("--total", help="Delegates to share (default: the bylaws').")
    ] = None,
    minimum: Annotated[
        int | None, typer.Option("--min", help="Minimum per county (default: the bylaws').")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Share the Landsting delegates between counties by population (the delegate key)."""
    from service import governance

    result = _run(lambda: governance.preview_delegates(bylaws, method, total, minimum))
    if as_json:
        print_json(governance.apportionment_as_dict(result))
        return
    reg = _run(governance.load_registry)
    rows = [
        [c.number, c.name, reg.population_of(c.number), result.seats[c.number]]
        for c in reg.counties
    ]
    print_table(["county", "name", "population", "delegates"], rows)
    typer.echo(f"method {result.method.value}, {result.total} delegates")
    _echo_tie(result)


def count(
    file: Annotated[
        Path | None,
        typer.Argument(help='JSON file of votes, {"NAME": votes, ...} (default: standard input).'),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="majority, dhondt, sainte-lague, modified-sainte-lague or largest-remainder.",
        ),
    ] = "dhondt",
    seats: Annotated[
        int | None, typer.Option("--seats", help="Seats to share (not for majority).")
    ] = None,
    first_divisor: Annotated[
        str | None,
        typer.Option("--first-divisor", help="First divisor of modified Sainte-Laguë (e.g. 1.4)."),
    ] = None,
    lists_file: Annotated[
        Path | None,
        typer.Option(
            "--lists",
            help='JSON file of candidate lists, {"lists": [{"name", "votes", "candidates": '
            '[{"name", "gender"}, ...]}, ...]} ("-": standard input); prints who each list '
            "elects, the genders balanced per list (kommuneloven § 7-6).",
        ),
    ] = None,
    deputies_extra: Annotated[
        int | None,
        typer.Option(
            "--deputies-extra",
            help="With --lists: deputies per list beyond its seats (default: the bylaws', 2).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Count a vote: seats per list, who each list elects (--lists), or a majority first round."""
    from service import governance

    if lists_file is not None:
        if file is not None:
            user_errors_as_exit(UserError("give either a votes file or --lists, not both"))
        _count_lists(lists_file, method, seats, first_divisor, deputies_extra, as_json)
        return
    if deputies_extra is not None:
        user_errors_as_exit(UserError("--deputies-extra counts only with --lists"))
    source = str(file) if file else "standard input"
    text = _run(lambda: governance.read_text(file) if file else governance.read_stdin(sys.stdin))
    votes = _run(lambda: governance.parse_votes(text, source))
    result = _run(lambda: governance.count_votes(votes, method, seats, first_divisor))
    if isinstance(result, Apportionment):
        _print_seats(result, as_json)
    else:
        _print_majority(result, as_json)


def _count_lists(
    file: Path,
    method: str,
    seats: int | None,
    first_divisor: str | None,
    deputies_extra: int | None,
    as_json: bool,
) -> None:
    from service import governance

    stdin = str(file) == "-"
    source = "standard input" if stdin else str(file)
    text = _run(lambda: governance.read_stdin(sys.stdin) if stdin else governance.read_text(file))
    lists = _run(lambda: governance.parse_lists(text, source))
    result = _run(
        lambda: governance.count_lists(lists, method, seats, first_divisor, deputies_extra)
    )
    shape = governance.list_election_as_dict(lists, result)
    if as_json:
        print_json(shape)
        return
    rows = [
        [row["name"], row["seats"], ", ".join(row["elected"]), ", ".join(row["deputies"])]
        for row in shape["lists"]
    ]
    print_table(["list", "seats", "elected", "deputies"], rows)
    if isinstance(result, Apportionment):
        _echo_tie(result)
        typer.echo("Nobody is elected until the lot is drawn.")


def _print_majority(result: MajorityResult, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "method": "majority",
                "elected": result.elected,
                "second_round": list(result.second_round),
            }
        )
    elif result.elected:
        typer.echo(f"Elected: {result.elected} (more than half of the votes cast)")
    else:
        typer.echo("No one has more than half of the votes cast: a second round is needed")
        typer.echo(f"between {', '.join(result.second_round)}; there, most votes wins.")


def _print_seats(result: Apportionment, as_json: bool) -> None:
    from service import governance

    if as_json:
        print_json(governance.apportionment_as_dict(result, with_total=False))
        return
    print_table(["list", "seats"], [[name, n] for name, n in result.seats.items()])
    _echo_tie(result)


def _echo_tie(result: Apportionment) -> None:
    if result.tie is not None:
        typer.echo(
            f"Tie: {result.tie.seats} seat(s) to be drawn by lot among "
            f"{', '.join(result.tie.lists)}"
        )


def _print_bylaws(bylaws: Bylaws) -> None:
    key = bylaws.delegate_key
    typer.echo(f"{bylaws.name}: {bylaws.title} (in force from {bylaws.effective_from})")
    typer.echo(
        f"Delegate key: {key.total} by {key.method.value}, at least {key.minimum_per_county} "
        f"per county, plus {bylaws.landsting.associate_delegates} from {bylaws.associate_name}"
    )
    headers = ["organ", "title", "members", "elected by", "meetings/year"]
    headers += ["notice days", "quorum", "posts"]
    print_table(headers, [_organ_row(organ) for organ in bylaws.organs.values()])


def _organ_row(organ: Organ) -> list[Any]:
    plan = organ.meetings
    posts = ", ".join(f"{p.count} {p.name} ({p.method.value})" for p in organ.posts)
    members = "-" if organ.members is None else organ.members
    row: list[Any] = [organ.key, organ.title, members, organ.elected_by]
    return [*row, plan.meetings_per_year, plan.notice_days, str(plan.quorum), posts]


def _run(call: Callable[[], _T]) -> _T:
    """Call the service; a user error becomes one line on stderr and exit code 2."""
    try:
        return call()
    except UserError as exc:
        user_errors_as_exit(exc)
    except OSError as exc:
        user_errors_as_exit(UserError(f"cannot read the input: {exc}"))
