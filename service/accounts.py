"""Who may use ksgov and what each may do: accounts, passwords, API tokens, roles.

Four roles (issue 23): the `secretariat` may do everything; a `county` user is bound to one
county and may enter and read that county's input and nothing of another county's; an
`auditor` may read every audit answer and write nothing; a `member` may read their own
meetings, notices and documents. The operations check it (`authorize`), whoever calls them:
the command line runs as the server's operator (`OPERATOR`, the secretariat), and the console
(to come) as the user who logged in.

Passwords are hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes); after
`MAX_FAILURES` wrong passwords in a row an account is locked for `LOCK_MINUTES`, and every
refusal reads the same, so that a login page does not tell which user names exist. A token is
`ksgov_<token id>_<secret>` (the secret 32 random bytes); only its SHA-256 digest is stored,
and it is shown once, when it is made. An account may also be linked to the subject (`sub`) an
OpenID Connect provider such as ID-porten gives its person (`link_oidc`), and then logs in
there (`login_oidc`, called by the console once it has checked the provider's ID token).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from client.errors import UserError
from models.records import Account, ApiToken
from service.governance import known_county, person_key
from store import accounts as store
from store.changes import Change, write_once

Role = Literal["secretariat", "county", "auditor", "member"]
ROLES: tuple[str, ...] = get_args(Role)
Permission = Literal[
    "term.manage",  # start a term, vacate a seat, a supplementary election, force the Landsting
    "landsting.input",
    "county.input",  # a county meeting's input: its own county only, for a county user
    "county.read",
    "term.read",  # where the term, every county meeting and the Landsting stand
    "meeting.manage",
    "audit.read",
    "registry.manage",
    "accounts.manage",
    "organ.read",  # the organs and who holds their seats: its own county's only, for a county
    "meeting.read",  # meetings: a county's own organs'; a member's, of organs they sat in then
    "own.read",  # a member's own seats, meetings and notices (an account bound to a person)
]
GRANTS: dict[str, frozenset[str]] = {
    "secretariat": frozenset(get_args(Permission)),
    "county": frozenset({"county.input", "county.read", "organ.read", "meeting.read"}),
    "auditor": frozenset({"audit.read", "county.read", "term.read", "organ.read", "meeting.read"}),
    "member": frozenset({"own.read", "meeting.read"}),
}
COUNTY_BOUND = frozenset({"county.input", "county.read", "organ.read", "meeting.read"})
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,99}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1000
MAX_FAILURES = 5
# The `sub` of an OpenID Connect provider: ID-porten's and Entra ID's are base64url strings.
OIDC_SUBJECT = re.compile(r"[\x21-\x7e]{1,255}")
LOCK_MINUTES = 15
LOGIN_REFUSED = (
    "the user name or password is wrong, or the account is locked after repeated failures "
    "or disabled: try again later, or ask the secretariat"
)
ACTOR = "cli"
_HASHER = PasswordHasher()


@functools.cache
def _no_one() -> str:
    """The hash an unknown user name is checked against, so that it costs a hash too (made on
    first use: an argon2 hash is 0.1 s every command would pay at import)."""
    return _HASHER.hash("a password no account has, so an unknown name costs a hash too")


@dataclass(frozen=True)
class AccountView:
    """An account as the commands show it: no hash, no counter."""

    username: str
    role: str
    county: str | None
    person_id: str | None
    disabled: bool
    locked: bool
    password: bool
    oidc: bool = False  # linked to an OpenID Connect subject (`ksgov user link`)

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            account.username, account.role, account.county, account.person_id,
            account.disabled, account.locked_until is not None, bool(account.password_hash),
            account.oidc_subject is not None,
        )  # fmt: skip


class ForbiddenError(UserError):
    """The actor's role does not allow the operation (HTTP 403 on the console)."""


@dataclass(frozen=True)
class Actor:
    """Who asks: an account (its id), its role, and the county or person it is bound to."""

    account_id: str
    role: str
    county: str | None = None
    person_id: str | None = None

    def may(self, permission: str, county: str | None = None) -> bool:
        if permission not in GRANTS.get(self.role, frozenset()):
            return False
        if self.role == "county" and permission in COUNTY_BOUND:
            return county is not None and county == self.county
        return True


# The command line, run on the server by its operator: the secretariat.
OPERATOR = Actor("operator", "secretariat")


def authorize(actor: Actor, permission: str, county: str | None = None) -> None:
    """Nothing, or `ForbiddenError` naming what the actor's role does not allow."""
    if actor.may(permission, county):
        return
    where = f" for county {county}" if county else ""
    if actor.role == "county" and permission in COUNTY_BOUND:
        raise ForbiddenError(f"a county user of county {actor.county} may not do this{where}")
    raise ForbiddenError(f"the role {actor.role} may not do this ({permission}){where}")


def username_of(text: str) -> str:
    name = text.strip().lower()
    if not USERNAME.fullmatch(name):
        raise UserError(
            f"{ascii(text)[:60]} is not a user name: 2 to 100 of a-z, 0-9 and . _ @ -, "
            "starting with a letter or digit"
        )
    return name


def checked_grant(
    role: str, county: str | None, person: str | None
) -> tuple[str, str | None, str | None]:
    """A role with what it needs: a county for `county`, a person id for `member`, and
    nothing it does not."""
    if role not in ROLES:
        raise UserError(f"{ascii(role)[:40]} is not a role: choose one of {', '.join(ROLES)}")
    if (role == "county") != (county is not None):
        raise UserError("--county is given for a county user, and only for one")
    if (role == "member") != (person is not None):
        raise UserError("--person is given for a member, and only for one")
    if county is not None:
        known_county(county)
    return role, county, person_key(person) if person is not None else None


def password_hash(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if password.strip() != password or any(ord(c) < 32 for c in password):
        raise UserError("a password may not begin or end with a space or hold control characters")
    return _HASHER.hash(password)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _account(session: Session, username: str) -> Account:
    found = store.by_username(session, username_of(username))
    if found is None:
        raise UserError(f"there is no user {username_of(username)}")
    return found


def add(
    engine: Engine, username: str, role: str, password: str | None,
    county: str | None = None, person: str | None = None, actor: Actor = OPERATOR,
) -> AccountView:  # fmt: skip
    """A new account (refused if the name is taken); without a password it can log in only
    with the tokens made for it."""
    authorize(actor, "accounts.manage")
    name = username_of(username)
    role, county, person = checked_grant(role, county, person)
    hashed = password_hash(password) if password is not None else ""
    account = Account(
        account_id=f"u-{secrets.token_hex(8)}", username=name, role=role, county=county,
        person_id=person, password_hash=hashed, created_at=now(),
    )  # fmt: skip
    with Session(engine) as session:
        if store.by_username(session, name) is not None:
            raise UserError(f"the user {name} exists: change it with `ksgov user role`")
    view = AccountView.of(account)
    key = f"{account.account_id}/added"
    write_once(engine, key, actor.account_id, lambda s: store.add_account(s, account))
    return view


def change_role(
    engine: Engine, username: str, role: str, county: str | None = None,
    person: str | None = None, actor: Actor = OPERATOR,
) -> AccountView:  # fmt: skip
    authorize(actor, "accounts.manage")
    role, county, person = checked_grant(role, county, person)

    def write(session: Session) -> Change:
        account = _account(session, username)
        return store.change_account(session, account, role=role, county=county, person_id=person)

    with Session(engine) as session:
        account_id = _account(session, username).account_id
    write_once(engine, f"{account_id}/role/{secrets.token_hex(8)}", actor.account_id, write)
    return _read(engine, username)


def disable(engine: Engine, username: str, actor: Actor = OPERATOR) -> int:
    """Disable the account and revoke its tokens; how many tokens were revoked."""
    authorize(actor, "accounts.manage")
    revoked = 0

    def write(session: Session) -> Change:
        nonlocal revoked
        account = _account(session, username)
        if account.disabled:
            raise UserError(f"the user {account.username} is already disabled")
        revoked = store.revoke_tokens(session, account.account_id, now())
        return store.change_account(session, account, disabled=True)

    with Session(engine) as session:
        account_id = _account(session, username).account_id
    write_once(engine, f"{account_id}/disabled/{secrets.token_hex(8)}", actor.account_id, write)
    return revoked


def make_token(
    engine: Engine, username: str, role: str | None = None, actor: Actor = OPERATOR
) -> str:
    """A new token for the account, with its role or, for a secretariat account, `auditor`
    (read only); the token itself, shown this once."""
    authorize(actor, "accounts.manage")
    with Session(engine) as session:
        account = _account(session, username)
    if account.disabled:
        raise UserError(f"the user {account.username} is disabled")
    wanted = role or account.role
    allowed = {account.role} | ({"auditor"} if account.role == "secretariat" else set())
    if wanted not in allowed:
        raise UserError(
            f"a token of {account.username} may have the role {' or '.join(sorted(allowed))}"
        )
    token_id = f"t-{secrets.token_hex(6)}"
    token = f"ksgov_{token_id}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        token_id=token_id, digest=_digest(token), account_id=account.account_id, role=wanted,
        created_at=now(),
    )  # fmt: skip
    write_once(engine, f"{token_id}/issued", actor.account_id, lambda s: store.issue_token(s, row))
    return token


def link_oidc(
    engine: Engine, username: str, subject: str | None, actor: Actor = OPERATOR
) -> AccountView:
    """Link the account to the person its OpenID Connect provider knows by `subject` (the ID
    token's `sub`), or unlink it with None; a subject is linked to one account at most."""
    authorize(actor, "accounts.manage")
    if subject is not None and not OIDC_SUBJECT.fullmatch(subject):
        raise UserError("an OpenID Connect subject is 1 to 255 visible ASCII characters")

    def write(session: Session) -> Change:
        account = _account(session, username)
        other = store.by_oidc_subject(session, subject) if subject is not None else None
        if other is not None and other.account_id != account.account_id:
            raise UserError("the subject is linked to another account: unlink that one first")
        return store.change_account(session, account, oidc_subject=subject)

    with Session(engine) as session:
        account_id = _account(session, username).account_id
    write_once(engine, f"{account_id}/oidc/{secrets.token_hex(8)}", actor.account_id, write)
    return _read(engine, username)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _read(engine: Engine, username: str) -> AccountView:
    with Session(engine) as session:
        return AccountView.of(_account(session, username))


def accounts(engine: Engine, actor: Actor = OPERATOR) -> list[AccountView]:
    authorize(actor, "accounts.manage")
    with Session(engine) as session:
        found = session.exec(select(Account).order_by(col(Account.username)))
        return [AccountView.of(a) for a in found]


# ----------------------------------------------------------------------------- signing in


def login(engine: Engine, username: str, password: str, at: dt.datetime | None = None) -> Actor:
    """The actor of a correct user name and password, or `UserError(LOGIN_REFUSED)`; wrong
    passwords count towards the lock-out, a correct one resets the count."""
    at = at or now()
    name = username.strip().lower()
    with Session(engine) as session, session.begin():
        account = store.by_username(session, name) if USERNAME.fullmatch(name) else None
        if account is None or not account.password_hash:
            _verify(_no_one(), password)  # the same work as for a real account
            raise UserError(LOGIN_REFUSED)
        locked = account.locked_until is not None and _utc(account.locked_until) > at
        right = _verify(account.password_hash, password)
        if account.disabled or locked or not right:
            if not right:
                account.failed_logins += 1
                if account.failed_logins >= MAX_FAILURES:
                    account.locked_until = at + dt.timedelta(minutes=LOCK_MINUTES)
                    account.failed_logins = 0
                session.add(account)
            refused = True
        else:
            account.failed_logins, account.locked_until = 0, None
            session.add(account)
            refused = False
        actor = Actor(account.account_id, account.role, account.county, account.person_id)
    if refused:
        raise UserError(LOGIN_REFUSED)
    return actor


def login_oidc(engine: Engine, subject: str) -> Actor:
    """The actor of the account linked to `subject`, which the OpenID Connect provider vouched
    for, or `UserError(LOGIN_REFUSED)` when none is or it is disabled; nothing is created, and
    the role and county are the account's. As a correct password does, it ends a lock-out: the
    lock guards the password, and the provider has proved who logs in."""
    with Session(engine) as session, session.begin():
        found = store.by_oidc_subject(session, subject) if OIDC_SUBJECT.fullmatch(subject) else None
        if found is None or found.disabled:
            raise UserError(LOGIN_REFUSED)
        found.failed_logins, found.locked_until = 0, None
        session.add(found)
        return Actor(found.account_id, found.role, found.county, found.person_id)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password[:MAX_PASSWORD])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def token_actor(engine: Engine, token: str) -> Actor:
    """The actor a live token acts as, or `UserError` (the same line for any bad token)."""
    refused = UserError("the token is not valid")
    if not token.startswith("ksgov_t-") or len(token) > 200:
        raise refused
    with Session(engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.digest == _digest(token))).first()
        account = session.get(Account, row.account_id) if row is not None else None
    if row is None or account is None or row.revoked_at is not None or account.disabled:
        raise refused
    return Actor(account.account_id, row.role, account.county, account.person_id)
