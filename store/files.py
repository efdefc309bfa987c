"""Files and directories that hold personal data, created readable by their owner only.

Standard library only: `ksgov server` uses it without loading the record store.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def private_dir(path: Path) -> None:
    """Create the directory `path` (and its parents) if it is missing, the last one readable by
    its owner only (0700): the record store and the Temporal server's state hold personal data."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)


def private_file(path: Path) -> None:
    """Create the file `path` readable and writable by its owner only (0600) if it is missing,
    in a directory made by `private_dir`. SQLite gives its -wal and -shm files the same mode."""
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
