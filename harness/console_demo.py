"""`ksgov web --demo`: the console on the record store the latest simulation left, with a demo
login for each role.

The demo accounts (`sekretariat`, `fylke46`, `revisor`) are made in that store, or given new
passwords when they exist, each start: the passwords are printed once and kept nowhere else.
Only a simulation's store is used, never the configured one, so no real account is touched.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from client.errors import UserError
from service import accounts
from store import accounts as account_store
from store.changes import Change, write_once
from store.db import make_engine, upgrade

DEMO_ACCOUNTS = (("sekretariat", "secretariat", None), ("fylke46", "county", "46"),
                 ("revisor", "auditor", None))  # fmt: skip


@dataclass(frozen=True)
class DemoConsole:
    database_url: str
    logins: tuple[tuple[str, str, str], ...]  # (user name, role, password)


def latest_simulation(data_dir: Path) -> Path:
    """The newest simulation record store under the data directory, or a UserError."""
    found = sorted((data_dir / "simulations").glob("*.db"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise UserError(
            f"no simulated term under {data_dir / 'simulations'}: run `ksgov demo` first"
        )
    return found[-1]


def prepare(data_dir: Path) -> DemoConsole:
    """The latest simulation's store, migrated, with the demo accounts and fresh passwords."""
    url = f"sqlite:///{latest_simulation(data_dir).resolve()}"
    upgrade(url)
    engine = make_engine(url)
    logins = []
    try:
        for name, role, county in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            with Session(engine) as session:
                account = account_store.by_username(session, name)
            if account is None:
                accounts.add(engine, name, role, password, county)
            else:
                hashed = accounts.password_hash(password)

                def reset(session: Session, username: str = name, new: str = hashed) -> Change:
                    found = account_store.by_username(session, username)
                    assert found is not None
                    return account_store.change_account(
                        session, found, password_hash=new, disabled=False, failed_logins=0,
                        locked_until=None,
                    )  # fmt: skip

                key = f"{account.account_id}/demo-password/{secrets.token_hex(6)}"
                write_once(engine, key, "demo", reset)
            logins.append((name, role, password))
    finally:
        engine.dispose()
    return DemoConsole(url, tuple(logins))
