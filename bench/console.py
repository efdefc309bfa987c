"""Benchmark: the console's pages under concurrent users, on a record store a simulation left.

Starts `ksgov web` (beside this Python) as its own process on the store given, with an
auditor account made in that store for the run, then lets `--users` users log in and, once all
have, ask the pages of `--pages` in turn until each has made `--requests` requests; prints
JSON: per page the count, the median, the 95th percentile and the slowest wall milliseconds,
and any answer that was not 200. The store is changed only by the account (and its audit entry).

    .venv/bin/python bench/console.py --database-url sqlite:///.ksgov/simulations/term-....db \\
        --users 20 --requests 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from service import accounts
from store.db import make_engine, upgrade

PAGES = (
    "/",
    "/revisjon/seter?organ=hovedstyret&term=2028-2032",
    "/revisjon/seter?organ=county_board:46&term=2028-2032",
    "/revisjon/person?name=Kari",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def user(
    base: str, login_name: str, password: str, pages: list[str], requests: int,
    start: threading.Barrier, think_ms: int,
) -> list[tuple[str, float, int]]:  # fmt: skip
    """One user's session: log in, wait until every user has (a login costs an argon2 hash on
    purpose, which is not what the pages cost), then ask the pages in turn, reading each for
    about `think_ms` (a random 0.5 to 1.5 times it) before the next; (page, ms, status)
    each."""
    rng = random.Random()
    timings = []
    with httpx.Client(base_url=base, timeout=120, follow_redirects=False) as client:
        form = client.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf is not None
        login = client.post("/login", data={"username": login_name, "password": password,
                                            "csrf": csrf.group(1)})  # fmt: skip
        assert login.status_code == 303, login.text[:200]
        start.wait()
        for n in range(requests):
            page = pages[n % len(pages)]
            began = time.perf_counter()
            answer = client.get(page)
            timings.append((page, (time.perf_counter() - began) * 1000, answer.status_code))
            if think_ms:
                time.sleep(think_ms * rng.uniform(0.5, 1.5) / 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="per user")
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    parser.add_argument("--workers", type=int, default=1, help="ksgov web --workers")
    parser.add_argument(
        "--think-ms", type=int, default=0,
        help="a user's time between pages (0: each asks the next page at once)",
    )  # fmt: skip
    args = parser.parse_args()
    upgrade(args.database_url)
    engine = make_engine(args.database_url)
    password = secrets.token_urlsafe(16)
    login_name = f"benk-revisor-{secrets.token_hex(3)}"
    accounts.add(engine, login_name, "auditor", password)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "KSGOV_DATABASE_URL": args.database_url, "KSGOV_LOG_FORMAT": "json"}
    ksgov = Path(sys.executable).with_name("ksgov")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [str(ksgov), "web", "--port", str(port), "--workers", str(args.workers)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/health", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        start = threading.Barrier(args.users + 1)
        with ThreadPoolExecutor(args.users) as pool:
            running = [
                pool.submit(
                    user,
                    base,
                    login_name,
                    password,
                    args.pages,
                    args.requests,
                    start,
                    args.think_ms,
                )
                for _ in range(args.users)
            ]
            start.wait()
            began = time.perf_counter()
            runs = [r.result() for r in running]
        wall = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    report: dict[str, object] = {"users": args.users, "workers": args.workers,
                                 "think_ms": args.think_ms,
                                 "requests": args.users * args.requests,
                                 "wall_seconds": round(wall, 1), "pages": {}}  # fmt: skip
    for page in args.pages:
        times = sorted(ms for run in runs for p, ms, _ in run if p == page)
        bad = sorted({s for run in runs for p, _, s in run if p == page and s != 200})
        report["pages"][page] = {  # type: ignore[index]
            "count": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1),
            "not_200": bad,
        }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
