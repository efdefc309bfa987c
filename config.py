"""The one place where ksgov reads its settings: environment variables (prefix KSGOV_) and .env.

Everything else receives a `Settings` (or the values it needs) from its caller. A bad value is
reported by `load_settings()` as a `SettingsError` whose message names the variable and says what
is wrong in one line, so the CLI can print it instead of a traceback.
"""

from __future__ import annotations

import os
import re
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sealing import Keyring, KeyringError, read_key_file

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
# An OpenID Connect issuer: https, or http on this machine only (tests, a local provider).
OIDC_ISSUER = re.compile(
    r"(https://[A-Za-z0-9.-]+(:[0-9]{1,5})?|http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?)"
    r"(/[A-Za-z0-9._~/-]*)?"
)


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
    web_port: Port = Field(8000, description="Port of the console (ksgov web)")
    web_secret: SecretStr = Field(
        SecretStr(""),
        description="Key that signs the console's session cookies (secret; empty: the file "
        "web-secret in the data directory, made on first use)",
    )
    web_upload_limit: int = Field(
        5_000_000, ge=1_000, le=50_000_000, description="Largest file the console takes, bytes"
    )
    worker_connect_patience: int = Field(
        300, ge=0, le=86_400,
        description="Seconds `ksgov worker` keeps trying to reach Temporal at its start, with "
        "backoff, before it gives up (exit 3)",
    )  # fmt: skip
    web_codec_origins: str = Field(
        "",
        description="Origins of Temporal web UIs allowed to call the console's codec endpoint, "
        "separated by commas (e.g. http://localhost:8233; empty: none)",
    )
    data_dir: Path = Field(
        Path(".ksgov"), description="Where ksgov server and the SQLite file live"
    )
    database_url: SecretStr = Field(
        SecretStr(""),
        description="SQLAlchemy URL; empty means an SQLite file in the data directory "
        "(secret: it may hold a password)",
    )
    payload_keys: SecretStr = Field(
        SecretStr(""),
        description="Keys that seal Temporal payloads, id:base64 separated by commas, the "
        "first seals (secret; empty: the key file)",
    )
    payload_key_file: Path | None = Field(
        None,
        description="File of the payload keys, one id:base64 a line (empty: payload-keys in "
        "the data directory, made on first use)",
    )
    record_key_file: Path | None = Field(
        None,
        description="Ed25519 key that signs the audit log, PEM (empty: record-key in the data "
        "directory, made on first use by the worker)",
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP server host")
    smtp_port: Port = Field(1025, description="SMTP server port")
    smtp_security: SmtpSecurity = Field(SmtpSecurity.NONE, description="none, starttls or tls")
    smtp_username: str = Field("", description="SMTP user name (empty: no login)")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password")
    smtp_plaintext_login: bool = Field(
        False,
        description="Allow the SMTP login without TLS (only for a server on this machine)",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        pattern=r"^https?://[A-Za-z0-9.:\[\]_-]+(/[A-Za-z0-9._~/-]*)?$",  # models.payloads
        max_length=200,
        description="Where published minutes and protocols are read (`ksgov document serve`); "
        "the minutes notice links there",
    )
    oidc_issuer: str = Field(
        "",
        max_length=300,
        description="Issuer URL of the OpenID Connect provider of the console's login "
        "(ID-porten, Entra ID): https, http only on this machine (empty: no such login)",
    )
    oidc_client_id: str = Field(
        "", max_length=200, pattern=r"^[\x21-\x7e]*$", description="The console's client id there"
    )
    oidc_client_secret: SecretStr = Field(
        SecretStr(""), description="The client's secret (secret; empty: the secret file)"
    )
    oidc_client_secret_file: Path | None = Field(
        None, description="File of the client's secret, readable by its owner only"
    )
    oidc_name: str = Field(
        "ID-porten", min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$",
        description="The provider's name on the login page's button",
    )  # fmt: skip
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
    def _known_database(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if url and not url.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError(
                "must start with sqlite:/// or postgresql+psycopg:// (or be empty for the default)"
            )
        return value

    @field_validator("payload_keys")
    @classmethod
    def _keys_parse(cls, value: SecretStr) -> SecretStr:
        if text := value.get_secret_value():
            try:
                Keyring.parse(text, "keys")
            except KeyringError as exc:
                raise ValueError(str(exc).removeprefix("keys: ")) from None
        return value

    @model_validator(mode="after")
    def _no_plaintext_login(self) -> Settings:
        if (
            self.smtp_username
            and self.smtp_security == SmtpSecurity.NONE
            and not self.smtp_plaintext_login
        ):
            raise ValueError(
                "KSGOV_SMTP_USERNAME: a login sends the password in clear without TLS: set "
                "KSGOV_SMTP_SECURITY to starttls or tls (or KSGOV_SMTP_PLAINTEXT_LOGIN=true for "
                "a server on this machine)"
            )
        return self

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_url(cls, value: str) -> str:
        if value and not OIDC_ISSUER.fullmatch(value):
            raise ValueError(
                "must be an https URL without query or fragment (http only for 127.0.0.1 or "
                "localhost), e.g. https://idporten.no/"
            )
        return value

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_issuer:
            if not self.oidc_client_id:
                raise ValueError("KSGOV_OIDC_CLIENT_ID: the OpenID Connect login needs it")
            self.oidc_secret()  # refused here, in one line, rather than at the first login
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the setting, or an SQLite file in the data directory."""
        if url := self.database_url.get_secret_value():
            return url
        return f"sqlite:///{(self.data_dir / 'ksgov.db').resolve()}"

    def keyring(self) -> Keyring:
        """The payload keys: the setting, else the key file (the data directory's is made with
        a new key on first use; one named by the setting must exist)."""
        if text := self.payload_keys.get_secret_value():
            return Keyring.parse(text, "KSGOV_PAYLOAD_KEYS")
        if self.payload_key_file is not None:
            return read_key_file(self.payload_key_file, create=False)
        return read_key_file(self.data_dir / "payload-keys", create=True)

    @property
    def record_key_path(self) -> Path:
        """Where the record key is: the setting, else `record-key` in the data directory."""
        return self.record_key_file or self.data_dir / "record-key"

    def web_key(self) -> str:
        """The key that signs session cookies: the setting, else the data directory's
        web-secret file (made 0600 with 32 random bytes on first use)."""
        if key := self.web_secret.get_secret_value():
            return key
        path = self.data_dir / "web-secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(32))
        return path.read_text(encoding="utf-8").strip()

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    def oidc_secret(self) -> str:
        """The OpenID Connect client's secret: the setting, else the secret file, which must
        not be readable by group or others (a `ValueError` naming the variable otherwise)."""
        if secret := self.oidc_client_secret.get_secret_value():
            return secret
        path = self.oidc_client_secret_file
        if path is None:
            raise ValueError(
                "KSGOV_OIDC_CLIENT_SECRET or KSGOV_OIDC_CLIENT_SECRET_FILE: the OpenID Connect "
                "login needs the client's secret"
            )
        try:
            if path.stat().st_mode & 0o077:
                raise ValueError(
                    f"KSGOV_OIDC_CLIENT_SECRET_FILE: {path} can be read by other users: "
                    "chmod 600 it"
                )
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(
                f"KSGOV_OIDC_CLIENT_SECRET_FILE: {path} cannot be read ({exc.strerror})"
            ) from None
        if not secret:
            raise ValueError(f"KSGOV_OIDC_CLIENT_SECRET_FILE: {path} is empty")
        return secret

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
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule over several settings names them itself
            raise SettingsError(message) from None
        field = str(first["loc"][0])
        got = "a value not shown" if field in SECRET_FIELDS else repr(first.get("input"))
        raise SettingsError(f"{ENV_PREFIX}{field.upper()}: {message} (got {got})") from None


# Settings that may hold a password: never echoed, not even in an error about them.
SECRET_FIELDS = frozenset({"database_url", "smtp_password", "payload_keys", "oidc_client_secret"})
