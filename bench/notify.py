"""Benchmark: the CPU one e-mail costs in the notify activity, without Temporal.

Sends `--messages` notices through `notify_many` (batches of `--batch`, `--threads` calls at
once, as the worker's activity threads run them), as a county meeting's requests for
representatives go, into a new SQLite record store and over real SMTP to the
simulations' in-process server, and prints JSON: CPU seconds of this process (the activity
and the SMTP server's thread together) and wall seconds, in all and per message, and where the
activity's time went (`--profile`: the ten costliest functions by cumulative time); then
the same number of messages the plain way (bench/notify_floor.py), and how many times that
floor a ksgov notice costs.

    .venv/bin/python bench/notify.py --messages 2000
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import notify_floor

from activities.notify import NotificationActivities
from harness.smtp import CountingSmtp
from models.payloads import NotifyMany, NotifyRequest, Recipient
from notices.mailer import SmtpConfig
from store.db import make_engine, upgrade
from store.signing import RecordKey, sign_with
from telemetry import configure_logging

DEADLINE = dt.datetime(2099, 11, 30, 23, tzinfo=dt.UTC)


def batch(county: str, size: int) -> NotifyMany:
    """`size` members' requests for representatives, one county meeting's worth."""
    return NotifyMany(
        requests=tuple(
            NotifyRequest(
                purpose="representatives_requested",
                subject_key=f"term-2099/county-{county}/member-{i}",
                recipients=(
                    Recipient(
                        recipient_id=f"{county}{i:02d}",
                        email=f"post{i}@kommune-{county}.invalid",
                        name=f"Ærlig kommune {i}",
                    ),
                ),
                context={
                    "county": f"Fylke {county}",
                    "term": "2099-2103",
                    "representatives": 3,
                    "member": f"Ærlig kommune {i}",
                },
                deadline=DEADLINE,
            )
            for i in range(size)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=25, help="notices per notify_many call")
    parser.add_argument(
        "--threads", type=int, default=16, help="calls at once (the worker runs up to 16)"
    )
    parser.add_argument("--profile", action="store_true", help="one thread, with cProfile")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the plain floor (bench/notify_floor.py)"
    )
    args = parser.parse_args()
    configure_logging(level="WARNING")  # as `ksgov simulate` runs it
    folder = Path(tempfile.mkdtemp(prefix="ksgov-bench-notify-"))
    url = f"sqlite:///{folder / 'records.db'}"
    upgrade(url)
    smtp = CountingSmtp()
    smtp.start()
    # Signed as the worker signs (every audit entry and the head, store/signing.py).
    engine = sign_with(make_engine(url), RecordKey.generate())
    activities = NotificationActivities(engine, SmtpConfig(port=smtp.port))
    activities.notify_many(batch("warm", 5))  # connections, templates, statement caches
    profile = cProfile.Profile() if args.profile else None
    calls = max(1, args.messages // args.batch)
    cpu, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    batches = [batch(f"{n:04d}", args.batch) for n in range(calls)]
    if profile or args.threads == 1:
        for each in batches:
            activities.notify_many(each)
    else:
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(activities.notify_many, batches))
    if profile:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    smtp.stop()
    sent = calls * args.batch
    result: dict[str, object] = {
        "messages": sent,
        "received": smtp.count - 5,
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall, 3),
        "cpu_ms_per_message": round(1000 * cpu / sent, 2),
        "wall_ms_per_message": round(1000 * wall / sent, 2),
        "records": url,
    }
    if not args.no_floor:
        floor = notify_floor.run(sent)
        result["floor_wall_ms_per_message"] = floor["wall_ms_per_message"]
        result["floor_cpu_ms_per_message"] = floor["cpu_ms_per_message"]
        result["times_the_floor"] = round(wall / sent * 1000 / floor["wall_ms_per_message"], 2)
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
        result["profile"] = out.getvalue().splitlines()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
