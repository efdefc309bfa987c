"""Bad configuration gives a one-line error that names the setting, never a traceback."""

from __future__ import annotations

import socket

from tests.e2e.conftest import Sandbox


def assert_one_line_error(result: object, *needles: str) -> None:
    stderr = result.stderr.strip()  # type: ignore[attr-defined]
    assert result.returncode != 0, stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("ksgov: error: ")
    for needle in needles:
        assert needle in stderr


def test_an_unknown_log_format_names_the_setting(sandbox: Sandbox) -> None:
    sandbox.env["KSGOV_LOG_FORMAT"] = "xml"
    result = sandbox.run("db", "upgrade")
    assert_one_line_error(result, "KSGOV_LOG_FORMAT", "xml")
    assert result.returncode == 2


def test_an_unreachable_database_names_the_setting(sandbox: Sandbox) -> None:
    sandbox.env["KSGOV_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"
    result = sandbox.run("db", "upgrade")
    assert_one_line_error(result, "KSGOV_DATABASE_URL", "127.0.0.1:1")


def test_a_database_url_of_an_unknown_kind_is_refused(sandbox: Sandbox) -> None:
    sandbox.env["KSGOV_DATABASE_URL"] = "mysql://x@y/z"
    assert_one_line_error(sandbox.run("db", "upgrade"), "KSGOV_DATABASE_URL")


def test_a_temporal_port_in_use_names_the_setting(sandbox: Sandbox) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        sandbox.env["KSGOV_TEMPORAL_ADDRESS"] = f"127.0.0.1:{busy.getsockname()[1]}"
        result = sandbox.run("server")
    assert_one_line_error(result, "KSGOV_TEMPORAL_ADDRESS", "in use")


def test_a_malformed_temporal_address_names_the_setting(sandbox: Sandbox) -> None:
    sandbox.env["KSGOV_TEMPORAL_ADDRESS"] = "localhost"
    assert_one_line_error(sandbox.run("server"), "KSGOV_TEMPORAL_ADDRESS", "host:port")


def test_db_upgrade_creates_the_default_sqlite_file_in_the_data_directory(sandbox: Sandbox) -> None:
    result = sandbox.run("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (sandbox.cwd / "data" / "ksgov.db").is_file()


def test_a_simulation_or_drill_on_a_database_that_does_not_exist_says_so_in_one_line(
    sandbox: Sandbox,
) -> None:
    missing = "postgresql+psycopg://postgres@127.0.0.1:5432/ksgov_no_such_database"
    for command in ("simulate", "drill"):
        result = sandbox.run(command, "--database-url", missing)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        last = result.stderr.strip().splitlines()[-1]  # after the progress line naming it
        assert last.startswith("ksgov: error: the database ")
        for needle in ("cannot be migrated (--database-url)", 'ksgov_no_such_database" does not'):
            assert needle in last


def test_hostile_input_files_are_one_line_refusals_with_exit_2(sandbox: Sandbox) -> None:
    # Each once gave a traceback or a hang (issue 21, finding 8); none needs a server.
    files = {
        "deep.json": "[" * 50_000 + "]" * 50_000,
        "digits.json": '{"A": ' + "7" * 5000 + "}",
        "twice.json": '{"A": 1, "A": 2}',
        "huge.json": " " * 5_000_001,
    }
    for name, text in files.items():
        (sandbox.cwd / name).write_text(text)
    (sandbox.cwd / "utf16.json").write_text('{"A": 1}', encoding="utf-16")
    cases = {
        ("count", "--method", "dhondt", "--seats", "3", "deep.json"): "nested too deeply",
        ("count", "--method", "dhondt", "--seats", "3", "digits.json"): "too many digits",
        ("count", "--method", "dhondt", "--seats", "3", "twice.json"): "appears twice",
        ("count", "--method", "dhondt", "--seats", "3", "huge.json"): "more than the 5 MB",
        ("count", "--method", "dhondt", "--seats", "3", "utf16.json"): "not UTF-8 text",
        ("count", "--lists", "deep.json", "--method", "dhondt", "--seats", "3"): "nested too",
        ("count", "--method", "dhondt", "--seats", "100000000", "twice.json"): "appears twice",
        ("apportion", "--total", "1000000000"): "--total must be at most 10,000",
        ("meeting", "plan", "x' OR 1=1", "2028-2032"): "the organ must be",
    }
    for args, needle in cases.items():
        result = sandbox.run(*args, timeout=60)
        assert_one_line_error(result, needle)
        assert result.returncode == 2, (args, result.stderr)
