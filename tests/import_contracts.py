"""An import-linter contract for the top-level modules: worker.py, config.py, telemetry.py and
connection.py are modules, not packages, and import-linter takes only packages as roots.

The contract adds those modules to the import graph (their imports read from their source),
then forbids chains from the `source_modules` to the `forbidden_modules`, directly or through any
package: `worker -> activities.all -> ... -> client` breaks it as surely as `worker -> client`.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> list[tuple[str, int, str]]:
    """(module imported, line number, line) for every import statement of the file."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: list[tuple[str, int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, lines[node.lineno - 1].strip()) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, node.lineno, lines[node.lineno - 1].strip()))
    return found


class TopLevelModulesContract(Contract):
    """Top-level modules (and what they import) must not reach the forbidden modules."""

    type_name = "top_level_modules"

    top_level = fields.ListField(subfield=fields.StringField())
    source_modules = fields.ListField(subfield=fields.StringField())
    forbidden_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        top_level = [str(m) for m in self.top_level]  # type: ignore[attr-defined]
        for name in top_level:
            if name not in graph.modules:
                graph.add_module(name)
        for name in top_level:
            for imported, line, text in imports_of(ROOT / f"{name}.py"):
                target = _in_graph(graph, imported)
                if target is not None and target != name:
                    graph.add_import(
                        importer=name, imported=target, line_number=line, line_contents=text
                    )
        chains: list[list[str]] = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            for forbidden in self.forbidden_modules:  # type: ignore[attr-defined]
                if str(forbidden) not in graph.modules:
                    continue
                chain = graph.find_shortest_chain(
                    importer=str(source), imported=str(forbidden), as_packages=True
                )
                if chain:
                    chains.append(list(chain))
        return ContractCheck(kept=not chains, metadata={"chains": chains})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for chain in check.metadata["chains"]:
            output.print_error(" -> ".join(chain), bold=True)
            output.new_line()


def _in_graph(graph: ImportGraph, module: str) -> Any:
    """`module`, or the nearest package above it, as the graph knows it; None if unknown."""
    parts = module.split(".")
    while parts:
        name = ".".join(parts)
        if name in graph.modules:
            return name
        parts.pop()
    return None
