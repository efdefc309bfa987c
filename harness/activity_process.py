"""The simulation's activities in a process of their own, beside the one that runs the workflows.

A simulation is bound by one core running Python: the workflows, sixteen activity threads and
the SMTP server share one interpreter lock. Its activities (composing and sending the e-mail,
writing the records) take more than half of that time, so they run in a second process, polling
the same task queue on the same time-skipping server: on two cores the two processes run side
by side. It is the real `worker` built with only the activities (`role="activities"`), with the
business clock that reads the simulated time of each attempt.

`activity_process(...)` starts it and stops it; if it dies meanwhile, the simulation stops with
a message instead of waiting for activities nobody runs. Run on its own (`python -m
harness.activity_process --help`) it is that worker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import connection
from activities.clock import temporal_clock
from client.errors import UserError
from notices.mailer import SmtpConfig
from sealing import Keyring, KeyringError
from store import db
from store.signing import read_record_key, sign_with
from telemetry import configure_logging
from worker import running_worker

STOP_SECONDS = 20.0  # for the worker's graceful shutdown (10 s) and the interpreter's exit


@dataclass(frozen=True)
class ActivityOptions:
    """Where the activity process polls, writes and sends."""

    target: str
    task_queue: str
    database_url: str
    smtp_port: int
    mail_from: str
    keys: Keyring
    record_key_file: Path


# The database URL goes to the child in its environment, not on its command line, where every
# local user can read it (`ps`) with any password it holds.
DATABASE_URL_ENV = "KSGOV_ACTIVITY_DATABASE_URL"
KEYS_ENV = "KSGOV_PAYLOAD_KEYS"  # the same goes for the payload keys


def command(options: ActivityOptions) -> list[str]:
    return [
        sys.executable, "-m", "harness.activity_process",
        "--target", options.target, "--task-queue", options.task_queue,
        "--smtp-port", str(options.smtp_port), "--mail-from", options.mail_from,
        "--record-key-file", str(options.record_key_file),
    ]  # fmt: skip


def environment(options: ActivityOptions) -> dict[str, str]:
    return {**os.environ, DATABASE_URL_ENV: options.database_url, KEYS_ENV: options.keys.value()}


@contextlib.asynccontextmanager
async def activity_process(
    options: ActivityOptions,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run the activities in a child process for the duration of the block.

    Its output goes to this process's stderr (stdout is the simulation's JSON). If it exits
    while the block runs, the block is cancelled and a `UserError` says so.
    """
    process = await asyncio.create_subprocess_exec(
        *command(options),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=sys.stderr.fileno(),
        env=environment(options),
    )
    body = asyncio.current_task()
    died: list[int] = []

    async def watch() -> None:
        died.append(await process.wait())
        if body is not None:
            body.cancel()

    watcher = asyncio.create_task(watch())
    try:
        yield process
    except asyncio.CancelledError:
        if died:
            raise UserError(
                f"the simulation's activity worker stopped (exit code {died[0]}): "
                "see its messages above"
            ) from None
        raise
    finally:
        watcher.cancel()
        await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


async def serve(options: ActivityOptions) -> None:
    """The activity worker, until SIGTERM."""
    key = read_record_key(options.record_key_file, create=False)
    engine = sign_with(db.make_engine(options.database_url), key)
    client = await connection.connect_to(options.target, options.keys)
    config = SmtpConfig(host="127.0.0.1", port=options.smtp_port, mail_from=options.mail_from)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        async with running_worker(
            client, options.task_queue, engine, config, temporal_clock, role="activities"
        ):
            await stop.wait()
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m harness.activity_process",
        description="The simulation's activity worker (started by `ksgov simulate`); the record "
        f"store's URL comes from {DATABASE_URL_ENV}, the payload keys from {KEYS_ENV}.",
    )
    parser.add_argument("--target", required=True, help="host:port of the Temporal server")
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--mail-from", required=True)
    parser.add_argument("--record-key-file", type=Path, required=True)
    args = parser.parse_args(argv)
    database_url = os.environ.get(DATABASE_URL_ENV, "")
    if not database_url:
        parser.error(f"{DATABASE_URL_ENV} must name the record store")
    try:
        keys = Keyring.parse(os.environ.get(KEYS_ENV, ""), KEYS_ENV)
    except KeyringError as exc:
        parser.error(str(exc))
    configure_logging(level="WARNING")  # as `ksgov simulate` logs
    options = ActivityOptions(
        args.target, args.task_queue, database_url, args.smtp_port, args.mail_from, keys,
        args.record_key_file,
    )  # fmt: skip
    asyncio.run(serve(options))


if __name__ == "__main__":
    main()
