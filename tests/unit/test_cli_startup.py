"""`ksgov` imports only the module of the command it runs: the table in cli/main.py must name
every command of every module, and a term command must not pull in the record store."""

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


def test_a_term_command_does_not_import_the_record_store_or_the_templates() -> None:
    probe = (
        "import sys; from cli.main import build_app, modules_for; "
        "build_app(modules_for(['ksgov', 'county-meeting'])); "
        "print(sorted(m for m in ('sqlmodel', 'sqlalchemy', 'jinja2', 'icalendar') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
