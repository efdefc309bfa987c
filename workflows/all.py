"""Every workflow class of ksgov: the one list the worker registers and replay tests load."""

from __future__ import annotations

from collections.abc import Sequence

from workflows.registry_import import RegistryImportWorkflow

WORKFLOWS: Sequence[type] = (RegistryImportWorkflow,)
