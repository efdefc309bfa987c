"""Accounts, roles and tokens on SQLite and PostgreSQL: argon2id hashes, the lock-out, tokens
stored as digests, every grant audited without a user name, and the roles checked in the
operations themselves (a county user cannot send another county's input)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cli.main import run
from client.errors import NotReachableError, UserError
from config import load_settings
from models.records import Account, ApiToken, AuditEntry
from service import accounts
from service import meeting as meeting_service
from service import term as term_service
from service.accounts import OPERATOR, Actor, ForbiddenError, authorize

PASSWORD = "riktig hest batteri stift"
T0 = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


def test_an_account_has_an_argon2id_hash_and_its_grant_is_audited_without_its_name(
    engine: Engine,
) -> None:
    added = accounts.add(engine, "Kari.Nordmann@KS.example", "county", PASSWORD, county="46")
    assert added.username == "kari.nordmann@ks.example"
    with Session(engine) as session:
        row = session.exec(select(Account)).one()
        entries = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    [entry] = entries
    assert (entry.action, entry.subject) == ("account_added", f"account:{row.account_id}")
    assert "kari" not in entry.content.lower()
    assert '"county":"46"' in entry.content
    with pytest.raises(UserError, match="exists"):
        accounts.add(engine, "kari.nordmann@ks.example", "auditor", PASSWORD)


@pytest.mark.parametrize(
    ("role", "county", "person", "words"),
    [
        ("admin", None, None, "is not a role"),
        ("county", None, None, "--county is given for a county user"),
        ("auditor", "46", None, "--county is given for a county user, and only for one"),
        ("member", None, None, "--person is given for a member"),
        ("county", "99", None, "county"),
        ("member", None, "kari@example.org", "person"),
    ],
)
def test_a_grant_needs_what_its_role_needs_and_nothing_else(
    engine: Engine, role: str, county: str | None, person: str | None, words: str
) -> None:
    with pytest.raises(UserError, match=words):
        accounts.add(engine, "kari", role, PASSWORD, county, person)


@pytest.mark.parametrize(
    ("name", "password", "words"),
    [("k", PASSWORD, "is not a user name"), ("kari nordmann", PASSWORD, "is not a user name"),
     ("kari", "kort", "12 to 1000"), ("kari", " " + PASSWORD, "space"),
     ("kari", PASSWORD + "\x00", "control")],
)  # fmt: skip
def test_bad_names_and_passwords_are_refused(
    engine: Engine, name: str, password: str, words: str
) -> None:
    with pytest.raises(UserError, match=words):
        accounts.add(engine, name, "auditor", password)


def test_five_wrong_passwords_lock_the_account_and_every_refusal_reads_the_same(
    engine: Engine,
) -> None:
    accounts.add(engine, "kari", "auditor", PASSWORD)
    with pytest.raises(UserError) as unknown:
        accounts.login(engine, "nobody", PASSWORD, T0)
    for n in range(accounts.MAX_FAILURES):
        with pytest.raises(UserError) as wrong:
            accounts.login(engine, "kari", f"feil passord {n}", T0)
        assert str(wrong.value) == str(unknown.value) == accounts.LOGIN_REFUSED
    with pytest.raises(UserError, match="locked"):  # the right password, but locked
        accounts.login(engine, "kari", PASSWORD, T0 + dt.timedelta(minutes=1))
    later = T0 + dt.timedelta(minutes=accounts.LOCK_MINUTES + 1)
    actor = accounts.login(engine, " KARI ", PASSWORD, later)
    assert (actor.role, actor.county) == ("auditor", None)
    with Session(engine) as session:
        row = session.exec(select(Account)).one()
    assert (row.failed_logins, row.locked_until) == (0, None)


def test_a_token_is_stored_as_a_digest_acts_with_its_role_and_dies_with_its_account(
    engine: Engine,
) -> None:
    accounts.add(engine, "skript", "secretariat", None)
    with pytest.raises(UserError):  # no password: tokens only
        accounts.login(engine, "skript", PASSWORD, T0)
    token = accounts.make_token(engine, "skript", "auditor")
    with Session(engine) as session:
        row = session.exec(select(ApiToken)).one()
        logged = " ".join(e.content for e in session.exec(select(AuditEntry)))
    assert token.startswith(f"ksgov_{row.token_id}_")
    assert token not in row.digest
    assert token.removeprefix(f"ksgov_{row.token_id}_") not in logged  # the secret
    actor = accounts.token_actor(engine, token)
    assert actor.role == "auditor"
    assert not actor.may("county.input", "46")
    for bad in ("", "ksgov_t-0_x", token + "x", "Bearer " + token):
        with pytest.raises(UserError, match="the token is not valid"):
            accounts.token_actor(engine, bad)
    with pytest.raises(UserError, match="may have the role auditor or secretariat"):
        accounts.make_token(engine, "skript", "member")
    assert accounts.disable(engine, "skript") == 1
    with pytest.raises(UserError, match="the token is not valid"):
        accounts.token_actor(engine, token)
    with pytest.raises(UserError, match="already disabled"):
        accounts.disable(engine, "skript")
    with pytest.raises(UserError, match="disabled"):
        accounts.make_token(engine, "skript")


def test_a_role_change_is_audited_and_takes_effect(engine: Engine) -> None:
    accounts.add(engine, "ola", "county", PASSWORD, county="03")
    changed = accounts.change_role(engine, "ola", "county", county="46")
    assert changed.county == "46"
    assert accounts.login(engine, "ola", PASSWORD, T0).county == "46"
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry))]
    assert actions == ["account_added", "account_changed"]
    with pytest.raises(UserError, match="there is no user"):
        accounts.change_role(engine, "per", "auditor")


def test_each_role_may_do_what_the_issue_says_and_no_more() -> None:
    county = Actor("u-1", "county", county="46")
    auditor = Actor("u-2", "auditor")
    member = Actor("u-3", "member", person_id="p-1")
    assert county.may("county.input", "46")
    assert not county.may("county.input", "03")
    assert not county.may("county.read", None)
    assert not county.may("audit.read")
    assert auditor.may("audit.read")
    assert not auditor.may("county.input", "46")
    assert not member.may("county.read", "46")
    assert all(OPERATOR.may(p, "46") for p in accounts.GRANTS["secretariat"])
    with pytest.raises(ForbiddenError, match="a county user of county 46 may not do this for"):
        authorize(county, "county.input", "03")
    with pytest.raises(ForbiddenError, match=r"the role auditor may not do this \(term.manage\)"):
        authorize(auditor, "term.manage")
    with pytest.raises(ForbiddenError):
        accounts.add(
            None,  # type: ignore[arg-type]  # refused before the store is touched
            "x1", "auditor", PASSWORD, actor=county,
        )  # fmt: skip


def test_the_operations_refuse_another_countys_input_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    county = Actor("u-1", "county", county="46")
    file = tmp_path / "date.json"
    file.write_text('{"meeting_date": "2027-10-01"}')
    settings = load_settings()  # nothing listens: a refusal must come before connecting

    async def send(to: str) -> object:
        return await term_service.county_meeting_input(
            settings, 2027, to, "meeting-date", file, actor=county
        )

    with pytest.raises(ForbiddenError, match="county 46 may not do this for county 03"):
        asyncio.run(send("03"))
    with pytest.raises(ForbiddenError, match=r"landsting\.input"):
        asyncio.run(term_service.landsting_input(settings, 2027, "date", file, actor=county))
    with pytest.raises(ForbiddenError, match=r"term\.manage"):
        asyncio.run(term_service.start_term(settings, 2027, actor=county))
    # Meetings: a member reports their own absence only; managing a meeting is the
    # secretariat's (each refused before Temporal is reached).
    member = Actor("u-2", "member", person_id="p-1")
    meeting = "meeting-hovedstyret-2028-2032-01"
    with pytest.raises(ForbiddenError, match=r"meeting\.manage"):
        asyncio.run(meeting_service.report_absence(settings, meeting, "p-2", "syk", member))
    with pytest.raises(ForbiddenError, match=r"meeting\.manage"):
        asyncio.run(meeting_service.cancel_meeting(settings, meeting, "nei", member))
    with pytest.raises(ForbiddenError, match=r"meeting\.manage"):
        asyncio.run(meeting_service.set_agenda(settings, meeting, ["Sak"], county))
    with pytest.raises(NotReachableError):  # their own: allowed, then Temporal is not there
        asyncio.run(meeting_service.report_absence(settings, meeting, "p-1", "syk", member))


def test_the_user_commands_add_list_token_and_disable(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KSGOV_DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    add = ["ksgov", "user", "add", "kari", "--role", "county", "--county", "46", "--password-stdin"]
    assert run(add) == 0
    assert "Added kari (county of 46)." in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(["ksgov", "user", "add", "ola", "--role", "auditor"]) == 2
    assert "no terminal to ask for the password" in capsys.readouterr().err
    assert run(["ksgov", "user", "token", "kari"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("ksgov_t-")
    assert run(["ksgov", "user", "list", "--json"]) == 0
    listed = capsys.readouterr().out
    assert '"username": "kari"' in listed
    assert PASSWORD not in listed
    assert token not in listed
    assert run(["ksgov", "user", "role", "kari", "auditor"]) == 0
    assert "kari is now auditor." in capsys.readouterr().out
    assert run(["ksgov", "user", "disable", "kari"]) == 0
    assert "1 token(s) revoked" in capsys.readouterr().out
    assert run(["ksgov", "user", "role", "kari", "boss"]) == 2
    assert "is not a role" in capsys.readouterr().err


def test_the_audit_answers_an_auditor_and_refuses_a_county_user(database_url: str) -> None:
    from service import audit

    auditor = Actor("u-2", "auditor")
    with pytest.raises(UserError, match="no term 2028-2032 in the record store"):  # asked
        audit.seats(database_url, "hovedstyret", "2028-2032", None, actor=auditor)
    county = Actor("u-1", "county", county="46")
    with pytest.raises(ForbiddenError, match=r"audit\.read"):
        audit.person(database_url, "Kari", actor=county)
    with pytest.raises(ForbiddenError):
        asyncio.run(audit.history(load_settings(), "term-2027", actor=county))
