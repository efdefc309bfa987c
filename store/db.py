"""Database engines and migrations for the record store (SQLite file or PostgreSQL).

SQLite transactions start with BEGIN IMMEDIATE so that concurrent activity threads take the write
lock before they read the audit head: appends are serialised and the hash chain cannot fork.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

from store.files import private_file

if TYPE_CHECKING:  # Alembic costs 0.15 s to import: only the migrating commands load it
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url`; for SQLite, a file shared safely by the worker's activity threads.

    A `read_only` engine refuses every write (SQLite's query_only, PostgreSQL's read-only
    transactions) and, on SQLite, begins its transactions deferred: a reader does not take
    the write lock that writers take at once, so readers (the console's pages) neither wait
    for each other nor hold up a writer (WAL lets them read while it writes)."""
    if url.startswith("sqlite"):
        if url in {"sqlite://", "sqlite:///:memory:"}:
            raise ValueError("an in-memory SQLite database breaks across threads: use a file")
        private_file(Path(url.removeprefix("sqlite:///")))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_transactions(engine, read_only)
        return engine
    if read_only:
        options = "-c default_transaction_read_only=on"
        return create_engine(url, pool_pre_ping=True, connect_args={"options": options})
    return create_engine(url, pool_pre_ping=True)


def _sqlite_transactions(engine: Engine, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A commit survives the process being killed; only a power cut or an OS crash may lose
        # the last commits (docs/guarantees.md, "The record store on SQLite").
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A writer takes the write lock before it reads the audit head: appends are serialised.
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def display_url(url: str) -> str:
    """The URL without its password, fit for logs and summaries."""
    return make_url(url).render_as_string(hide_password=True)


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url` that needs no alembic.ini in the working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations to the database at `url` (creating an SQLite file if needed)."""
    if url.startswith("sqlite:///"):
        private_file(Path(url.removeprefix("sqlite:///")))
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
