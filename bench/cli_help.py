"""Benchmark: how long `ksgov --help` and each command's `--help` take, as a user types them.

Runs the installed `ksgov` (beside this Python) with `--help` `--runs` times per command, in a
fresh process each time, and prints JSON: the median and the slowest wall seconds per command,
and the median of the medians.

    .venv/bin/python bench/cli_help.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (
    (), ("term",), ("term", "start"), ("county-meeting",), ("county-meeting", "vote"),
    ("landsting", "date"), ("seat", "vacate"), ("audit",), ("audit", "person"), ("meeting",),
    ("meeting", "move"), ("simulate",), ("drill",), ("demo",), ("server",), ("worker",),
    ("db", "upgrade"), ("registry",), ("count",), ("apportion",), ("bylaws", "show"),
)  # fmt: skip


def seconds(ksgov: Path, words: tuple[str, ...]) -> float:
    """Wall seconds of one `ksgov WORDS --help`, which must succeed."""
    began = time.perf_counter()
    command = [str(ksgov), *words, "--help"]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own command
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    runs = parser.parse_args().runs
    ksgov = Path(sys.executable).parent / "ksgov"
    rows = {}
    for words in COMMANDS:
        times = [seconds(ksgov, words) for _ in range(runs)]
        rows[" ".join(("ksgov", *words, "--help"))] = {
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
        }
    medians = [r["median_s"] for r in rows.values()]
    summary = {"runs": runs, "median_of_medians_s": statistics.median(medians), "commands": rows}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
