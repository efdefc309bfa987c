"""`python -m tests`: every check CI runs, in order, with one verdict at the end.

ruff (lint and format), mypy --strict, import-linter (the dependency rule), then the four test
tiers in parallel processes (pytest-xdist) with branch coverage of domain/ and of the workflows'
pure modules (ballot, representatives, composition, term seats, meeting roster, checks and
state; `[tool.coverage.run] source` in pyproject.toml), which must be 100 %, listing the twelve
slowest tests (CI has 15 minutes). Any failure, including pytest's "no tests ran" (exit 5),
makes the exit code non-zero. Extra arguments go to pytest.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def checks(pytest_args: list[str]) -> list[tuple[str, list[str]]]:
    return [
        ("ruff lint", [str(BIN / "ruff"), "check", "."]),
        ("ruff format", [str(BIN / "ruff"), "format", "--check", "."]),
        ("mypy --strict", [str(BIN / "mypy"), "."]),
        ("import contracts", [str(BIN / "lint-imports")]),
        (
            "tests: unit, activities, workflows, e2e",
            [
                sys.executable, "-m", "pytest", "tests",
                "--cov", "--cov-branch", "--cov-report=term-missing:skip-covered",
                "--cov-fail-under=100", "--durations=12",
                # A process per core (at most four; `-n 0` turns it off), one test file each at
                # a time: the long e2e tests wait on servers and subprocesses, so on two cores
                # the e2e tier took 6 min instead of 11 on 2026-12-01.
                "--numprocesses=auto", "--maxprocesses=4", "--dist=loadfile", *pytest_args,
            ],
        ),
    ]  # fmt: skip


def main() -> int:
    failed: list[str] = []
    for name, command in checks(sys.argv[1:]):
        shown = " ".join([Path(command[0]).name, *command[1:]])
        print(f"\n=== {name}: {shown}", flush=True)
        began = time.monotonic()
        code = subprocess.call(command, cwd=ROOT)
        verdict = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"=== {name}: {verdict} in {time.monotonic() - began:.1f} s", flush=True)
        if code != 0:
            failed.append(name)
    print("\nAll checks passed." if not failed else f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
