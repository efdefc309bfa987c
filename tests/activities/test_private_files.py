"""The record store and the Temporal server's state are readable by their owner only
(issue 21, finding 4): a new SQLite file is 0600 in a new directory of 0700, and so are the
write-ahead files SQLite makes beside it."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from store.db import make_engine, upgrade
from store.files import private_dir, private_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_record_store_and_its_directory_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    url = f"sqlite:///{folder / 'ksgov.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SELECT 1"))
    assert mode(folder) == 0o700
    files = sorted(folder.iterdir())
    assert "ksgov.db" in {f.name for f in files}
    assert all(mode(f) == 0o600 for f in files), {f.name: oct(mode(f)) for f in files}
    engine.dispose()


def test_an_existing_file_or_directory_is_left_as_it_is(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    (shared / "ksgov.db").write_text("")
    (shared / "ksgov.db").chmod(0o640)
    private_file(shared / "ksgov.db")
    private_dir(shared)
    assert (mode(shared), mode(shared / "ksgov.db")) == (0o755, 0o640)
