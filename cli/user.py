"""`ksgov user`: the accounts of the console and its API (add, role, disable, link, token,
list).

Passwords are read from the terminal (twice, not echoed) or, for scripts, from the first line
of standard input with `--password-stdin`; never from an argument, which the shell's history
and the process list would show. A token is printed once, when it is made.
"""

from __future__ import annotations

import dataclasses
import sys
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from cli.common import fail, local, print_json, print_table, settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_T = TypeVar("_T")

user_app = typer.Typer(help="Accounts of the console and its API, with their roles.",
                       no_args_is_help=True)  # fmt: skip
Username = Annotated[str, typer.Argument(help="The user name (a-z, 0-9, . _ @ -).")]
RoleArg = Annotated[str, typer.Argument(help="secretariat, county, auditor or member.")]
County = Annotated[str | None, typer.Option("--county", help="A county user's county, e.g. 46.")]
Person = Annotated[str | None, typer.Option("--person", help="A member's person id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


def _engine() -> AbstractContextManager[Engine]:
    from service.audit import record_store

    return record_store(settings().resolved_database_url)


def _password(from_stdin: bool, none: bool) -> str | None:
    if none:
        return None
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            fail("--password-stdin: standard input gave no password")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("no terminal to ask for the password on: give --password-stdin or --no-password")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("add")
def add(
    username: Username,
    role: Annotated[str, typer.Option("--role", help="secretariat, county, auditor or member.")],
    county: County = None,
    person: Person = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: the account uses tokens only.")
    ] = False,
) -> None:
    """Add an account with its role (a county user with its county, a member with their
    person id)."""
    from service import accounts

    password = _password(password_stdin, no_password)
    with _engine() as engine:
        account = local(lambda: accounts.add(engine, username, role, password, county, person))
    typer.echo(f"Added {account.username} ({_grant(account)}).")


@user_app.command("role")
def role(
    username: Username, new_role: RoleArg, county: County = None, person: Person = None
) -> None:
    """Give an account another role."""
    from service import accounts

    with _engine() as engine:
        account = local(lambda: accounts.change_role(engine, username, new_role, county, person))
    typer.echo(f"{account.username} is now {_grant(account)}.")


@user_app.command("disable")
def disable(username: Username) -> None:
    """Disable an account and revoke its tokens (its history stays)."""
    from service import accounts

    with _engine() as engine:
        revoked = local(lambda: accounts.disable(engine, username))
    typer.echo(f"Disabled {username.strip().lower()}; {revoked} token(s) revoked.")


@user_app.command("link")
def link(
    username: Username,
    subject: Annotated[
        str | None,
        typer.Argument(help="The person's `sub` at the OpenID Connect provider (ID-porten)."),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Unlink the account from its subject.")
    ] = False,
) -> None:
    """Link an account to its person's subject at the OpenID Connect provider, so that they log
    in to the console there (the role stays the account's); --remove unlinks it."""
    from service import accounts

    if (subject is None) != remove:
        fail("give the subject to link, or --remove to unlink, not both")
    with _engine() as engine:
        account = local(lambda: accounts.link_oidc(engine, username, subject))
    state = "linked to its OpenID Connect subject" if account.oidc else "not linked any more"
    typer.echo(f"{account.username} is {state}.")


@user_app.command("token")
def token(
    username: Username,
    role: Annotated[
        str | None, typer.Option("--role", help="The token's role: the account's, or auditor.")
    ] = None,
) -> None:
    """Make an API token for the account and print it, this once: keep it secret."""
    from service import accounts

    with _engine() as engine:
        made = local(lambda: accounts.make_token(engine, username, role))
    typer.echo(made)


@user_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The accounts, their roles and whether they are disabled or locked."""
    from service import accounts

    with _engine() as engine:
        found = local(lambda: accounts.accounts(engine))
    rows = [dataclasses.asdict(a) for a in found]
    if as_json:
        print_json(rows)
        return
    print_table(
        ["user", "role", "county/person", "password", "oidc", "state"],
        [[r["username"], r["role"], r["county"] or r["person_id"] or "",
          "yes" if r["password"] else "no", "yes" if r["oidc"] else "no",
          "disabled" if r["disabled"] else ("locked" if r["locked"] else "active")]
         for r in rows],
    )  # fmt: skip


def _grant(account: object) -> str:
    role = getattr(account, "role", "")
    bound = getattr(account, "county", None) or getattr(account, "person_id", None)
    return f"{role} of {bound}" if bound else str(role)
