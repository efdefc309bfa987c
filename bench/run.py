"""Benchmark: simulate a term at each scale, then time the audit queries on its record store.

    .venv/bin/python bench/run.py                                   # scale 1, all meetings
    .venv/bin/python bench/run.py --scales 1 10 --meetings national  # several scales

Each simulation runs in a child process, so its peak resident memory is measured apart from
this script's. The simulation is two processes (the workflows' worker with the client, and the
activities' worker, harness/activity_process.py); the peak is that of the largest single
process in its tree, as Linux reports a child's, not a sum. Prints one JSON document: per scale
the wall time, peak memory, the simulation's counts and invariants, and the time of each audit
query. Nothing here is asserted: machines are noisy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import audit  # noqa: E402 - after the path set-up above


def simulate(
    scale: int, seed: int, meetings: str, workdir: Path
) -> tuple[dict[str, Any], float, int]:
    """Run `ksgov simulate --json` in a child; its summary, wall seconds and peak RSS (KiB)."""
    ksgov = Path(sys.executable).parent / "ksgov"
    began = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(  # noqa: S603 - our own command
        [
            str(ksgov),
            "simulate",
            "--json",
            "--scale",
            str(scale),
            "--seed",
            str(seed),
            "--meetings",
            meetings,
            "--data-dir",
            str(workdir),
        ],
        stdout=subprocess.PIPE,  # the JSON summary; its progress goes on to our stderr
        text=True,
        check=False,
        cwd=workdir,
    )
    wall = time.monotonic() - began
    if done.returncode != 0:
        raise SystemExit(
            f"simulate --scale {scale} failed (exit code {done.returncode}): see its output above"
        )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(done.stdout), wall, max(peak, before)


def timed(ask: Any) -> dict[str, Any]:
    began = time.perf_counter()
    answer = ask()
    return {"seconds": round(time.perf_counter() - began, 4), "rows": len(answer.rows)}


def audit_queries(url: str, year: int) -> dict[str, Any]:
    """Time each audit query that reads only the record store."""
    term = str(year)
    return {
        "seats_hovedstyret": timed(lambda: audit.seats(url, "hovedstyret", term, None)),
        "seats_county_board": timed(lambda: audit.seats(url, "county_board:46", term, None)),
        "person": timed(lambda: audit.person(url, "Kari")),
        "notifications_term": timed(lambda: audit.notifications(url, None, None, term)),
        "timeline": timed(lambda: audit.timeline(url, term)),
        "verify_chain": timed_verify(url),
    }


def timed_verify(url: str) -> dict[str, Any]:
    began = time.perf_counter()
    report = audit.verify(url)
    return {
        "seconds": round(time.perf_counter() - began, 4),
        "entries": report.entries,
        "ok": report.ok,
    }


def cpu_reference_seconds() -> float:
    """Seconds for a fixed piece of pure-Python work (best of three): how fast this machine ran
    plain Python at that moment.

    Printed beside the figures because machines of one kind differ widely on the same run. It
    does not predict the simulation, though: on one machine it can halve within the hour while
    the simulation's time stays about the same.
    """
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        digest = b""
        for i in range(200_000):
            digest = hashlib.sha256(digest + json.dumps({"i": i, "k": str(i)}).encode()).digest()
        best = min(best, time.perf_counter() - began)
    return round(best, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--meetings", choices=["all", "national", "none"], default="all",
        help="whose meetings the simulated term holds (as ksgov simulate --meetings)",
    )  # fmt: skip
    args = parser.parse_args()
    results = []
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix=f"ksgov-bench-{scale}-") as tmp:
            print(f"scale {scale}: simulating ...", file=sys.stderr, flush=True)
            summary, wall, peak_kib = simulate(scale, args.seed, args.meetings, Path(tmp))
            url = summary["records"]
            keep = {
                k: summary[k]
                for k in (
                    "counties",
                    "municipalities",
                    "delegates",
                    "elections",
                    "meetings",
                    "notifications",
                    "workflows",
                    "workflow_tasks",
                    "activities",
                    "activities_per_type",
                    "timers",
                    "audit_verified",
                    "invariants_ok",
                )
            }
            results.append(
                {
                    "scale": scale,
                    "meetings_simulated": args.meetings,
                    "wall_seconds": round(wall, 1),
                    "simulation_wall_seconds": summary["wall_seconds"],
                    "peak_rss_mib": round(peak_kib / 1024, 1),
                    **keep,
                    "audit_query_seconds": audit_queries(url, 2027),
                }
            )
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.system(),
        "cpu_reference_seconds": cpu_reference_seconds(),
    }
    json.dump({"machine": machine, "results": results}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
