"""The one place where ksgov reads its settings: environment variables (prefix KSGOV_) and .env.

Everything else receives a `Settings` (or the values it needs) from its caller. A bad value is
reported by `load_settings()` as a `SettingsError` whose message names the variable and says what
is wrong in one line, so the CLI can print it instead of a traceback.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent
SHIPPED_DATA_DIR = PROJECT_ROOT / "data"
ENV_PREFIX = "KSGOV_"


class LogFormat(StrEnum):
    """How log lines are written: `auto` is console on a terminal and JSON otherwise."""

    AUTO = "auto"
    CONSOLE = "console"
    JSON = "json"


class SmtpSecurity(StrEnum):
    """How the SMTP connection is secured."""

    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class SettingsError(ValueError):
    """A setting has a bad value; the message is one line naming the environment variable."""


# Workflow tasks run under the GIL, so more than a few at once only makes each one slower: with
# the SDK's default of 100 slots on a few cores, a task of a busy worker can outlast the 10 s
# workflow task timeout and be retried, again and again. A workflow evicted from the cache is
# replayed from its whole history at its next task, so the cache should hold every workflow that
# is running (the simulation sizes it to its federation).
WORKFLOW_TASKS = 16
WORKFLOW_CACHE = 1000

Port = Annotated[int, Field(ge=1, le=65535)]


class Settings(BaseSettings):
    """ksgov's settings. Each field is read from `KSGOV_<FIELD>` (upper case) or from `.env`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    temporal_address: str = Field("127.0.0.1:7233", description="Temporal frontend host:port")
    temporal_namespace: str = Field("default", description="Temporal namespace")
    task_queue: str = Field("ksgov", description="Task queue of the ksgov worker")
    ui_port: Port = Field(8233, description="Port of the Temporal web UI (ksgov server)")
    data_dir: Path = Field(
        Path(".ksgov"), description="Where ksgov server and the SQLite file live"
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means an SQLite file in the data directory"
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP server host")
    smtp_port: Port = Field(1025, description="SMTP server port")
    smtp_security: SmtpSecurity = Field(SmtpSecurity.NONE, description="none, starttls or tls")
    smtp_username: str = Field("", description="SMTP user name (empty: no login)")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password")
    mail_from: str = Field("ksgov@ks.invalid", description="Sender address of every notice")
    secretariat_email: str = Field("sekretariatet@ks.invalid", description="Where alerts go")
    workflow_cache: int = Field(
        WORKFLOW_CACHE, ge=0, description="Workflows kept in memory (more than run at once)"
    )
    workflow_tasks: int = Field(
        WORKFLOW_TASKS, ge=2, description="Workflow tasks run at once (they share one core)"
    )
    log_format: LogFormat = Field(LogFormat.AUTO, description="auto, console or json")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("temporal_address")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, for example 127.0.0.1:7233")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError(
                "must start with sqlite:/// or postgresql+psycopg:// (or be empty for the default)"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the setting, or an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ksgov.db').resolve()}"

    @property
    def temporal_port(self) -> int:
        return int(self.temporal_address.rpartition(":")[2])

    @property
    def temporal_host(self) -> str:
        return self.temporal_address.rpartition(":")[0]

    @property
    def ui_url(self) -> str:
        return f"http://{self.temporal_host}:{self.ui_port}/namespaces/{self.temporal_namespace}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation failure into a one-line `SettingsError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        message = first["msg"].removeprefix("Value error, ")
        got = first.get("input")
        raise SettingsError(f"{ENV_PREFIX}{field.upper()}: {message} (got {got!r})") from None
