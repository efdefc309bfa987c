"""Writes for the accounts and their API tokens, each with its audit entry (store.changes).

The entries name the account by its id and say what changed (role, county, disabled), never
the user name, a password hash or a token. The lock-out counter is written without an entry:
it is operational, and a failed login is no change to who may do what.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.records import Account, ApiToken
from store.changes import Change


def by_username(session: Session, username: str) -> Account | None:
    return session.exec(select(Account).where(Account.username == username)).first()


def by_oidc_subject(session: Session, subject: str) -> Account | None:
    return session.exec(select(Account).where(Account.oidc_subject == subject)).first()


def add_account(session: Session, account: Account) -> Change:
    session.add(account)
    return Change(
        changed=1,
        action="account_added",
        subject=f"account:{account.account_id}",
        content=_grant(account),
    )


def change_account(session: Session, account: Account, **values: object) -> Change:
    """Set the role, county, person, password, OpenID Connect subject or disabled flag of
    `account` (the entry names the fields changed, not the password or the subject)."""
    for key, value in values.items():
        setattr(account, key, value)
    session.add(account)
    changed = sorted(k if k != "password_hash" else "password" for k in values)
    return Change(
        changed=1,
        action="account_changed",
        subject=f"account:{account.account_id}",
        content={**_grant(account), "fields": changed},
    )


def issue_token(session: Session, token: ApiToken) -> Change:
    session.add(token)
    return Change(
        changed=1,
        action="token_issued",
        subject=f"account:{token.account_id}",
        content={"token_id": token.token_id, "role": token.role},
    )


def revoke_tokens(session: Session, account_id: str, at: datetime) -> int:
    """Revoke every live token of the account (a disabled account's tokens die with it)."""
    live = session.exec(
        select(ApiToken).where(
            ApiToken.account_id == account_id, col(ApiToken.revoked_at).is_(None)
        )
    ).all()
    for token in live:
        token.revoked_at = at
        session.add(token)
    return len(live)


def _grant(account: Account) -> dict[str, object]:
    """What an account may do, for the log: no user name, no person's name."""
    return {
        "role": account.role,
        "county": account.county,
        "person_id": account.person_id,
        "disabled": account.disabled,
    }
