"""`ksgov --help` and every command's `--help` load no heavy module: the command modules import
Temporal, the record store, the settings and the templates only when a command runs. The table
in cli/main.py must name every command of every module."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from rich.text import Text

from cli.main import COMMANDS, MODULES, build_app, modules_for


def names(app: typer.Typer) -> set[str]:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return set(group.commands)


def test_the_table_names_exactly_the_commands_each_module_registers() -> None:
    for module in MODULES:
        assert names(build_app([module])) == {c for c, m in COMMANDS.items() if m == module}
    assert names(build_app()) == set(COMMANDS)


def test_a_command_loads_its_module_and_help_or_a_typo_loads_them_all() -> None:
    assert modules_for(["ksgov", "county-meeting", "vote"]) == ("term",)
    assert modules_for(["ksgov", "audit", "verify"]) == ("audit",)
    assert modules_for(["ksgov"]) == MODULES
    assert modules_for(["ksgov", "--help"]) == MODULES
    assert modules_for(["ksgov", "cuonty-meeting"]) == MODULES  # click then suggests the name


HEAVY = (
    "temporalio", "sqlmodel", "sqlalchemy", "alembic", "jinja2", "icalendar", "holidays",
    "pydantic_settings", "structlog", "config", "workflows", "store", "harness.simulate",
)  # fmt: skip


def test_building_every_command_imports_no_heavy_module() -> None:
    probe = (
        "import sys; from cli.main import build_app; build_app(); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_command_still_imports_what_it_runs_with() -> None:
    probe = (
        "import sys; from cli.main import build_app; from typer.testing import CliRunner; "
        "CliRunner().invoke(build_app(), ['meeting', 'plan', 'hovedstyret', '2024-2028']); "
        "print('holidays' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def _helps(command: Any, path: str) -> Iterator[tuple[str, str]]:
    yield path, command.help or ""
    for param in command.params:
        yield f"{path} {param.name}", getattr(param, "help", None) or ""
    if isinstance(command, typer.core.TyperGroup):
        for name, sub in command.commands.items():
            yield from _helps(sub, f"{path} {name}")


def test_every_help_text_prints_as_written() -> None:
    """Typer prints help through Rich, which would swallow "[person ids]" as a style tag."""
    helps = list(_helps(typer.main.get_command(build_app()), "ksgov"))
    assert len(helps) > 100
    for where, text in helps:
        assert Text.from_markup(text).plain == text, where


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["term", "status", "2028-2031"], "ksgov: error: Invalid value for 'TERM': '2028-2031' is"),
        (["term", "status"], "ksgov: error: Missing argument 'TERM'. (see --help)"),
        (["cuonty-meeting"], "ksgov: error: No such command 'cuonty-meeting'. Did you mean"),
        (["simulate", "--term", "20x"], "ksgov: error: Invalid value for '--term': '20x' is not"),
    ],
)
def test_a_usage_error_is_one_line_with_exit_code_2(args: list[str], line: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(line), done.stderr


def test_help_still_prints_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "term", "status", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "The term: its Landsting period" in done.stdout
