"""Settings are read from the environment with one-line errors; logs render through structlog."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import structlog

from config import LogFormat, Settings, SettingsError, load_settings
from harness.activity_process import (
    DATABASE_URL_ENV,
    KEYS_ENV,
    ActivityOptions,
    command,
    environment,
)
from sealing import Keyring
from telemetry import configure_logging
from worker import smtp_config


def test_defaults_give_an_sqlite_file_in_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KSGOV_DATA_DIR", str(tmp_path / "d"))
    settings = load_settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'd' / 'ksgov.db'}"
    assert (settings.temporal_host, settings.temporal_port) == ("127.0.0.1", 7233)


def test_a_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("KSGOV_TASK_QUEUE=from-dotenv\n")
    assert load_settings().task_queue == "from-dotenv"


@pytest.mark.parametrize(
    ("variable", "value", "needle"),
    [
        ("KSGOV_LOG_FORMAT", "xml", "KSGOV_LOG_FORMAT"),
        ("KSGOV_LOG_LEVEL", "LOUD", "KSGOV_LOG_LEVEL"),
        ("KSGOV_TEMPORAL_ADDRESS", "nohost", "KSGOV_TEMPORAL_ADDRESS"),
        ("KSGOV_SMTP_PORT", "99999", "KSGOV_SMTP_PORT"),
        ("KSGOV_SMTP_SECURITY", "ssl3", "KSGOV_SMTP_SECURITY"),
        ("KSGOV_WORKFLOW_TASKS", "1", "KSGOV_WORKFLOW_TASKS"),
        ("KSGOV_WORKFLOW_CACHE", "-5", "KSGOV_WORKFLOW_CACHE"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(needle)
    assert value in message
    assert "\n" not in message


PASSWORD = "hunter2-secret"
URL = f"postgresql+psycopg://ks:{PASSWORD}@db.example/ksgov"


def test_a_bad_database_url_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KSGOV_DATABASE_URL", f"mysql://ks:{PASSWORD}@db/ksgov")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("KSGOV_DATABASE_URL: must start with sqlite:///")
    assert PASSWORD not in message
    assert "\n" not in message


def test_no_password_shows_in_the_settings_or_the_smtp_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KSGOV_DATABASE_URL", URL)
    monkeypatch.setenv("KSGOV_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("KSGOV_SMTP_USERNAME", "ks")
    monkeypatch.setenv("KSGOV_SMTP_SECURITY", "starttls")
    settings = load_settings()
    assert settings.resolved_database_url == URL
    config = smtp_config(settings)
    assert config.password == PASSWORD
    for text in (repr(settings), str(settings), repr(config), str(config)):
        assert PASSWORD not in text


def test_an_smtp_login_without_tls_is_refused_unless_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KSGOV_SMTP_USERNAME", "ks")
    monkeypatch.setenv("KSGOV_SMTP_PASSWORD", PASSWORD)
    with pytest.raises(SettingsError, match=r"^KSGOV_SMTP_USERNAME: a login sends the password"):
        load_settings()
    monkeypatch.setenv("KSGOV_SMTP_PLAINTEXT_LOGIN", "true")
    assert smtp_config(load_settings()).plaintext_login


def test_the_simulations_activity_process_gets_its_secrets_outside_its_command_line() -> None:
    keys = Keyring.generate()
    options = ActivityOptions(
        "127.0.0.1:7233", "q", URL, 1025, "ks@ks.invalid", keys, Path("record-key")
    )
    assert not any(PASSWORD in part or keys.value() in part for part in command(options))
    assert environment(options)[DATABASE_URL_ENV] == URL
    assert Keyring.parse(environment(options)[KEYS_ENV], "env") == keys
    assert keys.value() not in repr(options)


def test_the_ui_url_names_the_namespace() -> None:
    settings = Settings(temporal_namespace="ks", ui_port=9000)
    assert settings.ui_url == "http://127.0.0.1:9000/namespaces/ks"


def test_logs_are_json_lines_when_not_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogFormat.AUTO, "INFO")
    structlog.get_logger("ksgov.test").info("seat_recorded", seat_id=7)
    logging.getLogger("temporalio.workflow").warning(
        "timer fired", extra={"temporal_workflow": {"workflow_id": "term-2027", "run_id": "r1"}}
    )
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["event"] == "seat_recorded"
    assert lines[0]["seat_id"] == 7
    assert lines[1]["workflow_id"] == "term-2027"
    assert lines[1]["level"] == "warning"


def test_the_cores_heartbeat_capability_warning_is_dropped_and_other_warnings_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(LogFormat.AUTO, "INFO")
    core = logging.getLogger("temporalio.core-sdk_core::temporalio_sdk_core::worker")
    core.warning(
        "Temporal Server 1.16.0 or newer is required ... did not advertise the "
        "activity_failure_include_heartbeat capability, so heartbeat details may be lost"
    )
    core.warning("Failed to poll: connection refused")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["Failed to poll: connection refused"]
