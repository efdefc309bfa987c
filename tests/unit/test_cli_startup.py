"""`ksgov --help` and every command's `--help` load no heavy module: the command modules import
Temporal, the record store, the settings and the templates only when a command runs. The table
in cli/main.py must name every command of every module."""

from __future__ import annotations

import subprocess
import sys

import typer

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
