"""`ksgov web --demo` on a simulated term's store: a login per role, new passwords each start,
and refused with one line when there is no simulated term."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import run
from client.errors import UserError
from harness.console_demo import latest_simulation, prepare
from service import accounts
from store.db import make_engine, upgrade
from tests.conftest import free_port


def test_the_demo_console_has_a_login_per_role_and_new_passwords_each_start(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "simulations"
    folder.mkdir()
    upgrade(f"sqlite:///{folder / 'term-2027-seed1-old.db'}")
    newest = folder / "term-2027-seed1-new.db"
    upgrade(f"sqlite:///{newest}")
    assert latest_simulation(tmp_path) == newest
    first = prepare(tmp_path)
    assert first.database_url == f"sqlite:///{newest.resolve()}"
    assert [(n, r) for n, r, _ in first.logins] == [
        ("sekretariat", "secretariat"), ("fylke46", "county"), ("revisor", "auditor"),
    ]  # fmt: skip
    engine = make_engine(first.database_url)
    for name, role, password in first.logins:
        assert accounts.login(engine, name, password).role == role
    second = prepare(tmp_path)
    name, _, old = first.logins[0]
    with pytest.raises(UserError):
        accounts.login(engine, name, old)  # the first start's password no longer works
    assert accounts.login(engine, name, second.logins[0][2]).county is None
    engine.dispose()


def test_without_a_simulated_term_the_demo_console_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KSGOV_DATA_DIR", str(tmp_path / "empty"))
    assert run(["ksgov", "web", "--demo", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no simulated term" in err
    assert "run `ksgov demo` first" in err
